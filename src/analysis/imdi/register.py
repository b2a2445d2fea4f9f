"""IMDi's settlement register (person level): read, validate, harmonise to the study's kommune structure.

Shape (../shared/CONTRACT.md): one row per settled person, in any format the intake layer
reads (:mod:`analysis.core.intake`: CSV, gzip CSV, Parquet, .xlsx, .sav; ``mapping.register``
applied), columns ``person_id, vedtaksdato, bosettingsdato, kommunenummer, bydelsnummer,
avtalt_selvbosetting, kategori, husholdningstype`` and optionally ``kjonn, fodselsaar,
landbakgrunn``. Every problem stops the run with an :class:`InputError` naming the file, the
line (CSV; header = line 1) or record (Parquet), the column and the value.

Rules beyond the contract's types (documented in the method note):

* ``bosettingsdato`` must lie in the study period: 1 January of the first study year (``start``,
  from :class:`analysis.core.study.Study`) .. ``register_end``; ``vedtaksdato`` may lie before it
  (people settled early in 2016 got their decision in 2015)
  but not before 2000-01-01, and never after ``bosettingsdato``.
* ``vedtaksdato`` may be empty only for ``kategori = overforing`` (decision taken abroad).
* ``bydelsnummer`` is ``0301NN`` (NN = 01..15) and only allowed with ``kommunenummer = 0301``;
  an Oslo row without bydel is kept as unit ``0301`` and counted in the ledger.
* ``avtalt_selvbosetting = 1`` is impossible for resettlement refugees (``overforing``).
* ``fodselsaar`` (when given) may not lie after the year of settlement.
* A row with more or fewer fields than the header (a truncated file) is an error; blank lines
  (e.g. a trailing one) are skipped.
* ``kommunenummer`` may be any code valid in 2013-2023 (and, when the study reaches 2024 or uses
  the 2024 structure, any code of 2024); it is mapped to its kommune of the study's structure
  (split kommuner by ``harmonisation.split_to`` and ``split_to_2024``). The harmonised column keeps
  the name ``kommunenummer_2020`` whatever the structure (docs/decisions/0051).

Waiting time ``wait_months`` = days from decision to settlement / (365.25 / 12).
"""

from __future__ import annotations

import re

import pandas as pd
import polars as pl

from analysis.core.codenames import check_code_names, reference_names
from analysis.core.errors import InputError, is_collecting, report, room
from analysis.core.intake import LINE, Table, read_table
from analysis.core.kommune import BYDEL_NAMES, OSLO, OSLO_BYDELER, UNKNOWN_CODE
from analysis.core.ledger import LEDGER_COLUMNS
from analysis.core.study import DAYS_PER_MONTH

REQUIRED = [
    "person_id",
    "vedtaksdato",
    "bosettingsdato",
    "kommunenummer",
    "bydelsnummer",
    "avtalt_selvbosetting",
    "kategori",
    "husholdningstype",
]
OPTIONAL = ["kjonn", "fodselsaar", "landbakgrunn"]
KATEGORIER = ("mottak", "privatboende", "overforing")
HUSHOLDNINGSTYPER = ("enslig_voksen", "par_uten_barn", "barnefamilie", "enslig_mindrearig")
BYDELER = OSLO_BYDELER
DATES = ("vedtaksdato", "bosettingsdato")
STUDY_START = "2016-01-01"
EARLIEST_DECISION = "2000-01-01"
OUTPUT_COLUMNS = [
    "person_id",
    "vedtaksdato",
    "bosettingsdato",
    "year",
    "kommunenummer",
    "kommunenummer_2020",
    "kommunenavn_2020",
    "bydelsnummer",
    "unit_id",
    "avtalt_selvbosetting",
    "kategori",
    "husholdningstype",
    "wait_months",
    "split_code",
    "kjonn",
    "fodselsaar",
    "landbakgrunn",
]


# What the register's coded columns mean, for SPSS value labels (issue 27): a label naming the
# other code's meaning (0 = Ja, 1 = Nei) is a reversed coding, which would be read silently.
CODE_MEANINGS = {
    "avtalt_selvbosetting": {
        "0": (
            "nei",
            "no",
            "false",
            "usant",
            "ordinær",
            "ordinær bosetting",
            "ordinary",
            "ordinary settlement",
        ),
        "1": ("ja", "yes", "true", "sant", "avtalt", "avtalt selvbosetting", "agreed self-settlement"),
    },
}


