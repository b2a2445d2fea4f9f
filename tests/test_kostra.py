"""KOSTRA 12012: Tabell 10.3 from kommune rows, suppressed cells, aggregate check, demo calibration."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import ROOT, SPLIT_TO

from analysis.core.errors import InputError
from analysis.demo import kostra as demo_kostra
from analysis.official import kostra
from analysis.official.jsonstat import parse, read_jsonstat
from analysis.report.reproduction import round_half_up

NEW, REJ = "KOSnye0000", "KOSavslag0000"  # any codes: which one is which is configuration


def table(
    cells: dict,
    regions=("0301", "3001", "3002", "EAK", "EAKUO"),
    years=("2016", "2020"),
    contents=(NEW, REJ),
    extra_content=None,
):
    """JSON-stat2 for region x content x year; ``cells[(region, content, year)] = value or symbol``."""
    contents = list(contents) + ([extra_content] if extra_content else [])
    values, status = [], {}
    for r in regions:
        for c in contents:
            for y in years:
                v = cells.get((r, c, y), 0)
                if isinstance(v, str):
                    status[str(len(values))] = v
                    v = None
                values.append(v)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "12012",
        "id": [kostra.REGION_DIM, kostra.CONTENT_DIM, kostra.TIME_DIM],
        "size": [len(regions), len(contents), len(years)],
        "dimension": {
            kostra.REGION_DIM: {"category": {"index": list(regions)}},
            kostra.CONTENT_DIM: {"category": {"index": {c: i for i, c in enumerate(contents)}}},
            kostra.TIME_DIM: {"category": {"index": list(years)}},
        },
        "value": values,
        "status": status,
    }


def small():
    c = {}
    for y, (o_new, o_rej, a_new, a_rej, b_new, b_rej) in {
        "2016": (100, 59, 80, 20, 20, 10),
        "2020": (200, 130, 50, 10, 3, ":"),
    }.items():
        c.update(
            {
                ("0301", NEW, y): o_new,
                ("0301", REJ, y): o_rej,
                ("3001", NEW, y): a_new,
                ("3001", REJ, y): a_rej,
                ("3002", NEW, y): b_new,
                ("3002", REJ, y): b_rej,
            }
        )
    # SSB's aggregates hold the true totals, the suppressed cell (1 rejection) included
    c.update(
        {
            ("EAK", NEW, "2016"): 200,
            ("EAK", REJ, "2016"): 89,
            ("EAKUO", NEW, "2016"): 100,
            ("EAKUO", REJ, "2016"): 30,
            ("EAK", NEW, "2020"): 253,
            ("EAK", REJ, "2020"): 141,
            ("EAKUO", NEW, "2020"): 53,
            ("EAKUO", REJ, "2020"): 11,
        }
    )
    return c


def test_shares_exclude_suppressed_cells_and_count_them():
    cells = kostra.cells(parse(table(small()), "k.json"), NEW, REJ)
    s = kostra.rejection_shares(cells).set_index(["year", "series"])
    assert s.loc[("2016", "norway_excl_oslo"), "value"] == pytest.approx(30.0)
    assert s.loc[("2016", "oslo"), "value"] == pytest.approx(59.0)
    # 3002 is left out of numerator and denominator in 2020 (its rejections are ':')
    r = s.loc[("2020", "norway_excl_oslo")]
    assert r["value"] == pytest.approx(20.0) and r["n"] == 50 and r["kommuner_suppressed"] == 1
    assert r["kommuner_used"] == 1
    assert s.loc[("2020", "oslo"), "value"] == pytest.approx(65.0)


def test_aggregate_check_against_ssb_rows():
    cells = kostra.cells(parse(table(small()), "k.json"), NEW, REJ)
    shares = kostra.rejection_shares(cells)
    chk = kostra.aggregate_check(cells, shares).set_index(["year", "series", "item"])
    row = chk.loc[("2016", "norway_excl_oslo", "rejection_share")]
    assert row["difference"] == pytest.approx(0.0)
    row = chk.loc[("2020", "norway_excl_oslo", "new_applications")]
    assert row["value"] == 50 and row["ssb_aggregate"] == 53 and row["difference"] == -3
    # 2020: 10/50 = 20 % from the kommune rows vs SSB's 11/53 = 20.75 %
    warnings = kostra.log_aggregate_check(chk.reset_index(), tolerance_pp=0.5)
    assert [w for w in warnings if "norway_excl_oslo rejection_share" in w] == [
        w for w in warnings if w.startswith("2020 norway_excl_oslo rejection_share")
    ]
    assert any(w.startswith("2020 norway_excl_oslo rejection_share") for w in warnings)
    assert not kostra.log_aggregate_check(chk.reset_index(), tolerance_pp=1.0)
    # without aggregate rows the check is empty, not an error
    no_agg = table(small(), regions=("0301", "3001", "3002"))
    cells2 = kostra.cells(parse(no_agg, "k.json"), NEW, REJ)
    assert kostra.aggregate_check(cells2, kostra.rejection_shares(cells2)).empty


def test_content_codes_come_from_config():
    d = table(small(), extra_content="KOSandel0000")
    cells = kostra.cells(parse(d, "k.json"), NEW, REJ)
    assert set(cells["region"]) == {"0301", "3001", "3002", "EAK", "EAKUO"}
    with pytest.raises(InputError, match=r"content code 'Avslag' \(config kostra.content_rejections\)"):
        kostra.cells(parse(d, "k.json"), NEW, "Avslag")
    with pytest.raises(InputError, match="right way round"):
        kostra.cells(parse(table(small()), "k.json"), REJ, NEW)


def test_unexpected_dimension_stops_with_file_and_key(tmp_path):
    d = table(small())
    d["id"].append("KOKeieform0000")
    d["size"].append(2)
    d["dimension"]["KOKeieform0000"] = {"category": {"index": ["1", "2"]}}
    d["value"] = [v for v in d["value"] for _ in range(2)]
    d["status"] = {str(2 * int(k) + j): s for k, s in d["status"].items() for j in range(2)}
    p = tmp_path / "k.json"
    p.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(InputError) as e:
        kostra.cells(read_jsonstat(p), NEW, REJ)
    assert "unexpected dimension 'KOKeieform0000'" in str(e.value) and str(p) in str(e.value)
    d2 = table(small())
    d2["id"][0] = "Region"
    d2["dimension"]["Region"] = d2["dimension"].pop(kostra.REGION_DIM)
    with pytest.raises(InputError, match="missing dimension 'KOKkommuneregion0000'"):
        kostra.cells(parse(d2, "k.json"), NEW, REJ)


def test_kommune_shares_missing_not_zero_and_ledger():
    c = small()
    c[("3001", NEW, "2020")] = 0
    c[("3001", REJ, "2020")] = 0
    cells = kostra.cells(parse(table(c), "k.json"), NEW, REJ)
    kom = pd.DataFrame(
        {
            "kommunenummer": ["0301", "3001", "3002", "3003"],
            "kommunenavn": ["Oslo", "Halden", "Moss", "Sarpsborg"],
        }
    )
    ks = kostra.kommune_shares(cells, kom, 2020).set_index("kommune")
    assert ks.loc["0301", "value"] == pytest.approx(65.0)
    assert pd.isna(ks.loc["3001", "value"]) and ks.loc["3001", "status"] == "no_new_applications"
    assert pd.isna(ks.loc["3002", "value"]) and ks.loc["3002", "status"] == "suppressed"
    assert ks.loc["3003", "status"] == "not_in_table"
    led = kostra.ledger(cells)
    assert led["rows"].sum() == len(cells) == 10
    ex = led[led["disposition"] == "excluded"]
    assert ex["rows"].sum() == 1 and "suppressed" in ex["reason"].iloc[0]


def test_unknown_kommune_code_is_an_error():
    cells = kostra.cells(parse(table(small()), "k.json"), NEW, REJ)
    with pytest.raises(InputError, match="valid in no year"):
        kostra.validate_codes(cells, {"0301", "3001"}, "k.json")


def test_demo_table_has_real_shape_and_is_calibrated(shared_dir):
    kom = pd.read_csv(
        shared_dir / "data" / "kommuner" / "kommuner_2020_folkemengde.csv", dtype={"kommunenummer": str}
    )
    from analysis.core.config import validate_config

    schema = ROOT / "workflow" / "schemas" / "config.schema.yaml"
    cfg = validate_config({}, schema)["kostra"]  # the content codes' defaults live in the schema
    new, rej = cfg["content_new_applications"], cfg["content_rejections"]
    d = demo_kostra.generate(kom, new, rej, 2021018)
    assert d == demo_kostra.generate(kom, new, rej, 2021018)  # deterministic
    ds = parse(json.loads(json.dumps(d)), "demo")
    assert [x.size for x in ds.dimensions] == [358, 2, 6]
    regions = ds.dimension(kostra.REGION_DIM).codes
    assert regions[-2:] == ["EAK", "EAKUO"] and "0301" in regions
    assert {":", ".."} <= set(d["status"].values())
    cells = kostra.cells(ds, new, rej)
    s = kostra.rejection_shares(cells).set_index(["year", "series"])["value"]
    published = {
        ("2016", "norway_excl_oslo"): 30,
        ("2020", "norway_excl_oslo"): 26,
        ("2016", "oslo"): 59,
        ("2020", "oslo"): 65,
    }
    for key, pub in published.items():
        assert round_half_up(s[key], 0) == pub, key
    chk = kostra.aggregate_check(cells, kostra.rejection_shares(cells))
    assert chk.loc[chk["item"] == "rejection_share", "difference"].abs().max() < 0.5


def _cells(rows):
    """Cells as kostra.cells returns them: (region, year, new, rej) of kommune rows."""
    df = pd.DataFrame(rows, columns=["region", "year", "new", "rej"])
    return df.assign(status_new="", status_rej="", kind="kommune")


@pytest.fixture(scope="module")
def code_map_real():
    from conftest import PUBLIC

    from analysis.core.kommune import load_code_map

    return load_code_map(PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)


def test_each_kommune_is_counted_once_per_year(code_map_real):
    ok = [
        ("1103", 2019, 50, 5),  # Stavanger, Finnøy and Rennesøy in 2019: the 2019 structure
        ("1141", 2019, 3, 0),
        ("1142", 2019, 2, 0),
        ("4601", 2019, 80, 8),  # Bergen re-keyed to its 2020 code
        ("4601", 2020, 90, 9),
    ]
    kostra.check_codes_by_year(_cells(ok), code_map_real, "k.json")
    with pytest.raises(InputError, match=r"4601 has numbers under several codes in 2019 \(1201, 4601\)"):
        kostra.check_codes_by_year(_cells([*ok, ("1201", 2019, 80, 8)]), code_map_real, "k.json")
    with pytest.raises(InputError, match=r"1201 carries a number for 2020, but it was valid only 2013-2019"):
        kostra.check_codes_by_year(_cells([*ok, ("1201", 2020, 80, float("nan"))]), code_map_real, "k.json")


def test_required_years_need_a_usable_number():
    cells = _cells([("0301", 2016, 10, 2), ("0301", 2020, 0, 0), ("3024", 2020, float("nan"), 1)])
    kostra.check_years(cells, [2016], "k.json")
    with pytest.raises(InputError, match=r"year\(s\) \[2019\] missing from the table"):
        kostra.check_years(cells, [2016, 2019], "k.json")
    with pytest.raises(InputError, match="every kommune's number is 0 .* in 2020 \\(2 kommune cells\\)"):
        kostra.check_years(cells, [2016, 2020], "k.json")
