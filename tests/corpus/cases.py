"""The bad-input corpus: valid base files, named mutations and the cases built from them.

``base/`` holds one small VALID file per input kind (real public rows, or a few rows of the
synthetic demo inputs). A case is ``(kind, mutation, expected column, message fragment)``; the
mutation turns the base file's bytes into a malformed file. ``READERS[kind](path)`` runs what the
stage's ingest rule runs on that file and returns its content as a DataFrame (line numbers
dropped), so that accepted variants can be compared with the base file.

Used by tests/test_corpus.py (unit level) and tests/test_corpus_workflow.py (through Snakemake).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from conftest import REGISTER_END, SPLIT_TO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PUBLIC = (ROOT.parent / "shared" / "data").resolve()
B = HERE / "base"
BASE = {
    "imdi_public": B / "imdi_public.csv",  # as IMDi publishes it: Latin-1, ';', CRLF
    "register": B / "register.csv",
    "register_parquet": B / "register.csv",  # written as Parquet by materialise()
    "survey_2016": B / "survey_2016.csv",
    "survey_2021": B / "survey_2021.csv",
    "survey_frame_2021": B / "survey_frame_2021.csv",  # all 370 units (the frame must be complete)
    "kostra_12012": B / "kostra_12012.json",
    "udi_privatboende": B / "udi_privatboende.csv",
    "imdi_annual": B / "imdi_annual.csv",
    "husbanken": B / "husbanken_utleieboliger.csv",
    "crosswalk": B / "crosswalk.csv",  # SSB's wide file: Latin-1, ';', quoted, CRLF
}
ENCODING = {"imdi_public": "latin-1", "crosswalk": "latin-1"}
SUFFIX = {"register_parquet": ".parquet", "kostra_12012": ".json"}
KOSTRA_REQUIRED_YEARS = [2016, 2020]  # as workflow/rules/official.smk
HUSBANKEN_MEASURES = {"rental_dwellings_granted", "share_earmarked_refugees_pct"}


# --------------------------------------------------------------------------------------- readers
@functools.cache
def code_map():
    from analysis.core.kommune import load_code_map

    return load_code_map(PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)


@functools.cache
def frame_sets():
    from analysis.core.kommune import load_kommuner_2020
    from analysis.survey.nonresponse import read_bydeler

    k = load_kommuner_2020(PUBLIC / "kommuner/kommuner_2020_folkemengde.csv")
    b = read_bydeler(PUBLIC / "geo" / "oslo_bydeler_2020.geojson")
    return set(k["kommunenummer"]), set(b["bydelsnummer"])


def _drop_lines(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in ("_line", "line") if c in df.columns]).reset_index(drop=True)


def read_imdi_public(path):
    from analysis.imdi.public import read_imdi_public, select_persons

    raw = read_imdi_public(str(path))
    persons, _ = select_persons(raw, (2014, 2021), code_map(), str(path))
    return _drop_lines(persons)


def read_register(path):
    from analysis.imdi.register import read_register

    reg, _ = read_register(str(path), code_map(), REGISTER_END)
    return reg.to_pandas()


@functools.cache
def names():
    from analysis.core.codenames import reference_names
    from analysis.core.kommune import BYDEL_NAMES

    return reference_names(code_map(), BYDEL_NAMES)


def read_survey(year):
    def reader(path):
        from analysis.survey.codebook import load_codebook
        from analysis.survey.ingest import read_frame, read_survey, units_of_year, validate_survey

        cb = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
        df = read_survey(str(path), cb, year, reference=names())
        if year == 2021:
            frame = read_frame(str(BASE["survey_frame_2021"]))
            out = validate_survey(
                df,
                cb,
                year,
                str(path),
                valid_units=set(frame["unit_id"]),
                unit_names=frame[["unit_id", "unit_name"]],
            )
            return _drop_lines(out)
        out = validate_survey(
            df, cb, year, str(path), code_map=code_map(), unit_names=units_of_year(code_map(), year)
        )
        return _drop_lines(out)

    return reader


def read_frame(path):
    from analysis.survey import ingest as survey
    from analysis.survey import nonresponse

    survey.read_frame(str(path), reference=names())  # rule survey_ingest
    kommuner, bydeler = frame_sets()
    return _drop_lines(nonresponse.read_frame(str(path), kommuner, bydeler))  # rule weighting


def read_kostra(path):
    from analysis.official import kostra

    ds = kostra.read_kostra(str(path))
    kostra.check_region_names(ds, code_map())
    cells = kostra.cells(ds, "NyeSoknader", "Avslag")
    kostra.validate_codes(cells, set(code_map()["code"]), str(path))
    kostra.check_codes_by_year(cells, code_map(), str(path))
    kostra.check_years(cells, KOSTRA_REQUIRED_YEARS, str(path))
    return cells


def read_udi(path):
    from analysis.official.udi import read_udi

    return _drop_lines(read_udi(str(path), (2016, 2020)))


def read_imdi_annual(path):
    from analysis.official.imdi_annual import read_imdi_annual

    return _drop_lines(read_imdi_annual(str(path)))


def read_husbanken(path):
    from analysis.official.cited import read_cited

    return _drop_lines(read_cited(str(path), HUSBANKEN_MEASURES))


def read_crosswalk(path):
    from analysis.core.kommune import build_code_map, read_crosswalk_wide

    wide = read_crosswalk_wide(str(path))
    build_code_map(wide, SPLIT_TO)
    return wide.reset_index(drop=True)


READERS: dict[str, Callable] = {
    "imdi_public": read_imdi_public,
    "register": read_register,
    "register_parquet": read_register,
    "survey_2016": read_survey(2016),
    "survey_2021": read_survey(2021),
    "survey_frame_2021": read_frame,
    "kostra_12012": read_kostra,
    "udi_privatboende": read_udi,
    "imdi_annual": read_imdi_annual,
    "husbanken": read_husbanken,
    "crosswalk": read_crosswalk,
}


# ------------------------------------------------------------------------------ text mutations
@dataclass
class Table:
    """A delimited file as rows of fields, remembering its separator, encoding and line ends."""

    rows: list[list[str]]
    sep: str
    encoding: str
    eol: str

    @classmethod
    def parse(cls, raw: bytes, encoding: str) -> Table:
        text = raw.decode(encoding)
        eol = "\r\n" if "\r\n" in text else "\n"
        head = text.splitlines()[0]
        sep = max(";,", key=head.count)
        return cls([r for r in csv.reader(io.StringIO(text), delimiter=sep)], sep, encoding, eol)

    def dump(self) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=self.sep, lineterminator=self.eol)
        w.writerows(self.rows)
        return buf.getvalue().encode(self.encoding)

    def col(self, name: str) -> int:
        return self.rows[0].index(name)


def table(fn):
    """Lift ``fn(Table) -> None`` (editing in place) to a bytes mutation."""

    def mutate(raw: bytes, kind: str) -> bytes:
        t = Table.parse(raw, ENCODING.get(kind, "utf-8"))
        fn(t)
        return t.dump()

    return mutate


def set_cell(line: int, column: str, value: str):
    """Line is 1-based with the header as line 1 (as InputError reports it)."""

    def f(t):
        t.rows[line - 1][t.col(column)] = value

    return table(f)


def set_where(match: dict, column: str, value: str):
    def f(t):
        for r in t.rows[1:]:
            if all(r[t.col(k)] == v for k, v in match.items()):
                r[t.col(column)] = value
                return
        raise AssertionError(f"no row matches {match}")

    return table(f)


def drop_column(column: str):
    def f(t):
        i = t.col(column)
        t.rows = [r[:i] + r[i + 1 :] for r in t.rows]

    return table(f)


def rename_column(old: str, new: str):
    def f(t):
        t.rows[0][t.col(old)] = new

    return table(f)


def add_column(name: str, value: str):
    def f(t):
        t.rows = [t.rows[0] + [name]] + [r + [value] for r in t.rows[1:]]

    return table(f)


def duplicate_line(line: int):
    def f(t):
        t.rows.insert(line, list(t.rows[line - 1]))

    return table(f)


def truncate_last_row(fields: int):
    """The last row cut after ``fields`` fields (a file cut off mid-row)."""

    def f(t):
        t.rows[-1] = t.rows[-1][:fields]

    return table(f)


def separator(sep: str):
    def f(t):
        t.sep = sep

    return table(f)


def line_ends(eol: str):
    def f(t):
        t.eol = eol

    return table(f)


def latin1_cell(line: int, old: str, new: str):
    """One cell of ``line`` rewritten in Latin-1 in an otherwise UTF-8 file (mixed encodings)."""

    def mutate(raw: bytes, kind: str) -> bytes:
        lines = raw.split(b"\n")
        lines[line - 1] = lines[line - 1].replace(old.encode(), new.encode("latin-1"))
        return b"\n".join(lines)

    return mutate


def cr_only(raw: bytes, kind: str) -> bytes:
    """Old Mac line ends: CR alone."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def header_only(raw: bytes, kind: str) -> bytes:
    return raw.splitlines(keepends=True)[0]