def _norm(label) -> str:
    return re.sub(r"[\s.:;!]+", " ", str(label)).strip().casefold()


def check_labels(labels: dict[str, dict[str, str]], path: str) -> None:
    """SPSS value labels of the register's coded columns must not contradict the contract, as
    the surveys' must not contradict the codebook: a code labelled with the other code's meaning
    stops the run naming the column. Labels of other wording are not judged."""
    for column, meanings in CODE_MEANINGS.items():
        known = {_norm(word): code for code, words in meanings.items() for word in words}
        wrong = [
            (code, known[_norm(label)])
            for code, label in (labels.get(column) or {}).items()
            if _norm(label) in known and str(code) != known[_norm(label)]
        ]
        if wrong:
            code, should = wrong[0]
            report(
                InputError(
                    path,
                    f"SPSS value labels of {column} contradict the contract: code {code} is labelled as "
                    f"what the contract codes {should} ({len(wrong)} code(s) in all; a reversed coding? "
                    f"recode it with mapping.register.values)",
                    line=1,  # the header, where the variable (and its labels) is defined
                    column=column,
                )
            )


def _read_raw(path: str, mapping: dict | None = None) -> tuple[pl.DataFrame, int, Table]:
    """The columns as text (nulls as ``""``) plus ``_i``, the line (header = 1), through the
    intake layer (any format, the mapping applied); returns (frame, 0, table) with line =
    ``_i`` + 0. Typed dates stay dates (formatting ten million dates as text only to parse them
    back cost seconds). Whitespace and blank rows: :func:`_clean`."""
    t = read_table(
        path,
        "register",
        REQUIRED,
        optional=OPTIONAL,
        mapping=mapping,
        dates=DATES,
        codes=("kommunenummer", "bydelsnummer"),
    )
    check_labels(t.labels, path)
    df = t.frame
    typed = [c for c in REQUIRED + OPTIONAL if c not in DATES and df.schema[c] == pl.Date]
    if typed:  # a date cell where the contract has text: checked as its text
        df = df.with_columns(pl.col(c).dt.strftime("%Y-%m-%d").fill_null("") for c in typed)
    return df.rename({LINE: "_i"}), 0, t


def _text_columns(df: pl.DataFrame) -> list[str]:
    """The register's columns held as text (all but typed Parquet dates)."""
    return [c for c in REQUIRED + OPTIONAL if df.schema[c] == pl.String]


def _clean(df: pl.DataFrame) -> pl.DataFrame:
    """Surrounding whitespace stripped and blank lines (e.g. a trailing one) dropped; the row
    index keeps the line numbers right. Only columns that have whitespace are rewritten (saves a
    copy of every string column of a large register)."""
    text = _text_columns(df)
    padded = df.select([pl.col(c).str.contains(r"^\s|\s$").any().alias(c) for c in text]).row(0)
    df = df.with_columns([pl.col(c).str.strip_chars() for c, pad in zip(text, padded) if pad])
    blank = pl.all_horizontal(
        [pl.col(c) == "" if c in text else pl.col(c).is_null() for c in REQUIRED + OPTIONAL]
    )
    if df.select(blank.any()).item():
        df = df.filter(~blank)
    return df


# columns whose offending value a message never shows: person_id is an identifier; kategori,
# husholdningstype and landbakgrunn hold words, and a wrongly mapped column puts other words
# there (a surname). Codes and dates identify nobody and are shown (issue 27).
NEVER_SHOWN = ("person_id", "kategori", "husholdningstype", "landbakgrunn")


def _fail(df: pl.DataFrame, mask: pl.Expr, path: str, offset: int, column: str, message: str) -> None:
    bad = df.filter(mask)
    if bad.height:
        shown = pl.col(column)
        if df.schema[column] == pl.Date:  # a typed Parquet date as its text would read (null: "")
            shown = shown.dt.strftime("%Y-%m-%d").fill_null("")
        if column in NEVER_SHOWN:
            shown = pl.lit(None, dtype=pl.String)
        if is_collecting():  # every failing row, up to the collector's limit
            keep = min(bad.height, room())
            for line, value in bad.head(keep).select(pl.col("_i"), shown).iter_rows():
                report(InputError(path, message, line=int(line) + offset, column=column, value=value))
            if bad.height > keep:
                report(InputError(path, f"{message}: {bad.height - keep} more rows", column=column))
            return
        line, value = bad.select(pl.col("_i"), shown).row(0)
        extra = f" ({bad.height} rows in all)" if bad.height > 1 else ""
        raise InputError(path, message + extra, line=int(line) + offset, column=column, value=value)


