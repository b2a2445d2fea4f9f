"""SSB statbank downloads ("Statistikkbanken") as CSV or Excel, read as a JSON-stat dataset.

Besides the PxWebApi's JSON-stat2 body, SSB's statbank offers a table as CSV ("semikolonseparert
med overskrift": a title line, a blank line, then the table) and as ``.xlsx``. The layout is
the user's choice of pivot, so nothing here depends on column positions:

* title rows above the table are skipped: the header is the first row with two or more cells;
  in Excel, a header of two rows (contents spanning their years, merged cells) is read as one;
* the region column holds SSB's labels (``K-0301 Oslo``, ``0301 Oslo``, ``EAK Landet``,
  ``Landet uten Oslo``); the leading code is used and the name kept to be checked against the
  crosswalk (:mod:`analysis.core.codenames`); in Excel a merged region cell is carried down;
* years as rows (a column ``år``/``year``/``tid``) or as columns (a header ``2016`` or
  ``Nye søknader 2016``, the statbank's "content year" heading); the contents likewise, as a
  column (``statistikkvariabel``/``contents``) or in the value columns' headings;
* values are numbers (``1 234`` and ``12,5`` as SSB writes them) or SSB's symbols ``..`` ``.``
  ``:`` ``...`` ``-`` (:data:`analysis.official.jsonstat.SYMBOLS`; ``-`` is 0);
* the table ends at the first blank row after the data (footnotes, "Kilde: SSB" are no data).

The result is a :class:`~analysis.official.jsonstat.Dataset` with the dimensions of table 12012
as the API names them (``KOKkommuneregion0000``, ``ContentsCode``, ``Tid``), the contents
coded by their label text, so that the stage reads every source one way; ``extension`` holds
``statbank`` (``csv``/``xlsx``) and ``code_names`` (the region names written).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from analysis.core.codenames import NAME_COLUMNS, base_name
from analysis.core.errors import InputError
from analysis.official.jsonstat import SYMBOLS, Dataset, Dimension

REGION_DIM, CONTENT_DIM, TIME_DIM = "KOKkommuneregion0000", "ContentsCode", "Tid"
YEAR_HEADERS = {"år", "aar", "year", "tid", "time", "årgang"}
CONTENT_HEADERS = {"statistikkvariabel", "contents", "statisticsvariable", "statistikkvariabler", "innhold"}
REGION_HEADERS = {"region", "kommune", "kommuneregion", "kommuner"}
COUNTRY_LABELS = {
    "landet": "EAK",
    "helelandet": "EAK",
    "thewholecountry": "EAK",
    "norge": "EAK",
    "norway": "EAK",
}
COUNTRY_EXCL_OSLO_LABELS = {"landetutenoslo": "EAKUO", "thewholecountryexcludingoslo": "EAKUO"}
_KOMMUNE = re.compile(r"^\s*(?:K-)?(\d{4})(?:\s+(.*?))?\s*$")
_AGGREGATE = re.compile(r"^\s*(EA[A-Z0-9]*|EK[A-Z0-9]*)(?:\s+(.*?))?\s*$")
_YEAR_AT_END = re.compile(r"^(.*?)\s*\b((?:19|20)\d\d)\s*$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def is_statbank(fmt: str) -> bool:
    return fmt in ("csv", "xlsx")


def region_code(label: str) -> tuple[str, str | None]:
    """(code, name written or None) of a statbank region label."""
    text = str(label).strip()
    m = _KOMMUNE.match(text)
    if m:
        return m.group(1), (m.group(2) or None)
    key = base_name(text)
    if key in COUNTRY_EXCL_OSLO_LABELS:
        return COUNTRY_EXCL_OSLO_LABELS[key], text
    if key in COUNTRY_LABELS:
        return COUNTRY_LABELS[key], text
    m = _AGGREGATE.match(text)
    if m:
        return m.group(1), (m.group(2) or None)
    return text, None


def _is_region(text: str) -> bool:
    """A statbank region label: a code with a name or SSB's K- prefix, or an aggregate (a bare
    4-digit number is not: it may be a year)."""
    text = str(text).strip()
    m = _KOMMUNE.match(text)
    if m:
        return bool(m.group(2)) or text.startswith("K-")
    return region_code(text)[0] != text


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v).strip()


def _grid_csv(path: str) -> list[list[str]]:
    from analysis.core.textio import decode_with

    text, _ = decode_with(Path(path).read_bytes(), path)
    lines = text.splitlines()
    table = [ln for ln in lines if ln.strip()]
    sep = max(";,\t", key=lambda s: max((ln.count(s) for ln in table[:50]), default=0))
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=sep)]


def _grid_xlsx(path: str) -> list[list[str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a damaged file
        raise InputError(path, f"not a readable Excel workbook ({type(err).__name__})", line=1) from None
    try:
        ws = wb[wb.sheetnames[0]]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_statbank(path: str | Path, fmt: str) -> Dataset:
    """A statbank download (``fmt`` ``csv`` or ``xlsx``) as a region x contents x year dataset."""
    path = str(path)
    grid = _grid_csv(path) if fmt == "csv" else _grid_xlsx(path)
    width = max((len(r) for r in grid), default=0)
    grid = [r + [""] * (width - len(r)) for r in grid]
    # the first data row: a row with a region label in some cell, below a header row
    first = next((i for i, r in enumerate(grid) if any(_is_region(c) for c in r if c) and i > 0), None)
    if first is None:
        raise InputError(
            path,
            "no region rows (K-0301 Oslo, 0301 Oslo, Landet ...): is this SSB's statbank download of "
            "table 12012 (CSV 'semikolonseparert med overskrift' or .xlsx) with the region labels, "
            "or the JSON-stat2 body of its PxWebApi?",
            line=1,
            column="region",
            value=next((c for r in grid for c in r if c), "")[:20],
        )
    # the header: the rows right above it, up to a blank row or a title (one cell, in column 1;
    # a spanning heading of one content over its years is further right)
    head_rows = []
    for i in range(first - 1, -1, -1):
        filled = [j for j, c in enumerate(grid[i]) if c]
        if not filled or (filled == [0] and head_rows):
            break
        head_rows.insert(0, grid[i])
    if not head_rows or sum(1 for c in head_rows[-1] if c) < 2:
        raise InputError(path, "no header row above the first region row", line=first)
    headers = _headers(head_rows)
    body = []  # (line, cells)
    for k in range(first, len(grid)):
        row = grid[k]
        if not any(row):
            if body:
                break
            continue
        body.append((k + 1, row))
    return _dataset(path, fmt, headers, body, header_line=first)


def _headers(rows: list[list[str]]) -> list[str]:
    """One heading per column: the upper rows' spanning labels (carried right over their merged
    cells, within the value columns) joined to the bottom row's."""
    bottom = rows[-1]
    out = list(bottom)
    for upper in rows[:-1]:
        carried, last = [], ""
        for j, c in enumerate(upper):
            if c:
                last = c
            carried.append(c or (last if bottom[j] and j > 0 and last else ""))
        out = [f"{u} {o}".strip() if u and u != o else o for u, o in zip(carried, out)]
    return out


