"""UDI counts (Tabell 10.2): validation errors name the line and column; the total is computed."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from analysis.core.errors import InputError
from analysis.official.imdi_annual import read_imdi_annual
from analysis.official.udi import imdi_annual_rows, ledger, privatboende_table, read_udi

GOOD = "year,count,source\n2016,287,UDI e-post 4.6.2021\n2017,237,UDI e-post 4.6.2021\n"


def write(tmp_path, text):
    p = tmp_path / "udi.csv"
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_shipped_file_reproduces_tabell_10_2():
    udi = read_udi(str(ROOT / "data" / "external" / "udi_privatboende.csv"), (2016, 2020))
    t = privatboende_table(udi).set_index("year")["value"]
    assert t.to_dict() == {
        "2016": 287,
        "2017": 237,
        "2018": 297,
        "2019": 253,
        "2020": 191,
        "2016-2020 (Totalt)": 1265,
    }
    assert udi["source"].str.contains("UDI").all()
    assert ledger(udi)["rows"].tolist() == [5]


def test_extra_rows_are_appended(tmp_path):
    udi = read_udi(write(tmp_path, GOOD))
    extra = [{"year": 2020, "series": "settled_from_outside_reception", "value": 273, "source": "IMDi"}]
    t = privatboende_table(udi, extra)
    assert t["year"].tolist() == ["2016", "2017", "2016-2017 (Totalt)", "2020"]
    assert t["value"].tolist() == [287, 237, 524, 273]


@pytest.mark.parametrize(
    "text, message, line, column",
    [
        (GOOD + "2018,,UDI\n", "empty value", 4, "count"),
        (GOOD + "2018,-3,UDI\n", "out of range", 4, "count"),
        (GOOD + "2018,2.5,UDI\n", "not a whole number", 4, "count"),
        (GOOD + "2017,10,UDI\n", "more than once", 4, "year"),
        (GOOD + "2018,10,\n", "needs its source", 4, "source"),
        (GOOD + "18,10,UDI\n", "out of range", 4, "year"),
        ("year,antall,source\n2016,1,UDI\n", "missing column", 1, "count"),
    ],
)
def test_validation_errors(tmp_path, text, message, line, column):
    with pytest.raises(InputError, match=message) as e:
        read_udi(write(tmp_path, text))
    assert e.value.line == line and e.value.column == column


def test_expected_years(tmp_path):
    with pytest.raises(InputError, match=r"years \[2018\] are missing"):
        read_udi(write(tmp_path, GOOD), (2016, 2018))
    with pytest.raises(InputError, match="outside 2016-2016") as e:
        read_udi(write(tmp_path, GOOD), (2016, 2016))
    assert e.value.line == 3


def test_imdi_annual_row_beside_the_table():
    annual = pd.DataFrame(
        {
            "year": ["2020", "2016", "2020"],
            "measure": [
                "settled_from_outside_reception",
                "waiting_time_months",
                "settled_from_outside_reception",
            ],
            "group": ["all", "all", "families"],
            "value": [273.0, 4.8, 90.0],
            "source": ["IMDi 2020", "IMDi", "IMDi 2020"],
        }
    )
    rows = imdi_annual_rows(annual)
    assert rows == [
        {"year": "2020", "series": "settled_from_outside_reception", "value": 273.0, "source": "IMDi 2020"}
    ]
    assert imdi_annual_rows(None) == []


def test_shipped_imdi_annual_has_the_2020_number():
    path = ROOT / "data" / "external" / "imdi_annual.csv"
    if not path.exists():
        pytest.skip("imdi_annual.csv not there yet")
    assert [r["value"] for r in imdi_annual_rows(read_imdi_annual(str(path)))] == [273.0]
