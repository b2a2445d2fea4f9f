"""Published aggregates the report cites from other bodies' statistics (e.g. Husbanken).

They are real numbers with no microdata behind them in this project, so they enter as a small
curated CSV ``year,measure,value,source`` with a source on every row, are validated like any
other input, and flow through the same tidy tables, scorecard and provenance as computed ones.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import first_bad
from analysis.core.ledger import LEDGER_COLUMNS
from analysis.core.textio import LINE, parse_decimal, read_delimited
from analysis.core.tidy import tidy

COLUMNS = ["year", "measure", "value", "source"]


def read_cited(path: str, measures: set[str], years: tuple[int, int] = (2000, 2030)) -> pd.DataFrame:
    """Validate a cited-aggregates file: known measures, plausible years, a source per row."""
    df = read_delimited(path, COLUMNS)
    year_ok = df["year"].str.fullmatch(r"\d{4}") & df["year"].str[:4].astype(int).between(*years)
    first_bad(~year_ok, df, path, "year", f"year must be a year in {years[0]}-{years[1]}", line_col=LINE)
    first_bad(
        ~df["measure"].isin(measures),
        df,
        path,
        "measure",
        f"unknown measure; expected one of {sorted(measures)}",
        line_col=LINE,
    )
    empty = df["source"].str.strip() == ""
    first_bad(empty, df, path, "source", "every cited number needs its source", line_col=LINE)
    first_bad(
        df.duplicated(["year", "measure"]), df, path, "measure", "duplicate year/measure", line_col=LINE
    )
    out = df[["year", "measure", "source", LINE]].copy()
    out["value"] = parse_decimal(df, "value", path)
    bad = (out["value"] < 0) | (out["measure"].str.endswith("_pct") & (out["value"] > 100))
    first_bad(bad, df, path, "value", "negative number, or a percentage (_pct) above 100", line_col=LINE)
    return out


def cited_table(entry_id: str, cited: pd.DataFrame) -> pd.DataFrame:
    """Tidy rows (series = measure) with the source beside each number."""
    return tidy(
        entry_id,
        pd.DataFrame(
            {
                "year": cited["year"],
                "series": cited["measure"],
                "value": cited["value"],
                "source": cited["source"],
            }
        ),
    )


def ledger(cited: pd.DataFrame, role: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(role, "used", "cited published aggregate with source", len(cited))],
        columns=LEDGER_COLUMNS,
    )
