"""Alt text for the report's figures: what the figure shows, in a sentence with its key numbers,
computed from the figure's own tidy table (never a repeat of the caption).

How a figure is summarised is data (``workflow/report/figure_alt.yaml``), one of four modes:

- ``compare``: bars for items in two waves (years, or two categories with ``across``): the highest
  and lowest bar of the later wave, each with the other wave's value;
- ``series``: one line per ``lines`` value over the years: first, last and highest value;
- ``ranking``: many municipalities: the three highest and the median;
- ``shares``: a few categories: every value.

Sentences come from the message catalogue (``alt.*``); numbers from the report's formatter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report.numbers import fmt_number, fmt_pct

KEYS = ["series", "item", "category", "group", "kommune"]
UNIT_DECIMALS = {"pct": 0, "count": 0, "months": 1, "score": 2, "per1000": 2}


def unit_of(entry: dict, spec: dict) -> str:
    if spec.get("unit"):
        return spec["unit"]
    text = str(entry.get("unit", "")).lower()
    if "percent" in text or "prosent" in text:
        return "pct"
    if "mean score" in text:
        return "score"
    return "count"


def fmt_value(value, unit: str, key: str, language: str, t) -> str:
    if str(key).endswith("_pct"):
        unit = "pct"
    d = UNIT_DECIMALS.get(unit, 0)
    if unit == "pct":
        return fmt_pct(value, d, language)
    text = fmt_number(value, d, language)
    return t("alt.unit_months", value=text) if unit == "months" else text


def select_rows(df: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The rows the sentence may quote: never a row that disclosure control hides or replaces by a
    range in the printed table (``protected`` / ``value_label``)."""
    out = df[df["value"].notna()]
    if "protected" in out.columns:
        out = out[~out["protected"].astype(str).str.lower().isin(["true", "1"])]
    if "value_label" in out.columns:
        out = out[out["value_label"].isna() | (out["value_label"].astype(str) == "")]
    for col, allowed in (spec.get("rows") or {}).items():
        out = out[out[col].astype(str).isin([str(a) for a in allowed])]
    return out


def key_name(entry_id: str, key, label) -> str:
    """A key's label in the catalogues, else the key itself with spaces for underscores (a text
    for the reader must not stop a render for want of a label)."""
    try:
        return label(entry_id, key)
    except KeyError:
        return str(key).replace("_", " ")


def _label(df_row, entry_id: str, col: str, label, language: str, own: bool = True) -> str:
    """The row's label for a key column: the table's own ``label_<language>`` column (the item's
    label, where a table carries one), else the catalogues' label."""
    column = f"label_{language}"
    if own and col == "item" and column in df_row and isinstance(df_row[column], str) and df_row[column]:
        return df_row[column]
    return key_name(entry_id, df_row[col], label)


def _varying(df: pd.DataFrame, exclude=()) -> list[str]:
    return [c for c in KEYS if c in df.columns and c not in exclude and df[c].astype(str).nunique() > 1]


def records(df: pd.DataFrame, columns=None) -> list[dict]:
    """The frame's rows (``columns`` of them, default all) as dicts of plain values (a figure's
    table has a few dozen rows; a boolean mask per question cost ~0.2 s of every render, issue 28)."""
    columns = list(df.columns) if columns is None else columns
    return [dict(zip(columns, row)) for row in zip(*(df[c].tolist() for c in columns))]


