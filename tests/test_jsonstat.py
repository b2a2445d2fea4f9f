"""JSON-stat 2.0 reader: shapes, SSB symbols and structural errors (small hand-made documents)."""

from __future__ import annotations

import json

import pytest

from analysis.core.errors import InputError
from analysis.official.jsonstat import cell_meaning, parse, read_jsonstat


def doc(index_as_list=False):
    """2 regions x 2 contents x 2 years; the last dimension varies fastest."""
    region_index = ["0301", "EAK"] if index_as_list else {"0301": 0, "EAK": 1}
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "test",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [2, 2, 2],
        "dimension": {
            "KOKkommuneregion0000": {
                "label": "region",
                "category": {"index": region_index, "label": {"0301": "Oslo", "EAK": "Landet"}},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {"index": {"New": 0, "Rej": 1}, "label": {"New": "Nye", "Rej": "Avslag"}},
            },
            "Tid": {"label": "år", "category": {"index": {"2016": 0, "2020": 1}}},
        },
        "value": [10, 20, 5, None, 100, 200, None, None],
        "status": {"3": ":", "6": "..", "7": "-"},
    }


def test_parse_long_frame_and_symbols():
    ds = parse(doc(), "t.json")
    f = ds.to_frame()
    assert ds.ids == ["KOKkommuneregion0000", "ContentsCode", "Tid"]
    assert list(f.columns[:3]) == ds.ids
    row = f[(f["KOKkommuneregion0000"] == "0301") & (f["ContentsCode"] == "Rej") & (f["Tid"] == "2020")].iloc[
        0
    ]
    assert row["status"] == ":" and row["value"] != row["value"]  # suppressed -> NaN
    nil = f.iloc[7]
    assert nil["status"] == "-" and nil["value"] == 0.0  # '-' is an exact zero
    assert f.iloc[6]["status"] == ".." and f.iloc[6]["value"] != f.iloc[6]["value"]
    assert f.iloc[1]["Tid"] == "2020" and f.iloc[1]["value"] == 20
    assert ds.dimension("KOKkommuneregion0000").labels["EAK"] == "Landet"
    assert cell_meaning(":") == "suppressed" and cell_meaning("..") == "not_available"


def test_index_list_equals_dict():
    a, b = parse(doc(False), "a").to_frame(), parse(doc(True), "b").to_frame()
    assert a.equals(b)


def test_sparse_value_and_status_forms():
    d = doc()
    d["value"] = {"0": 10, "1": 20}
    d["status"] = ".."
    f = parse(d, "s").to_frame()
    assert f["value"].notna().sum() == 2 and set(f["status"]) == {".."}


def test_missing_dimension_in_dimension_object():
    d = doc()
    del d["dimension"]["Tid"]
    with pytest.raises(InputError, match="'Tid' is listed in 'id' but missing") as e:
        parse(d, "m.json")
    assert e.value.column == "dimension.Tid" and "m.json" in str(e.value)


def test_dimension_not_in_id():
    d = doc()
    d["dimension"]["Kjonn"] = {"category": {"index": ["0"]}}
    with pytest.raises(InputError, match="not listed in 'id'"):
        parse(d, "x")


def test_size_mismatches():
    d = doc()
    d["size"] = [3, 2, 2]
    with pytest.raises(InputError, match="size says 3 categories but the index has 2"):
        parse(d, "x")
    d = doc()
    d["value"] = d["value"][:-1]
    with pytest.raises(InputError, match="'value' has 7 cells but the product of 'size' is 8") as e:
        parse(d, "x")
    assert e.value.column == "value"
    d = doc()
    d["size"] = [2, 2]
    with pytest.raises(InputError, match="'size' has 2 entries"):
        parse(d, "x")


def test_bad_values_and_index():
    d = doc()
    d["value"][0] = ".."
    with pytest.raises(InputError, match="symbols belong in 'status'") as e:
        parse(d, "x")
    assert e.value.column == "value[0]"
    d = doc()
    d["dimension"]["Tid"]["category"]["index"] = {"2016": 0, "2020": 2}
    with pytest.raises(InputError, match="not 0..1"):
        parse(d, "x")


def test_check_dimensions_unexpected_and_missing():
    d = doc()
    d["id"].append("Eieform")
    d["size"].append(2)
    d["dimension"]["Eieform"] = {"label": "eieform", "category": {"index": ["1", "2"]}}
    d["value"] = [1] * 16
    d["status"] = {}
    ds = parse(d, "u.json")
    with pytest.raises(InputError, match="unexpected dimension 'Eieform' with 2 categories") as e:
        ds.check_dimensions(["KOKkommuneregion0000", "ContentsCode", "Tid"])
    assert e.value.column == "dimension.Eieform"
    with pytest.raises(InputError, match="missing dimension 'Region'"):
        parse(doc(), "x").check_dimensions(["Region", "ContentsCode", "Tid"])
    # a single-category extra dimension is a fixed selection: tolerated and reported
    d = doc()
    d["id"].append("Eieform")
    d["size"].append(1)
    d["dimension"]["Eieform"] = {"category": {"index": ["0"]}}
    assert parse(d, "x").check_dimensions(["KOKkommuneregion0000", "ContentsCode", "Tid"]) == ["Eieform"]


def test_read_file_errors(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"version": "2.0",\n "id": [', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as e:
        read_jsonstat(p)
    assert e.value.line == 2
    with pytest.raises(InputError, match="file not found"):
        read_jsonstat(tmp_path / "nope.json")
    p.write_text(json.dumps({"version": "1.0", "class": "bundle"}), encoding="utf-8")
    with pytest.raises(InputError, match="dataset"):
        read_jsonstat(p)


def test_real_ssb_example(shared_dir):
    ds = read_jsonstat(shared_dir / "data" / "ssb_format_examples" / "pxweb_v0_07221_response.jsonstat2.json")
    f = ds.to_frame()
    assert [d.size for d in ds.dimensions] == [12, 3, 1, 8]
    assert len(f) == 288
    assert (f["status"] == "..").sum() == f["value"].isna().sum() > 0
    assert f.iloc[0]["Region"] == "TOTAL" and f.iloc[0]["Tid"] == "2022K1" and f.iloc[0]["value"] == 136.2
