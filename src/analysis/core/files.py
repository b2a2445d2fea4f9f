"""Writing outputs the same way everywhere: parent folder created, fixed line ends, no index."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_csv(df: pd.DataFrame, path: str | Path, **kwargs) -> None:
    """A CSV with '\\n' line ends and no index, its folder created first (byte-stable across runs)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", **kwargs)


def write_parquet(df: pd.DataFrame, path: str | Path) -> None:
    """A Parquet file without the index, its folder created first."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False)
