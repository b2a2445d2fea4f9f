"""IMDi's settlement register (person level): read, validate, harmonise to the 2020 structure.

Shape (../shared/CONTRACT.md): one row per settled person, CSV (UTF-8, ``,`` or ``;``) or
Parquet, columns ``person_id, vedtaksdato, bosettingsdato, kommunenummer, bydelsnummer,
avtalt_selvbosetting, kategori, husholdningstype`` and optionally ``kjonn, fodselsaar,
landbakgrunn``. Every problem stops the run with an :class:`InputError` naming the file, the
line (CSV; header = line 1) or record (Parquet), the column and the value.

Rules beyond the contract's types (documented in the method note):

* ``bosettingsdato`` must lie in the study period 2016-01-01 .. ``register_end``;
  ``vedtaksdato`` may lie before 2016 (people settled early in 2016 got their decision in 2015)
  but not before 2000-01-01, and never after ``bosettingsdato``.
* ``vedtaksdato`` may be empty only for ``kategori = overforing`` (decision taken abroad).
* ``bydelsnummer`` is ``0301NN`` (NN = 01..15) and only allowed with ``kommunenummer = 0301``;
  an Oslo row without bydel is kept as unit ``0301`` and counted in the ledger.
* ``avtalt_selvbosetting = 1`` is impossible for resettlement refugees (``overforing``).
* ``fodselsaar`` (when given) may not lie after the year of settlement.
* A row with more or fewer fields than the header (a truncated file) is an error; blank lines
  (e.g. a trailing one) are skipped.
* ``kommunenummer`` may be any code valid in 2013-2020; it is mapped to its 2020 kommune
  (split kommuner by ``harmonisation.split_to``).

Waiting time ``wait_months`` = days from decision to settlement / (365.25 / 12).
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import polars as pl

from .errors import InputError
from .textio import _column_at, decode

REQUIRED = ["person_id", "vedtaksdato", "bosettingsdato", "kommunenummer", "bydelsnummer",
            "avtalt_selvbosetting", "kategori", "husholdningstype"]
OPTIONAL = ["kjonn", "fodselsaar", "landbakgrunn"]
KATEGORIER = ("mottak", "privatboende", "overforing")
HUSHOLDNINGSTYPER = ("enslig_voksen", "par_uten_barn", "barnefamilie", "enslig_mindrearig")
OSLO = "0301"
BYDELER = tuple(f"0301{i:02d}" for i in range(1, 16))
STUDY_START = "2016-01-01"
EARLIEST_DECISION = "2000-01-01"
DAYS_PER_MONTH = 365.25 / 12
OUTPUT_COLUMNS = ["person_id", "vedtaksdato", "bosettingsdato", "year", "kommunenummer",
                  "kommunenummer_2020", "kommunenavn_2020", "bydelsnummer", "unit_id",
                  "avtalt_selvbosetting", "kategori", "husholdningstype", "wait_months",
                  "split_code", "kjonn", "fodselsaar", "landbakgrunn"]


def _read_raw(path: str) -> tuple[pl.DataFrame, int]:
    """All columns as strings plus ``_line``; returns (frame, offset) with line = index + offset."""
    p = Path(path)
    if not p.exists():
        raise InputError(path, "file not found")
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            df = pl.read_parquet(p)
        except (pl.exceptions.PolarsError, OSError) as err:
            raise InputError(path, f"not a readable Parquet file ({str(err).splitlines()[0][:120]})",
                             line=1, column="(file)", value=p.read_bytes()[:4]) from None
        casts = []
        for name, dtype in df.schema.items():
            if dtype == pl.Date:
                casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
            elif dtype == pl.Datetime:
                casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
            else:
                casts.append(pl.col(name).cast(pl.String))
        df = df.select(casts)
        offset = 1  # record number
    else:
        raw = p.read_bytes()
        try:
            text = decode(raw, path, "utf-8")
        except InputError as err:  # name the column of the undecodable byte
            if err.column is None:
                err.column = (_column_at(raw, err.line, err.value, ";,")
                              if err.line and err.line > 1 else None) or REQUIRED[0]
            raise
        if not text.strip():
            raise InputError(path, "file is empty (expected a header line)", line=1,
                             column=REQUIRED[0], value="")
        header = _first_line(text)  # not text.splitlines()[0]: that builds a list of every line
        sep = ";" if header.count(";") > header.count(",") else ","
        del raw  # only the decoded text is needed from here (peak memory on large files)
        data = text.encode("utf-8")
        _check_field_counts(text, sep, path, data)
        del text
        try:
            df = pl.read_csv(io.BytesIO(data), separator=sep, infer_schema=False)
        except pl.exceptions.PolarsError as err:
            raise InputError(path, f"cannot parse as CSV ({str(err).splitlines()[0][:120]})",
                             line=1, column=REQUIRED[0], value=header[:80]) from None
        offset = 2  # header is line 1
    df = df.rename({c: c.strip() for c in df.columns})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; found {df.columns}", line=1,
                         column=missing[0], value=",".join(df.columns)[:80])
    extra = [c for c in df.columns if c not in REQUIRED + OPTIONAL]
    if extra:
        raise InputError(path, f"unexpected column(s) {extra}; allowed are {REQUIRED + OPTIONAL}",
                         line=1, column=extra[0], value=extra[0])
    for c in OPTIONAL:
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    # strip surrounding whitespace; only columns that have any are rewritten (saves a copy of
    # every string column of a large register)
    padded = df.select([pl.col(c).str.contains(r"^\s|\s$").any().alias(c)
                        for c in REQUIRED + OPTIONAL]).row(0)
    df = df.with_columns([pl.col(c).fill_null("").str.strip_chars() if pad else pl.col(c).fill_null("")
                          for c, pad in zip(REQUIRED + OPTIONAL, padded)])
    # blank lines (e.g. a trailing one) are not rows; the row index keeps the line numbers right
    df = df.with_row_index("_i")
    blank = pl.all_horizontal([pl.col(c) == "" for c in REQUIRED + OPTIONAL])
    if df.select(blank.any()).item():
        df = df.filter(~blank)
    if df.height == 0:
        raise InputError(path, "file has a header but no data rows", line=2, column=REQUIRED[0],
                         value="")
    return df, offset


def _first_line(text: str) -> str:
    """``text.splitlines()[0]`` without splitting the rest of the text."""
    import re

    return re.match(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*", text).group()


def _check_field_counts(text: str, sep: str, path: str, data: bytes | None = None) -> None:
    """A row with more or fewer fields than the header (a truncated or mis-quoted row) stops
    the run; Polars would pad a short row with nulls."""
    import csv

    if '"' not in text:  # fast path (no quoting): separators per line, counted with numpy
        import numpy as np

        b = np.frombuffer(text.encode("utf-8") if data is None else data, dtype=np.uint8)
        nl = np.flatnonzero(b == 10)
        ends = nl if (len(nl) and nl[-1] == len(b) - 1) else np.append(nl, len(b))
        seps = np.concatenate(([0], np.cumsum(b == ord(sep))))[ends]
        per_line = np.diff(np.concatenate(([0], seps)))
        if (per_line == per_line[0]).all():
            return  # every line has the header's field count
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    cols = next(reader)
    for r in reader:
        if len(r) == len(cols) or (not r or (len(r) == 1 and not r[0].strip())):
            continue
        col = cols[len(r)].strip() if len(r) < len(cols) else f"(field {len(cols) + 1})"
        raise InputError(path, f"row has {len(r)} fields, header has {len(cols)} (separator "
                         f"{sep!r}; truncated or mis-quoted row?)", line=reader.line_num,
                         column=col, value=sep.join(r)[:80])


def _fail(df: pl.DataFrame, mask: pl.Expr, path: str, offset: int, column: str, message: str) -> None:
    bad = df.filter(mask)
    if bad.height:
        row = bad.row(0, named=True)
        extra = f" ({bad.height} rows in all)" if bad.height > 1 else ""
        raise InputError(path, message + extra, line=int(row["_i"]) + offset, column=column,
                         value=row[column])


def _fail_first(df: pl.DataFrame, checks: list[tuple[pl.Expr, str, str]], path: str, offset: int) -> None:
    """Count every check's failing rows in one (parallel) pass over the frame, then raise for the
    first failing check in list order, exactly as calling :func:`_fail` for each in turn would."""
    counts = df.select([mask.sum().alias(f"_c{k}") for k, (mask, _, _) in enumerate(checks)]).row(0)
    for (mask, column, message), n in zip(checks, counts):
        if n:
            _fail(df, mask, path, offset, column, message)


def _date_checks(column: str, allow_empty: bool) -> tuple[pl.Expr, list[tuple[pl.Expr, str, str]]]:
    """The parsed date (null where empty or invalid) and the checks of :func:`_parse_date`."""
    s = pl.col(column)
    ok_fmt = s.str.contains(r"^\d{4}-\d{2}-\d{2}$") | ((s == "") & pl.lit(allow_empty))
    parsed = s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    checks = [(~ok_fmt, column, "not an ISO date YYYY-MM-DD"),
              (parsed.is_null() & (s != ""), column, "not a valid calendar date")]
    if not allow_empty:
        checks.append((s == "", column, "empty date"))
    return parsed, checks


def _parse_date(df: pl.DataFrame, column: str, path: str, offset: int, allow_empty: bool) -> pl.Series:
    s = df[column]
    ok_fmt = s.str.contains(r"^\d{4}-\d{2}-\d{2}$") | ((s == "") & allow_empty)
    _fail(df, ~ok_fmt, path, offset, column, "not an ISO date YYYY-MM-DD")
    parsed = s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    _fail(df, parsed.is_null() & (s != ""), path, offset, column, "not a valid calendar date")
    if not allow_empty:
        _fail(df, s == "", path, offset, column, "empty date")
    return parsed


def read_register(path: str, code_map: pd.DataFrame, register_end: str = "2021-03-31",
                  start: str = STUDY_START) -> tuple[pl.DataFrame, pd.DataFrame]:
    """Validate and harmonise the register; returns (persons, ledger)."""
    path = str(path)
    df, off = _read_raw(path)
    c = pl.col
    known = set(code_map["code"])
    bos, bos_checks = _date_checks("bosettingsdato", allow_empty=False)
    ved, ved_checks = _date_checks("vedtaksdato", allow_empty=True)
    df = df.with_columns(bos.alias("_bos"), ved.alias("_ved"))
    lo, hi = pl.lit(start).str.to_date(), pl.lit(register_end).str.to_date()
    # (mask of bad rows, column, message), in the order the errors are reported
    checks = [
        (c("person_id") == "", "person_id", "empty person_id"),
        (~c("person_id").is_first_distinct(), "person_id",
         "duplicate person_id (one row per settled person)"),
        (~c("kategori").is_in(KATEGORIER), "kategori", f"kategori must be one of {list(KATEGORIER)}"),
        (~c("husholdningstype").is_in(HUSHOLDNINGSTYPER), "husholdningstype",
         f"husholdningstype must be one of {list(HUSHOLDNINGSTYPER)}"),
        (~c("avtalt_selvbosetting").is_in(["0", "1"]), "avtalt_selvbosetting",
         "avtalt_selvbosetting must be 0 or 1"),
        ((c("avtalt_selvbosetting") == "1") & (c("kategori") == "overforing"), "avtalt_selvbosetting",
         "agreed self-settlement is impossible for a resettlement refugee (kategori = overforing)"),
        (~c("kommunenummer").str.contains(r"^\d{4}$"), "kommunenummer",
         "kommunenummer must be a 4-digit code with leading zeros"),
        (~c("kommunenummer").is_in(sorted(known)), "kommunenummer",
         "kommunenummer is valid in no year 2013-2020 (see the SSB crosswalk)"),
        ((c("bydelsnummer") != "") & ~c("bydelsnummer").str.contains(r"^\d{6}$"), "bydelsnummer",
         "bydelsnummer must be empty or a 6-digit code 0301NN"),
        ((c("bydelsnummer") != "") & ~c("bydelsnummer").is_in(BYDELER), "bydelsnummer",
         "unknown Oslo bydel (expected 030101..030115)"),
        ((c("bydelsnummer") != "") & (c("kommunenummer") != OSLO), "bydelsnummer",
         "bydelsnummer given for a settlement outside Oslo (kommunenummer 0301)"),
        ((c("kjonn") != "") & ~c("kjonn").is_in(["M", "K"]), "kjonn", "kjonn must be M, K or empty"),
        ((c("fodselsaar") != "") & ~c("fodselsaar").str.contains(r"^(19|20)\d\d$"), "fodselsaar",
         "fodselsaar must be a four-digit year or empty"),
        ((c("landbakgrunn") != "") & ~c("landbakgrunn").str.contains(r"^[A-Z]{3}$"), "landbakgrunn",
         "landbakgrunn must be an ISO 3166 alpha-3 code or empty"),
        *bos_checks,
        *ved_checks,
        ((c("_bos") < lo) | (c("_bos") > hi), "bosettingsdato",
         f"settlement date outside the study period {start}..{register_end}"),
        (c("_ved").is_null() & (c("kategori") != "overforing"), "vedtaksdato",
         "empty vedtaksdato is only allowed for kategori = overforing"),
        (c("_ved") > c("_bos"), "vedtaksdato",
         "settlement (bosettingsdato) before the residence decision (vedtaksdato)"),
        (c("_ved") < pl.lit(EARLIEST_DECISION).str.to_date(), "vedtaksdato",
         f"decision date before {EARLIEST_DECISION}"),
        ((c("fodselsaar") != "") & (c("fodselsaar").cast(pl.Int32, strict=False) > c("_bos").dt.year()),
         "fodselsaar", "fodselsaar after the year of settlement"),
    ]
    _fail_first(df, checks, path, off)  # one parallel pass instead of one pass per check

    m = code_map.set_index("code")
    to2020 = m["kommunenummer_2020"].to_dict()
    split = {k: bool(v) for k, v in m["split"].to_dict().items()}
    names = dict(zip(code_map["kommunenummer_2020"], code_map["kommunenavn_2020"]))
    # order rows by (bosettingsdato, person_id) first, on the input columns only, then derive the
    # harmonised columns row by row: the sort (a copy of every column) moves 11 columns, not 17,
    # and the raw text frame is freed before the derived columns are built (peak memory)
    base = df.select(
        *[c(k) for k in ("person_id", "kommunenummer", "bydelsnummer", "kategori", "husholdningstype",
                        *OPTIONAL)],
        c("_ved").alias("vedtaksdato"),
        c("_bos").alias("bosettingsdato"),
        c("avtalt_selvbosetting").cast(pl.Int8),
    )
    del df
    d, pid = pl.col("bosettingsdato"), pl.col("person_id")
    in_order = base.select(((d.diff() > 0) | ((d.diff() == 0) & (pid > pid.shift()))).slice(1).all()).item()
    if not in_order:  # an extract already in (date, id) order skips the sort (~10 s at 10 M rows)
        base = base.sort(["bosettingsdato", "person_id"])
    out = base.with_columns(
        c("bosettingsdato").dt.year().cast(pl.Int32).alias("year"),
        c("kommunenummer").replace_strict(to2020, return_dtype=pl.String).alias("kommunenummer_2020"),
        c("kommunenummer").replace_strict(split, return_dtype=pl.Boolean).alias("split_code"),
        ((c("bosettingsdato") - c("vedtaksdato")).dt.total_days() / DAYS_PER_MONTH).alias("wait_months"),
    ).with_columns(
        c("kommunenummer_2020").replace_strict(names, default=None, return_dtype=pl.String)
        .alias("kommunenavn_2020"),
        pl.when(c("bydelsnummer") != "").then(c("bydelsnummer"))
        .otherwise(c("kommunenummer_2020")).alias("unit_id"),
    ).select(OUTPUT_COLUMNS)
    del base
    n = out.height
    oslo_no_bydel = int(out.select(((pl.col("kommunenummer_2020") == OSLO)
                                    & (pl.col("bydelsnummer") == "")).sum()).item())
    n_split = int(out["split_code"].sum())
    rows = [("register", "used", "settled persons in the study period, harmonised to 2020 kommuner",
             n - oslo_no_bydel - n_split)]
    if n_split:
        rows.append(("register", "used", "settled in a split kommune (Snillfjord/Tysfjord), "
                     "assigned whole by harmonisation.split_to", n_split))
    if oslo_no_bydel:
        rows.append(("register", "used", "Oslo settlement without bydelsnummer (counted as unit 0301)",
                     oslo_no_bydel))
    ledger = pd.DataFrame(rows, columns=["input", "disposition", "reason", "rows"])
    return out, ledger


def load(path: str) -> pd.DataFrame:
    """The processed register (``data/processed/register.parquet``) as pandas."""
    df = pd.read_parquet(path)
    for col in ("vedtaksdato", "bosettingsdato"):
        df[col] = pd.to_datetime(df[col])
    return df