def _fail_first(df: pl.DataFrame, checks: list[tuple[pl.Expr, str, str]], path: str, offset: int) -> None:
    """Count every check's failing rows in one (parallel) pass over the frame, then raise for the
    first failing check in list order, exactly as calling :func:`_fail` for each in turn would."""
    for (mask, column, message), n in zip(checks, _counts(df, checks)):
        if n:
            _fail(df, mask, path, offset, column, message)


def _counts(df: pl.DataFrame, checks: list[tuple[pl.Expr, str, str]]) -> tuple[int, ...]:
    """Failing rows per check, all checks in one parallel pass."""
    return df.select([mask.sum().alias(f"_c{k}") for k, (mask, _, _) in enumerate(checks)]).row(0)


def _parsed_date(df: pl.DataFrame, column: str) -> pl.Expr:
    """The date in ``column`` (null where empty or invalid); a typed Parquet date as it is."""
    s = pl.col(column)
    return s if df.schema[column] == pl.Date else s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _date_checks(
    df: pl.DataFrame, column: str, parsed: str, allow_empty: bool, date_format: str | None = None
) -> list[tuple[pl.Expr, str, str]]:
    """Format, calendar and emptiness checks of a date column (``parsed``: its parsed column).
    A typed Parquet date is a valid date or null; null counts as empty text, and a year that
    does not print as four digits (YYYY-MM-DD) fails the format check, as its text would."""
    s = pl.col(column)
    if df.schema[column] == pl.Date:
        empty = s.is_null()
        ok_fmt = s.dt.year().is_between(0, 9999).fill_null(False) | (empty & pl.lit(allow_empty))
    else:
        empty = s == ""
        ok_fmt = s.str.contains(r"^\d{4}-\d{2}-\d{2}$") | (empty & pl.lit(allow_empty))
    checks = [
        (
            ~ok_fmt,
            column,
            f"not a date in the format {date_format} (mapping.register.date_format)"
            if date_format
            else "not an ISO date YYYY-MM-DD (set mapping.register.date_format for another format)",
        ),
        (pl.col(parsed).is_null() & ~empty & ok_fmt, column, "not a valid calendar date"),
    ]
    if not allow_empty:
        checks.append((empty, column, "empty date"))
    return checks


