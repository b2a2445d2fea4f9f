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
from .textio import decode

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
        df = pl.read_parquet(p)
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
        text = decode(p.read_bytes(), path, "utf-8")
        if not text.strip():
            raise InputError(path, "file is empty", line=1)
        header = text.splitlines()[0]
        sep = ";" if header.count(";") > header.count(",") else ","
        try:
            df = pl.read_csv(io.BytesIO(text.encode("utf-8")), separator=sep, infer_schema=False)
        except pl.exceptions.PolarsError as err:
            raise InputError(path, f"cannot parse as CSV ({str(err).splitlines()[0]})") from None
        offset = 2  # header is line 1
    df = df.rename({c: c.strip() for c in df.columns})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {missing}; found {df.columns}", line=1,
                         column=missing[0])
    extra = [c for c in df.columns if c not in REQUIRED + OPTIONAL]
    if extra:
        raise InputError(path, f"unexpected column(s) {extra}; allowed are {REQUIRED + OPTIONAL}",
                         line=1, column=extra[0])
    for c in OPTIONAL:
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    df = df.with_columns([pl.col(c).fill_null("").str.strip_chars() for c in REQUIRED + OPTIONAL])
    if df.height == 0:
        raise InputError(path, "file has a header but no data rows", line=2)
    return df.with_row_index("_i"), offset


def _fail(df: pl.DataFrame, mask: pl.Expr, path: str, offset: int, column: str, message: str) -> None:
    bad = df.filter(mask)
    if bad.height:
        row = bad.row(0, named=True)
        extra = f" ({bad.height} rows in all)" if bad.height > 1 else ""
        raise InputError(path, message + extra, line=int(row["_i"]) + offset, column=column,
                         value=row[column])


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
    _fail(df, c("person_id") == "", path, off, "person_id", "empty person_id")
    _fail(df, ~c("person_id").is_first_distinct(), path, off, "person_id",
          "duplicate person_id (one row per settled person)")
    _fail(df, ~c("kategori").is_in(KATEGORIER), path, off, "kategori",
          f"kategori must be one of {list(KATEGORIER)}")
    _fail(df, ~c("husholdningstype").is_in(HUSHOLDNINGSTYPER), path, off, "husholdningstype",
          f"husholdningstype must be one of {list(HUSHOLDNINGSTYPER)}")
    _fail(df, ~c("avtalt_selvbosetting").is_in(["0", "1"]), path, off, "avtalt_selvbosetting",
          "avtalt_selvbosetting must be 0 or 1")
    _fail(df, (c("avtalt_selvbosetting") == "1") & (c("kategori") == "overforing"), path, off,
          "avtalt_selvbosetting", "agreed self-settlement is impossible for a resettlement refugee "
          "(kategori = overforing)")
    _fail(df, ~c("kommunenummer").str.contains(r"^\d{4}$"), path, off, "kommunenummer",
          "kommunenummer must be a 4-digit code with leading zeros")
    known = set(code_map["code"])
    _fail(df, ~c("kommunenummer").is_in(sorted(known)), path, off, "kommunenummer",
          "kommunenummer is valid in no year 2013-2020 (see the SSB crosswalk)")
    _fail(df, (c("bydelsnummer") != "") & ~c("bydelsnummer").str.contains(r"^\d{6}$"), path, off,
          "bydelsnummer", "bydelsnummer must be empty or a 6-digit code 0301NN")
    _fail(df, (c("bydelsnummer") != "") & ~c("bydelsnummer").is_in(BYDELER), path, off,
          "bydelsnummer", "unknown Oslo bydel (expected 030101..030115)")
    _fail(df, (c("bydelsnummer") != "") & (c("kommunenummer") != OSLO), path, off, "bydelsnummer",
          "bydelsnummer given for a settlement outside Oslo (kommunenummer 0301)")
    _fail(df, (c("kjonn") != "") & ~c("kjonn").is_in(["M", "K"]), path, off, "kjonn",
          "kjonn must be M, K or empty")
    _fail(df, (c("fodselsaar") != "") & ~c("fodselsaar").str.contains(r"^(19|20)\d\d$"), path, off,
          "fodselsaar", "fodselsaar must be a four-digit year or empty")
    _fail(df, (c("landbakgrunn") != "") & ~c("landbakgrunn").str.contains(r"^[A-Z]{3}$"), path, off,
          "landbakgrunn", "landbakgrunn must be an ISO 3166 alpha-3 code or empty")
    bos = _parse_date(df, "bosettingsdato", path, off, allow_empty=False)
    ved = _parse_date(df, "vedtaksdato", path, off, allow_empty=True)
    df = df.with_columns(bos.alias("_bos"), ved.alias("_ved"))
    lo, hi = pl.lit(start).str.to_date(), pl.lit(register_end).str.to_date()
    _fail(df, (c("_bos") < lo) | (c("_bos") > hi), path, off, "bosettingsdato",
          f"settlement date outside the study period {start}..{register_end}")
    _fail(df, c("_ved").is_null() & (c("kategori") != "overforing"), path, off, "vedtaksdato",
          "empty vedtaksdato is only allowed for kategori = overforing")
    _fail(df, c("_ved") > c("_bos"), path, off, "vedtaksdato",
          "settlement (bosettingsdato) before the residence decision (vedtaksdato)")
    _fail(df, c("_ved") < pl.lit(EARLIEST_DECISION).str.to_date(), path, off, "vedtaksdato",
          f"decision date before {EARLIEST_DECISION}")

    m = code_map.set_index("code")
    to2020 = m["kommunenummer_2020"].to_dict()
    split = {k: bool(v) for k, v in m["split"].to_dict().items()}
    names = dict(zip(code_map["kommunenummer_2020"], code_map["kommunenavn_2020"]))
    out = df.with_columns(
        c("_ved").alias("vedtaksdato"),
        c("_bos").alias("bosettingsdato"),
        c("_bos").dt.year().cast(pl.Int32).alias("year"),
        c("kommunenummer").replace_strict(to2020, return_dtype=pl.String).alias("kommunenummer_2020"),
        c("kommunenummer").replace_strict(split, return_dtype=pl.Boolean).alias("split_code"),
        c("avtalt_selvbosetting").cast(pl.Int8),
        ((c("_bos") - c("_ved")).dt.total_days() / DAYS_PER_MONTH).alias("wait_months"),
    ).with_columns(
        c("kommunenummer_2020").replace_strict(names, default=None, return_dtype=pl.String)
        .alias("kommunenavn_2020"),
        pl.when(c("bydelsnummer") != "").then(c("bydelsnummer"))
        .otherwise(c("kommunenummer_2020")).alias("unit_id"),
    )
    out = out.select(OUTPUT_COLUMNS).sort(["bosettingsdato", "person_id"])
    n = out.height
    oslo_no_bydel = int(out.filter((pl.col("kommunenummer_2020") == OSLO)
                                   & (pl.col("bydelsnummer") == "")).height)
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
