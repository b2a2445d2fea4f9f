"""KOSTRA 12012 as SSB's statbank download (CSV "semikolonseparert med overskrift", .xlsx): the
same cells as the JSON-stat2 body, whatever the pivot (issue 23)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus.cases import code_map  # noqa: E402

from analysis.core.errors import InputError
from analysis.official import kostra
from analysis.official.jsonstat import read_jsonstat

NEW, REJ = "Nye søknader om kommunal bolig", "Avslag på søknad om kommunal bolig"
LABEL = {"NyeSoknader": NEW, "Avslag": REJ}
TITLE = '"12012: Kommunalt disponerte boliger. Søknader og vedtak, etter region, statistikkvariabel og år"'


def _json_cells():
    ds = read_jsonstat(Path(__file__).parent / "corpus" / "base" / "kostra_12012.json")
    return ds, kostra.cells(ds, "NyeSoknader", "Avslag")


def _label(code: str, names: dict) -> str:
    return {"EAK": "EAK Landet", "EAKUO": "EAKUO Landet uten Oslo"}.get(
        code, f"K-{code} {names.get(code, '')}"
    )


def _cell(v, st) -> str:
    return st if st else f"{v:.0f}"


def _long(ds) -> pd.DataFrame:
    f = ds.to_frame()
    names = ds.dimension("KOKkommuneregion0000").labels
    f["region"] = [_label(c, names) for c in f["KOKkommuneregion0000"]]
    f["contents"] = f["ContentsCode"].map(LABEL)
    f["text"] = [_cell(v, st) for v, st in zip(f["value"], f["status"])]
    return f


def _compare(path, ds):
    got = kostra.read_kostra(path)
    c = kostra.cells(got, NEW.upper(), "avslag  på søknad om kommunal bolig")  # by label, case/spacing
    _, want = _json_cells()
    cols = ["region", "year", "new", "rej", "status_new", "status_rej", "kind"]
    pd.testing.assert_frame_equal(c[cols], want[cols])
    kostra.check_region_names(got, code_map())
    return got


def test_statbank_csv_years_as_columns(tmp_path):
    ds, _ = _json_cells()
    f = _long(ds)
    lines = [
        TITLE,
        "",
        '"region";"statistikkvariabel";' + ";".join(f'"{y}"' for y in ds.dimension("Tid").codes),
    ]
    for (region, content), g in f.groupby(["region", "contents"], sort=False):
        lines.append(f'"{region}";"{content}";' + ";".join(g["text"]))
    p = tmp_path / "12012.csv"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    got = _compare(p, ds)
    assert got.extension["statbank"] == "csv"


def test_statbank_csv_content_year_headings_and_years_as_rows(tmp_path):
    """'Nye søknader 2016' headings (07459's 'Persons 2021' style), and years as a column."""
    ds, _ = _json_cells()
    f = _long(ds)
    years = ds.dimension("Tid").codes
    heads = [f"{LABEL[c]} {y}" for c in ("NyeSoknader", "Avslag") for y in years]
    lines = [TITLE, "", '"region";' + ";".join(f'"{h}"' for h in heads)]
    for region, g in f.groupby("region", sort=False):
        cells = {(r.contents, r.Tid): r.text for r in g.itertuples()}
        lines.append(
            f'"{region}";' + ";".join(cells[(LABEL[c], y)] for c in ("NyeSoknader", "Avslag") for y in years)
        )
    p = tmp_path / "a.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _compare(p, ds)
    # years as rows, contents as columns, plain '0301 Oslo' labels
    lines = [TITLE, "", f'"region";"år";"{NEW}";"{REJ}"']
    for (region, year), g in f.groupby(["region", "Tid"], sort=False):
        t = dict(zip(g["ContentsCode"], g["text"]))
        lines.append(f'"{region.removeprefix("K-")}";"{year}";{t["NyeSoknader"]};{t["Avslag"]}')
    p = tmp_path / "b.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _compare(p, ds)


def test_statbank_xlsx_with_merged_region_cells(tmp_path):
    import openpyxl

    ds, _ = _json_cells()
    f = _long(ds)
    years = ds.dimension("Tid").codes
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE.strip('"')])
    ws.append([])
    ws.append(["", "", *years])
    for region, g in f.groupby("region", sort=False):
        for k, (content, h) in enumerate(g.groupby("contents", sort=False)):
            vals = [int(v) if not st else st for v, st in zip(h["value"], h["status"])]
            ws.append([region if k == 0 else None, content, *vals])
    ws.append([])
    ws.append(["Kilde: Statistisk sentralbyrå"])
    p = tmp_path / "12012.xlsx"
    wb.save(p)
    got = _compare(p, ds)
    assert got.extension["statbank"] == "xlsx"


def test_statbank_names_checked_and_contents_named(tmp_path):
    ds, _ = _json_cells()
    f = _long(ds)
    lines = [
        TITLE,
        "",
        '"region";"statistikkvariabel";' + ";".join(f'"{y}"' for y in ds.dimension("Tid").codes),
    ]
    for (region, content), g in f.groupby(["region", "contents"], sort=False):
        region = region.replace("K-0301 Oslo", "K-0301 Bergen")
        lines.append(f'"{region}";"{content}";' + ";".join(g["text"]))
    p = tmp_path / "12012.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = kostra.read_kostra(p)
    with pytest.raises(InputError, match="«Bergen» is not the name of 0301 .*4601 \\(Bergen\\)"):
        kostra.check_region_names(got, code_map())
    with pytest.raises(InputError, match="neither as a code nor as a label.*Nye søknader om kommunal bolig"):
        kostra.cells(got, "NyeSoknader", "Avslag")


def test_statbank_csv_everything_as_rows_with_the_title_as_value_heading(tmp_path):
    """region, contents and year as rows; the one value column headed by the table's title."""
    ds, _ = _json_cells()
    f = _long(ds)
    lines = [TITLE, "", f'"region";"statistikkvariabel";"år";{TITLE}']
    for r in f.itertuples():
        lines.append(f'"{r.region}";"{r.contents}";"{r.Tid}";{r.text}')
    p = tmp_path / "rows.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _compare(p, ds)
