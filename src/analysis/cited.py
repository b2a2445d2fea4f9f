"""Published aggregates the report cites from other bodies' statistics (e.g. Husbanken).

They are real numbers with no microdata behind them in this project, so they enter as a small
curated CSV ``year,measure,value,source`` with a source on every row, are validated like any
other input, and flow through the same tidy tables, scorecard and provenance as computed ones.
"""
from __future__ import annotations

import pandas as pd

from .errors import InputError
from .textio import LINE, parse_decimal, read_delimited
from .tidy import tidy

COLUMNS = ["year", "measure", "value", "source"]


def read_cited(path: str, measures: set[str], years: tuple[int, int] = (2000, 2030)) -> pd.DataFrame:
    """Validate a cited-aggregates file: known measures, plausible years, a source per row."""
    df = read_delimited(path, COLUMNS)
    year_ok = df["year"].str.fullmatch(r"\d{4}") & df["year"].str[:4].astype(int).between(*years)
    if not year_ok.all():
        i = int((~year_ok).to_numpy().nonzero()[0][0])
        raise InputError(path, f"year must be a year in {years[0]}-{years[1]}", line=int(df[LINE].iloc[i]),
                         column="year", value=df["year"].iloc[i])
    bad = ~df["measure"].isin(measures)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"unknown measure; expected one of {sorted(measures)}",
                         line=int(df[LINE].iloc[i]), column="measure", value=df["measure"].iloc[i])
    empty = df["source"].str.strip() == ""
    if empty.any():
        i = int(empty.to_numpy().nonzero()[0][0])
        raise InputError(path, "every cited number needs its source", line=int(df[LINE].iloc[i]),
                         column="source", value="")
    dup = df.duplicated(["year", "measure"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(path, "duplicate year/measure", line=int(df[LINE].iloc[i]), column="measure",
                         value=df["measure"].iloc[i])
    out = df[["year", "measure", "source", LINE]].copy()
    out["value"] = parse_decimal(df, "value", path)
    bad = (out["value"] < 0) | (out["measure"].str.endswith("_pct") & (out["value"] > 100))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, "negative number, or a percentage (_pct) above 100",
                         line=int(df[LINE].iloc[i]), column="value", value=df["value"].iloc[i])
    return out


def cited_table(entry_id: str, cited: pd.DataFrame) -> pd.DataFrame:
    """Tidy rows (series = measure) with the source beside each number."""
    return tidy(entry_id, pd.DataFrame({"year": cited["year"], "series": cited["measure"],
                                        "value": cited["value"], "source": cited["source"]}))


def ledger(cited: pd.DataFrame, role: str) -> pd.DataFrame:
    return pd.DataFrame([(role, "used", "cited published aggregate with source", len(cited))],
                        columns=["input", "disposition", "reason", "rows"])
