"""The row ledger: every input row accounted for as used or excluded, with a reason."""
from __future__ import annotations

import pandas as pd

from .tidy import tidy

LEDGER_COLUMNS = ["input", "disposition", "reason", "rows"]


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack ledger parts into the tidy table ``x_row_ledger`` (series = input file role)."""
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LEDGER_COLUMNS)
    bad = df[~df["disposition"].isin(["used", "excluded"])]
    if not bad.empty:
        raise ValueError(f"ledger disposition must be used/excluded, got {bad['disposition'].unique()}")
    df = df.sort_values(["input", "disposition", "reason"], kind="stable")
    return tidy("x_row_ledger", pd.DataFrame({
        "series": df["input"], "category": df["disposition"], "item": df["reason"],
        "value": df["rows"].astype(float),
    }))