def _checks(
    df: pl.DataFrame,
    known: set,
    start: str,
    register_end: str,
    unique_ids: bool,
    date_format: str | None = None,
    missing: tuple[str, ...] = (),
) -> list[tuple[pl.Expr, str, str]]:
    """(mask of bad rows, column, message), in the order the errors are reported.
    ``unique_ids``: person_id is known to be strictly increasing, so the duplicate check (a hash
    of every id, seconds at 10 M rows) is skipped."""
    c = pl.col
    lo, hi = pl.lit(start).str.to_date(), pl.lit(register_end).str.to_date()
    duplicate = pl.lit(False) if unique_ids else ~c("person_id").is_first_distinct()
    checks = [
        (c("person_id") == "", "person_id", "empty person_id"),
        (duplicate, "person_id", "duplicate person_id (one row per settled person)"),
        (~c("kategori").is_in(KATEGORIER), "kategori", f"kategori must be one of {list(KATEGORIER)}"),
        (
            ~c("husholdningstype").is_in(HUSHOLDNINGSTYPER),
            "husholdningstype",
            f"husholdningstype must be one of {list(HUSHOLDNINGSTYPER)}",
        ),
        (
            ~c("avtalt_selvbosetting").is_in(["0", "1"]),
            "avtalt_selvbosetting",
            "avtalt_selvbosetting must be 0 or 1",
        ),
        (
            (c("avtalt_selvbosetting") == "1") & (c("kategori") == "overforing"),
            "avtalt_selvbosetting",
            "agreed self-settlement is impossible for a resettlement refugee (kategori = overforing)",
        ),
        (
            ~c("kommunenummer").str.contains(r"^\d{4}$"),
            "kommunenummer",
            "kommunenummer must be a 4-digit code with leading zeros",
        ),
        (
            c("kommunenummer") == UNKNOWN_CODE,
            "kommunenummer",
            f"kommunenummer {UNKNOWN_CODE} is SSB's 'unknown kommune', not a kommune: a settlement "
            "must name the kommune it was in (it would count nationally and in no kommune)",
        ),
        (
            ~c("kommunenummer").is_in(sorted(known)),
            "kommunenummer",
            "kommunenummer is valid in no year of the code lists (SSB crosswalk 2013-2020, 2020->2024)",
        ),
        (
            (c("bydelsnummer") != "") & ~c("bydelsnummer").str.contains(r"^\d{6}$"),
            "bydelsnummer",
            "bydelsnummer must be empty or a 6-digit code 0301NN",
        ),
        (
            (c("bydelsnummer") != "") & ~c("bydelsnummer").is_in(BYDELER),
            "bydelsnummer",
            "unknown Oslo bydel (expected 030101..030115)",
        ),
        (
            (c("bydelsnummer") != "") & (c("kommunenummer") != OSLO),
            "bydelsnummer",
            "bydelsnummer given for a settlement outside Oslo (kommunenummer 0301)",
        ),
        ((c("kjonn") != "") & ~c("kjonn").is_in(["M", "K"]), "kjonn", "kjonn must be M, K or empty"),
        (
            (c("fodselsaar") != "") & ~c("fodselsaar").str.contains(r"^(19|20)\d\d$"),
            "fodselsaar",
            "fodselsaar must be a four-digit year or empty",
        ),
        (
            (c("landbakgrunn") != "") & ~c("landbakgrunn").str.contains(r"^[A-Z]{3}$"),
            "landbakgrunn",
            "landbakgrunn must be an ISO 3166 alpha-3 code or empty",
        ),
        *_date_checks(df, "bosettingsdato", "_bos", allow_empty=False, date_format=date_format),
        *_date_checks(df, "vedtaksdato", "_ved", allow_empty=True, date_format=date_format),
        (
            (c("_bos") < lo) | (c("_bos") > hi),
            "bosettingsdato",
            f"settlement date outside the study period {start}..{register_end}",
        ),
        (
            c("_ved").is_null() & (c("kategori") != "overforing"),
            "vedtaksdato",
            "empty vedtaksdato is only allowed for kategori = overforing",
        ),
        (
            c("_ved") > c("_bos"),
            "vedtaksdato",
            "settlement (bosettingsdato) before the residence decision (vedtaksdato)",
        ),
        (
            c("_ved") < pl.lit(EARLIEST_DECISION).str.to_date(),
            "vedtaksdato",
            f"decision date before {EARLIEST_DECISION}",
        ),
        (
            (c("fodselsaar") != "") & (c("fodselsaar").cast(pl.Int32, strict=False) > c("_bos").dt.year()),
            "fodselsaar",
            "fodselsaar after the year of settlement",
        ),
    ]
    if not missing:
        return checks
    # collecting mode: a missing column was reported once; skip the checks that read it
    gone = set(missing) | {
        p for c, p in (("bosettingsdato", "_bos"), ("vedtaksdato", "_ved")) if c in missing
    }
    return [ck for ck in checks if ck[1] not in gone and not set(ck[0].meta.root_names()) & gone]


def _with_dates(df: pl.DataFrame) -> pl.DataFrame:
    """Adds the parsed dates ``_bos`` and ``_ved``."""
    return df.with_columns(
        _parsed_date(df, "bosettingsdato").alias("_bos"), _parsed_date(df, "vedtaksdato").alias("_ved")
    )


def _rising_ids(df: pl.DataFrame) -> bool:
    """person_id strictly increasing (an extract ordered by id): no id can repeat, and a stable
    sort by date alone gives the (date, id) order."""
    pid = pl.col("person_id")
    return bool(df.select((pid > pid.shift()).slice(1).all()).item())


def _validated(
    df: pl.DataFrame,
    path: str,
    offset: int,
    known: set,
    start: str,
    register_end: str,
    date_format: str | None = None,
    missing: tuple[str, ...] = (),
) -> tuple[pl.DataFrame, bool]:
    """The frame with every check passed (else the first error is raised) and ``_bos``/``_ved``;
    returns (frame, person_id strictly increasing).

    Fast path: every check is counted on the text as read. A value that passes its column's check
    has no surrounding whitespace (each check admits only digits, letters, ``-`` or ``""``), and
    a blank line fails the empty-person_id check; so when all checks and the person_id padding
    test pass, :func:`_clean` would change nothing and is skipped. Otherwise the frame is cleaned
    and checked again, so a padded but valid value is accepted and the first real problem is
    reported exactly as before."""
    opts = dict(date_format=date_format, missing=tuple(missing))
    rising = _rising_ids(df)
    df = _with_dates(df)
    checks = _checks(df, known, start, register_end, rising, **opts)
    padded_id = (pl.col("person_id").str.contains(r"^\s|\s$"), "person_id", "")
    if any(_counts(df, [*checks, padded_id])):
        df = _clean(df.drop("_bos", "_ved"))
        _require_rows(df, path)
        rising = _rising_ids(df)
        df = _with_dates(df)
        _fail_first(df, _checks(df, known, start, register_end, rising, **opts), path, offset)
    _require_rows(df, path)
    return df, rising


