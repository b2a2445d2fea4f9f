"""The contract's tidy table format: one row per published-style number.

Columns in this order: entry_id, year, series, item, category, group, rank, kommune, value, n,
then optional extras (ci_low, ci_high, kommunenummer, ...) and last ``synthetic`` (``true`` where a
synthetic input contributed to the row). Key columns are strings and stay empty where an entry
does not use them; ``value`` is unrounded; ``n`` is the base.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

KEY_COLUMNS = ["year", "series", "item", "category", "group", "rank", "kommune"]
TIDY_COLUMNS = ["entry_id", *KEY_COLUMNS, "value", "n"]


def tidy(entry_id: str, records: Iterable[Mapping] | pd.DataFrame) -> pd.DataFrame:
    """Build a tidy table for ``entry_id`` from records or a frame with some key columns."""
    df = pd.DataFrame(records).copy() if not isinstance(records, pd.DataFrame) else records.copy()
    df["entry_id"] = entry_id
    for col in TIDY_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    extras = [c for c in df.columns if c not in TIDY_COLUMNS]
    df = df[TIDY_COLUMNS + extras]
    for col in ["entry_id", *KEY_COLUMNS]:
        df[col] = df[col].map(_key_str).astype("object")
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
    df["n"] = pd.to_numeric(df["n"], errors="raise").astype("Int64")
    return df.reset_index(drop=True)


def _key_str(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def synthetic_flags(df: pd.DataFrame, synthetic: bool | Mapping[str, bool]) -> pd.Series:
    """Per row: did a synthetic input contribute to it?

    ``synthetic`` is a flag for the whole table, or the writing rule's input roles mapped to
    whether each is synthetic. With roles, a row whose ``source`` column names one of them takes
    that role's flag; a row with another non-empty ``source`` is a cited published number (real);
    every other row is synthetic when any of the rule's inputs is.
    """
    if isinstance(synthetic, bool):
        return pd.Series(synthetic, index=df.index, dtype=bool)
    if not isinstance(synthetic, Mapping) or not all(isinstance(v, bool) for v in synthetic.values()):
        raise TypeError(f"synthetic must be a bool or a mapping role -> bool, not {synthetic!r}")
    table_level = any(synthetic.values())
    if "source" not in df.columns:
        return pd.Series(table_level, index=df.index, dtype=bool)
    source = df["source"].map(_key_str)
    return source.map(lambda s: synthetic.get(s, table_level if s == "" else False)).astype(bool)


def write_tidy(df: pd.DataFrame, path: str | Path, *, synthetic: bool | Mapping[str, bool]) -> None:
    """Write a tidy table deterministically (fixed column order, '\\n' line ends, repr floats).

    The last column, ``synthetic`` (``true``/``false``), says whether a synthetic input
    contributed to the row (:func:`synthetic_flags`); a frame that already carries the column
    keeps it.
    """
    missing = [c for c in TIDY_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"tidy table for {path} lacks contract columns {missing}")
    flags = df["synthetic"].astype(bool) if "synthetic" in df.columns else synthetic_flags(df, synthetic)
    extras = [c for c in df.columns if c not in TIDY_COLUMNS and c != "synthetic"]
    out = df[TIDY_COLUMNS + extras].copy()
    out["synthetic"] = flags.map({True: "true", False: "false"})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n", na_rep="")


def read_tidy(path: str | Path) -> pd.DataFrame:
    """Read a tidy table back with key columns as strings (empty string where unused)."""
    df = pd.read_csv(
        path,
        dtype={c: str for c in ["entry_id", *KEY_COLUMNS]},
        keep_default_na=False,
        na_values={"value": [""], "n": [""]},
    )
    df["value"] = pd.to_numeric(df["value"])
    df["n"] = pd.to_numeric(df["n"]).astype("Int64")
    if "synthetic" in df.columns:
        df["synthetic"] = df["synthetic"].map({"true": True, "false": False, True: True, False: False})
    return df
