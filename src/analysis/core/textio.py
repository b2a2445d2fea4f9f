"""Reading delimited text files the way Norwegian statistics files arrive.

SSB and IMDi export Latin-1 with ';'; researchers re-save as UTF-8 (sometimes with a BOM) or
with ','. Those variants are normal in the field and accepted; anything else (an unexpected
header, a ragged row, an empty file) stops with the file, line and column named.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, first_bad

LINE = "_line"
# Norwegian letters double-encoded: 'Ã' followed by a C1/Latin-1 continuation (Ã¦ Ã¸ Ã¥ Ã\x98 ...)
_MOJIBAKE = re.compile("\u00c3[\u0080-\u00bf]")


# a UTF-8 encoded Norwegian letter (æøåÆØÅ) or another two-byte Latin-1 letter
_UTF8_LETTER = re.compile(rb"\xc3[\x80-\xbf]")


def decode(raw: bytes, path: str, encoding: str | None = None) -> str:
    """Decode bytes: strip a UTF-8 BOM, prefer strict UTF-8, fall back to cp1252 (Windows
    Latin-1) or Latin-1. See :func:`decode_with`."""
    return decode_with(raw, path, encoding)[0]


def decode_with(raw: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with (``utf-8``, ``cp1252`` or ``latin-1``).

    UTF-16/32 text (a BOM or NUL bytes, as some spreadsheet exports write) is an error: decoded
    as Latin-1 it would look like a header with no known column. So is a file that mixes UTF-8
    and Latin-1 (valid UTF-8 letters beside a byte that is not): one of the two would be wrong.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise InputError(
            path, "UTF-16/UTF-32 text (NUL bytes); save the file as UTF-8 or Latin-1", line=1, value=raw[:4]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        encoding = encoding or "utf-8"
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise InputError(
                path, f"not valid {encoding} text ({e.reason})", line=line, value=raw[e.start : e.end]
            ) from None
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as e:
            if _UTF8_LETTER.search(raw):
                line = raw[: e.start].count(b"\n") + 1
                raise InputError(
                    path,
                    "mixed encodings: UTF-8 letters elsewhere, but this byte is not UTF-8 (Latin-1?); "
                    "re-export the whole file in one encoding",
                    line=line,
                    value=raw[e.start : e.end],
                ) from None
            try:
                return raw.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                return raw.decode("latin-1"), "latin-1"
    m = (
        _MOJIBAKE.search(text)
        if (encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8")
        else None
    )
    if m:  # UTF-8 once read as Latin-1 and saved again as UTF-8 ("BÃ¦rum" for "Bærum")
        start = max(text.rfind(c, 0, m.start()) for c in ';,"\t\n') + 1
        ends = [i for i in (text.find(c, m.end()) for c in ';,"\t\r\n') if i >= 0]
        raise InputError(
            path,
            "double-encoded text (UTF-8 read as Latin-1 and saved again as "
            "UTF-8); re-export the file from its source",
            line=text[: m.start()].count("\n") + 1,
            value=text[start : min(ends, default=len(text))],
        )
    return text, encoding


def read_delimited(
    path: str | Path,
    expected: list[str],
    *,
    optional: list[str] = (),
    separators: str = ";,",
    encoding: str | None = None,
    skip_blank_lines: bool = True,
) -> pd.DataFrame:
    """Read a delimited file into strings with a ``_line`` column (1-based, header = 1).

    The header must contain every ``expected`` column (any order); other columns are allowed
    only when listed in ``optional``. Rows with the wrong number of fields are errors.
    """
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    try:
        text = decode(raw, path, encoding)
    except InputError as err:  # name the column of the undecodable byte
        if err.column is None:
            err.column = (
                _column_at(raw, err.line, err.value, separators) if err.line and err.line > 1 else None
            ) or expected[0]
        raise
    if not text.strip():
        raise InputError(path, "file is empty (expected a header line)", line=1, column=expected[0], value="")
    lines = text.splitlines()
    header = lines[0]
    sep = max(separators, key=header.count)
    if header.count(sep) == 0 and len(expected) > 1:
        raise InputError(
            path,
            f"header has none of the separators {list(separators)}",
            line=1,
            column=expected[0],
            value=header[:80],
        )
    plain = _plain_table(text, sep)
    rows = [lines[0].split(sep)] if plain is not None else list(csv.reader(io.StringIO(text), delimiter=sep))
    cols = [c.strip() for c in rows[0]]
    missing = [c for c in expected if c not in cols]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {missing}; header is {cols}",
            line=1,
            column=missing[0],
            value=sep.join(cols)[:80],
        )
    extra = [c for c in cols if c not in expected and c not in optional]
    if extra:
        raise InputError(
            path,
            f"unexpected column(s) {extra}; expected {expected}"
            + (f" (optional: {list(optional)})" if optional else ""),
            line=1,
            column=extra[0],
            value=extra[0],
        )
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise InputError(path, "duplicate column in header", line=1, column=dup, value=dup)
    if plain is not None:
        df = pd.read_csv(
            io.StringIO(plain),
            sep=sep,
            header=None,
            skiprows=1,
            names=cols,
            dtype="object",
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
        df[LINE] = np.arange(2, len(df) + 2)
        return df
    body, line_no = [], []
    for i, r in enumerate(rows[1:], start=2):
        if not r or (len(r) == 1 and not r[0].strip()):
            if skip_blank_lines:
                continue
        if len(r) != len(cols):
            col = cols[len(r)] if len(r) < len(cols) else f"(field {len(cols) + 1})"
            raise InputError(
                path,
                f"row has {len(r)} fields, header has {len(cols)} "
                f"(separator {sep!r}; truncated or mis-quoted row?)",
                line=i,
                column=col,
                value=sep.join(r)[:80],
            )
        body.append([x.strip() for x in r])
        line_no.append(i)
    df = pd.DataFrame(body, columns=cols, dtype="object")
    if not len(df):
        raise InputError(path, "file has a header but no data rows", line=2, column=cols[0], value="")
    df[LINE] = line_no
    return df


# Characters after which a file is not "plain" (see _plain_table): quotes, NUL, and every white
# space character but the space and the line feed (str.isspace; it includes every line break that
# str.splitlines knows, so a plain text's lines are its \n-separated parts).
_NOT_PLAIN = re.compile(
    '["\x00\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]'
)


def _plain_table(text: str, sep: str) -> str | None:
    """``text`` (its Windows line ends made \\n) when the table is plain: no quote, no NUL, no
    white space but spaces inside a cell, no blank line, at least one data row and every line with
    as many fields as the header. Then splitting each line at ``sep`` is exactly what csv.reader and
    the checks of :func:`read_delimited` give, and pandas' C parser reads it ~5x faster (decision
    0136). Anything else returns None: the csv path reads it and words every problem."""
    if "\r" in text and text.count("\r") == text.count("\r\n"):
        text = text.replace("\r\n", "\n")
    if sep.isspace() or _NOT_PLAIN.search(text):
        return None
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    n = lines[0].count(sep)
    if (
        len(lines) < 2
        or "\n\n" in text
        or text.startswith("\n")
        or " " + sep in text
        or sep + " " in text
        or " \n" in text
        or "\n " in text
        or text.startswith(" ")
        or text.endswith(" ")
        or any(line.count(sep) != n for line in lines)
    ):
        return None
    return text


def _column_at(raw: bytes, line: int, bad: bytes | None, separators: str) -> str | None:
    """The header column in which the undecodable bytes ``bad`` of ``line`` stand (or None)."""
    lines = raw.splitlines()
    if line > len(lines) or not bad:
        return None
    head = lines[0].decode("latin-1")
    sep = max(separators, key=head.count)
    cols = [c.strip().strip('"') for c in head.split(sep)]
    if isinstance(bad, str):
        bad = bad.encode("utf-8")
    pos = lines[line - 1].find(bad)
    k = lines[line - 1][: max(pos, 0)].decode("latin-1").count(sep)
    return cols[k] if k < len(cols) else None


def parse_int(
    df: pd.DataFrame,
    column: str,
    path: str,
    *,
    allow_empty: bool = False,
    lo: int | None = None,
    hi: int | None = None,
) -> pd.Series:
    """Parse a column of whole numbers, naming the first bad cell."""
    s = df[column].fillna("")
    empty = s == ""
    ok = s.str.fullmatch(r"-?\d+") | (empty & allow_empty)
    first_bad(
        ~ok,
        df,
        path,
        column,
        lambda i: "empty value" if empty.iloc[i] else "not a whole number",
        line_col=LINE,
        value=s,
    )
    out = pd.to_numeric(s.where(~empty), errors="coerce").astype("Int64")
    for bad in (out < lo if lo is not None else None, out > hi if hi is not None else None):
        if bad is not None:
            first_bad(
                bad.fillna(False),
                df,
                path,
                column,
                f"value out of range [{lo}, {hi}]",
                line_col=LINE,
                value=s,
            )
    return out


def parse_decimal(df: pd.DataFrame, column: str, path: str, *, allow_empty: bool = False) -> pd.Series:
    """Parse decimals written with '.' or a Norwegian decimal comma; names the first bad cell."""
    s = df[column].fillna("").str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    empty = s == ""
    norm = s.str.replace(",", ".", regex=False)
    ok = norm.str.fullmatch(r"-?\d+(\.\d+)?") | (empty & allow_empty)
    first_bad(
        ~ok, df, path, column, lambda i: "empty value" if empty.iloc[i] else "not a number", line_col=LINE
    )
    return pd.to_numeric(norm.where(~empty), errors="coerce").astype("float64")
