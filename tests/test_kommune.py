import pandas as pd
import pytest
from conftest import SPLIT_TO

from analysis.core.errors import InputError
from analysis.core.kommune import build_code_map, harmonise, load_code_map

COLS = [
    "kommunenummer_2013",
    "kommunenummer_2017",
    "kommunenummer_2018",
    "kommunenummer_2019",
    "kommunenummer_2020",
    "kommunenavn_2020",
]


def wide(rows):
    return pd.DataFrame(rows, columns=COLS)


SMALL = wide(
    [
        ["0101", "0101", "0101", "0101", "3001", "Halden"],
        ["0104", "0104", "0104", "0104", "3002", "Moss"],
        ["0136", "0136", "0136", "0136", "3002", "Moss"],  # Rygge merged into Moss 2020
        ["1613", "1613", "5012", "5012", "5055", "Heim"],  # Snillfjord split in three
        ["1613", "1613", "5012", "5012", "5056", "Hitra"],
        ["1613", "1613", "5012", "5012", "5059", "Orkland"],
    ]
)


def test_every_historical_code_maps_to_its_2020_kommune():
    m = build_code_map(SMALL, SPLIT_TO).set_index("code")
    assert m.loc["0136", "kommunenummer_2020"] == "3002"
    assert m.loc["3002", "kommunenummer_2020"] == "3002"
    assert m.loc["0101", "first_year"] == 2013 and m.loc["3001", "last_year"] == 2023


def test_split_kommune_goes_whole_to_the_configured_successor():
    m = build_code_map(SMALL, SPLIT_TO).set_index("code")
    assert m.loc["1613", "kommunenummer_2020"] == "5059" and bool(m.loc["1613", "split"])
    assert m.loc["5012", "kommunenummer_2020"] == "5059"
    m2 = build_code_map(SMALL, {"1613": "5056", "5012": "5056"}).set_index("code")
    assert m2.loc["5012", "kommunenummer_2020"] == "5056"
    with pytest.raises(ValueError, match="not one of its successors"):
        build_code_map(SMALL, {"1613": "3001", "5012": "5059"})
    with pytest.raises(ValueError, match="split_to must name"):
        build_code_map(SMALL, {})


def test_harmonise_stops_on_a_code_valid_in_no_year():
    df = pd.DataFrame({"kommunenummer": ["0104", "0136", "0199"], "line": [2, 3, 4]})
    with pytest.raises(InputError) as e:
        harmonise(df, build_code_map(SMALL, SPLIT_TO), "reg.csv", line_col="line")
    assert (e.value.line, e.value.column, e.value.value) == (4, "kommunenummer", "0199")
    ok = harmonise(df.iloc[:2], build_code_map(SMALL, SPLIT_TO), "reg.csv")
    assert ok["kommunenummer_2020"].tolist() == ["3002", "3002"]


def test_real_crosswalk_gives_356_kommuner(shared_dir):
    m = load_code_map(shared_dir / "data" / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)
    targets = set(m["kommunenummer_2020"]) - {"9999"}
    assert len(targets) == 356
    assert set(m.loc[m["split"], "code"]) == {"1613", "5012", "1850"}
    assert m.set_index("code").loc["1850", "kommunenummer_2020"] == "1806"
