"""Non-response analysis (Tabell 9.1): classification, frame validation, rates and shares."""

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import DEFAULTS

from analysis.core.errors import InputError
from analysis.demo.frame import attainable, choose_respondents, group_counts
from analysis.survey import nonresponse as nr

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PUBLIC = SHARED / "data"
needs_public = pytest.mark.skipif(not (PUBLIC / "kommuner").exists(), reason="no ../shared/data")


def r0(x):
    return int(Decimal(repr(float(x))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ----------------------------------------------------------------- size groups and regions


def test_size_group_thresholds_and_big_four():
    pop = pd.Series([9_999, 10_000, 29_999, 30_000, 500, 700_000])
    codes = pd.Series(["1111", "2222", "3333", "4444", "4601", "5555"])
    assert nr.size_group(pop, codes).tolist() == [
        "under_10k",
        "10k_30k",
        "10k_30k",
        "30k_plus",
        "big4",
        "30k_plus",
    ]


def _crosswalk(rows):
    return pd.DataFrame(rows, columns=["kommunenummer_2019", "kommunenummer_2020"])


def test_region_from_pre2020_fylke_merge_and_override():
    cw = _crosswalk(
        [
            ("0602", "3005"),
            ("0711", "3005"),  # Drammen + Svelvik: two regions -> 2020 fylke (Viken)
            ("0701", "3801"),  # Horten, Vestfold -> tva
            ("1519", "1577"),
            ("1444", "1577"),  # Volda + Hornindal -> override
            ("1502", "1506"),  # Molde, Møre og Romsdal -> mid_north
            ("1201", "4601"),  # Bergen -> west
            ("", "5059"),
            ("9999", "9999"),  # no 2019 predecessor row; unknown code skipped
        ]
    )
    rt = nr.region_table(cw, {"1577": "west"}, grouping="report_derived").set_index("kommunenummer")
    assert rt.loc["3005", "region"] == "east" and "2020 fylke" in rt.loc["3005", "region_rule"]
    assert rt.loc["3801", "region"] == "tva"
    assert rt.loc["1577", "region"] == "west" and rt.loc["1577", "region_rule"].startswith("override")
    assert rt.loc["1506", "region"] == "mid_north"
    assert rt.loc["4601", "region"] == "west"
    assert "9999" not in rt.index
    with pytest.raises(ValueError, match="unknown region"):
        nr.region_table(cw, {"1577": "sørlandet"}, grouping="report_derived")
    with pytest.raises(ValueError, match="no 2020 kommune"):
        nr.region_table(cw, {"0000": "west"}, grouping="report_derived")


@pytest.fixture(scope="module")
def munis():
    from analysis.core.kommune import load_kommuner_2020, read_crosswalk_wide

    cw = read_crosswalk_wide(PUBLIC / "crosswalk" / "alle_kommunenummer_fra2013_til2020_wide.csv")
    return nr.municipalities(
        load_kommuner_2020(PUBLIC / "kommuner/kommuner_2020_folkemengde.csv"),
        nr.region_table(cw, DEFAULTS["weighting"]["region_overrides"], grouping="report_derived"),
        DEFAULTS["weighting"]["population_column"],
    )


@needs_public
def test_real_size_groups_give_the_reports_counts_and_population_shares(munis):
    counts = munis["size_group"].value_counts().to_dict()
    assert counts == {"under_10k": 244, "10k_30k": 77, "30k_plus": 31, "big4": 4}
    share = munis.groupby("size_group")["population"].sum() / munis["population"].sum() * 100
    assert {g: r0(v) for g, v in share.items()} == {
        "big4": 25,
        "30k_plus": 33,
        "10k_30k": 26,
        "under_10k": 16,
    }


@needs_public
def test_real_regions_match_the_2020_fylke_grouping_except_volda(munis):
    by20 = munis["fylkesnummer"].map(nr.FYLKE_2020_REGION)
    differ = munis.loc[munis["region"] != by20, "kommunenummer"].tolist()
    assert differ == ["1577"]
    assert munis["region"].value_counts().to_dict() == {"mid_north": 143, "east": 98, "west": 67, "tva": 48}
    # "Vel halvparten av kommunene med mer enn 30.000 innbyggere ... ligger i region øst"
    big = munis[munis["size_group"] == "30k_plus"]
    assert (big["region"] == "east").sum() == 16 and len(big) == 31


@needs_public
def test_published_region_rates_are_attainable_with_130_responding_kommuner(munis):
    n = munis["region"].value_counts()
    ks = [attainable(n[r], p) for r, p in zip(nr.REGIONS, [47, 31, 37, 31])]
    assert all(ks)
    assert 130 in {a + b + c + d for a in ks[0] for b in ks[1] for c in ks[2] for d in ks[3]}


# ----------------------------------------------------------------- frame validation

KOMMUNER = {"0301", "3001", "4601", "5001"}
BYDELER = {"030101", "030102"}


def _frame(tmp_path, rows, name="frame.csv"):
    p = tmp_path / name
    p.write_text(
        "unit_id,unit_name,unit_type\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows), encoding="utf-8"
    )
    return str(p)


GOOD = [
    ("3001", "Halden", "kommune"),
    ("4601", "Bergen", "kommune"),
    ("5001", "Trondheim", "kommune"),
    ("030101", "Gamle Oslo", "bydel"),
    ("030102", "Grünerløkka", "bydel"),
]


def test_valid_frame_reads(tmp_path):
    f = nr.read_frame(_frame(tmp_path, GOOD), KOMMUNER, BYDELER)
    assert f["unit_id"].tolist() == ["030101", "030102", "3001", "4601", "5001"]


@pytest.mark.parametrize(
    "bad_row, line, column, msg",
    [
        (("301", "X", "kommune"), 3, "unit_id", "4-digit"),
        (("0301", "Oslo", "kommune"), 3, "unit_id", "Oslo (0301) is not a frame unit"),
        (("1234", "X", "kommune"), 3, "unit_id", "2020 structure"),
        (("030116", "Sentrum", "bydel"), 3, "unit_id", "15 bydeler"),
        (("4601", "Bergen", "bydel"), 3, "unit_type", "4-digit unit_id must have unit_type kommune"),
        (("4601", "Bergen", "kommunen"), 3, "unit_type", "unit_type must be one of"),
    ],
)
def test_frame_errors_name_line_column_value(tmp_path, bad_row, line, column, msg):
    rows = [GOOD[0], bad_row] + GOOD[2:]
    with pytest.raises(InputError) as e:
        nr.read_frame(_frame(tmp_path, rows), KOMMUNER, BYDELER)
    assert e.value.line == line and e.value.column == column and msg in e.value.message
    assert e.value.value == bad_row[0 if column == "unit_id" else 2]


def test_frame_duplicate_and_missing_units(tmp_path):
    with pytest.raises(InputError, match="duplicate unit_id") as e:
        nr.read_frame(_frame(tmp_path, GOOD + [GOOD[1]]), KOMMUNER, BYDELER)
    assert e.value.line == 7
    with pytest.raises(InputError, match="missing from the frame") as e:
        nr.read_frame(_frame(tmp_path, GOOD[:-1]), KOMMUNER, BYDELER)
    assert e.value.value == "030102"


def test_respondents_must_be_unique_frame_units():
    frame = pd.DataFrame({"unit_id": ["3001", "4601", "030101"]})
    assert nr.response_status(frame, pd.Series(["4601"]), "s").tolist() == [False, True, False]
    with pytest.raises(InputError, match="not in the survey frame"):
        nr.response_status(frame, pd.Series(["4601", "9999"]), "s")
    with pytest.raises(InputError, match="twice"):
        nr.response_status(frame, pd.Series(["4601", "4601"]), "s")


# ----------------------------------------------------------------- rates and shares


def _units():
    # Oslo = two bydeler (one responds); Bergen responds; two small kommuner, one responds
    return pd.DataFrame(
        {
            "unit_id": ["030101", "030102", "4601", "1111", "2222"],
            "unit_type": ["bydel", "bydel", "kommune", "kommune", "kommune"],
            "kommunenummer": ["0301", "0301", "4601", "1111", "2222"],
            "size_group": ["big4", "big4", "big4", "under_10k", "under_10k"],
            "region": ["east", "east", "west", "west", "tva"],
            "responded": [False, True, True, True, False],
            "all": [10, 30, 20, 15, 25],
            "asb": [1, 4, 0, 2, 3],
        }
    )


def _munis():
    return pd.DataFrame({"kommunenummer": ["0301", "4601", "1111", "2222"], "population": [700, 300, 5, 5]})


def test_tab_9_1_on_hand_checkable_data():
    t = pd.DataFrame(nr.tab_9_1_records(_units(), _munis())).set_index(["item", "category"])
    v = t["value"]
    # settlements: responding units 030102 (30), 4601 (20), 1111 (15) of 100
    assert v["all_settlements", "responded"] == pytest.approx(65.0)
    assert v["all_settlements", "not_responded"] == pytest.approx(35.0)
    assert t.loc[("all_settlements", "responded"), "n"] == 100
    assert v["asb_settlements", "responded"] == pytest.approx(60.0)  # (4 + 0 + 2) / 10
    # size/region: Oslo once and responding although a bydel did not respond
    assert v["size_big4", "responded"] == 100 and v["size_big4", "n_municipalities"] == 2
    assert v["size_under_10k", "responded"] == 50
    assert v["region_east", "responded"] == 100 and v["region_east", "n_municipalities"] == 1
    assert v["region_west", "responded"] == 100 and v["region_tva", "responded"] == 0
    assert np.isnan(v["region_mid_north", "responded"])  # empty group: not a fake 0
    assert v["size_big4", "population_share_pct"] == pytest.approx(100 * 1000 / 1010)
    assert v["all_municipalities", "n_municipalities"] == 4


def test_settlement_totals_filters_years_and_counts_asb():
    reg = pd.DataFrame(
        {
            "unit_id": ["1111", "1111", "1111", "030101"],
            "year": [2015, 2016, 2021, 2020],
            "avtalt_selvbosetting": [1, 1, 0, 1],
        }
    )
    t = nr.settlement_totals(reg, (2016, 2021)).set_index("unit_id")
    assert t.loc["1111"].tolist() == [2, 1] and t.loc["030101"].tolist() == [1, 1]
    units, outside = nr.attach_settlements(pd.DataFrame({"unit_id": ["1111"]}), t.reset_index())
    assert units["all"].tolist() == [2] and outside["unit_id"].tolist() == ["030101"]


# ----------------------------------------------------------------- demo calibration


def test_group_counts_prefers_attainable_rates_under_the_total():
    sizes = {"big4": 4, "30k_plus": 31, "10k_30k": 77, "under_10k": 244}
    pct = {"big4": 100, "30k_plus": 55, "10k_30k": 43, "under_10k": 32}
    assert group_counts(sizes, pct, 131) == {"big4": 4, "30k_plus": 17, "10k_30k": 33, "under_10k": 77}
    # INC21: with 130 only the <10 000 group can give way, to the nearest count
    assert group_counts(sizes, pct, 130)["under_10k"] == 76


def test_choose_respondents_meets_every_margin():
    rng = np.random.default_rng(1)
    n = 60
    units = pd.DataFrame(
        {
            "unit_id": [f"{i:04d}" for i in range(n)] + ["030101", "030102", "030103"],
            "unit_type": ["kommune"] * n + ["bydel"] * 3,
            "size_group": list(rng.choice(["30k_plus", "10k_30k", "under_10k"], n)) + ["big4"] * 3,
            "region": list(rng.choice(["east", "tva", "west", "mid_north"], n)) + ["east"] * 3,
            "all": list(rng.integers(0, 100, n)) + [200, 100, 50],
            "asb": list(rng.integers(0, 5, n)) + [20, 5, 1],
        }
    )
    ks = units[units["unit_type"] == "kommune"]
    size_t = {g: len(ks[ks["size_group"] == g]) // 2 for g in nr.SIZE_GROUPS}
    size_t["big4"] = 1
    total = sum(size_t.values())
    reg_n = ks["region"].value_counts()
    region_t = {r: int(reg_n.get(r, 0)) // 2 for r in nr.REGIONS}
    region_t["east"] += 1
    diff = total - sum(region_t.values())
    region_t["mid_north"] += diff
    targets = {"size": size_t, "region": region_t, "bydeler": 2, "share_all": 50.0, "share_asb": 60.0}
    resp = choose_respondents(units, targets, np.random.default_rng(5))
    r = units[resp & (units["unit_type"] == "kommune")]
    for g in ["30k_plus", "10k_30k", "under_10k"]:
        assert (r["size_group"] == g).sum() == size_t[g]
    for reg in nr.REGIONS:
        assert (r["region"] == reg).sum() + (reg == "east") == region_t[reg]
    assert resp[units["unit_type"] == "bydel"].sum() == 2


@needs_public
def test_demo_calibration_reproduces_tab_9_1(munis):
    """The demo responders reproduce every size/region rate except <10 000 (INC21)."""
    from analysis.demo.frame import demo_frame

    rng = np.random.default_rng(7)
    units = nr.frame_units(munis, nr.read_bydeler(PUBLIC / "geo" / "oslo_bydeler_2020.geojson"))
    units["all"] = rng.integers(0, 300, len(units))
    units["asb"] = rng.binomial(units["all"], np.where(units["unit_type"] == "bydel", 0.3, 0.02))
    published = yaml.safe_load(open(SHARED / "reference" / "published_results.yaml", encoding="utf-8"))
    frame, respondents = demo_frame(units, munis, published, 2021018)
    assert len(frame) == 370 and len(respondents) == 138
    units["responded"] = units["unit_id"].isin(respondents["unit_id"])
    assert units.loc[units["unit_type"] == "bydel", "responded"].sum() == 9
    t = pd.DataFrame(nr.tab_9_1_records(units, munis)).set_index(["item", "category"])["value"]
    want = {
        "size_big4": 100,
        "size_30k_plus": 55,
        "size_10k_30k": 43,
        "size_under_10k": 31,
        "region_east": 47,
        "region_tva": 31,
        "region_west": 37,
        "region_mid_north": 31,
        "all_settlements": 46,
        "asb_settlements": 66,
    }
    assert {k: r0(t[k, "responded"]) for k in want} == want
