"""Small-cell protection for published counts of persons.

Rule (documented in the report's method appendix):
- primary: a count of persons with 0 < n < threshold is not shown; the cell shows the range
  "1–{threshold-1}" and its value is left empty;
- secondary: within every group of cells whose total is published (e.g. the kommuner of one year,
  whose national total is shown), a single protected cell could be recovered as total minus the
  rest, so the smallest other positive cell of that group is hidden too (shown as "x").
Zeros are shown: they reveal nothing about a person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SECONDARY_LABEL = "x"


def range_label(threshold: int) -> str:
    return "1" if threshold == 2 else f"1–{threshold - 1}"


def protect_counts(
    df: pd.DataFrame, threshold: int, group_cols: list[str] | None = None, value_col: str = "value"
) -> pd.DataFrame:
    """Return a copy with protected cells emptied and columns ``protected`` and ``value_label``.

    ``protected`` is '' / 'primary' / 'secondary'; ``value_label`` is what a reader sees.
    """
    out = df.copy()
    v = pd.to_numeric(out[value_col])
    primary = (v > 0) & (v < threshold)
    secondary = pd.Series(False, index=out.index)
    groups = (
        [idx for _, idx in out.groupby(group_cols, sort=False).indices.items()]
        if group_cols
        else [np.arange(len(out))]
    )
    for pos in groups:
        idx = out.index[pos]
        if int(primary[idx].sum()) == 1:
            candidates = v[idx][(~primary[idx]) & (v[idx] > 0)]
            if not candidates.empty:
                # smallest remaining cell; ties broken by position so the choice is deterministic
                secondary[candidates.sort_values(kind="stable").index[0]] = True
    out["protected"] = np.where(primary, "primary", np.where(secondary, "secondary", ""))
    labels = v.map(lambda x: "" if pd.isna(x) else f"{x:.0f}")
    labels[primary] = range_label(threshold)
    labels[secondary] = SECONDARY_LABEL
    out["value_label"] = labels
    out.loc[primary | secondary, value_col] = np.nan
    return out
