"""Reading delimited text files the way Norwegian statistics files arrive.

SSB and IMDi export Latin-1 with ';'; researchers re-save as UTF-8 (sometimes with a BOM) or
with ','. Those variants are normal in the field and accepted; anything else (an unexpected
header, a ragged row, an empty file) stops with the file, line and column named.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .errors import InputError

LINE = "_line"


def decode(raw: bytes, path: str, encoding: str | None = None) -> str:
    """Decode bytes: strip a UTF-8 BOM, prefer strict UTF-8, fall back to Latin-1 (cp1252 subset)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        encoding = encoding or "utf-8"
    if encoding:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise InputError(path, f"not valid {encoding} text ({e.reason})", line=line,
                             value=raw[e.start:e.end]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_delimited(path: str | Path, expected: list[str], *, optional: list[str] = (),
                   separators: str = ";,", encoding: str | None = None,
                   skip_blank_lines: bool = True) -> pd.DataFrame:
    """Read a delimited file into strings with a ``_line`` column (1-based, header = 1).

    The header must contain every ``expected`` column (any order); other columns are allowed
    only when listed in ``optional``. Rows with the wrong number of fields are errors.
    """
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    text = decode(raw, path, encoding)
    if not text.strip():
        raise InputError(path, "file is empty", line=1)
    lines = text.splitlines()
    header = lines[0]
    sep = max(separators, key=header.count)
    if header.count(sep) == 0 and len(expected) > 1:
        raise InputError(path, f"header has none of the separators {list(separators)}", line=1,
                         value=header[:80])
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows = list(reader)
    cols = [c.strip() for c in rows[0]]
    missing = [c for c in expected if c not in cols]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; header is {cols}", line=1,
                         column=missing[0])
    extra = [c for c in cols if c not in expected and c not in optional]
    if extra:
        raise InputError(path, f"unexpected column(s) {extra}; expected {expected}"
                         + (f" (optional: {list(optional)})" if optional else ""),
                         line=1, column=extra[0])
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise InputError(path, "duplicate column in header", line=1, column=dup)
    body, line_no = [], []
    for i, r in enumerate(rows[1:], start=2):
        if not r or (len(r) == 1 and not r[0].strip()):
            if skip_blank_lines:
                continue
        if len(r) != len(cols):
            raise InputError(path, f"row has {len(r)} fields, header has {len(cols)} "
                             f"(separator {sep!r}; truncated or mis-quoted row?)", line=i,
                             value=sep.join(r)[:80])
        body.append([x.strip() for x in r])
        line_no.append(i)
    df = pd.DataFrame(body, columns=cols, dtype="object")
    if not len(df):
        raise InputError(path, "file has a header but no data rows", line=2)
    df[LINE] = line_no
    return df


def parse_int(df: pd.DataFrame, column: str, path: str, *, allow_empty: bool = False,
              lo: int | None = None, hi: int | None = None) -> pd.Series:
    """Parse a column of whole numbers, naming the first bad cell."""
    s = df[column].fillna("")
    empty = s == ""
    ok = s.str.fullmatch(r"-?\d+") | (empty & allow_empty)
    if not ok.all():
        i = int((~ok).to_numpy().nonzero()[0][0])
        msg = "empty value" if empty.iloc[i] else "not a whole number"
        raise InputError(path, msg, line=int(df[LINE].iloc[i]), column=column, value=s.iloc[i])
    out = pd.to_numeric(s.where(~empty), errors="coerce").astype("Int64")
    for bound, bad in ((lo, out < lo if lo is not None else None), (hi, out > hi if hi is not None else None)):
        if bad is not None and bad.fillna(False).any():
            i = int(bad.fillna(False).to_numpy().nonzero()[0][0])
            raise InputError(path, f"value out of range [{lo}, {hi}]", line=int(df[LINE].iloc[i]),
                             column=column, value=s.iloc[i])
    return out


def parse_decimal(df: pd.DataFrame, column: str, path: str, *, allow_empty: bool = False) -> pd.Series:
    """Parse decimals written with '.' or a Norwegian decimal comma; names the first bad cell."""
    s = df[column].fillna("").str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    empty = s == ""
    norm = s.str.replace(",", ".", regex=False)
    ok = norm.str.fullmatch(r"-?\d+(\.\d+)?") | (empty & allow_empty)
    if not ok.all():
        i = int((~ok).to_numpy().nonzero()[0][0])
        raise InputError(path, "empty value" if empty.iloc[i] else "not a number",
                         line=int(df[LINE].iloc[i]), column=column, value=df[column].iloc[i])
    return pd.to_numeric(norm.where(~empty), errors="coerce").astype("float64")