def _require_rows(df: pl.DataFrame, path: str) -> None:
    if df.height == 0:
        report(InputError(path, "file has a header but no data rows", line=2, column=REQUIRED[0], value=""))


def _order(df: pl.DataFrame, rising: bool) -> pl.Series | None:
    """Row positions in (bosettingsdato, person_id) order, or None when the rows are in that order
    already. Ids in increasing order need only a stable sort by date (an integer sort, under a
    second at 10 M rows); otherwise the two keys are sorted with the positions (the string
    tie-break costs seconds)."""
    d, pid = pl.col("bosettingsdato"), pl.col("person_id")
    in_order = (d >= d.shift()) if rising else ((d > d.shift()) | ((d == d.shift()) & (pid > pid.shift())))
    if df.select(in_order.slice(1).all()).item():
        return None
    if rising:
        return df.select(pl.arg_sort_by(d, maintain_order=True)).to_series()
    return df.select(d, pid).with_row_index("_r").sort(["bosettingsdato", "person_id"]).get_column("_r")


def _harmonised(base: pl.DataFrame, code_map: pd.DataFrame) -> pl.DataFrame:
    """The 2020 kommune, its name, the split flag, unit, year and waiting time of every row.
    Codes are looked up by their position in the (validated) list of known codes, so the
    string lookups run on the few hundred codes, not on every row."""
    c = pl.col
    codes = sorted(code_map["code"])
    k2020 = dict(zip(code_map["code"], code_map["kommunenummer_2020"]))
    split = dict(zip(code_map["code"], code_map["split"]))
    names = dict(zip(code_map["kommunenummer_2020"], code_map["kommunenavn_2020"]))
    to2020 = [k2020[k] for k in codes]
    pos = c("kommunenummer").cast(pl.Enum(codes)).to_physical()
    return (
        base.with_columns(
            c("bosettingsdato").dt.year().cast(pl.Int32).alias("year"),
            pl.lit(pl.Series(to2020, dtype=pl.String)).gather(pos).alias("kommunenummer_2020"),
            pl.lit(pl.Series([bool(split[k]) for k in codes], dtype=pl.Boolean))
            .gather(pos)
            .alias("split_code"),
            pl.lit(pl.Series([names.get(k) for k in to2020], dtype=pl.String))
            .gather(pos)
            .alias("kommunenavn_2020"),
            ((c("bosettingsdato") - c("vedtaksdato")).dt.total_days() / DAYS_PER_MONTH).alias("wait_months"),
        )
        .with_columns(
            pl.when(c("bydelsnummer") != "")
            .then(c("bydelsnummer"))
            .otherwise(c("kommunenummer_2020"))
            .alias("unit_id"),
        )
        .select(OUTPUT_COLUMNS)
    )


def _structure_of(code_map: pd.DataFrame) -> int:
    """2024 when the code map's kommuner are those of 2024 (a code new in 2024 maps to itself)."""
    new = code_map[code_map["first_year"] >= 2024]
    return 2024 if (new["code"] == new["kommunenummer_2020"]).any() else 2020


def check_register(
    path: str,
    code_map: pd.DataFrame,
    register_end: str,
    start: str = STUDY_START,
    mapping: dict | None = None,
) -> dict:
    """Every check of :func:`read_register` without harmonising (for `snakemake validate`, inside
    :func:`analysis.core.errors.collecting`: every problem is reported)."""
    path = str(path)
    df, off, t = _read_raw(path, mapping)
    check_code_names(t.code_names, reference_names(code_map, BYDEL_NAMES), path)
    n = df.height
    _validated(
        df,
        path,
        off,
        set(code_map["code"]),
        start,
        register_end,
        (mapping or {}).get("date_format"),
        t.missing,
    )
    return {"rows": n, "excluded": list(t.excluded)}


