"""Intake: every confidential table input read one way, recognised by its content, with the mapping.

The register, both surveys and the 2021 frame arrive as whatever the source system exports
(../shared/CONTRACT.md, "File formats" and "Mapping real exports"): CSV (UTF-8 with or without
BOM, Latin-1/cp1252; ``,`` ``;`` or tab; LF, CRLF or CR line ends), gzip-compressed CSV, Parquet,
Excel ``.xlsx`` or SPSS ``.sav``. :func:`read_table` detects the format from the bytes (never
the file name), reads the columns as text with their line numbers, applies the role's
``mapping:`` block (rename, keep_rows, drop, values, dates) and checks the header against the
contract's columns. The stage readers then run the contract's value checks on the result.

Line numbers (``_line``) are 1-based with the header as line 1 for every format: a CSV's text
line, an Excel sheet's row, and for Parquet and SPSS the record number + 1 (the line the record
would have in a CSV export).

Typed dates (Parquet, Excel date cells, SPSS date formats) stay ``pl.Date`` columns; a Parquet
timestamp with a time zone becomes its date in Europe/Oslo (a settlement on 1 January 00:00 Oslo
time is 31 December 23:00 UTC). A timestamp without a time zone is taken as local time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import polars as pl

from analysis.core.codenames import split_code_names
from analysis.core.errors import InputError, report
from analysis.core.textio import _column_at, decode_with

LINE = "_line"
TIME_ZONE = "Europe/Oslo"
EXPORT_HINT = "export the table as CSV (UTF-8 or Latin-1; ',' ';' or tab), Excel .xlsx, SPSS .sav or Parquet"
MAPPING_KEYS = (
    "sheet",
    "header_row",
    "columns",
    "drop",
    "values",
    "date_format",
    "keep_rows",
    "labels",
    "checkbox_unticked",
    "checkbox_all_empty",
)


# ------------------------------------------------------------------------------------- sniffing
def sniff(head: bytes, path: str | None = None) -> str:
    """The format of a file from its first bytes: ``csv``, ``gzip``, ``parquet``, ``xlsx``,
    ``sav``, ``json`` or a name of something that is not a table (``pdf``, ``zip``, ``xls``,
    ``html``, ``utf16``, ``binary``, ``empty``). ``path`` lets a ZIP be told from an .xlsx."""
    if not head:
        return "empty"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        if path is not None:
            try:
                with zipfile.ZipFile(path) as z:
                    names = z.namelist()
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
                if any(n.endswith(".ods") or n == "content.xml" for n in names):
                    return "ods"
            except (zipfile.BadZipFile, OSError):
                return "zip"
        return "zip"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    sample = head[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if max(even.count(0) / max(len(even), 1), odd.count(0) / max(len(odd), 1)) > 0.4:
            return "utf16"
        return "binary"
    text = sample.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:14].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if text[:5] == b"<?xml":
        return "xml"
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    if controls > len(sample) // 100 + 1:
        return "binary"
    return "csv"


NOT_A_TABLE = {
    "empty": "file is empty (0 bytes)",
    "pdf": "this is a PDF document, not a data table",
    "zip": "this is a ZIP archive; unpack it and give the data file inside",
    "ods": "this is an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV",
    "xls": "this is an old Excel 97-2003 workbook (.xls) or another OLE2 file; save it as .xlsx or CSV",
    "html": "this is an HTML page (a download or login page?), not a data table",
    "xml": "this is an XML document, not a data table",
    "json": "this is JSON text, not a table",
    "utf16": "this is UTF-16/UTF-32 text; save it as UTF-8 or Latin-1",
    "binary": "this is binary data of no known format (not CSV, gzip, Parquet, .xlsx or .sav)",
}


TABLE_FORMATS = {
    "csv": "delimited text (CSV)",
    "gzip": "a gzip-compressed file",
    "parquet": "a Parquet file",
    "xlsx": "an Excel workbook (.xlsx)",
    "sav": "an SPSS data file (.sav)",
}


def describe(fmt: str) -> str:
    """'this is ...' for any detected format."""
    return NOT_A_TABLE[fmt] if fmt in NOT_A_TABLE else f"this is {TABLE_FORMATS[fmt]}"


def format_problem(fmt: str) -> str:
    """The message for a file that is not a table: what it is and what to export instead."""
    return f"{NOT_A_TABLE[fmt]}; {EXPORT_HINT}"


# ------------------------------------------------------------------------------------- reading
@dataclass
class Table:
    """A table input as read: text columns (``""`` for missing) or typed dates, plus ``_line``."""

    frame: pl.DataFrame
    fmt: str
    excluded: list[tuple[str, int]] = field(default_factory=list)  # (ledger reason, rows)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # SPSS value labels per column
    missing: list[str] = field(default_factory=list)  # contract columns absent (collecting mode)
    code_names: pd.DataFrame | None = None  # "code name" cells: the names written (core.codenames)


def read_table(
    path: str | Path,
    role: str,
    expected: list[str],
    *,
    optional: list[str] = (),
    mapping: dict | None = None,
    dates: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
) -> Table:
    """Read a table input of ``role`` whatever its format; apply ``mapping`` and check the header.

    Returns the columns ``expected`` (+ those of ``optional`` present) with ``_line``.
    ``codes``: contract columns holding kommune/bydel codes; where a typed source stored them as
    NUMBERS (Excel, SPSS, Parquet: 301 for 0301), the leading zeros are restored (:func:`pad_codes`).
    Problems raise an :class:`InputError` (in collecting mode: are reported; then a missing
    contract column is added empty and named in ``Table.missing``).
    """
    path = str(path)
    mapping = dict(mapping or {})
    p = Path(path)
    if p.is_dir():
        raise InputError(path, "is a directory, not a file; give the path of the data file", line=None)
    try:
        with open(p, "rb") as fh:
            head = fh.read(8192)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    fmt = sniff(head, path)
    labels: dict = {}
    numeric: set = set()
    if fmt == "gzip":
        raw = gunzip_limited(p, path)
        inner = sniff(raw[:8192])
        if inner == "parquet":
            df, numeric = _read_parquet(io.BytesIO(raw), path)
        elif inner == "csv":
            df = _below_title_rows(raw, path, expected, mapping.get("header_row"))
        else:
            raise InputError(
                path,
                f"gzip file holding something that is not CSV: {format_problem(inner)}",
                line=1,
                column=expected[0],
                value=raw[:4],
            )
    elif fmt == "csv":
        df = _below_title_rows(p.read_bytes(), path, expected, mapping.get("header_row"))
    elif fmt == "parquet":
        df, numeric = _read_parquet(path, path)
    elif fmt == "xlsx":
        df, numeric = _read_xlsx(path, mapping.get("sheet"), mapping.get("header_row") or 1)
    elif fmt == "sav":
        df, labels, numeric = _read_sav(path)
    else:
        raise InputError(path, format_problem(fmt), line=1, column=expected[0], value=head[:4])
    if "sheet" in mapping and fmt != "xlsx":
        raise InputError(path, f"mapping.{role}.sheet is set, but the file is {fmt}, not an Excel workbook")
    if (mapping.get("header_row") or 1) > 1 and fmt in ("parquet", "sav"):
        raise InputError(path, f"mapping.{role}.header_row is set, but a {fmt} file has no title rows")
    df, excluded = apply_mapping(df, mapping, role, path, dates)
    df, code_names = split_code_names(df, codes)
    renamed = {str(k): str(v) for k, v in (mapping.get("columns") or {}).items()}
    df = pad_codes(df, [c for c in codes if c in {renamed.get(n, n) for n in numeric}])
    labels = _mapped_labels(labels, mapping)
    df, missing = check_header(df, path, role, expected, optional, mapping)
    return Table(df, fmt, excluded, labels, missing, code_names)


_LINE_END = re.compile(rb"\r\n|\n|\r")


def _below_title_rows(raw: bytes, path: str, expected: list[str], header_row: int | None) -> pl.DataFrame:
    """A CSV whose header is on line ``header_row`` (title lines above it, as SSB's and some
    survey tools' exports have): the title lines are skipped and every row keeps its line
    number in the file (the header is line ``header_row``)."""
    if not header_row or header_row == 1:
        return _read_csv(raw, path, expected)
    bom = raw.startswith(b"\xef\xbb\xbf")
    ends = [m.end() for _, m in zip(range(header_row - 1), _LINE_END.finditer(raw))]
    if len(ends) < header_row - 1:
        raise InputError(
            path, f"the file has fewer than {header_row} lines; header_row {header_row} is not among them"
        )
    body = raw[ends[-1] :]
    df = _read_csv((b"\xef\xbb\xbf" if bom else b"") + body, path, expected)
    return df.with_columns(pl.col(LINE) + (header_row - 1))


# --- limits (issue 27): a gzip bomb or a file that is one huge line stops with a message -------

MAX_DECOMPRESSED = 8 << 30  # bytes a gzip input may expand to (a register of ~50 million rows)
MAX_LINE = 1 << 20  # bytes in one line of a text input (a register line is ~100, a survey's ~10 000)


def _size(n: int) -> str:
    return f"{n / (1 << 30):.0f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def gunzip_limited(p: Path, path: str, limit: int = MAX_DECOMPRESSED) -> bytes:
    """The decompressed bytes of a gzip input, read in blocks; more than ``limit`` stops the
    run before memory runs out (a file that expands to 16 GiB once reached MemoryError)."""
    parts, total = [], 0
    try:
        with gzip.open(p, "rb") as fh:
            while block := fh.read(1 << 24):
                total += len(block)
                if total > limit:
                    raise InputError(
                        path,
                        f"the gzip file expands to more than {_size(limit)}: too large to read "
                        f"(a damaged file or a gzip bomb?); decompress and check it first",
                        line=None,
                    )
                parts.append(block)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(path, f"not a readable gzip file ({_first(err)})", line=1) from None
    return b"".join(parts)


def check_line_length(data: bytes, path: str, limit: int = MAX_LINE) -> None:
    """No line of a text input longer than ``limit`` bytes (LF, CR or CRLF ends), checked in
    blocks before the text is decoded: one 2 GiB line once made polars panic and ``validate``
    hang holding 8.6 GB."""
    import numpy as np

    start, block = 0, 1 << 24  # the current line's start
    for at in range(0, len(data), block):
        chunk = np.frombuffer(data, dtype=np.uint8, count=min(block, len(data) - at), offset=at)
        ends = np.flatnonzero((chunk == 10) | (chunk == 13)) + at
        if len(ends):
            gaps = np.diff(np.concatenate(([start - 1], ends)))
            if gaps.max() - 1 > limit:
                k = int(np.argmax(gaps))
                line = data.count(b"\n", 0, int(ends[k])) + 1
                raise InputError(path, f"a line is longer than {_size(limit)}: not a table", line=line)
            start = int(ends[-1]) + 1
        if at + len(chunk) - start > limit:
            line = data.count(b"\n", 0, start) + 1
            raise InputError(path, f"a line is longer than {_size(limit)}: not a table", line=line)


def _first(err: Exception) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0][:120]


def _read_csv(raw: bytes, path: str, expected: list[str]) -> pl.DataFrame:
    """Delimited text: encoding and separator detected, line ends normalised, every row checked
    for the header's field count (a truncated or mis-quoted row)."""
    check_line_length(raw, path)
    try:
        text, encoding = decode_with(raw, path)
    except InputError as err:  # name the column of the undecodable byte
        if err.column is None:
            err.column = (
                _column_at(raw, err.line, err.value, ";,\t") if err.line and err.line > 1 else None
            ) or expected[0]
        raise
    if not text or text.isspace():  # not text.strip(): that copies the whole text
        raise InputError(path, "file is empty (expected a header line)", line=1, column=expected[0], value="")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    data = raw if encoding == "utf-8" else text.encode("utf-8")  # Latin-1/cp1252 re-encoded once
    del raw
    if b"\r" in data[:65536] and b"\n" not in data:  # CR-only line ends (old Mac export)
        data = data.replace(b"\r", b"\n")
        text = text.replace("\r", "\n")
    header = _first_line(text)
    sep = max(",;\t", key=header.count)
    if header.count(sep) == 0 and len(expected) > 1:
        report(
            InputError(
                path,
                "header has none of the separators ',' ';' or tab (one column only)",
                line=1,
                column=expected[0],
                value=header[:80],
            )
        )
    _check_field_counts(text, sep, path, data)
    del text
    try:
        df = pl.read_csv(data, separator=sep, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as err:
        # a panic (PanicException is not an Exception) is reported like any parse failure; the
        # error's text may quote the data, so only its kind is named
        raise InputError(
            path,
            f"cannot parse as CSV (polars: {type(err).__name__})",
            line=1,
            column=expected[0],
            value=type(err).__name__,
        ) from None
    df = df.rename({c: c.strip() for c in df.columns}) if any(c != c.strip() for c in df.columns) else df
    df = df.with_columns(pl.all().fill_null(""))
    return df.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE))


