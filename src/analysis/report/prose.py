"""Chapter 11's running text per figure, written from the figure's tidy table and the change table
of the last pair of waves, in the original report's manner: what most kommuner answered in the
latest wave, the largest change since the wave before, and whether the changes are significant.

Generic over the waves: the latest wave is the largest ``year`` of the figure's table, the one
before it the next largest; nothing here names a year. Sentences come from the message catalogue
(``prose.*``), numbers from the report's formatter. A pure function: the report's context calls it
once per figure (analysis.report.context).
"""

from __future__ import annotations

import pandas as pd

from analysis.report.alt_text import key_name, records
from analysis.report.numbers import fmt_number, fmt_pct

SIGNIFICANCE = 0.05  # the level the chapter's change table uses (Holm-adjusted p-values)


def _drawn(table: pd.DataFrame) -> tuple[list[dict], str]:
    """The rows the figure draws and the key that names a bar: the plain shares (empty category)
    per item where the table has them, else the answer categories of a distribution."""
    rows = [
        r
        for r in records(table, ("year", "item", "category", "value", "n"))
        if not pd.isna(r["value"]) and not pd.isna(r["n"]) and r["n"] > 0
    ]
    plain = [r for r in rows if r["category"] == "" and r["item"] != ""]
    if plain:
        return plain, "item"
    return [r for r in rows if r["category"] != ""], "category"


def _waves(rows: list[dict]) -> tuple[str | None, str | None]:
    years = sorted({y for y in (str(r["year"]) for r in rows) if y.isdigit()}, key=int)
    if not years:
        return None, None
    return years[-1], (years[-2] if len(years) > 1 else None)


def figure_prose(
    entry_id: str, table: pd.DataFrame, change: pd.DataFrame | None, mean: bool, label, language: str, t
) -> str:
    """One or two sentences on a survey figure; empty when the table has nothing to say.

    ``table``: the figure's tidy table; ``change``: the rows of the last pair of waves' change
    table for this figure (``series`` = the figure), or None; ``mean``: the figure shows means on
    the answer scale, not percentages."""
    if table is None or table.empty:
        return ""
    rows, key = _drawn(table)
    last, prev = _waves(rows)
    if last is None:
        return ""
    # the latest wave's bars, highest first (a stable sort: ties keep the table's order)
    now = sorted((r for r in rows if str(r["year"]) == last), key=lambda r: r["value"], reverse=True)
    if not now:
        return ""

    def value(v) -> str:
        return fmt_number(v, 1, language) if mean else fmt_pct(v, 0, language)

    top, low = now[0], now[-1]
    names = {r[key]: key_name(entry_id, r[key], label) for r in now}
    if key == "item":
        kind = "prose.mean_top" if mean else ("prose.share_one" if len(now) == 1 else "prose.share_top")
        first = t(
            kind,
            year=last,
            top=names[top[key]],
            top_value=value(top["value"]),
            **(
                {}
                if kind == "prose.share_one"
                else {"low": names[low[key]], "low_value": value(low["value"])}
            ),
        )
    elif len({r["item"] for r in now if not pd.isna(r["item"])}) > 1:
        first = t(
            "prose.distribution_many",
            year=last,
            top=names[top[key]],
            item=key_name(entry_id, top["item"], label),
            top_value=value(top["value"]),
        )
    else:
        first = t("prose.distribution_one", year=last, top=names[top[key]], top_value=value(top["value"]))
    if prev is None:
        return f"{first} {t('prose.only_wave', year=last)}"
    return f"{first} {_change_sentence(entry_id, rows, change, key, last, prev, value, label, t)}".strip()


def _flag(v) -> str:
    return "" if pd.isna(v) else str(v)


def _change_sentence(entry_id, rows, change, key, last, prev, value, label, t) -> str:
    if change is None or change.empty:
        return ""
    changes = records(change, ("item", "category", "comparable", "test"))
    for r, v, p in zip(
        changes,
        pd.to_numeric(change["value"], errors="coerce").tolist(),
        pd.to_numeric(change["p_holm"], errors="coerce").tolist(),
    ):
        r["value"], r["p"] = v, p
    comparable = [r for r in changes if _flag(r["comparable"]).lower() == "true"]
    if not comparable:
        return t("prose.not_comparable", prev=prev)
    drawn = {r[key] for r in rows}
    moved = [r for r in comparable if not pd.isna(r["value"]) and r[key] != "" and r[key] in drawn]
    sentence = ""
    if moved:
        biggest = max(moved, key=lambda r: abs(r["value"]))  # the first of equal largest changes

        def bar(year):
            return [
                r
                for r in rows
                if str(r["year"]) == year and r[key] == biggest[key] and r["item"] == biggest["item"]
            ]

        before, after = bar(prev), bar(last)
        if before and after:
            sentence = t(
                "prose.largest_change",
                prev=prev,
                name=key_name(entry_id, biggest[key], label),
                before=value(before[0]["value"]),
                after=value(after[0]["value"]),
            )
    p = [r["p"] for r in comparable if _flag(r["test"]) != "" and not pd.isna(r["p"])]
    if not p:
        return sentence
    significant = sum(1 for x in p if x < SIGNIFICANCE)
    if len(p) == 1:
        verdict = t("prose.one_significant" if significant else "prose.one_not_significant")
    elif significant == 0:
        verdict = t("prose.none_significant")
    else:
        verdict = t("prose.some_significant", k=significant, m=len(p))
    return f"{sentence} {verdict}".strip()
