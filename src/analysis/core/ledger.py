"""The row ledger: every input row accounted for as used or excluded, with a reason."""

from __future__ import annotations

import pandas as pd

from analysis.core.tidy import tidy

LEDGER_COLUMNS = ["input", "disposition", "reason", "rows"]


def used_in_full(role: str, rows: int, reason: str) -> pd.DataFrame:
    """A ledger part for a file whose every row is used (reference files, cited aggregates)."""
    return pd.DataFrame([(role, "used", reason, int(rows))], columns=LEDGER_COLUMNS)


def data_rows(path: str) -> int:
    """Data rows of a delimited text file (header and blank lines not counted) or a Parquet file."""
    import csv
    import io
    from pathlib import Path

    from analysis.core.textio import decode

    p = Path(path)
    if p.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return pq.ParquetFile(p).metadata.num_rows
    text = decode(p.read_bytes(), str(p))
    head = text.splitlines()[0] if text.strip() else ""
    sep = max(";,", key=head.count)
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r and any(x.strip() for x in r)]
    return max(len(rows) - 1, 0)


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack ledger parts into the tidy table ``x_row_ledger`` (series = input file role)."""
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LEDGER_COLUMNS)
    bad = df[~df["disposition"].isin(["used", "excluded"])]
    if not bad.empty:
        raise ValueError(f"ledger disposition must be used/excluded, got {bad['disposition'].unique()}")
    df = df.sort_values(["input", "disposition", "reason"], kind="stable")
    return tidy(
        "x_row_ledger",
        pd.DataFrame(
            {
                "series": df["input"],
                "category": df["disposition"],
                "item": df["reason"],
                "value": df["rows"].astype(float),
            }
        ),
    )


# Inputs whose ledger rows count persons of the population the register tables protect: their
# counts of 1..threshold-1 are hidden like any table's (issue 27; docs/decisions/0101).
PERSON_INPUTS = ("register",)


def protect(table: pd.DataFrame, threshold: int, period_hidden: bool) -> pd.DataFrame:
    """``x_row_ledger`` with the person inputs' row counts protected: a count 1..threshold-1 is
    shown as the range, and enough others as "x" that neither the used rows' total (the period
    count of Figur 2.1), the excluded rows' total nor the input's row count gives it back
    (:func:`analysis.core.protection.decide`). When the plan hides the period count itself
    (``period_hidden``), every used row is hidden with it."""
    import numpy as np

    from analysis.core.protection import SECONDARY_LABEL, Cell, decide, range_label, small_n_label

    out = table.copy()
    out["protected"] = ""
    out["value_label"] = ""
    labels = {
        "primary": range_label(threshold),
        "secondary": SECONDARY_LABEL,
        "small_n": small_n_label(threshold),
    }
    for role in PERSON_INPUTS:
        pos = np.flatnonzero((out["series"] == role).to_numpy())
        if not len(pos):
            continue
        v = out["value"].to_numpy()[pos].astype(float)
        used = (out["category"].to_numpy()[pos] == "used").astype(np.int64)
        n = len(pos)
        eye = np.eye(n, dtype=np.int64)
        cells = [Cell("l", i, "value", "count", members=eye[i], value=v[i]) for i in range(n)]
        for members in (used, 1 - used, np.ones(n, dtype=np.int64)):  # totals a reader may know
            if members.any():
                cells.append(
                    Cell("l", -1, "", "count", members=members, value=float(v @ members), priority=1)
                )
        status = decide(cells, {"persons": v}, threshold)[:n]
        for k, p in enumerate(pos):
            s = status[k] or ("secondary" if period_hidden and used[k] and v[k] > 0 else "")
            if s:
                out.iat[p, out.columns.get_loc("protected")] = s
                out.iat[p, out.columns.get_loc("value_label")] = labels[s]
                out.iat[p, out.columns.get_loc("value")] = float("nan")
    return out