def empty(raw: bytes, kind: str) -> bytes:
    return b""


def reencode(encoding: str, bom: bool = False):
    def mutate(raw: bytes, kind: str) -> bytes:
        text = raw.decode(ENCODING.get(kind, "utf-8"))
        return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)

    return mutate


def double_encode(raw: bytes, kind: str) -> bytes:
    """UTF-8 read as Latin-1 and saved again as UTF-8: 'Bærum' becomes 'BÃ¦rum'."""
    text = raw.decode(ENCODING.get(kind, "utf-8"))
    return text.encode("utf-8").decode("latin-1").encode("utf-8")


def append(extra: bytes):
    return lambda raw, kind: raw + extra


def chain(*fns):
    def mutate(raw: bytes, kind: str) -> bytes:
        for fn in fns:
            raw = fn(raw, kind)
        return raw

    return mutate


def truncate_bytes(fraction: float):
    return lambda raw, kind: raw[: int(len(raw) * fraction)]


# ------------------------------------------------------------------------------ JSON mutations
def jdoc(fn):
    """Lift ``fn(doc) -> doc | None`` on the parsed JSON-stat document to a bytes mutation."""

    def mutate(raw: bytes, kind: str) -> bytes:
        doc = json.loads(raw.decode("utf-8"))
        doc = fn(doc) or doc
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    return mutate


def j_set_value(cell: int, value):
    def f(doc):
        doc["value"][cell] = value

    return jdoc(f)


