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