def _value(text: str) -> tuple[float | None, str] | None:
    """(value, SSB symbol) of a cell, or None when it is neither a number nor a symbol."""
    t = text.replace("\u00a0", "").replace("\u2009", "").replace(" ", "")
    if t in SYMBOLS:
        return (0.0 if t == "-" else None), t
    if _NUMBER.match(t):
        return float(t.replace(",", ".")), ""
    return None


def _dataset(path: str, fmt: str, headers: list[str], body: list, header_line: int) -> Dataset:
    if not body:
        raise InputError(path, "the table has a header but no rows", line=header_line + 1)
    ncol = len(headers)
    # dimension columns: named as one, or holding text that is neither a number nor a symbol
    dims: dict[int, str] = {}
    for j, h in enumerate(headers):
        key = base_name(h)
        cells = [r[j] for _, r in body if r[j]]
        if key in YEAR_HEADERS:
            dims[j] = "year"
        elif key in CONTENT_HEADERS:
            dims[j] = "content"
        elif key in REGION_HEADERS or (cells and sum(map(_is_region, cells)) > len(cells) / 2):
            dims[j] = "region"
        elif _YEAR_AT_END.match(h) or (cells and sum(_value(c) is not None for c in cells) > len(cells) / 2):
            continue  # a value column (a year in its heading, or mostly numbers and symbols)
        elif cells:
            dims[j] = "other"
        elif not h and not cells:
            continue
    others = [j for j, r in dims.items() if r == "other"]
    if (
        "content" not in dims.values()
        and others
        and not any(_YEAR_AT_END.match(h) and _YEAR_AT_END.match(h).group(1) for h in headers)
    ):
        # an unnamed text column beside the region (Excel leaves the stub headings empty): the contents
        varied = [j for j in others if len({r[j] for _, r in body if r[j]}) > 1]
        dims[(varied or others)[0]] = "content"
    roles = list(dims.values())
    if roles.count("region") != 1:
        raise InputError(path, f"expected one region column, found {roles.count('region')}", line=header_line)
    for role in ("year", "content"):
        if roles.count(role) > 1:
            raise InputError(path, f"two {role} columns", line=header_line)
    value_cols = [j for j in range(ncol) if j not in dims and (headers[j] or any(r[j] for _, r in body))]
    if not value_cols:
        raise InputError(
            path, "no value columns (numbers or SSB symbols) beside the region", line=header_line
        )
    col_year, col_content = {}, {}
    for j in value_cols:
        m = _YEAR_AT_END.match(headers[j])
        col_year[j], col_content[j] = (m.group(2), m.group(1).strip()) if m else (None, headers[j].strip())
    by_role = {r: j for j, r in dims.items() if r != "other"}
    others = [j for j, r in dims.items() if r == "other"]
    filled: dict[int, str] = {}
    cube: dict[tuple[str, str, str], tuple[float | None, str, int]] = {}
    names: dict[tuple[str, str], list] = {}
    region_labels: dict[str, str] = {}
    for line, row in body:
        for j in dims:  # a merged (blank) stub cell carries the one above
            if row[j]:
                filled[j] = row[j]
        if all(not row[j] for j in value_cols):
            continue  # a stub-only row (a heading inside the table)
        label = filled.get(by_role["region"], "")
        code, name = region_code(label)
        region_labels.setdefault(code, name or label)
        if name and _KOMMUNE.match(label):
            n = names.setdefault((code, name), [line, 0])
            n[1] += 1
        for j in value_cols:
            # a year or contents column wins over a heading (which may then be the table's title)
            year = filled.get(by_role["year"], "") if "year" in by_role else (col_year[j] or "")
            content = filled.get(by_role["content"], "") if "content" in by_role else col_content[j]
            if not re.fullmatch(r"(?:19|20)\d\d", year.strip()):
                raise InputError(
                    path,
                    "no year for this value: give years as a column (år/year) or in the value columns' "
                    "headings (2016, 'Nye søknader 2016')",
                    line=line,
                    column=headers[j] or f"(column {j + 1})",
                )
            if not content:
                raise InputError(
                    path,
                    "no contents for this value: the table needs the statistics variable (contents) as a "
                    "column or in the value columns' headings",
                    line=line,
                    column=headers[j] or f"(column {j + 1})",
                )
            parsed = _value(row[j]) if row[j] else (None, "")
            if parsed is None:
                raise InputError(
                    path,
                    "neither a number nor one of SSB's symbols (.. . : ... -)",
                    line=line,
                    column=headers[j] or f"(column {j + 1})",
                    value=row[j],
                )
            key = (code, content, year.strip())
            if key in cube:
                raise InputError(
                    path,
                    f"region {code}, contents «{content[:60]}», year {year} given twice (is another "
                    "dimension in the table? select one category of it)",
                    line=line,
                    column=headers[j] or f"(column {j + 1})",
                )
            cube[key] = (parsed[0], parsed[1], line)
    for j in others:
        distinct = {r[j] for _, r in body if r[j]}
        if len(distinct) > 1:
            raise InputError(
                path,
                f"unexpected column {headers[j][:40]!r} with {len(distinct)} categories; expected only "
                "region, contents and year (summing over it would double count: select one category)",
                line=header_line,
                column=headers[j],
            )
    regions = list(dict.fromkeys(k[0] for k in cube))
    contents = list(dict.fromkeys(k[1] for k in cube))
    years = sorted({k[2] for k in cube})
    values, status = [], []
    for r in regions:
        for c in contents:
            for y in years:
                v, st, _ = cube.get((r, c, y), (None, "..", 0))
                values.append(v)
                status.append(st)
    code_names = pd.DataFrame(
        [("region", c, n, ln, k) for (c, n), (ln, k) in names.items()], columns=NAME_COLUMNS
    )
    return Dataset(
        path=path,
        label=f"SSB statbank download ({fmt})",
        dimensions=[
            Dimension(REGION_DIM, "region", regions, region_labels),
            Dimension(CONTENT_DIM, "statistikkvariabel", contents, {c: c for c in contents}),
            Dimension(TIME_DIM, "år", years, {y: y for y in years}),
        ],
        values=values,
        status=status,
        extension={"statbank": fmt, "code_names": code_names},
    )
