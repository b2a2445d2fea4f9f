"""Published national aggregates from IMDi's annual reports and other cited sources.

``data/external/imdi_annual.csv`` (``year,measure,group,value,source``): one row per number the
report cites, each with its source. ``year`` may be a period label (``2011-2016``,
``2021 (pr. november)``) or empty for a standing target; ``group`` separates population groups
(``all``, ``families``, ``single_adults``) or a second source of the same measure (``ar2018``).
Checks: a year label starts with a year in 1990-2030; no value is negative; shares (``*_pct``,
``within_*``) are at most 100.

Read and validated by rule cited with the report's other cited aggregates (decision 0194); the
imdi stage reads the validated frame (``data/processed/imdi_annual.parquet``) and looks numbers
up in it with ``analysis.imdi.annual``.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import first_bad
from analysis.core.textio import LINE, parse_decimal, read_delimited

COLUMNS = ["year", "measure", "group", "value", "source"]


def is_percent(measure: pd.Series) -> pd.Series:
    """Measures on a 0-100 scale: ``*_pct`` and the shares settled ``within_*``."""
    return measure.str.endswith("_pct") | measure.str.startswith("within_")


def read_imdi_annual(path: str) -> pd.DataFrame:
    df = read_delimited(path, COLUMNS, separators=",;")
    for col in ("measure", "group", "source"):
        first_bad(
            df[col] == "", df, path, col, f"empty {col} (every published number needs it)", line_col=LINE
        )
    year_ok = (df["year"] == "") | (
        df["year"].str.fullmatch(r"\d{4}.*")
        & df["year"].str[:4].apply(lambda y: y.isdigit() and 1990 <= int(y) <= 2030)
    )
    first_bad(
        ~year_ok,
        df,
        path,
        "year",
        "year must start with a year in 1990-2030 (or be empty for a standing target)",
        line_col=LINE,
    )
    raw = df["value"].copy()
    df["value"] = parse_decimal(df, "value", path)
    first_bad(
        df["value"] < 0,
        df,
        path,
        "value",
        "negative value (counts, shares and durations are never negative)",
        line_col=LINE,
        value=raw,
    )
    first_bad(
        is_percent(df["measure"]) & (df["value"] > 100),
        df,
        path,
        "value",
        lambda i: f"percentage above 100 for measure {df['measure'].iloc[i]}",
        line_col=LINE,
        value=raw,
    )
    first_bad(
        df.duplicated(["year", "measure", "group"]),
        df,
        path,
        "measure",
        "duplicate year/measure/group",
        line_col=LINE,
    )
    return df.drop(columns=[LINE]).reset_index(drop=True)
