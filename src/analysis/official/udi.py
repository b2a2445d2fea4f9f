"""UDI counts of privately housed asylum seekers (Tabell 10.2), with the source of each number.

Input: CSV ``year,count,source`` (UTF-8; ',' or ';'), one row per year, whole non-negative
counts, a non-empty source on every row. The report's total (2016-2020) is computed, never typed.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError, first_bad
from analysis.core.textio import LINE, parse_int, read_delimited
from analysis.core.tidy import tidy

COLUMNS = ["year", "count", "source"]
SERIES = "privatboende"
MAX_COUNT = 100_000  # privately housed asylum seekers per year: a few hundred; more is a unit error


def read_udi(path: str, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Validate and return ``year, count, source, _line`` sorted by year."""
    df = read_delimited(path, COLUMNS)
    year = parse_int(df, "year", path, lo=1990, hi=2030)
    count = parse_int(df, "count", path, lo=0, hi=MAX_COUNT)
    first_bad(
        year.duplicated(keep="first"),
        df,
        path,
        "year",
        "year appears more than once (one row per year)",
        line_col=LINE,
    )
    first_bad(
        df["source"].fillna("").str.strip() == "",
        df,
        path,
        "source",
        "every row needs its source (who published the number, where)",
        line_col=LINE,
    )
    out = pd.DataFrame(
        {
            "year": year.astype(int),
            "count": count.astype(int),
            "source": df["source"].str.strip(),
            LINE: df[LINE],
        }
    )
    if years is not None:
        lo, hi = years
        want = set(range(lo, hi + 1))
        have = set(out["year"])
        missing = sorted(want - have)
        if missing:
            raise InputError(path, f"years {missing} are missing (expected {lo}-{hi})", column="year")
        extra = out[~out["year"].isin(want)]
        if len(extra):
            raise InputError(
                path,
                f"year outside {lo}-{hi}",
                line=int(extra[LINE].iloc[0]),
                column="year",
                value=str(extra["year"].iloc[0]),
            )
    return out.sort_values("year").reset_index(drop=True)


def privatboende_table(udi: pd.DataFrame, extra: list[dict] | None = None) -> pd.DataFrame:
    """Tidy ``tab_10_2``: one row per year, the period total, and any ``extra`` rows."""
    rows = [
        {"year": y, "series": SERIES, "value": c, "source": s}
        for y, c, s in zip(udi["year"], udi["count"], udi["source"])
    ]
    lo, hi = int(udi["year"].min()), int(udi["year"].max())
    rows.append(
        {
            "year": f"{lo}-{hi} (Totalt)",
            "series": SERIES,
            "value": int(udi["count"].sum()),
            "source": "sum of the rows above",
        }
    )
    rows.extend(extra or [])
    return tidy("tab_10_2", pd.DataFrame(rows))


IMDI_MEASURE = "settled_from_outside_reception"


def imdi_annual_rows(annual: pd.DataFrame | None, measure: str = IMDI_MEASURE) -> list[dict]:
    """Rows of ``tab_10_2`` from IMDi's annual-report aggregates (the frame rule cited
    validated): the report's sentence beside Tabell 10.2, "I 2020 ble det bosatt 273 flyktninger
    som hadde bodd utenfor mottakssystemet (IMDi, 2020)"."""
    if annual is None:
        return []
    sel = annual[(annual["measure"] == measure) & (annual["group"] == "all")]
    return [
        {"year": y, "series": measure, "value": float(v), "source": src}
        for y, v, src in zip(sel["year"], sel["value"], sel["source"])
    ]


def ledger(udi: pd.DataFrame, role: str = "udi_privatboende") -> pd.DataFrame:
    return pd.DataFrame(
        [{"input": role, "disposition": "used", "reason": "year count: Tabell 10.2", "rows": int(len(udi))}]
    )