def compare(entry_id, df, spec, unit, label, language, t) -> str:
    wave_col = spec.get("across", "year")
    rows = records(df)
    waves = [w for w in dict.fromkeys(str(r[wave_col]) for r in rows) if w]
    if wave_col == "year":
        waves = sorted(waves, reverse=True)  # the later year first
    dims = [c for c in KEYS if c in df.columns and c != wave_col and len({str(r[c]) for r in rows}) > 1]
    prefix = ""
    if "category" in dims and len(dims) > 1 and any(str(r["category"]) == "" for r in rows):
        # the figure draws the plain share (empty category); extra categories are table-only
        rows = [r for r in rows if str(r["category"]) == ""]
        dims = [d for d in dims if d != "category"]
    if len(dims) > 1 and "category" in dims:  # a distribution per item: summarise its first category
        first_row = next(r for r in rows if str(r["category"]) != "")
        name = _label(first_row, entry_id, "category", label, language, own=False)
        prefix = t("alt.share_of", category=name) + " "
        rows = [r for r in rows if str(r["category"]) == str(first_row["category"])]
        dims = [d for d in dims if d != "category"]
    bar = dims[0] if dims else "item"
    latest, seen = [], set()
    for r in rows:  # the later wave's bars, the first row of each
        if str(r[wave_col]) == waves[0] and r[bar] not in seen:
            seen.add(r[bar])
            latest.append(r)
    if not latest:
        return ""
    other = [r for r in rows if str(r[wave_col]) == waves[1]] if len(waves) > 1 else []
    other_value = {str(r[bar]): r["value"] for r in other}

    def wave_name(wave: str) -> str:
        if wave_col == "year":
            return wave
        row = next(r for r in rows if str(r[wave_col]) == wave)
        return _label(row, entry_id, wave_col, label, language, own=False)

    def describe(row) -> tuple[str, str, str]:
        name = _label(row, entry_id, bar, label, language)
        value = fmt_value(row["value"], unit, row[bar], language, t)
        prev = other_value.get(str(row[bar]))
        wave_name_ = wave_name(waves[1]) if len(waves) > 1 else ""
        before = (
            ""
            if prev is None
            else t("alt.other_wave", wave=wave_name_, value=fmt_value(prev, unit, row[bar], language, t))
        )
        return name, value, before

    # highest first, ties in the order pandas' sort_values("value", ascending=False) gives them
    # (its nargsort: the values reversed, sorted ascending, the order reversed; no NaN here)
    values = np.array([r["value"] for r in latest], dtype=float)
    order = np.arange(len(values))[::-1][values[::-1].argsort(kind="quicksort")][::-1]
    top, low = latest[order[0]], latest[order[-1]]
    (tn, tv, tb), (ln, lv, lb) = describe(top), describe(low)
    waves_text = t("alt.and").join(wave_name(w) for w in waves)
    return prefix + t(
        "alt.compare",
        n=len(latest),
        waves=waves_text,
        wave=wave_name(waves[0]),
        top=tn,
        top_value=tv,
        top_other=tb,
        low=ln,
        low_value=lv,
        low_other=lb,
    )


def _when(row, t):
    """A year, or the part of it a register row covers ('1. kvartal 2021' where its note is Q1)."""
    partial = str(row["note"]) if "note" in row.index else ""
    return t("alt.first_quarter", year=row["_y"]) if partial == "Q1" else row["_y"]


def series(entry_id, df, spec, unit, label, language, t) -> str:
    lines_col = spec.get("lines", "series")
    df = df[df["year"].astype(str).str.fullmatch(r"\d{4}")].copy()
    df["_y"] = df["year"].astype(int)
    parts = []
    for key in dict.fromkeys(df[lines_col].astype(str)):
        g = df[df[lines_col].astype(str) == key].drop_duplicates(subset=["_y"]).sort_values("_y")
        if g.empty:
            continue
        first, last, top = g.iloc[0], g.iloc[-1], g.loc[g["value"].idxmax()]

        def f(row, key=key):
            return fmt_value(row["value"], unit, key, language, t)

        parts.append(
            t(
                "alt.series_line",
                label=_label(first, entry_id, lines_col, label, language),
                first=f(first),
                first_year=_when(first, t),
                last=f(last),
                last_year=_when(last, t),
                top=f(top),
                top_year=_when(top, t),
            )
        )
    if not parts:
        return ""
    last = df.loc[df["_y"].idxmax()]
    return t("alt.series", first_year=df["_y"].min(), last_year=_when(last, t), lines="; ".join(parts))


def ranking(entry_id, df, spec, unit, label, language, t) -> str:
    name_col = spec.get("name", "kommune")
    ordered = df.sort_values("value", ascending=False)
    top = [
        f"{r[name_col]} ({fmt_value(r['value'], unit, '', language, t)})"
        for _, r in ordered.head(3).iterrows()
    ]
    return t(
        "alt.ranking",
        n=len(df),
        top=", ".join(top),
        median=fmt_value(df["value"].median(), unit, "", language, t),
    )


def shares(entry_id, df, spec, unit, label, language, t) -> str:
    col = (_varying(df) or ["category"])[0]
    items = [
        t(
            "alt.share_item",
            label=_label(r, entry_id, col, label, language),
            value=fmt_value(r["value"], unit, r[col], language, t),
        )
        for _, r in df.iterrows()
    ]
    return t("alt.shares", items="; ".join(items))


MODES = {"compare": compare, "series": series, "ranking": ranking, "shares": shares}


def figure_alt(
    entry_id: str, df: pd.DataFrame | None, entry: dict, spec: dict, label, language: str, t
) -> str:
    """The alt text of one figure; empty when its table has no rows to summarise."""
    if df is None:
        return ""
    rows = select_rows(df, spec)
    if rows.empty:
        return ""
    mode = spec.get("mode", "compare")
    return MODES[mode](entry_id, rows, spec, unit_of(entry, spec), label, language, t)