def j_drop_time(doc):
    """Remove dimension Tid (keep the first year's cells): a query without the time dimension."""
    i = doc["id"].index("Tid")
    n_t = doc["size"][i]
    doc["value"] = doc["value"][::n_t]
    doc["status"] = {}
    del doc["id"][i], doc["size"][i]
    del doc["dimension"]["Tid"]


def j_add_dimension(doc):
    """An extra two-category dimension (both sexes selected): summing would double count."""
    doc["id"].append("Kjonn")
    doc["size"].append(2)
    doc["dimension"]["Kjonn"] = {
        "label": "kjønn",
        "category": {"index": {"1": 0, "2": 1}, "label": {"1": "Menn", "2": "Kvinner"}},
    }
    doc["value"] = [v for v in doc["value"] for _ in range(2)]
    doc["status"] = {str(2 * int(k) + j): s for k, s in doc["status"].items() for j in range(2)}


def j_rename_code(dim: str, old: str, new: str, label: str | None = None):
    def f(doc):
        cat = doc["dimension"][dim]["category"]
        cat["index"] = {(new if k == old else k): v for k, v in cat["index"].items()}
        cat["label"] = {
            (new if k == old else k): (label if k == old and label else v) for k, v in cat["label"].items()
        }

    return jdoc(f)


def j_add_region(code: str, label: str, values: list):
    """One more region (appended last) with ``values`` for its content x year cells."""

    def f(doc):
        cat = doc["dimension"]["KOKkommuneregion0000"]["category"]
        cat["index"][code] = len(cat["index"])
        cat["label"][code] = label
        doc["size"][doc["id"].index("KOKkommuneregion0000")] += 1
        doc["value"] = doc["value"] + values

    return jdoc(f)


def j_set_all(value, cells=None):
    """Every cell (or the given ones) set to ``value``, without SSB symbols."""

    def f(doc):
        for i in cells if cells is not None else range(len(doc["value"])):
            doc["value"][i] = value
        doc["status"] = {}

    return jdoc(f)


# the kommune cells (0301 Oslo, 3024 Bærum) of 2020, new applications and rejections
KOSTRA_KOMMUNE_2020 = [9, 11, 13, 15]
DEEP_JSON = b'{"version": "2.0", "class": "dataset", "extension": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"


def j_short_values(doc):
    doc["value"] = doc["value"][:-1]


def j_wrong_size(doc):
    doc["size"][doc["id"].index("Tid")] = 3


# ------------------------------------------------------------------------------ Parquet cases
def _register_frame():
    import polars as pl

    df = pl.read_csv(BASE["register"], infer_schema=False)
    return df.with_columns(
        pl.col("vedtaksdato").str.to_date(strict=False), pl.col("bosettingsdato").str.to_date()
    )


def parquet(fn=None, cut: int | None = None):
    """A Parquet register built from the base CSV (dates as Date), edited by ``fn(df) -> df``."""

    def mutate(raw: bytes, kind: str) -> bytes:
        df = _register_frame()
        if fn is not None:
            df = fn(df)
        buf = io.BytesIO()
        df.write_parquet(buf)
        data = buf.getvalue()
        return data[:cut] if cut else data

    return mutate


def pq_decision_after_settlement(df):
    """Record 3: decision 2016-03-01, settled 2016-01-01."""
    import datetime

    import polars as pl

    return df.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit(datetime.date(2016, 3, 1)))
        .otherwise(pl.col("vedtaksdato"))
        .alias("vedtaksdato")
    )


def pq_duplicate(df):
    import polars as pl

    return pl.concat([df, df.slice(1, 1)])


# ----------------------------------------------------------------------- other formats (issue 14)
def as_gzip(raw: bytes, kind: str) -> bytes:
    import gzip

    return gzip.compress(raw, mtime=0)


def as_xlsx(fn=None):
    """The table as an .xlsx workbook (text cells; ``fn(rows)`` may edit the rows first)."""

    def mutate(raw: bytes, kind: str) -> bytes:
        import openpyxl

        t = Table.parse(raw, ENCODING.get(kind, "utf-8"))
        if fn is not None:
            fn(t.rows)
        wb = openpyxl.Workbook()
        for r in t.rows:
            wb.active.append([None if v == "" else v for v in r])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    return mutate


def as_sav(relabel: dict | None = None):
    """A survey as SPSS .sav: item codes numeric with the codebook's value labels; ``relabel``
    maps item -> {code: label} to write other labels (a reversed or shifted scale)."""

    def mutate(raw: bytes, kind: str) -> bytes:
        import tempfile

        import pyreadstat

        from analysis.survey.codebook import load_codebook

        cb = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
        df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
        labels = {}
        for c in df.columns[1:]:
            if cb.is_open(c):
                continue
            df[c] = pd.to_numeric(df[c].where(df[c] != "")).astype("float64")
            codes = cb.scales[cb.items[c]["scale"]]["codes"]
            labels[c] = {float(k): v["no"] for k, v in codes.items()}
            if relabel and c in relabel:
                labels[c] = {float(k): v for k, v in relabel[c].items()}
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "x.sav"
            pyreadstat.write_sav(df, str(path), variable_value_labels=labels)
            return path.read_bytes()

    return mutate


AGREE_REVERSED = {
    1: "Helt enig",
    2: "Delvis enig",
    3: "Verken enig eller uenig",
    4: "Delvis uenig",
    5: "Helt uenig",
}
YES_NO_SHIFTED = {1: "Nei", 2: "Vet ikke", 9: "Ja"}