def _first_line(text: str) -> str:
    """``text.splitlines()[0]`` without splitting the rest of the text."""
    return re.match(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*", text).group()


def _check_field_counts(text: str, sep: str, path: str, data: bytes | None = None) -> None:
    """A row with more or fewer fields than the header (a truncated or mis-quoted row) is an
    error (Polars would pad a short row with nulls). Blank lines are left to the caller."""
    import csv

    import numpy as np

    # fast path: separators per line, counted with numpy (a quoted field with a separator or a
    # line break inside, or any line with another count, leaves the decision to csv.reader)
    per_line = _separators_per_line(
        np.frombuffer(text.encode("utf-8") if data is None else data, dtype=np.uint8), ord(sep), '"' in text
    )
    if per_line is not None and (per_line == per_line[0]).all():
        return  # every line has the header's field count
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    cols = next(reader)
    for r in reader:
        if len(r) == len(cols) or (not r or (len(r) == 1 and not r[0].strip())):
            continue
        col = cols[len(r)].strip() if len(r) < len(cols) else f"(field {len(cols) + 1})"
        report(
            InputError(
                path,
                f"row has {len(r)} fields, header has {len(cols)} (separator "
                f"{sep!r}; truncated or mis-quoted row?)",
                line=reader.line_num,
                column=col,
                value=len(r),  # not the row: it may hold identifiers or open text
            )
        )
        raise InputError(
            path, "rows with the wrong number of fields: the file cannot be read further", line=None
        )


def _separators_per_line(b, sep: int, quotes: bool, block: int = 1 << 24):
    """Separator bytes on every line of ``b`` (a uint8 array; the last line may lack its
    newline). With ``quotes`` (the file has a quote character): None when a quoted section (from
    an odd to the next quote character) holds a separator or a newline, as then lines and
    separators are not records and fields, or when a carriage return is not followed by a
    newline (csv.reader rejects that). Counted block by block: a cumulative count over the whole
    file would need 8 bytes per byte of it."""
    import numpy as np

    at_newline, n_seps, quoted = [], 0, False
    for off in range(0, len(b), block):
        blk = b[off : off + block]
        is_sep, is_nl = blk == sep, blk == 10
        if quotes:  # e.g. "" for an empty field is fine: no break inside
            inside = np.bitwise_xor.accumulate((blk == 34).view(np.uint8)).view(bool) ^ quoted
            cr = np.flatnonzero(blk == 13) + off
            if (inside & (is_sep | is_nl)).any() or (
                len(cr) and (cr[-1] + 1 == len(b) or (b[cr + 1] != 10).any())
            ):
                return None
            quoted = bool(inside[-1])
        sep_at = np.flatnonzero(is_sep)
        at_newline.append(np.searchsorted(sep_at, np.flatnonzero(is_nl)) + n_seps)
        n_seps += len(sep_at)
    ends = np.concatenate([[0], *at_newline])
    if len(b) and b[-1] != 10:
        ends = np.append(ends, n_seps)  # the last line, without a newline
    return np.diff(ends)


def pad_codes(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Kommune and bydel codes a typed source stored as numbers, as the codes they are: up to
    4 digits -> 4 (301 -> 0301), 5-6 digits -> 6 (30101 -> 030101). A number has no leading
    zeros, so this restores, not guesses; codes read as TEXT are never padded (a CSV's 301 is
    reported)."""
    if not columns:
        return df
    pad = []
    for c in columns:
        if c in df.columns and df.schema[c] == pl.String:
            s = pl.col(c)
            pad.append(
                pl.when(s.str.contains(r"^\d{1,4}$"))
                .then(s.str.zfill(4))
                .when(s.str.contains(r"^\d{5,6}$"))
                .then(s.str.zfill(6))
                .otherwise(s)
                .alias(c)
            )
    return df.with_columns(pad) if pad else df


def _read_parquet(source, path: str) -> tuple[pl.DataFrame, set]:
    try:
        df = pl.read_parquet(source)
    except (pl.exceptions.PolarsError, OSError) as err:
        raise InputError(
            path, f"not a readable Parquet file ({_first(err)})", line=1, column="(file)", value=b"PAR1"
        ) from None
    numeric = {c for c, t in df.schema.items() if t.is_numeric()}
    # column by column, each freed once converted (peak memory: the file plus one column);
    # one chunk per column, not one per row group
    cols = []
    for name in df.columns:
        cols.append(_as_text(df.get_column(name), typed_dates=True).rechunk())
        df = df.drop(name)
    df = pl.DataFrame(cols)
    return df.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE)), numeric


def _as_text(col: pl.Series, typed_dates: bool) -> pl.Series:
    """A typed column as the checks read it: text (``""`` for null; whole floats without
    ``.0``), except dates and timestamps, which become ``pl.Date`` (a time-zone-aware timestamp:
    its date in Europe/Oslo)."""
    dtype = col.dtype
    if dtype == pl.Date:
        return col
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            col = col.dt.convert_time_zone(TIME_ZONE)
        return col.dt.date()
    if dtype == pl.String:
        return col.fill_null("")
    if dtype.is_float():
        whole = col.drop_nulls().drop_nans()
        if whole.len() == 0 or (whole == whole.round(0)).all():
            return col.fill_nan(None).cast(pl.Int64, strict=False).cast(pl.String).fill_null("")
    if dtype == pl.Boolean:
        return col.cast(pl.Int8).cast(pl.String).fill_null("")
    try:
        return col.cast(pl.String).fill_null("")
    except pl.exceptions.PolarsError:
        return col.map_elements(str, return_dtype=pl.String).fill_null("")


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _numbers_beside_names(filled: list) -> bool:
    """A column whose number cells lost their leading zeros: number cells only, or number cells
    beside "code name" text cells (``0301 Oslo``; issue 23). A text cell of digits alone keeps
    the column as text (a CSV-like typed code: never padded)."""
    is_num = [isinstance(v, (int, float)) and not isinstance(v, bool) for v in filled]
    return any(is_num) and all(
        n or (isinstance(v, str) and not v.strip().isdigit()) for v, n in zip(filled, is_num)
    )


def _read_xlsx(path: str, sheet: str | None, header_row: int) -> tuple[pl.DataFrame, set]:
    """The first sheet (or ``sheet``) of an .xlsx workbook: row ``header_row`` the header (title
    rows above it skipped; lines stay the sheet's row numbers); a column whose every non-empty
    cell is an Excel date becomes a typed date column."""
    import openpyxl

    try:
        # from the bytes: openpyxl refuses a file by its name's suffix (an .xlsx named .csv)
        wb = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a damaged file
        raise InputError(path, f"not a readable Excel workbook ({_first(err)})", line=1) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(path, f"no sheet {sheet!r} in the workbook (sheets: {wb.sheetnames})", line=None)
        ws = wb[sheet] if sheet is not None else wb[wb.sheetnames[0]]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if header_row > 1:
        if len(rows) < header_row:
            raise InputError(
                path, f"the sheet has {len(rows)} rows; header_row {header_row} is not among them", line=None
            )
        rows = rows[header_row - 1 :]
    if not rows:
        raise InputError(path, "the sheet is empty (expected a header row)", line=1)
    header = [_cell_text(v) for v in rows[0]]
    while (
        header and header[-1] == "" and all(len(r) < len(header) or r[len(header) - 1] is None for r in rows)
    ):
        header.pop()
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
    cols, numeric = {}, set()
    for k, name in enumerate(header):
        values = [r[k] for r in body]
        filled = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
        if _numbers_beside_names(filled):
            numeric.add(name)
        if filled and all(isinstance(v, dt.date) for v in filled):
            as_date = [
                None if v is None or isinstance(v, str) else (v.date() if isinstance(v, dt.datetime) else v)
                for v in values
            ]
            cols[name or f"(column {k + 1})"] = pl.Series(as_date, dtype=pl.Date)
        else:
            cols[name or f"(column {k + 1})"] = pl.Series([_cell_text(v) for v in values], dtype=pl.String)
    if len(cols) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise InputError(path, "duplicate column in header", line=1, column=dup, value=dup)
    df = pl.DataFrame(cols, schema={k: v.dtype for k, v in cols.items()}) if cols else pl.DataFrame()
    first = header_row + 1
    return df.with_columns(pl.Series(LINE, range(first, len(body) + first), dtype=pl.Int64)), numeric


def _read_sav(path: str) -> tuple[pl.DataFrame, dict, set]:
    """An SPSS .sav file: codes as text (the value labels apart, for the codebook check)."""
    import pyreadstat

    try:
        pdf, meta = pyreadstat.read_sav(path, apply_value_formats=False, user_missing=False)
    except Exception as err:  # pyreadstat.ReadstatError and friends
        raise InputError(path, f"not a readable SPSS .sav file ({_first(err)})", line=1) from None
    cols, numeric = [], {c for c in pdf.columns if pdf[c].dtype.kind in "fiu"}
    for name in pdf.columns:
        s = pl.from_pandas(pdf[name]).alias(name)
        if s.dtype == pl.Object:  # python dates from SPSS date formats
            s = pl.Series(name, [None if v is None or v != v else v for v in pdf[name]], dtype=pl.Date)
        cols.append(_as_text(s, typed_dates=True))
    df = pl.DataFrame(cols) if cols else pl.DataFrame()
    df = df.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE))
    labels = {
        var: {_code_text(c): str(lab) for c, lab in vl.items()}
        for var, vl in (meta.variable_value_labels or {}).items()
    }
    return df, labels, numeric


def _code_text(c) -> str:
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c)


# ------------------------------------------------------------------------------------- mapping
def apply_mapping(
    df: pl.DataFrame, mapping: dict, role: str, path: str, dates: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, list[tuple[str, int]]]:
    """The role's ``mapping:`` block applied in the contract's order: rename, keep_rows (on the
    source names), drop, values, dates. Returns the frame and the ledger rows it excluded."""
    where = f"mapping.{role}"
    source = [c for c in df.columns if c != LINE]
    columns = {str(k): str(v) for k, v in (mapping.get("columns") or {}).items()}
    for src in columns:
        if src not in source:
            report(
                InputError(
                    path,
                    f"{where}.columns names {src!r}, which is not a column of the file",
                    line=1,
                    column=src,
                )
            )
    rename = {s: t for s, t in columns.items() if s in source}
    targets = [rename.get(c, c) for c in source]
    for t in sorted({t for t in targets if targets.count(t) > 1}):
        raise InputError(path, f"{where}.columns: two source columns end up as {t!r}", line=1, column=t)
    df = df.rename(rename)
    excluded = []
    for src, wanted in (mapping.get("keep_rows") or {}).items():
        src = str(src)
        col = rename.get(src, src)
        if src not in source:
            report(
                InputError(
                    path,
                    f"{where}.keep_rows names {src!r}, which is not a column of the file",
                    line=1,
                    column=src,
                )
            )
            continue
        allowed = [_text(v) for v in (wanted if isinstance(wanted, list) else [wanted])]
        keep = _as_text(df.get_column(col), typed_dates=False).str.strip_chars().is_in(allowed)
        n_out = int((~keep).sum())
        df = df.filter(keep).drop(col)
        if n_out:
            excluded.append((f"{where}.keep_rows: {src} not in {allowed}", n_out))
    for src in mapping.get("drop") or []:
        src = str(src)
        if src not in source:
            report(
                InputError(
                    path, f"{where}.drop names {src!r}, which is not a column of the file", line=1, column=src
                )
            )
            continue
        col = rename.get(src, src)
        if col in df.columns:
            df = df.drop(col)
    for col, recode in (mapping.get("values") or {}).items():
        if col not in df.columns:
            report(
                InputError(
                    path,
                    f"{where}.values names {col!r}, which is not a column after renaming",
                    line=1,
                    column=col,
                )
            )
            continue
        old = [_text(k) for k in recode]
        new = [_text(v) for v in recode.values()]
        s = _as_text(df.get_column(col), typed_dates=False).str.strip_chars()
        df = df.with_columns(s.replace(old, new).alias(col))
    fmt = mapping.get("date_format")
    if fmt:
        for col in dates:
            if col in df.columns and df.schema[col] == pl.String:
                s = pl.col(col).str.strip_chars()
                parsed = s.str.strptime(pl.Date, fmt, strict=False)
                # valid dates become ISO text; the rest stays as written for the date checks
                df = df.with_columns(
                    pl.when(parsed.is_not_null()).then(parsed.dt.strftime("%Y-%m-%d")).otherwise(s).alias(col)
                )
    return df, excluded


def _text(v) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _mapped_labels(labels: dict, mapping: dict) -> dict:
    """SPSS value labels under the contract's column names, codes recoded by ``values``."""
    columns = {str(k): str(v) for k, v in (mapping.get("columns") or {}).items()}
    out = {}
    for var, vl in labels.items():
        col = columns.get(var, var)
        recode = {_text(k): _text(v) for k, v in ((mapping.get("values") or {}).get(col) or {}).items()}
        out[col] = {recode.get(c, c): lab for c, lab in vl.items()}
    return out


def check_header(
    df: pl.DataFrame, path: str, role: str, expected: list[str], optional: list[str], mapping: dict
) -> tuple[pl.DataFrame, list[str]]:
    """Every expected column present, no unknown one, none twice; the optional ones added empty.
    In collecting mode every header problem is reported and the checks go on: an unknown
    column is left out, a missing one is added empty (and returned, so that its checks are
    skipped)."""
    cols = [c for c in df.columns if c != LINE]
    hint = f" (mapping.{role}.columns renames source columns)" if not mapping.get("columns") else ""
    missing = [c for c in expected if c not in cols]
    hint += _title_hint(cols, missing, role, mapping)
    if header_is_data(cols, expected, optional):
        return _no_contract_header(df, path, role, expected, optional, cols, hint)
    shown = _names([safe_column_name(c, i) for i, c in enumerate(cols)])
    for c in missing:
        report(
            InputError(
                path,
                f"missing column {c!r}{hint}; the header has {shown}",
                line=1,
                column=c,
                value=",".join(safe_column_name(c, i) for i, c in enumerate(cols))[:80],
            )
        )
    extra = [c for c in cols if c not in expected and c not in optional]
    for c in extra:
        name = safe_column_name(c, cols.index(c))
        report(
            InputError(
                path,
                f"unexpected column {name!r}: map it to a contract column under mapping.{role}.columns "
                f"or list it under mapping.{role}.drop (contract columns: {_names(list(expected) + list(optional))})",
                line=1,
                column=name,
                value=name,
            )
        )
    df = df.drop(extra)
    add = [pl.lit("", dtype=pl.String).alias(c) for c in [*missing, *(o for o in optional if o not in cols)]]
    if add:
        df = df.with_columns(add)
    return df.select([*expected, *optional, LINE]), missing


def _title_hint(cols: list[str], missing: list[str], role: str, mapping: dict) -> str:
    """When the 'header' looks like a title (most columns missing, few or unnamed ones read):
    the title rows above the real header, and the key that skips them."""
    if "header_row" in mapping or not missing or len(missing) < len(cols):
        return ""
    return (
        f"; is the first row a title above the real header? set mapping.{role}.header_row to the "
        "row number of the header"
    )


# --- headers that are data (issue 27): never printed ------------------------------------------

# a column name a message may print: starts with a letter, words, no run of digits (an id or a
# date read as a header is data, not a name)
_NAME_LIKE = re.compile(r"[^\W\d][\w .()/-]{0,39}")
_DIGITS = re.compile(r"\d{4,}")


def safe_column_name(name: str, position: int) -> str:
    """``name`` when it looks like a column name, else its position ("column 3"): a header
    cell that is a value (an id, a date, a surname's neighbour in a record) is not printed."""
    name = str(name)
    if _NAME_LIKE.fullmatch(name) and not _DIGITS.search(name):
        return name
    return f"<column {position + 1}>"


def header_is_data(cols: list[str], expected: list[str], optional) -> bool:
    """No column of the header is a contract column: most likely a file exported without its
    header line, whose first record was read as the header."""
    known = set(expected) | set(optional)
    return bool(cols) and not any(c in known for c in cols)


def _no_contract_header(df, path, role, expected, optional, cols, hint) -> tuple[pl.DataFrame, list[str]]:
    """One problem for a header that matches no contract column, naming none of its cells (they
    may be the first record's values); the contract columns are then added empty, as for a
    missing column in collecting mode."""
    report(
        InputError(
            path,
            f"the header line matches no contract column ({len(cols)} columns; none of them is printed, "
            f"they may be values): is the header line missing? The contract columns are "
            f"{_names(list(expected) + list(optional))}{hint}",
            line=1,
        )
    )
    df = df.drop(cols).with_columns([pl.lit("", dtype=pl.String).alias(c) for c in [*expected, *optional]])
    return df.select([*expected, *optional, LINE]), list(expected)


def _names(cols: list[str], limit: int = 12) -> str:
    shown = ", ".join(c[:30] for c in cols[:limit])
    return f"[{shown}{', ...' if len(cols) > limit else ''}] ({len(cols)} columns)"


def read_pandas(
    path: str | Path,
    role: str,
    expected: list[str],
    *,
    optional: list[str] = (),
    mapping: dict | None = None,
    codes: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, Table]:
    """:func:`read_table` as a pandas frame of strings with ``_line`` (blank rows dropped, as
    a blank line in a text file is no record); returns (frame, table)."""
    t = read_table(path, role, expected, optional=optional, mapping=mapping, codes=codes)
    df = t.frame
    text = [c for c in df.columns if c != LINE]
    df = df.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%d").fill_null("") for c in text if df.schema[c] == pl.Date
    )
    if text:
        blank = pl.all_horizontal([pl.col(c).str.strip_chars() == "" for c in text])
        df = df.filter(~blank)
    out = df.to_pandas()
    for c in text:
        out[c] = out[c].astype("object").str.strip()
    if not len(out):
        report(
            InputError(
                str(path),
                "file has a header but no data rows"
                + ("" if "header_row" in (mapping or {}) else f" (or mapping.{role}.header_row is needed)"),
                line=2,
                column=expected[0],
                value="",
            )
        )
    return out, t
