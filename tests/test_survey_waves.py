"""Any number of survey waves (issue 22b): a later wave asks what the codebook's latest wave asked,
wording is inherited wave to wave, changes come per pair of consecutive waves, a wave given alone
builds what it can, and a frame in the 2024 kommuner is grouped on them.

The data are small and hand-made: three waves (2016, 2021, 2026) of a few units each."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.kommune import load_kommuner
from analysis.survey.codebook import Codebook, check_codebook, load_codebook
from analysis.survey.ingest import frame_wave
from analysis.survey.tables import survey_tables
from analysis.survey.waves import change_id, pairs, report_frame_wave, wave_entry

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = (ROOT.parent / "shared" / "data").resolve()
CB = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")


# ---------------------------------------------------------------------------------------------
# the codebook across waves
def test_a_wave_later_than_the_codebook_asks_what_its_latest_wave_asked():
    assert CB.known_waves() == [2016, 2021]
    assert CB.questionnaire_of(2026) == 2021 and CB.questionnaire_of(2016) == 2016
    assert CB.items_for(2026) == CB.items_for(2021)
    assert "NB_BEFORE_2016" in CB.items_for(2026) and "NB_BEFORE_2016" not in CB.items_for(2016)
    with pytest.raises(ValueError, match="earlier than every wave"):
        CB.questionnaire_of(2010)


def test_every_item_of_an_unknown_wave_inherits_its_wording_and_says_from_which_wave():
    inherited = CB.inherited_wording(2026)
    assert set(inherited) == set(CB.items_for(2021)) and set(inherited.values()) == {2021}
    assert CB.inherited_wording(2021) == {} and CB.inherited_wording(2016) == {}
    text, src = CB.wording("Q_FILTER", 2026, "no")
    assert src == 2016 and text == CB.items["Q_FILTER"]["label_no"]  # first asked in 2016


def _codebook_with(item_wording: dict) -> Codebook:
    raw = copy.deepcopy(CB.raw)
    raw["items"]["NB_FUTURE"]["wording"] = item_wording
    check_codebook(raw)
    return Codebook(raw)


def test_per_wave_wording_is_inherited_until_the_next_entry():
    cb = _codebook_with({2016: {"no": "Gammel ordlyd", "en": "Old"}, 2026: {"no": "Ny ordlyd", "en": "New"}})
    assert cb.wording("NB_FUTURE", 2016, "no") == ("Gammel ordlyd", 2016)
    assert cb.wording("NB_FUTURE", 2021, "no") == ("Gammel ordlyd", 2016)  # 2021 has no entry: inherits
    assert cb.wording("NB_FUTURE", 2026, "en") == ("New", 2026)
    assert cb.inherited_wording(2021) == {"NB_FUTURE": 2016}
    # the wording changed between 2021 and 2026 only: that pair is not compared for fig_11_2
    assert ("fig_11_2", "") in cb.wave_changes(2021, 2026)
    assert ("fig_11_2", "") not in cb.wave_changes(2016, 2021)


def test_wave_changes_hold_for_the_pair_whose_words_differ():
    # fig_11_15 faster_work_education: 2016 «arbeid», 2021 «arbeid eller utdanning»
    assert ("fig_11_15", "faster_work_education") in CB.wave_changes(2016, 2021)
    # 2026 inherits the 2021 words: comparable with 2021, not with 2016
    assert ("fig_11_15", "faster_work_education") not in CB.wave_changes(2021, 2026)
    assert ("fig_11_15", "faster_work_education") in CB.wave_changes(2016, 2026)


def test_a_wave_change_needs_words_of_two_waves():
    raw = copy.deepcopy(CB.raw)
    raw["wave_changes"][0]["words"] = {2016: "raskere i arbeid"}
    with pytest.raises(ValueError, match="words of two waves"):
        check_codebook(raw)


# ---------------------------------------------------------------------------------------------
# entry ids per wave
def test_entry_ids_per_wave():
    assert pairs([2026, 2016, 2021]) == [(2016, 2021), (2021, 2026)]
    assert pairs([2021]) == []
    assert change_id(2021, 2026) == "x_survey_change_2021_2026"
    assert report_frame_wave([2021, 2026], 2021) == 2021
    assert report_frame_wave([2026], 2021) is None
    assert wave_entry("tab_9_1", 2021, 2021) == "tab_9_1"
    assert wave_entry("tab_9_1", 2026, 2021) == "x_tab_9_1_2026"
    assert wave_entry("x_weighting_diagnostics", 2026, 2021) == "x_weighting_diagnostics_2026"
    assert wave_entry("tab_9_1", 2026, None) == "x_tab_9_1_2026"


# ---------------------------------------------------------------------------------------------
# tables over three waves
def _wave(year: int, answers: list[tuple[str, int, int | None]]) -> pd.DataFrame:
    """Respondents: (unit, Q_FILTER, NB_FUTURE); NB_FUTURE is asked of filter = nei/vet ikke."""
    cols = ["unit_id", *CB.items_for(year)]
    df = pd.DataFrame({c: pd.array([pd.NA] * len(answers), dtype="Int64") for c in cols[1:]})
    df.insert(0, "unit_id", [u for u, _, _ in answers])
    df["Q_FILTER"] = pd.array([q for _, q, _ in answers], dtype="Int64")
    df["NB_FUTURE"] = pd.array([f for _, _, f in answers], dtype="Int64")
    df.insert(1, "kommunenummer_2020", df["unit_id"].str[:4])
    return df


W16 = _wave(2016, [("1101", 2, 1), ("1103", 2, 2), ("4601", 1, None), ("5001", 9, 9)])
W21 = _wave(2021, [("1101", 2, 1), ("1103", 2, 1), ("4601", 2, 2), ("5001", 1, None), ("1106", 2, 9)])
# 2026 (2024 codes: 3901 Horten): 3 of the 4 no-branch units say ja, 1 nei
W26 = _wave(2026, [("1101", 2, 1), ("3901", 2, 1), ("4601", 9, 1), ("5001", 2, 2), ("1103", 1, None)])


def _tables(waves, frame_sizes=None, response_rate_ids=None):
    return survey_tables(
        waves,
        CB,
        frame_sizes or {y: None for y in waves},
        0.95,
        30,
        response_rate_ids or {},
    )


def test_three_waves_give_every_wave_its_shares_and_each_consecutive_pair_its_changes():
    t = _tables({2016: W16, 2021: W21, 2026: W26})
    f = t["fig_11_2"].set_index(["year", "category"])
    assert f.loc[("2026", "ja"), "value"] == 75.0 and f.loc[("2026", "ja"), "n"] == 4
    assert f.loc[("2026", "nei"), "value"] == 25.0 and f.loc[("2026", "vet_ikke"), "value"] == 0.0
    assert f.loc[("2021", "ja"), "value"] == 50.0 and f.loc[("2016", "ja"), "value"] == pytest.approx(100 / 3)
    assert list(dict.fromkeys(t["fig_11_2"]["year"])) == ["2026", "2021", "2016"]
    assert "x_survey_change_2016_2021" in t and "x_survey_change_2021_2026" in t
    assert "x_survey_change_2016_2026" not in t
    ch = t["x_survey_change_2021_2026"]
    assert set(ch["year"]) == {"2021-2026"}
    ja = ch[(ch["series"] == "fig_11_2") & (ch["category"] == "ja")].iloc[0]
    assert ja["value"] == 25.0 and ja["value_2021"] == 50.0 and ja["value_2026"] == 75.0
    assert ja["n_2021"] == 4 and ja["n_2026"] == 4
    assert {"n_2021", "n_2026", "value_2021", "value_2026"} <= set(ch.columns)
    # the item row of the distribution carries the pair's test
    assert (ch[(ch["series"] == "fig_11_2") & (ch["category"] == "")]["test"] == "rao_scott_f").all()
    # the 2026 wave is counted in the routing counts as a wave of its own
    rc = t["text_ch11_survey_routing_counts"].set_index(["year", "series"])["value"]
    assert rc[("2026", "yes_branch_completes")] == 1 and rc[("2026", "no_or_dont_know")] == 4


def test_items_whose_wording_changed_are_not_tested_across_that_pair_only():
    w16 = W16.assign(YB_CHAR_FASTER_WORK_EDUCATION=pd.array([pd.NA, pd.NA, 4, pd.NA], dtype="Int64"))
    w21 = W21.assign(YB_CHAR_FASTER_WORK_EDUCATION=pd.array([pd.NA] * 3 + [5, pd.NA], dtype="Int64"))
    w26 = W26.assign(YB_CHAR_FASTER_WORK_EDUCATION=pd.array([pd.NA] * 4 + [2], dtype="Int64"))
    t = _tables({2016: w16, 2021: w21, 2026: w26})

    def row(cid):
        ch = t[cid]
        return ch[(ch["series"] == "fig_11_15") & (ch["item"] == "faster_work_education")]

    assert not row("x_survey_change_2016_2021")["comparable"].astype(bool).any()
    assert row("x_survey_change_2021_2026")["comparable"].astype(bool).all()


def test_a_wave_given_alone_builds_its_figures_without_a_change_table():
    t = _tables({2021: W21})
    assert not [k for k in t if k.startswith("x_survey_change_")]
    assert set(t["fig_11_2"]["year"]) == {"2021"}


def test_response_rate_of_every_frame_wave_under_its_own_id():
    frame = pd.DataFrame(
        {
            "unit_id": ["1101", "1103", "3901", "4601", "5001", "030101"],
            "unit_name": list("abcdef"),
            "unit_type": ["kommune"] * 5 + ["bydel"],
        }
    )
    w26 = frame_wave(frame, W26.drop(columns="kommunenummer_2020"), frame["unit_id"].str[:4])
    assert w26["responded"].tolist() == [1, 1, 1, 1, 1, 0] and w26["weight"].iloc[0] == 6 / 5
    t = _tables({2021: W21, 2026: w26}, {2021: None, 2026: 6}, {2026: "x_text_ch9_response_rate_2026"})
    rr = t["x_text_ch9_response_rate_2026"].set_index("series")["value"]
    assert rr["units_in_frame"] == 6 and rr["units_responded"] == 5 and rr["oslo_bydeler_in_frame"] == 1
    assert "text_ch9_response_rate" not in t


# ---------------------------------------------------------------------------------------------
# a frame in the 2024 kommuner
def test_a_2024_frame_has_357_minus_oslo_plus_15_units_grouped_by_their_2020_kommune():
    from analysis.survey.nonresponse import structure_population

    k24 = load_kommuner(PUBLIC / "kommuner/kommuner_2024_folkemengde.csv", 2024)
    munis, bydeler, units = structure_population(
        k24,
        PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv",
        PUBLIC / "geo/oslo_bydeler_2020.geojson",
        {"1577": "west"},
        "folkemengde_2026_01_01",
        "report_derived",
    )
    assert len(munis) == 357 and len(units) == 356 + 15
    region = munis.set_index("kommunenummer")["region"]
    # Haram (1580, split from Ålesund 1507 in 2024) lies in Ålesund's region, Horten (3901) in tva
    assert region["1580"] == region["1508"] == "mid_north" and region["3901"] == "tva"
    assert munis.set_index("kommunenummer").loc["4601", "size_group"] == "big4"
    assert units["region_ssb_landsdel"].notna().all()


def test_demo_followup_frame_is_the_2024_kommuner_without_oslo_and_the_bydeler():
    from analysis.demo.followup import branch_sizes, plain_frame
    from analysis.survey.nonresponse import read_bydeler

    k24 = load_kommuner(PUBLIC / "kommuner/kommuner_2024_folkemengde.csv", 2024)
    frame = plain_frame(k24, read_bydeler(PUBLIC / "geo/oslo_bydeler_2020.geojson"))
    assert len(frame) == 371 and "0301" not in set(frame["unit_id"]) and "1580" in set(frame["unit_id"])
    assert (frame["unit_type"] == "bydel").sum() == 15
    # branch shares of the latest calibrated wave (2021: 64 yes, 58 nei + 16 vet ikke of 138)
    n_yes, no = branch_sizes(CB, 2026, 138)
    assert n_yes == 64 and no == {2: 58, 9: 16}