def blank_first(column: str, value: str):
    """The first cell of ``column`` equal to ``value`` made empty (an unticked box exported empty)."""

    def f(t):
        k = t.col(column)
        row = next(r for r in t.rows[1:] if r[k] == value)
        row[k] = ""

    return table(f)


def fixed(data: bytes):
    return lambda raw, kind: data


def as_zip(raw: bytes, kind: str) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("export.csv", date_time=(2021, 1, 1, 0, 0, 0)), raw)
    return buf.getvalue()


def random_bytes(raw: bytes, kind: str) -> bytes:
    import numpy as np

    return np.random.default_rng(14).integers(0, 256, 4096, dtype=np.uint8).tobytes()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
HTML = b"<!DOCTYPE html><html><head><title>Logg inn</title></head><body>Logg inn</body></html>\n"


def as_statbank(edit=None):
    """The base JSON-stat2 table as SSB's statbank CSV download ("semikolonseparert med
    overskrift": title, blank line, region x contents rows, years as columns, SSB's symbols);
    ``edit(lines)`` may change the lines (a list of strings) first."""

    def mutate(raw: bytes, kind: str) -> bytes:
        doc = json.loads(raw.decode("utf-8"))
        cats = {d: doc["dimension"][d]["category"] for d in doc["id"]}
        codes = {d: sorted(c["index"], key=c["index"].get) for d, c in cats.items()}
        region, content, year = doc["id"]
        status = doc.get("status") or {}
        lines = [
            '"12012: Kommunalt disponerte boliger"',
            "",
            '"region";"statistikkvariabel";' + ";".join(f'"{y}"' for y in codes[year]),
        ]
        n_c, n_y = len(codes[content]), len(codes[year])
        for i, r in enumerate(codes[region]):
            name = cats[region]["label"][r]
            label = f"{r} {name}" if r.startswith("EA") else f"K-{r} {name}"
            for j, c in enumerate(codes[content]):
                cells = []
                for k in range(n_y):
                    pos = (i * n_c + j) * n_y + k
                    v, st = doc["value"][pos], status.get(str(pos), "")
                    cells.append(st if v is None else f"{v:.0f}")
                lines.append(f'"{label}";"{c}";' + ";".join(cells))
        if edit is not None:
            edit(lines)
        return ("\r\n".join(lines) + "\r\n").encode("latin-1")

    return mutate


def _replace_in_lines(old: str, new: str):
    def edit(lines):
        k = next(i for i, ln in enumerate(lines) if old in ln)
        lines[k] = lines[k].replace(old, new, 1)

    return edit


def as_xlsx_json(raw: bytes, kind: str) -> bytes:
    """An .xlsx download of the statbank table where JSON-stat2 is expected."""
    return as_xlsx()(b"region,2020\n0301,12\n", "register")


def utc_parquet(df):
    """Dates as UTC timestamps of Oslo midnight (1 January 00:00 Oslo = 31 December 23:00 UTC)."""
    import polars as pl

    return df.with_columns(
        pl.col(c).cast(pl.Datetime("us")).dt.replace_time_zone("Europe/Oslo").dt.convert_time_zone("UTC")
        for c in ("vedtaksdato", "bosettingsdato")
    )


# --------------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    mutate: Callable
    column: str
    message: str

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


def _cases(kind, *rows):
    return [Case(kind, name, mutate, column, message) for name, mutate, column, message in rows]


