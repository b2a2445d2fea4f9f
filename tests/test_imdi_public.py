import pytest
from conftest import SPLIT_TO

from analysis.core.errors import InputError
from analysis.core.kommune import load_code_map
from analysis.imdi.public import national_totals, read_imdi_public, select_persons

HEADER = "Enhet;År;Kommunenummer;Kommune;Bosetting;Antall\n"


def imdi_file(tmp_path, body: str, encoding="latin-1"):
    p = tmp_path / "imdi.csv"
    p.write_bytes((HEADER + body).encode(encoding))
    return p


def test_parses_symbols_and_sums_national_totals(tmp_path, shared_dir):
    p = imdi_file(
        tmp_path,
        (
            "Personer;2015;0101;;Faktisk bosetting;20\n"
            "Personer;2015;0104;Moss (t.o.m. 2019);Faktisk bosetting;:\n"
            "Personer;2015;0105;;Faktisk bosetting;.\n"
            "Prosent;2015;0101;;Faktisk bosetting;95,5\n"
            "Personer;2016;0136;;Faktisk bosetting;7\n"
            "Personer;2016;0101;;Vedtak om bosetting;10\n"
            "Personer;2010;0101;;Faktisk bosetting;3\n"
        ),
    )
    raw = read_imdi_public(str(p))
    assert raw["status"].tolist() == ["value", "suppressed", "missing", "value", "value", "value", "value"]
    persons, ledger = select_persons(
        raw,
        (2014, 2021),
        load_code_map(
            shared_dir / "data" / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO
        ),
        str(p),
    )
    tot = national_totals(persons).set_index("year")
    assert tot.loc[2015, "value"] == 20 and tot.loc[2015, "suppressed_cells"] == 1
    assert tot.loc[2016, "value"] == 7  # Rygge 0136 counted, vedtak not
    assert persons.loc[persons["code"] == "0136", "kommunenummer_2020"].item() == "3002"
    assert ledger["rows"].sum() == len(raw)  # every row accounted for
    assert dict(zip(ledger["reason"].str[:4], ledger["rows"])) == {"year": 1, "Enhe": 1, "pers": 5}


@pytest.mark.parametrize(
    "row, column, message",
    [
        ("Personer;2015;101;;Faktisk bosetting;3", "Kommunenummer", "4-digit"),
        ("Personer;15;0101;;Faktisk bosetting;3", "År", "four-digit year"),
        ("Personer;2015;0101;;Bosatt;3", "Bosetting", "must be one of"),
        ("Folk;2015;0101;;Faktisk bosetting;3", "Enhet", "must be one of"),
        ("Personer;2015;0101;;Faktisk bosetting;x", "Antall", "must be a number"),
        ("Personer;2015;0101;;Faktisk bosetting;2.5", "Antall", "whole number"),
    ],
)
def test_bad_rows_stop_with_line_column_value(tmp_path, row, column, message):
    p = imdi_file(tmp_path, "Personer;2015;0105;;Faktisk bosetting;1\n" + row + "\n")
    with pytest.raises(InputError) as e:
        read_imdi_public(str(p))
    assert e.value.line == 3 and e.value.column == column and message in e.value.message


def test_duplicate_cell_is_an_error(tmp_path):
    p = imdi_file(
        tmp_path, "Personer;2015;0101;;Faktisk bosetting;1\nPersoner;2015;0101;;Faktisk bosetting;2\n"
    )
    with pytest.raises(InputError, match="duplicate"):
        read_imdi_public(str(p))


def test_real_file_totals_match_the_report_for_2014_and_2015(shared_dir):
    path = shared_dir / "data/imdi/imdi_bosatt_anmodede_kommune_1995-2023.csv"
    raw = read_imdi_public(str(path))
    persons, ledger = select_persons(
        raw,
        (2014, 2021),
        load_code_map(
            shared_dir / "data" / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO
        ),
        str(path),
    )
    tot = national_totals(persons).set_index("year")["value"]
    assert tot[2014] == 7784 and tot[2015] == 11342  # kap. 4.1.2
    assert ledger["rows"].sum() == len(raw) == 74898
