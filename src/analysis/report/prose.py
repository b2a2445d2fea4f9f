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

from analysis.report.numbers import fmt_number, fmt_pct

SIGNIFICANCE = 0.05  # the level the chapter's change table uses (Holm-adjusted p-values)


def _name(entry_id: str, key: str, label) -> str:
    try:
        return label(entry_id, key)
    except KeyError:
        return str(key).replace("_", " ")


def _drawn(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The rows the figure draws and the key that names a bar: the plain shares (empty category)
    per item where the table has them, else the answer categories of a distribution."""
    rows = table[table["value"].notna() & (table["n"].fillna(0) > 0)]
    plain = rows[(rows["category"] == "") & (rows["item"] != "")]
    if not plain.empty:
        return plain, "item"
    return rows[rows["category"] != ""], "category"


def _waves(rows: pd.DataFrame) -> tuple[str | None, str | None]:
    years = sorted({y for y in rows["year"].astype(str) if y.isdigit()}, key=int)
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
    now = rows[rows["year"].astype(str) == last].sort_values("value", ascending=False, kind="stable")
    if now.empty:
        return ""

    def value(v) -> str:
        return fmt_number(v, 1, language) if mean else fmt_pct(v, 0, language)

    top, low = now.iloc[0], now.iloc[-1]
    names = {k: _name(entry_id, k, label) for k in now[key]}
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
    elif now["item"].nunique() > 1:
        first = t(
            "prose.distribution_many",
            year=last,
            top=names[top[key]],
            item=_name(entry_id, top["item"], label),
            top_value=value(top["value"]),
        )
    else:
        first = t("prose.distribution_one", year=last, top=names[top[key]], top_value=value(top["value"]))
    if prev is None:
        return f"{first} {t('prose.only_wave', year=last)}"
    return f"{first} {_change_sentence(entry_id, rows, change, key, last, prev, value, label, t)}".strip()


def _change_sentence(entry_id, rows, change, key, last, prev, value, label, t) -> str:
    if change is None or change.empty:
        return ""
    comparable = change[change["comparable"].fillna("").astype(str).str.lower() == "true"]
    if comparable.empty:
        return t("prose.not_comparable", prev=prev)
    moved = comparable[pd.to_numeric(comparable["value"], errors="coerce").notna() & (comparable[key] != "")]
    moved = moved[moved[key].isin(set(rows[key]))]
    sentence = ""
    if not moved.empty:
        biggest = moved.loc[pd.to_numeric(moved["value"]).abs().idxmax()]
        before = rows[
            (rows["year"].astype(str) == prev)
            & (rows[key] == biggest[key])
            & (rows["item"] == biggest["item"])
        ]
        after = rows[
            (rows["year"].astype(str) == last)
            & (rows[key] == biggest[key])
            & (rows["item"] == biggest["item"])
        ]
        if not before.empty and not after.empty:
            sentence = t(
                "prose.largest_change",
                prev=prev,
                name=_name(entry_id, biggest[key], label),
                before=value(before["value"].iloc[0]),
                after=value(after["value"].iloc[0]),
            )
    tested = comparable[comparable["test"].fillna("").astype(str) != ""]
    p = pd.to_numeric(tested["p_holm"], errors="coerce").dropna()
    if p.empty:
        return sentence
    significant = int((p < SIGNIFICANCE).sum())
    if len(p) == 1:
        verdict = t("prose.one_significant" if significant else "prose.one_not_significant")
    elif significant == 0:
        verdict = t("prose.none_significant")
    else:
        verdict = t("prose.some_significant", k=significant, m=len(p))
    return f"{sentence} {verdict}".strip()