CASES: list[Case] = [
    *_cases(
        "imdi_public",
        ("utf16_encoding", reencode("utf-16"), "Enhet", "UTF-16"),
        ("comma_separator", separator(","), "Enhet", "none of the separators"),
        ("missing_column", drop_column("Kommune"), "Kommune", "missing column"),
        ("renamed_column", rename_column("Antall", "Antal"), "Antall", "missing column"),
        ("extra_column", add_column("Merknad", ""), "Merknad", "unexpected column"),
        ("empty_file", empty, "Enhet", "file is empty"),
        ("header_only", header_only, "Enhet", "no data rows"),
        ("truncated_row", truncate_last_row(3), "Kommune", "row has 3 fields"),
        ("invalid_code", set_cell(5, "Kommunenummer", "9876"), "Kommunenummer", "valid in no year"),
        ("outdated_code", set_cell(5, "Kommunenummer", "0114"), "Kommunenummer", "valid in no year"),
        ("code_without_leading_zero", set_cell(2, "Kommunenummer", "219"), "Kommunenummer", "4-digit"),
        ("duplicate_key", duplicate_line(3), "Kommunenummer", "duplicate row"),
        ("negative_count", set_cell(3, "Antall", "-5"), "Antall", "must be a number"),
        ("ten_million_refugees", set_cell(6, "Antall", "10000000"), "Antall", "implausible count"),
        ("year_1899", set_cell(4, "År", "1899"), "År", "four-digit year"),
        ("decimal_comma_count", set_cell(4, "Antall", "12,5"), "Antall", "whole number"),
        ("unknown_measure", set_cell(7, "Bosetting", "Bosatt"), "Bosetting", "must be one of"),
    ),
    *_cases(
        "register",
        (
            "code_name_of_another_kommune",
            set_cell(2, "kommunenummer", "0301 Bergen"),
            "kommunenummer",
            "is not the name of 0301",
        ),
        (
            "code_name_bydel",
            set_cell(3, "bydelsnummer", "030101 Frogner"),
            "bydelsnummer",
            "is not the name of",
        ),
        (
            "latin1_in_utf8_file",
            chain(set_cell(4, "person_id", "PØ00003"), latin1_cell(5, "P000006", "PØ00006")),
            "person_id",
            "mixed encodings",
        ),
        ("utf16_encoding", reencode("utf-16"), "person_id", "UTF-16"),
        ("missing_column", drop_column("husholdningstype"), "husholdningstype", "missing column"),
        ("renamed_column", rename_column("kommunenummer", "kommunenr"), "kommunenummer", "missing column"),
        ("extra_column_with_names", add_column("navn", "Ola Nordmann"), "navn", "unexpected column"),
        ("empty_file", empty, "person_id", "file is empty"),
        ("header_only", header_only, "person_id", "no data rows"),
        ("truncated_row", truncate_last_row(3), "kommunenummer", "row has 3 fields"),
        ("invalid_code", set_cell(2, "kommunenummer", "0000"), "kommunenummer", "valid in no year"),
        ("outdated_code", set_cell(2, "kommunenummer", "0114"), "kommunenummer", "valid in no year"),
        ("code_without_leading_zero", set_cell(6, "kommunenummer", "301"), "kommunenummer", "4-digit"),
        ("duplicate_person", duplicate_line(3), "person_id", "duplicate person_id"),
        (
            "dates_out_of_order",
            set_cell(2, "vedtaksdato", "2016-02-01"),
            "vedtaksdato",
            "before the residence decision",
        ),
        (
            "norwegian_date_format",
            set_cell(4, "bosettingsdato", "01.01.2016"),
            "bosettingsdato",
            "not an ISO date",
        ),
        (
            "impossible_date",
            set_cell(4, "bosettingsdato", "2016-02-30"),
            "bosettingsdato",
            "not a valid calendar date",
        ),
        (
            "settled_after_extract",
            set_cell(4, "bosettingsdato", "2030-01-01"),
            "bosettingsdato",
            "outside the study period",
        ),
        ("born_1899", set_cell(3, "fodselsaar", "1899"), "fodselsaar", "four-digit year"),
        (
            "born_after_settlement",
            set_cell(2, "fodselsaar", "2019"),
            "fodselsaar",
            "after the year of settlement",
        ),
        ("bydel_outside_oslo", set_cell(2, "bydelsnummer", "030101"), "bydelsnummer", "outside Oslo"),
        ("asb_not_0_1", set_cell(2, "avtalt_selvbosetting", "2"), "avtalt_selvbosetting", "0 or 1"),
        (
            "asb_for_resettlement",
            set_cell(3, "avtalt_selvbosetting", "1"),
            "avtalt_selvbosetting",
            "impossible for a resettlement refugee",
        ),
        ("unknown_kategori", set_cell(2, "kategori", "asyl"), "kategori", "must be one of"),
        ("pdf_named_csv", fixed(PDF), "person_id", "this is a PDF"),
        ("zip_archive", as_zip, "person_id", "ZIP archive"),
        ("xls_97_2003", fixed(XLS), "person_id", "Excel 97-2003"),
        ("random_bytes", random_bytes, "person_id", "binary data of no known format"),
        ("html_login_page", fixed(HTML), "person_id", "HTML page"),
        (
            "cr_only_renamed_column",
            chain(rename_column("kategori", "Kategori"), cr_only),
            "kategori",
            "missing column",
        ),
        (
            "xlsx_invalid_code",
            as_xlsx(lambda rows: rows[3].__setitem__(3, "0000")),
            "kommunenummer",
            "valid in no year",
        ),
        ("gzip_of_pdf", chain(fixed(PDF), as_gzip), "person_id", "this is a PDF"),
    ),
    *_cases(
        "register_parquet",
        ("truncated_file", parquet(cut=300), "(file)", "not a readable Parquet file"),
        ("missing_column", parquet(lambda df: df.drop("kategori")), "kategori", "missing column"),
        ("duplicate_person", parquet(pq_duplicate), "person_id", "duplicate person_id"),
        (
            "dates_out_of_order",
            parquet(pq_decision_after_settlement),
            "vedtaksdato",
            "before the residence decision",
        ),
        (
            "extra_column",
            parquet(lambda df: df.with_columns(df["person_id"].alias("fnr"))),
            "fnr",
            "unexpected column",
        ),
    ),
    *_cases(
        "survey_2021",
        ("out_of_scale_code", set_cell(2, "YB_RULES", "7"), "YB_RULES", "code not in the scale"),
        (
            "checkbox_not_0_1",
            set_cell(3, "YB_CHANNEL_RECEPTION", "2"),
            "YB_CHANNEL_RECEPTION",
            "code not in the scale",
        ),
        ("routing_violation", set_cell(5, "YB_CRIT_MAX_RENT", "3"), "YB_CRIT_MAX_RENT", "routing violation"),
        (
            "missing_filter_answer",
            set_cell(6, "Q_FILTER", ""),
            "Q_FILTER",
            "filter question must be answered",
        ),
        (
            "decimal_comma_code",
            chain(separator(";"), set_cell(2, "YB_RULES", "1,0")),
            "YB_RULES",
            "code not in the scale",
        ),
        ("unit_not_in_frame", set_cell(2, "unit_id", "0301"), "unit_id", "not in the 2021 survey frame"),
        ("duplicate_unit", duplicate_line(4), "unit_id", "duplicate unit"),
        ("unknown_unit", set_cell(5, "unit_id", "9999"), "unit_id", "not in the 2021 survey frame"),
        ("five_digit_unit", set_cell(3, "unit_id", "30103"), "unit_id", "4-digit kommunenummer"),
        (
            "code_name_of_another_unit",
            set_cell(2, "unit_id", "030102 Sagene"),
            "unit_id",
            "is not the name of 030102",
        ),
        ("ambiguous_unit_name", set_cell(2, "unit_id", "Våler"), "unit_id", "that several units"),
        ("unknown_unit_name", set_cell(3, "unit_id", "Atlantis"), "unit_id", "that no unit of"),
        ("missing_column", drop_column("Q_FILTER"), "Q_FILTER", "missing column"),
        ("extra_column", add_column("kommentar", ""), "kommentar", "unexpected column"),
        ("empty_file", empty, "unit_id", "file is empty"),
        ("open_text_double_encoded", double_encode, "YB_OPEN_CONSEQUENCES", "double-encoded"),
        (
            "empty_checkbox_without_mapping",
            blank_first("YB_CHANNEL_RECEPTION", "0"),
            "YB_CHANNEL_RECEPTION",
            "empty checkbox of a routed unit",
        ),
        (
            "sav_reversed_scale",
            as_sav({"YB_CONSEQ_EXTRA_WORK": {**AGREE_REVERSED, 9: "Vet ikke"}}),
            "YB_CONSEQ_EXTRA_WORK",
            "contradict the codebook",
        ),
        ("sav_shifted_codes", as_sav({"YB_RULES": YES_NO_SHIFTED}), "YB_RULES", "contradict the codebook"),
        (
            "xlsx_out_of_scale",
            as_xlsx(lambda rows: rows[1].__setitem__(rows[0].index("YB_RULES"), "7")),
            "YB_RULES",
            "code not in the scale",
        ),
    ),
    *_cases(
        "survey_2016",
        ("out_of_scale_code", set_cell(3, "Q_FILTER", "4"), "Q_FILTER", "code not in the scale"),
        ("outdated_code", set_cell(2, "unit_id", "0114"), "unit_id", "not a kommunenummer valid in 2016"),
        (
            "code_name_of_another_kommune",
            set_cell(2, "unit_id", "K-1101 Stavanger"),
            "unit_id",
            "is not the name of 1101",
        ),
        ("code_from_2020", set_cell(2, "unit_id", "3024"), "unit_id", "not a kommunenummer valid in 2016"),
        ("truncated_row", truncate_last_row(5), "NB_FUTURE", "row has 5 fields"),
        ("header_only", header_only, "unit_id", "no data rows"),
    ),
    *_cases(
        "survey_frame_2021",
        ("duplicate_unit", set_cell(18, "unit_id", "1101"), "unit_id", "duplicate unit"),
        ("oslo_as_unit", set_cell(17, "unit_id", "0301"), "unit_id", "Oslo"),
        ("unit_type_mismatch", set_cell(17, "unit_type", "bydel"), "unit_type", "does not match"),
        ("unknown_bydel", set_cell(3, "unit_id", "030116"), "unit_id", "not an Oslo bydel"),
        (
            "code_name_of_another_bydel",
            set_cell(3, "unit_id", "030102 Grorud"),
            "unit_id",
            "is not the name of",
        ),
        ("outdated_code", set_cell(17, "unit_id", "1613"), "unit_id", "not a kommunenummer of the 2020"),
        ("empty_unit_name", set_cell(20, "unit_name", ""), "unit_name", "empty unit_name"),
        ("missing_column", drop_column("unit_type"), "unit_type", "missing column"),
        ("unknown_unit_type", set_cell(40, "unit_type", "fylke"), "unit_type", "must be one of"),
        ("utf8_double_encoded", double_encode, "unit_name", "double-encoded"),
        ("pdf_instead_of_table", fixed(PDF), "unit_id", "this is a PDF"),
    ),
    *_cases(
        "kostra_12012",
        ("missing_dimension", jdoc(j_drop_time), "id", "missing dimension 'Tid'"),
        ("unexpected_dimension", jdoc(j_add_dimension), "dimension.Kjonn", "unexpected dimension"),
        ("value_count_mismatch", jdoc(j_short_values), "value", "'value' has 15 cells"),
        ("size_mismatch", jdoc(j_wrong_size), "dimension.Tid.category.index", "size says 3"),
        ("excel_without_region_labels", as_xlsx_json, "region", "no region rows"),
        ("csv_without_region_labels", fixed(b"region;2020\n0301;12\n"), "region", "no region rows"),
        (
            "statbank_name_of_another_code",
            as_statbank(_replace_in_lines("K-3024 Bærum", "K-3024 Asker")),
            "region",
            "is not the name of 3024",
        ),
        (
            "statbank_text_in_a_cell",
            as_statbank(_replace_in_lines(";150;", ";n/a;")),
            "2016",
            "neither a number nor one of SSB's symbols",
        ),
        ("pdf_instead_of_json", fixed(PDF), "(root)", "this is a PDF"),
        ("truncated_file", truncate_bytes(0.5), "character*", "not valid JSON"),
        ("latin1_encoding", reencode("latin-1"), "byte*", "not UTF-8"),
        ("empty_file", empty, "(root)", "file is empty"),
        ("negative_count", j_set_value(8, -3), "value[8]", "negative count"),
        ("ten_million_applications", j_set_value(9, 10_000_000), "value[9]", "implausible count"),
        (
            "more_rejections_than_applications",
            j_set_value(10, 400),
            "dimension.KOKkommuneregion0000.category.index",
            "more rejections",
        ),
        (
            "invalid_region_code",
            j_rename_code("KOKkommuneregion0000", "3024", "9876"),
            "dimension.KOKkommuneregion0000.category.index",
            "valid in no year",
        ),
        (
            "month_not_year",
            j_rename_code("Tid", "2020", "2020M01"),
            "dimension.Tid.category.index",
            "must be years",
        ),
        (
            "content_code_missing",
            j_rename_code("ContentsCode", "Avslag", "Avslag2", "Avslag (ny definisjon)"),
            "dimension.ContentsCode.category.index",
            "is not in the table",
        ),
        ("symbol_in_value", j_set_value(4, ".."), "value[4]", "must be a number or null"),
        ("fractional_count", j_set_value(4, 600.5), "value[4]", "fractional count"),
        (
            # Bærum's old code 0219 beside its successor 3024 (re-keyed) in 2016: counted twice
            "old_code_beside_successor",
            j_add_region("0219", "Bærum (-2019)", [300, None, 20, None]),
            "dimension.KOKkommuneregion0000.category.index",
            "would be counted twice",
        ),
        (
            "expired_code_in_2020",
            j_add_region("0219", "Bærum (-2019)", [None, 300, None, 20]),
            "dimension.KOKkommuneregion0000.category.index",
            "valid only 2013-2019",
        ),
        (
            "missing_required_year",
            j_rename_code("Tid", "2016", "2015"),
            "dimension.Tid.category.index",
            "missing from the table",
        ),
        ("all_null_table", j_set_all(None), "dimension.Tid.category.index", "no kommune has a number"),
        ("all_zero_table", j_set_all(0), "dimension.Tid.category.index", "every kommune's number is 0"),
        (
            "all_null_2020",
            j_set_all(None, KOSTRA_KOMMUNE_2020),
            "dimension.Tid.category.index",
            "no kommune has a number for new applications and rejections in 2020",
        ),
        ("deeply_nested_json", fixed(DEEP_JSON), "character*", "nested more than 100 levels"),
        (
            "jsonstat1_bundle",
            jdoc(lambda doc: {"dataset": {k: v for k, v in doc.items() if k != "version"}}),
            "id",
            "JSON-stat 1 'bundle'",
        ),
    ),
    *_cases(
        "udi_privatboende",
        ("negative_count", set_cell(3, "count", "-5"), "count", "out of range"),
        ("ten_million", set_cell(4, "count", "10000000"), "count", "out of range"),
        ("year_1899", set_cell(2, "year", "1899"), "year", "out of range"),
        ("duplicate_year", set_cell(3, "year", "2016"), "year", "more than once"),
        ("missing_source", set_cell(4, "source", ""), "source", "needs its source"),
        ("decimal_comma_count", set_cell(5, "count", "287,5"), "count", "not a whole number"),
        ("missing_column", drop_column("source"), "source", "missing column"),
    ),
    *_cases(
        "imdi_annual",
        (
            "percent_over_100",
            set_where({"year": "2016", "measure": "within_6m"}, "value", "181"),
            "value",
            "percentage above 100",
        ),
        ("negative_value", set_cell(2, "value", "-7784"), "value", "negative value"),
        ("year_1899", set_cell(3, "year", "1899"), "year", "1990-2030"),
        ("duplicate_key", duplicate_line(4), "measure", "duplicate year/measure/group"),
        ("empty_measure", set_cell(5, "measure", ""), "measure", "empty measure"),
        ("not_a_number", set_cell(6, "value", "n/a"), "value", "not a number"),
    ),
    *_cases(
        "husbanken",
        ("percent_over_100", set_cell(3, "value", "125"), "value", "percentage"),
        ("negative_value", set_cell(2, "value", "-2638"), "value", "negative"),
        ("unknown_measure", set_cell(4, "measure", "rental_dwellings"), "measure", "unknown measure"),
        ("duplicate_key", duplicate_line(2), "measure", "duplicate year/measure"),
        ("year_1899", set_cell(5, "year", "1899"), "year", "2000-2030"),
    ),
    *_cases(
        "crosswalk",
        (
            "code_without_leading_zero",
            set_cell(2, "kommunenummer_2013", "101"),
            "kommunenummer_2013",
            "4 digits",
        ),
        ("letter_in_code", set_cell(3, "kommunenummer_2020", "30O2"), "kommunenummer_2020", "4 digits"),
        ("duplicate_row", duplicate_line(3), "kommunenummer_2013", "duplicate row"),
        ("missing_column", drop_column("kommunenummer_2018"), "kommunenummer_2018", "missing column"),
        ("comma_separator", separator(","), "kommunenummer_2013", "none of the separators"),
        ("empty_name", set_cell(4, "kommunenavn_2020", ""), "kommunenavn_2020", "empty name"),
        (
            "two_names_for_one_code",
            set_cell(11, "kommunenavn_2020", "Indre Ostfold"),
            "kommunenavn_2020",
            "two different names",
        ),
        ("utf16_encoding", reencode("utf-16"), "kommunenummer_2013", "UTF-16"),
        ("utf8_double_encoded", double_encode, "endringsmerknad_19_20", "double-encoded"),
    ),
]