def read_register(
    path: str,
    code_map: pd.DataFrame,
    register_end: str,
    start: str = STUDY_START,
    mapping: dict | None = None,
) -> tuple[pl.DataFrame, pd.DataFrame]:
    """Validate and harmonise the register (any format, ``mapping`` applied: the config's
    ``mapping.register``); returns (persons, ledger)."""
    path = str(path)
    df, off, t = _read_raw(path, mapping)
    check_code_names(t.code_names, reference_names(code_map, BYDEL_NAMES), path)
    df, rising = _validated(
        df, path, off, set(code_map["code"]), start, register_end, (mapping or {}).get("date_format")
    )
    c = pl.col
    # order rows by (bosettingsdato, person_id) first, on the input columns only, then derive the
    # harmonised columns row by row: the sort (a copy of every column) moves 11 columns, not 17,
    # and the raw text frame is freed before the derived columns are built (peak memory)
    base = df.select(
        *[
            c(k)
            for k in ("person_id", "kommunenummer", "bydelsnummer", "kategori", "husholdningstype", *OPTIONAL)
        ],
        c("_ved").alias("vedtaksdato"),
        c("_bos").alias("bosettingsdato"),
        c("avtalt_selvbosetting").cast(pl.Int8),
    )
    del df
    perm = _order(base, rising)
    if perm is not None:  # column by column: each unsorted column is freed once its sorted copy exists
        cols = []  # (a gather across chunks, e.g. a CSV reader's, costs several times a rechunk)
        for name in base.columns:
            cols.append(base.get_column(name).rechunk().gather(perm))
            base = base.drop(name)
        base = pl.DataFrame(cols)
        del cols, perm
    out = _harmonised(base, code_map)
    del base
    n = out.height
    oslo_no_bydel = int(
        out.select(((pl.col("kommunenummer_2020") == OSLO) & (pl.col("bydelsnummer") == "")).sum()).item()
    )
    n_split = int(out["split_code"].sum())
    rows = [
        (
            "register",
            "used",
            f"settled persons in the study period, harmonised to {_structure_of(code_map)} kommuner",
            n - oslo_no_bydel - n_split,
        )
    ]
    if n_split:
        rows.append(
            (
                "register",
                "used",
                "settled in a split kommune (Snillfjord/Tysfjord), assigned whole by harmonisation.split_to"
                if _structure_of(code_map) == 2020
                else "settled in a split kommune (Snillfjord/Tysfjord, Ålesund/Haram), assigned whole by "
                "harmonisation.split_to and split_to_2024",
                n_split,
            )
        )
    if oslo_no_bydel:
        rows.append(
            ("register", "used", "Oslo settlement without bydelsnummer (counted as unit 0301)", oslo_no_bydel)
        )
    rows += [("register", "excluded", reason, n) for reason, n in t.excluded]
    ledger = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    return out, ledger


def scan(register) -> pl.LazyFrame:
    """The processed register (``data/processed/register.parquet``) as a lazy frame: a path is
    scanned, so that a query reads only the columns it uses and the person-level register never
    has to be held in pandas; a Polars or pandas frame (tests) is wrapped as it is."""
    if isinstance(register, pl.LazyFrame):
        return register
    if isinstance(register, pl.DataFrame):
        return register.lazy()
    if isinstance(register, pd.DataFrame):
        return pl.from_pandas(register).lazy()
    return pl.scan_parquet(register)


COUNT_KEYS = ["year", "kommunenummer_2020", "unit_id", "kategori", "avtalt_selvbosetting"]


def count_cells(register) -> pl.DataFrame:
    """Persons ``n`` per year, 2020 kommune, unit, kategori and agreed flag, aggregated in Polars
    from the five columns it needs (a few thousand cells from millions of persons). Rule register
    writes them once (``data/processed/register_counts.parquet``); the scope tables, the map and
    the follow-up's published-beside-register table sum these cells instead of the register."""
    return (
        scan(register)
        .select(COUNT_KEYS)
        .group_by(COUNT_KEYS)
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .sort(COUNT_KEYS)
        .collect()
    )


def register_counts(register) -> pd.DataFrame:
    """:func:`count_cells` as the pandas frame the tables take."""
    return count_cells(register).to_pandas()


def read_counts(path) -> pd.DataFrame:
    """The counts rule register wrote, as :func:`register_counts` gives them."""
    return pl.read_parquet(path).to_pandas()
