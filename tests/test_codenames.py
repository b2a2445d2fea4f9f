""" "Code name" cells (0301 Oslo, K-3001 Halden, 030101 Gamle Oslo) and units given by name only
(issue 23), against SSB's real crosswalk."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus.cases import code_map  # noqa: E402

from analysis.core.codenames import (
    check_code_names,
    name_lookup,
    reference_names,
    resolve_names,
    split_code_names,
)
from analysis.core.errors import InputError, collecting
from analysis.core.kommune import BYDEL_NAMES

LINE = "_line"


def _ref():
    return reference_names(code_map(), BYDEL_NAMES)


def test_code_name_cells_give_their_code_and_keep_the_name():
    df = pl.DataFrame(
        {
            "kommunenummer": ["0301 Oslo", "K-3001 Halden", "1101", "K-1201 Bergen (-2019)", "0301 Oslo"],
            "bydelsnummer": ["030101 Gamle Oslo", "", "", "", "030115 Søndre Nordstrand"],
            LINE: [2, 3, 4, 5, 6],
        }
    )
    out, names = split_code_names(df, ["kommunenummer", "bydelsnummer"])
    assert out["kommunenummer"].to_list() == ["0301", "3001", "1101", "1201", "0301"]
    assert out["bydelsnummer"].to_list() == ["030101", "", "", "", "030115"]
    oslo = names[(names["column"] == "kommunenummer") & (names["code"] == "0301")].iloc[0]
    assert (oslo["name"], oslo["line"], oslo["cells"]) == ("Oslo", 2, 2)
    check_code_names(names, _ref(), "x.csv")  # every name is its code's: no error
    plain = pl.DataFrame({"kommunenummer": ["0301", "1101"], LINE: [2, 3]})
    same, none = split_code_names(plain, ["kommunenummer"])
    assert same.equals(plain) and none.empty


def test_names_compared_as_written_by_people():
    written = pd.DataFrame(
        {
            "column": "unit_id",
            "code": ["1818", "5437", "3030", "3018", "5430"],
            "name": [
                "Herøy (Nordland)",
                "Kárášjohka - Karasjok",
                "Lillestrøm kommune",
                "VÅLER",
                "Kautokeino",
            ],
            "line": [2, 3, 4, 5, 6],
            "cells": 1,
        }
    )
    check_code_names(written, _ref(), "x.csv")
    check_code_names(written.assign(name=written["name"].str.replace(" - ", " ")), _ref(), "x.csv")


def test_a_name_of_another_code_is_an_error_naming_it():
    written = pd.DataFrame(
        {
            "column": "kommunenummer",
            "code": ["3001", "0301"],
            "name": ["Moss", "Oslo"],
            "line": [7, 2],
            "cells": [3, 1],
        }
    )
    with pytest.raises(InputError) as e:
        check_code_names(written, _ref(), "reg.xlsx")
    assert (e.value.line, e.value.column) == (7, "kommunenummer")
    assert "«Moss» is not the name of 3001 (Halden)" in e.value.message
    assert "3002 (Moss)" in e.value.message
    unknown = written.assign(name=["Atlantis", "Oslo"])
    with pytest.raises(InputError, match="no kommune or bydel has had that name"):
        check_code_names(unknown, _ref(), "reg.xlsx")


def test_units_by_name_resolve_through_the_frame_and_ambiguous_ones_are_listed_at_once():
    frame = pd.DataFrame(
        {
            "unit_id": ["3001", "1515", "1818", "3018", "3419", "030101"],
            "unit_name": [
                "Halden",
                "Herøy (Møre og Romsdal)",
                "Herøy (Nordland)",
                "Våler (Viken)",
                "Våler (Innlandet)",
                "Gamle Oslo",
            ],
        }
    )
    lookup = name_lookup(frame["unit_id"], frame["unit_name"])
    df = pd.DataFrame({"unit_id": ["halden", "Herøy (Nordland)", "gamle  oslo", "1515"], LINE: [2, 3, 4, 5]})
    out = resolve_names(df, "unit_id", lookup, "s.csv", "survey_2021", "the 2021 frame")
    assert out["unit_id"].tolist() == ["3001", "1818", "030101", "1515"]
    bad = pd.DataFrame({"unit_id": ["Herøy", "Våler", "Halden", "Narnia", "Herøy"], LINE: [2, 3, 4, 5, 6]})
    with collecting() as problems:
        resolve_names(bad, "unit_id", lookup, "s.csv", "survey_2021", "the 2021 frame")
    assert len(problems) == 2
    amb, unknown = problems
    assert "2 unit name(s) that several units" in amb.message
    assert "«Herøy» (line 2: 1515 or 1818)" in amb.message and "«Våler» (line 3: 3018 or 3419)" in amb.message
    assert "mapping.survey_2021.values.unit_id" in amb.message
    assert "«Narnia» (line 5)" in unknown.message


def test_excel_code_column_of_numbers_beside_code_name_cells(tmp_path):
    """An Excel column with number cells (106 for 0106) beside '0301 Oslo' text cells: the numbers
    get their leading zeros back, the code name cells their code."""
    import openpyxl

    from analysis.core.intake import read_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["person_id", "kommunenummer", "bydelsnummer"])
    ws.append(["a", "0301 Oslo", "030101 Gamle Oslo"])
    ws.append(["b", 106, None])
    ws.append(["c", "K-1103 Stavanger", None])
    wb.save(tmp_path / "r.xlsx")
    t = read_table(
        tmp_path / "r.xlsx",
        "register",
        ["person_id", "kommunenummer", "bydelsnummer"],
        codes=("kommunenummer", "bydelsnummer"),
    )
    assert t.frame["kommunenummer"].to_list() == ["0301", "0106", "1103"]
    assert t.frame["bydelsnummer"].to_list() == ["030101", "", ""]
    check_code_names(t.code_names, _ref(), "r.xlsx")