def open_texts(path: Path) -> list[str]:
    """The non-empty open-text answers of a survey file (as far as it can be parsed)."""
    from analysis.survey.codebook import load_codebook

    cb = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
    raw = path.read_bytes()
    if not raw.strip() or b"\x00" in raw:
        return []
    try:
        t = Table.parse(raw, "utf-8")
    except UnicodeDecodeError:
        t = Table.parse(raw, "latin-1")
    head = t.rows[0]
    cols = [i for i, c in enumerate(head) if c in cb.items and cb.is_open(c)]
    return [r[i] for r in t.rows[1:] for i in cols if i < len(r) and len(r[i]) > 3]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    return True


def _same_except_open_text(a, b):
    from analysis.survey.codebook import load_codebook

    cb = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
    closed = [c for c in a.columns if not (c in cb.items and cb.is_open(c))]
    _same(a[closed], b[closed])
    assert "Bærum" in str(b.values.tolist()), "Latin-1 open text must decode to the right letters"
    return True


def _same_sav(a, b):
    """SPSS keeps the codes; open text round-trips as text."""
    return _same(a, b)


@dataclass(frozen=True)
class Accepted:
    kind: str
    name: str
    mutate: Callable
    same: Callable = field(default=_same)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


LATIN1_SEMICOLON = chain(separator(";"), reencode("latin-1"))
BOM_CRLF = chain(line_ends("\r\n"), reencode("utf-8", bom=True))
ACCEPTED: list[Accepted] = [
    Accepted("imdi_public", "utf8_resave", reencode("utf-8")),
    Accepted("imdi_public", "utf8_bom", reencode("utf-8", bom=True)),
    Accepted("imdi_public", "lf_line_ends", line_ends("\n")),
    Accepted("imdi_public", "trailing_blank_line", append(b"\r\n")),
    Accepted("register", "utf8_bom_crlf", BOM_CRLF),
    Accepted("register", "tab_separator", separator("\t")),
    Accepted("register", "parquet_named_csv", parquet()),
    Accepted("register", "utc_timestamp_parquet", parquet(utc_parquet)),
    Accepted("register", "gzip_csv", as_gzip),
    Accepted("register", "xlsx", as_xlsx()),
    Accepted("register", "cp1252_tab_crlf", chain(separator("\t"), line_ends("\r\n"), reencode("cp1252"))),
    Accepted("survey_2021", "sav_with_codebook_labels", as_sav(), _same_sav),
    Accepted("survey_2016", "xlsx", as_xlsx()),
    Accepted(
        "survey_frame_2021", "gzip_tsv_bom", chain(separator("\t"), reencode("utf-8", bom=True), as_gzip)
    ),
    Accepted("register", "latin1_semicolon_cr_only", chain(LATIN1_SEMICOLON, cr_only)),
    Accepted("register", "semicolon", separator(";")),
    Accepted("register", "trailing_blank_line", append(b"\n")),
    Accepted(
        "survey_2021",
        "latin1_semicolon_export",
        chain(set_cell(2, "YB_CRIT_OTHER_TEXT", "Bærum-ønske"), LATIN1_SEMICOLON),
        _same_except_open_text,
    ),
    Accepted("survey_2021", "utf8_bom_crlf", BOM_CRLF),
    Accepted("survey_2016", "latin1_semicolon_export", LATIN1_SEMICOLON),
    Accepted("survey_frame_2021", "latin1_semicolon_export", LATIN1_SEMICOLON),
    Accepted(
        "survey_frame_2021", "utf8_bom_trailing_blank", chain(append(b"\n"), reencode("utf-8", bom=True))
    ),
    Accepted("udi_privatboende", "latin1_semicolon_crlf", chain(line_ends("\r\n"), LATIN1_SEMICOLON)),
    Accepted(
        "imdi_annual",
        "semicolon_decimal_comma",
        chain(separator(";"), set_where({"measure": "asb_pct"}, "value", "1,5")),
    ),
    Accepted("imdi_annual", "utf8_bom_crlf", BOM_CRLF),
    Accepted("husbanken", "latin1_semicolon_export", LATIN1_SEMICOLON),
    Accepted("crosswalk", "utf8_bom_resave", reencode("utf-8", bom=True)),
    Accepted("crosswalk", "lf_unquoted", line_ends("\n")),
    Accepted("kostra_12012", "utf8_bom", lambda raw, kind: b"\xef\xbb\xbf" + raw),
    Accepted("kostra_12012", "statbank_csv", as_statbank()),
    Accepted("survey_2021", "code_name_units", set_cell(2, "unit_id", "030102 Grünerløkka")),
    Accepted("register", "code_name_cells", set_cell(2, "kommunenummer", "K-0106 Fredrikstad")),
    Accepted("kostra_12012", "compact_json", jdoc(lambda doc: None)),
]


def materialise(kind: str, mutate: Callable, dest: Path) -> Path:
    """Write the mutated base file of ``kind`` under ``dest`` and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    base = BASE[kind]
    out = dest / (base.stem + SUFFIX.get(kind, base.suffix))
    raw = base.read_bytes()
    if kind == "register_parquet" and not getattr(mutate, "__qualname__", "").startswith("parquet"):
        raw = parquet()(raw, kind)
    out.write_bytes(mutate(raw, kind))
    return out
