"""Lookups in IMDi's annual-report aggregates, the frame rule cited validated and wrote as
``data/processed/imdi_annual.parquet`` (the file and its checks: ``analysis.official.imdi_annual``).
"""

from __future__ import annotations

import pandas as pd


def get(annual: pd.DataFrame, measure: str, year=None, group: str = "all"):
    """One published value, or None."""
    sel = annual[(annual["measure"] == measure) & (annual["group"] == group)]
    if year is not None:
        sel = sel[sel["year"] == str(year)]
    return None if sel.empty else float(sel["value"].iloc[0])


def rows(annual: pd.DataFrame, measure: str, group: str = "all") -> pd.DataFrame:
    """All years of one measure: ``year, value, source``."""
    sel = annual[(annual["measure"] == measure) & (annual["group"] == group)]
    return sel[["year", "value", "source"]].reset_index(drop=True)
