"""Survey stage (issue 4): validation, collapse rules, intervals, open text, demo calibration."""

from __future__ import annotations

import atexit
import functools
import math
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import DEFAULTS, SPLIT_TO

from analysis.core.errors import InputError
from analysis.core.kommune import load_code_map
from analysis.core.messages import Messages, load_messages
from analysis.core.tidy import write_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.ingest import (
    frame_wave,
    harmonise_units,
    read_frame,
    read_survey,
    strip_open_text,
    validate_survey,
)
from analysis.survey.stats import domain_stats, effective_base, figure_table, wilson
from analysis.survey.tables import survey_tables

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = (ROOT.parent / "shared" / "data").resolve()
PUBLISHED = (ROOT.parent / "shared" / "reference" / "published_results.yaml").resolve()
CLAIMS = (ROOT.parent / "shared" / "reference" / "published_claims.yaml").resolve()
CB = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
WORDS_NO = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / "no.yaml"))
PLANTED = "PLANTET-HEMMELIG-7f3a kommentar om Fru Hansen"


# ---------------------------------------------------------------------------------------------
# small hand-made files
def write_frame(path: Path, units=("0301", "1101", "1103", "030101", "030102")) -> Path:
    rows = ["unit_id,unit_name,unit_type"]
    for u in units:
        if u == "0301":
            continue
        rows.append(f"{u},Enhet {u},{'bydel' if len(u) == 6 else 'kommune'}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def survey_rows(year: int, rows: list[dict]) -> pd.DataFrame:
    """One row per dict; the options of a checkbox question a routed row answers at all default
    to 0 (unticked), as a survey export writes them."""
    cols = ["unit_id", *CB.items_for(year)]
    blocks = {}
    for c in cols[1:]:
        if CB.items[c].get("scale") == "checkbox":
            blocks.setdefault((CB.items[c]["block"], str(CB.gate(c))), []).append(c)
    out = []
    for r in rows:
        r = dict(r)
        for opts in blocks.values():
            g = CB.gate(opts[0])
            routed = g is None or r.get(g["item"], "") in g["in"]
            if routed and any(r.get(o, "") != "" for o in opts):
                r = {**{o: 0 for o in opts}, **r}
        out.append({c: r.get(c, "") for c in cols})
    return pd.DataFrame(out, columns=cols)


def yes_unit(uid, **kw):
    base = {
        "unit_id": uid,
        "Q_FILTER": 1,
        "YB_INFORM": 1,
        "YB_CHANNEL_RECEPTION": 1,
        "YB_CHANNEL_PHYSICAL": 0,
        "YB_RULES": 2,
        "YB_REFUSED": 2,
        "YB_CONSEQ_EXTRA_WORK": 4,
        "YB_LOSS_RISK": 9,
        "YB_WHO_SINGLE_MEN": 5,
        "YB_OPEN_IMPROVEMENT": PLANTED,
    }
    row = {**base, **kw}
    if row["YB_INFORM"] != 1:
        row.update(
            {k: row.get(k, "") if k in kw else "" for k in ("YB_CHANNEL_RECEPTION", "YB_CHANNEL_PHYSICAL")}
        )
    return row


def no_unit(uid, **kw):
    return {
        "unit_id": uid,
        "Q_FILTER": 2,
        "NB_BEFORE_2016": 9,
        "NB_FUTURE": 2,
        "NB_REASON_NO_REQUESTS": 1,
        "NB_REASON_CAPACITY": 0,
        **kw,
    }


def write_survey(path: Path, year: int, rows: list[dict]) -> Path:
    survey_rows(year, rows).to_csv(path, index=False)
    return path


def check(path, year, frame=None, code_map=None):
    df = read_survey(str(path), CB, year)
    units = set(read_frame(str(frame))["unit_id"]) if frame else None
    return validate_survey(df, CB, year, str(path), valid_units=units, code_map=code_map)


@pytest.fixture(scope="module")
def code_map():
    return load_code_map(PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)


# ---------------------------------------------------------------------------------------------
# validation: every failure names file, line, column and value
@pytest.mark.parametrize(
    "rows,line,column,value,words",
    [
        # code outside the item's scale (agree5_dk has 1-5 and 9)
        (
            [yes_unit("1101"), yes_unit("1103", YB_CONSEQ_EXTRA_WORK=7)],
            3,
            "YB_CONSEQ_EXTRA_WORK",
            "7",
            "not in the scale",
        ),
        # checkbox other than 0/1
        ([yes_unit("1101", YB_CHANNEL_PHYSICAL=2)], 2, "YB_CHANNEL_PHYSICAL", "2", "not in the scale"),
        # routing: a yes-branch item answered by a unit that said no to the filter
        (
            [no_unit("1101"), no_unit("1103", YB_CONSEQ_EXTRA_WORK=3)],
            3,
            "YB_CONSEQ_EXTRA_WORK",
            3,
            "routing violation",
        ),
        # routing: a no-branch item answered in the yes-branch
        ([yes_unit("1101", NB_FUTURE=1)], 2, "NB_FUTURE", 1, "routing violation"),
        # gate question: channels only where YB_INFORM = ja
        (
            [yes_unit("1101"), yes_unit("030101", YB_INFORM=2, YB_CHANNEL_RECEPTION=1)],
            3,
            "YB_CHANNEL_RECEPTION",
            "1",
            "gate-question violation",
        ),
        # gate question: refusal reasons only where YB_REFUSED = ja
        ([yes_unit("1101", YB_REFUSE_CONTRACT=1)], 2, "YB_REFUSE_CONTRACT", 1, "gate-question violation"),
        # gate question: rule contents only where YB_RULES = ja
        (
            [yes_unit("1101", YB_RULES=9, YB_RULES_DWELLING=0)],
            2,
            "YB_RULES_DWELLING",
            0,
            "gate-question violation",
        ),
        # the filter question unanswered
        ([yes_unit("1101"), {"unit_id": "1103"}], 3, "Q_FILTER", None, "filter question"),
        # one row per unit
        ([yes_unit("1101"), no_unit("1103"), no_unit("1101")], 4, "unit_id", "1101", "duplicate unit"),
        # a unit that is not in the 2021 frame
        ([yes_unit("1101"), no_unit("1106")], 3, "unit_id", "1106", "not in the 2021 survey frame"),
        # Oslo itself is not a unit (its bydeler are)
        ([no_unit("0301")], 2, "unit_id", "0301", "not in the 2021 survey frame"),
        # malformed id (leading zero lost)
        ([no_unit("30101")], 2, "unit_id", "30101", "4-digit"),
    ],
)
def test_validation_2021_names_file_line_column_value(tmp_path, rows, line, column, value, words):
    frame = write_frame(tmp_path / "frame.csv")
    path = write_survey(tmp_path / "s21.csv", 2021, rows)
    with pytest.raises(InputError) as exc:
        check(path, 2021, frame=frame)
    err = exc.value
    assert err.file == str(path) and err.line == line and err.column == column
    if value is not None:
        assert str(err.value) == str(value)
    assert words in str(err)


def test_validation_2016_unit_must_be_valid_in_2016(tmp_path, code_map):
    # 5001 (Trondheim) exists only from 2018; 1601 was Trondheim's code in 2016
    ok = write_survey(tmp_path / "ok.csv", 2016, [yes_unit("1601"), yes_unit("030105"), no_unit("0301")])
    out = check(ok, 2016, code_map=code_map)
    assert list(harmonise_units(out, code_map)) == ["5001", "0301", "0301"]
    bad = write_survey(tmp_path / "bad.csv", 2016, [yes_unit("1601"), yes_unit("5001")])
    with pytest.raises(InputError) as exc:
        check(bad, 2016, code_map=code_map)
    assert (exc.value.line, exc.value.column, exc.value.value) == (3, "unit_id", "5001")
    assert "valid in 2016" in str(exc.value)


def test_missing_and_unknown_columns_are_errors(tmp_path):
    df = survey_rows(2021, [yes_unit("1101")])
    df.drop(columns=["YB_RULES"]).to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(InputError) as exc:
        read_survey(str(tmp_path / "a.csv"), CB, 2021)
    assert exc.value.line == 1 and exc.value.column == "YB_RULES"
    df.assign(EXTRA=1).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError) as exc:
        read_survey(str(tmp_path / "b.csv"), CB, 2021)
    assert exc.value.column == "EXTRA"


def test_frame_validation(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("unit_id,unit_name,unit_type\n1101,A,kommune\n030116,X,bydel\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_frame(str(p))
    assert (exc.value.line, exc.value.column, exc.value.value) == (3, "unit_id", "030116")
    p.write_text("unit_id,unit_name,unit_type\n1101,A,bydel\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_frame(str(p))
    assert exc.value.column == "unit_type" and exc.value.line == 2


# ---------------------------------------------------------------------------------------------
# collapse rules, bases and the mean score
def numeric(rows, year=2021):
    df = survey_rows(year, rows)
    for c in df.columns[1:]:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    return df


def by_cat(recs, item):
    return {r["category"]: (r["value"], r["n"]) for r in recs if r["item"] == item}


def test_collapse_agree_scale_into_enig_noytral_uenig():
    codes = [1, 2, 3, 4, 5, 9, 4, None]  # helt uenig .. vet ikke, one not answered
    rows = [yes_unit(f"10{i:02d}", YB_CONSEQ_EXTRA_WORK=c if c else "") for i, c in enumerate(codes)]
    recs = figure_table(numeric(rows), CB, "fig_11_9", 2021, None, 0.95)
    got = by_cat(recs, "extra_work")
    assert got["enig"] == (pytest.approx(100 * 3 / 7), 7)  # delvis + helt enig
    assert got["noytral"] == (pytest.approx(100 * 2 / 7), 7)  # verken + vet ikke
    assert got["uenig"] == (pytest.approx(100 * 2 / 7), 7)


def test_collapse_excludes_dont_know_where_the_figure_does_and_mean_scores():
    rows = [
        yes_unit(f"10{i:02d}", YB_LOSS_RISK=c, YB_WHO_SINGLE_MEN=m)
        for i, (c, m) in enumerate([(1, 1), (2, 5), (4, 9), (5, 4), (9, 9), (3, 2)])
    ]
    got = by_cat(figure_table(numeric(rows), CB, "fig_11_20", 2021, None, 0.95), "")
    assert got["ofte_svaert_ofte"] == (pytest.approx(40.0), 5)  # 'vet ikke' outside the base
    assert got["ofte_svaert_ofte + noen_ganger"][0] == pytest.approx(60.0)
    mean = [
        r for r in figure_table(numeric(rows), CB, "fig_11_14", 2021, None, 0.95) if r["item"] == "single_men"
    ][0]
    assert mean["value"] == pytest.approx((1 + 5 + 4 + 2) / 4) and mean["n"] == 4


def test_checkbox_base_is_units_answering_the_question():
    rows = [
        yes_unit("1001", YB_INFORM=1, YB_CHANNEL_RECEPTION=1, YB_CHANNEL_PHYSICAL=0),
        yes_unit("1002", YB_INFORM=1, YB_CHANNEL_RECEPTION=0, YB_CHANNEL_PHYSICAL=1),
        yes_unit("1003", YB_INFORM=1, YB_CHANNEL_RECEPTION="", YB_CHANNEL_PHYSICAL=""),
        yes_unit("1004", YB_INFORM=2, YB_CHANNEL_RECEPTION="", YB_CHANNEL_PHYSICAL=""),
    ]
    got = by_cat(figure_table(numeric(rows), CB, "fig_11_5", 2021, None, 0.95), "via_reception_centres")
    assert got[""] == (pytest.approx(50.0), 2)


# ---------------------------------------------------------------------------------------------
# standard errors and intervals
def test_domain_se_matches_closed_form_with_fpc():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 1, 1, 1], dtype=float)  # domain of 10 among 40 respondents
    p, se, n_d = domain_stats(y, 40, 370)
    expected = math.sqrt((1 - 40 / 370) * 40 / 39 * p * (1 - p) / 10)
    assert (p, n_d) == (0.6, 10) and se == pytest.approx(expected, rel=1e-12)
    _, se_nofpc, _ = domain_stats(y, 40, None)
    assert se_nofpc == pytest.approx(math.sqrt(40 / 39 * 0.24 / 10), rel=1e-12)
    assert domain_stats(np.ones(40), 40, 40)[1] == 0.0  # a census has no sampling error


def test_wilson_interval():
    lo, hi = wilson(0.5, 100, 0.95)  # textbook value
    assert (lo, hi) == (pytest.approx(0.4038, abs=1e-4), pytest.approx(0.5962, abs=1e-4))
    lo, hi = wilson(1.0, 24, 0.95)  # 24 of 24: interval below 100 %
    assert hi == pytest.approx(1.0) and 0.8 < lo < 0.9
    neff = effective_base(24, 138, 370)
    assert neff == pytest.approx(24 * 137 / (138 * (1 - 138 / 370)))


# ---------------------------------------------------------------------------------------------
# open text never leaves the ingest step
def test_planted_open_text_reaches_no_output(tmp_path):
    frame_path = write_frame(tmp_path / "frame.csv")
    s21 = write_survey(
        tmp_path / "s21.csv",
        2021,
        [yes_unit("1101"), yes_unit("030101", YB_OPEN_CONSEQUENCES=PLANTED + " nettverk"), no_unit("1103")],
    )
    s16 = write_survey(tmp_path / "s16.csv", 2016, [yes_unit("1601"), no_unit("1103")])
    tables, processed = run_stage(tmp_path, frame_path, s21, s16)
    out_dir = tmp_path / "out"
    for eid, t in tables.items():
        write_tidy(t, out_dir / f"{eid}.csv", synthetic=False)
    for p in processed:
        assert PLANTED.encode() not in p.read_bytes()
        assert b"Fru Hansen" not in p.read_bytes()
    for p in out_dir.glob("*.csv"):
        assert "Fru Hansen" not in p.read_text(encoding="utf-8")
    counts = tables["text_ch11_survey_routing_counts"].set_index(["year", "series"])["value"]
    assert counts[("2021", "open_improvement_n")] == 2
    assert counts[("2021", "open_comment_consequences_n")] == 1
    assert counts[("2021", "open_comments_on_networks_n")] == 1


def run_stage(tmp_path, frame_path, s21_path, s16_path, code_map=None):
    """What the survey_ingest and survey rules do, on the given files only."""
    code_map = (
        load_code_map(PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)
        if code_map is None
        else code_map
    )
    frame = read_frame(str(frame_path))
    s21 = strip_open_text(check(s21_path, 2021, frame=frame_path), CB, 2021)
    s16 = strip_open_text(check(s16_path, 2016, code_map=code_map), CB, 2016)
    fr = frame.drop(columns=["_line"])
    w21 = frame_wave(fr, s21, harmonise_units(fr, code_map))
    p21, p16 = tmp_path / "survey_2021.parquet", tmp_path / "survey_2016.parquet"
    w21.to_parquet(p21, index=False)
    s16.to_parquet(p16, index=False)
    waves = {2021: pd.read_parquet(p21), 2016: pd.read_parquet(p16)}
    tables = survey_tables(waves, CB, {2021: len(fr), 2016: None}, 0.95, 30, {2021: "text_ch9_response_rate"})
    return tables, [p21, p16]


def test_tables_come_from_the_given_files_alone(tmp_path):
    """demo: false: a user's small files give exactly their own percentages."""
    frame_path = write_frame(tmp_path / "frame.csv")
    rows = [
        yes_unit("1101", YB_INFORM=1),
        yes_unit("1103", YB_INFORM=2, YB_CHANNEL_RECEPTION=""),
        yes_unit("030101", YB_INFORM=9, YB_CHANNEL_RECEPTION=""),
        no_unit("030102"),
    ]
    s21 = write_survey(tmp_path / "s21.csv", 2021, rows)
    s16 = write_survey(tmp_path / "s16.csv", 2016, [yes_unit("1601", YB_INFORM=2, YB_CHANNEL_RECEPTION="")])
    tables, _ = run_stage(tmp_path, frame_path, s21, s16)
    f4 = tables["fig_11_4"].set_index(["year", "category"])
    assert f4.loc[("2021", "informerer"), "value"] == pytest.approx(100 / 3)
    assert f4.loc[("2021", "informerer"), "n"] == 3
    assert f4.loc[("2016", "informerer_ikke"), "value"] == pytest.approx(100.0)
    rr = tables["text_ch9_response_rate"].set_index("series")["value"]
    assert rr["units_in_frame"] == 4 and rr["units_responded"] == 4
    ch = tables["x_survey_change_2016_2021"]
    row = ch[(ch["series"] == "fig_11_4") & (ch["category"] == "informerer_ikke")].iloc[0]
    assert row["value"] == pytest.approx(100 / 3 - 100)


# ---------------------------------------------------------------------------------------------
# the demo calibration reproduces every exact/text survey number
@functools.lru_cache(maxsize=1)
def _demo_build():
    """The demo waves through the stage once per test session (shared with the R check)."""
    from analysis.core.kommune import load_kommuner_2020
    from analysis.demo import survey as ds

    tmp = Path(tempfile.mkdtemp(prefix="survey_demo_"))
    atexit.register(shutil.rmtree, tmp, True)
    published = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))
    frame = ds.demo_frame(load_kommuner_2020(PUBLIC / "kommuner/kommuner_2020_folkemengde.csv"))
    frame.to_csv(tmp / "frame.csv", index=False)
    rng = np.random.default_rng(7)
    byd = sorted(u for u in frame["unit_id"] if len(u) == 6)
    kom = sorted(u for u in frame["unit_id"] if len(u) == 4)
    resp = sorted(list(rng.permutation(byd)[:9]) + list(rng.permutation(kom)[:129]))
    yes = ds.choose_yes_branch(resp, {u: 1 for u in kom[:40]}, 64, 1)
    assert set(kom[:40]) & set(resp) <= set(yes)
    cm = load_code_map(PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)
    u16 = ds.units_2016(cm, 150, 3)
    claims = ds.survey_claims(CB, yaml.safe_load(CLAIMS.read_text(encoding="utf-8")))
    w21, w16, _ = ds.generate_waves(
        CB, published, claims, (yes, sorted(set(resp) - set(yes)), 2), (u16[:100], u16[100:], 4)
    )
    w21.to_csv(tmp / "s21.csv", index=False)
    w16.to_csv(tmp / "s16.csv", index=False)
    tables, processed = run_stage(tmp, tmp / "frame.csv", tmp / "s21.csv", tmp / "s16.csv", cm)
    return tables, published, processed


@pytest.fixture
def demo_tables():
    return _demo_build()


def test_demo_reproduces_every_exact_and_text_survey_number(demo_tables):
    from analysis.report.reproduction import scorecard

    tables, published, _ = demo_tables
    decisions = (
        yaml.safe_load((ROOT / "workflow/resources/reproduction_decisions.yaml").read_text(encoding="utf-8"))[
            "decisions"
        ]
        or []
    )
    card = scorecard(published, tables, decisions, set(tables))
    hard = card[card["status"].isin(["exact", "text"])]
    assert len(hard) > 100
    bad = hard[~hard["verdict"].isin(["match", "published_conflict"])]
    assert bad.empty, bad[["entry_id", "year", "series", "item", "category", "published", "computed"]]
    rr = tables["text_ch9_response_rate"].set_index("series")["value"]
    assert (rr["units_in_frame"], rr["units_responded"], rr["municipalities_in_frame"]) == (370, 138, 356)


def test_demo_meets_every_survey_claim_with_other_seeds_and_units(demo_tables):
    """The calibration to the report's statements is not luck of the build's seed."""
    from analysis.core.messages import Messages, load_messages
    from analysis.report.claims import claims_scorecard

    tables, _, _ = demo_tables
    doc = yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))
    survey = [c for c in doc["claims"] if c["entry_id"].startswith("fig_11_")]
    assert len(survey) > 150
    t = Messages(load_messages(Path(__file__).resolve().parents[1] / "workflow/report/messages/en.yaml"))
    card = claims_scorecard({"claims": survey}, tables, t, "en", [])
    assert (card["verdict"] == "holds").all(), card[card["verdict"] != "holds"].to_dict("records")


def test_demo_profiles_are_not_degenerate(demo_tables):
    """No two items of a figure with the same answer profile, no figure whose bars are all equal."""
    tables, _, _ = demo_tables
    for fid in [f"fig_11_{i}" for i in range(1, 22)]:
        t = tables[fid]
        t = t[~t["category"].str.contains("uncollapsed") & t["n"].notna()]
        for year, g in t.groupby("year"):
            profiles = g.groupby("item")["value"].apply(lambda v: tuple(np.round(v.to_numpy(), 6)))
            if g["category"].nunique() > 1:
                dupes = profiles[profiles.duplicated(keep=False)]
                assert dupes.empty, (fid, year, list(dupes.index))
            elif len(profiles) >= 3:
                assert profiles.nunique() > 1, (fid, year, "all bars equal")


def test_demo_is_routed_and_every_2021_percentage_has_an_interval(demo_tables):
    tables, _, _ = demo_tables
    for fid in [f"fig_11_{i}" for i in range(1, 22)]:
        t = tables[fid]
        t21 = t[(t["year"] == "2021") & t["n"].notna()]
        assert not t21.empty, fid
        assert t21[["ci_low", "ci_high"]].notna().all().all(), fid
        assert ((t21["ci_low"] <= t21["value"] + 1e-9) & (t21["value"] <= t21["ci_high"] + 1e-9)).all(), fid
    ch = tables["x_survey_change_2016_2021"]
    assert {"fig_11_4", "fig_11_12", "fig_11_14", "fig_11_16"} <= set(ch["series"])
    assert ch["p_value"].dropna().between(0, 1).all()


# ---------------------------------------------------------------------------------------------
# issue 18: change intervals, tests and multiplicity
@pytest.mark.parametrize(
    "a,n1,b,n2,expected",
    [  # Newcombe (1998), table II, method 10
        (56, 70, 48, 80, (0.0524, 0.3339)),
        (9, 10, 3, 10, (0.1705, 0.8090)),
        (5, 56, 0, 29, (-0.0381, 0.1926)),
        (0, 10, 0, 20, (-0.1611, 0.2775)),
    ],
)
def test_newcombe_matches_the_published_examples(a, n1, b, n2, expected):
    from analysis.survey.stats import newcombe

    p1, p0 = a / n1, b / n2
    lo, hi = newcombe(p0, wilson(p0, n2, 0.95), p1, wilson(p1, n1, 0.95))
    assert (lo, hi) == pytest.approx(expected, abs=5e-5)


def test_holm_and_bh_match_r_p_adjust():
    from analysis.survey.stats import benjamini_hochberg, holm

    p = np.array([0.01, 0.04, np.nan, 0.03, 0.005])
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") / "BH"
    assert holm(p)[[0, 1, 3, 4]] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert benjamini_hochberg(p)[[0, 1, 3, 4]] == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert np.isnan(holm(p)[2]) and np.isnan(benjamini_hochberg(p)[2])


def test_rao_scott_has_nothing_to_test_without_variation_or_variance():
    from analysis.survey.stats import rao_scott

    a, b = np.array(["x", "y", "x"]), np.array(["x", "x"])
    assert rao_scott([(np.array(["x", "x"]), 5, None), (np.array(["x"]), 4, None)]) is None  # one answer
    assert rao_scott([(a, 3, None)]) is None  # one wave
    assert rao_scott([(a, 3, None), (np.array(["y"]), 1, None)]) is None  # a wave of one unit
    assert rao_scott([(a, 3, 3), (b, 2, 2)]) is None  # both waves are censuses
    r = rao_scott([(a, 10, None), (b, 8, None)])
    assert r.ndf == pytest.approx(1.0) and 0 < r.p_value < 1 and r.n == 5


def test_change_rows_at_0_and_100_percent_keep_their_width_and_wording_changes_are_untested(tmp_path):
    frame_path = write_frame(
        tmp_path / "frame.csv", units=("0301", "1101", "1103", "1106", "030101", "030102")
    )
    rows21 = [yes_unit(u, YB_INFORM=1, YB_IMDI_TIME=1) for u in ("1101", "1103", "1106", "030101")]
    rows16 = [
        yes_unit(u, YB_INFORM=2, YB_CHANNEL_RECEPTION="", YB_IMDI_TIME=2) for u in ("1601", "1612", "1613")
    ]
    s21 = write_survey(tmp_path / "s21.csv", 2021, rows21)
    s16 = write_survey(tmp_path / "s16.csv", 2016, rows16)
    tables, _ = run_stage(tmp_path, frame_path, s21, s16)
    ch = tables["x_survey_change_2016_2021"]
    r = ch[(ch["series"] == "fig_11_4") & (ch["category"] == "informerer")].iloc[0]
    assert (r["value_2016"], r["value_2021"], r["n_2016"], r["n_2021"]) == (0, 100, 3, 4)
    assert r["small_base"] and r["ci_method"] == "newcombe"
    assert r["ci_low"] < r["value"] == 100 and r["ci_high"] == pytest.approx(100)  # width below
    item = ch[(ch["series"] == "fig_11_4") & (ch["category"] == "")].iloc[0]
    assert item["test"] == "rao_scott_f" and 0 <= item["p_value"] <= item["p_holm"] <= 1
    assert ch[(ch["series"] == "fig_11_4") & (ch["category"] != "")]["p_value"].isna().all()
    t19 = ch[ch["series"] == "fig_11_19"]
    assert len(t19) and not t19["comparable"].any() and (t19["test"] == "").all()
    assert t19["p_value"].isna().all() and t19["note"].str.startswith("ikke sammenlignbart").all()


def test_demo_change_table_columns_and_no_degenerate_interval(demo_tables):
    tables, _, _ = demo_tables
    ch = tables["x_survey_change_2016_2021"]
    for c in ("n_2016", "n_2021", "small_base", "p_value", "p_holm", "p_bh", "comparable", "test"):
        assert c in ch.columns, c
    rows = ch[ch["value"].notna()]
    width = rows["ci_high"] - rows["ci_low"]
    assert (width > 0).all() and (width[rows["ci_method"] == "newcombe"] > 0.5).all()
    edge = rows[rows[["value_2016", "value_2021"]].isin([0.0, 100.0]).any(axis=1)]
    assert len(edge) >= 2  # Figur 11.7 (100 % in 2021) and 11.20 (0 % in 2016) in the demo
    assert ((edge["ci_low"] < edge["value"]) & (edge["value"] < edge["ci_high"])).all()
    # one test per distribution item, none per category
    dist = ch[ch["series"].isin(["fig_11_2", "fig_11_4", "fig_11_6", "fig_11_20"])]
    assert (dist.loc[dist["category"] != "", "test"] == "").all()
    assert (dist.loc[dist["category"] == "", "test"] == "rao_scott_f").all()
    # the wording change of Figur 11.15 is flagged and untested
    ww = ch[(ch["series"] == "fig_11_15") & (ch["item"] == "faster_work_education")].iloc[0]
    assert not ww["comparable"] and np.isnan(ww["p_value"])
    tested = ch[ch["test"] != ""]
    assert (tested["p_holm"] >= tested["p_value"]).all() and (tested["p_bh"] >= tested["p_value"]).all()
    assert (tables["fig_11_7"]["small_base"] == (tables["fig_11_7"]["n"] < 30)).all()


def test_figures_mark_small_bases(demo_tables):
    import matplotlib

    matplotlib.use("Agg")
    from analysis.survey.figures import plot_figure

    tables, _, _ = demo_tables
    t7 = tables["fig_11_7"]
    fig = plot_figure(t7, CB, "fig_11_7", "no", DEFAULTS["survey"]["confidence"], WORDS_NO)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for n, small in set(zip(t7["n"], t7["small_base"])):
        assert any(t.endswith(f"(N = {n}{'*' if small else ''})") for t in texts), (n, small)
    assert t7["small_base"].any() and not t7["small_base"].all()
    assert not tables["fig_11_4"]["small_base"].any()
    fig = plot_figure(tables["fig_11_4"], CB, "fig_11_4", "no", DEFAULTS["survey"]["confidence"], WORDS_NO)
    assert not any("*" in t.get_text() for t in fig.axes[0].get_yticklabels())


def test_solve_counts_remembers_each_problem_by_everything_it_is_built_from():
    """The demo calibration's memory (decision 0137): the same problem gives the solver's answer
    again, as a fresh dict; another prior, target, base or bound is another problem."""
    from analysis.demo import survey as ds

    hi, lo = {1: 0.9, 2: 0.1}, {1: 0.2, 2: 0.8}
    first = ds.solve_counts([1, 2], 10, [], hi)
    assert first == ds._solve_counts([1, 2], 10, [], hi, False, ()) == {1: 9, 2: 1}
    first[1] = 99
    assert ds.solve_counts([1, 2], 10, [], hi) == {1: 9, 2: 1}
    assert ds.solve_counts([1, 2], 10, [], lo) == {1: 2, 2: 8}
    assert ds.solve_counts([1, 2], 20, [], hi) == {1: 18, 2: 2}
    assert ds.solve_counts([1, 2], 10, [ds.Target((1,), 40.0, "pct")], hi) == {1: 4, 2: 6}
    assert ds.solve_counts([1, 2], 10, [], hi, extra=[ds.LinearBound({1: 1.0}, 0, 3)]) == {1: 3, 2: 7}
    assert ds.solve_counts([1, 2], 10, [ds.Target((1,), 33.0, "pct")], hi) is None  # 3.3 units


def test_problems_solved_ahead_for_numbered_units_are_those_of_any_units():
    """Rule demo_survey_solve solves the calibration for numbered units before the frame exists
    (decision 0137): with real unit names (in another order) every problem is one of those, and
    the waves from the remembered answers equal the waves solved on the spot."""
    import json

    from analysis.demo import survey as ds

    published = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))
    claims = ds.survey_claims(CB, yaml.safe_load(CLAIMS.read_text(encoding="utf-8")))
    ds._SOLVED.clear()
    ahead = json.loads(json.dumps(ds.solve_ahead(CB, published, claims, 138, 5)))
    ds._SOLVED.clear()
    rng = np.random.default_rng(11)
    names = [f"{k:04d}" for k in rng.choice(np.arange(101, 5500), size=288, replace=False)]
    yes, no, u16 = sorted(names[:64]), sorted(names[64:138]), names[138:]
    here = ds.report_waves(CB, published, claims, (yes, no), u16, 5)
    solved_here = {json.dumps(k) for k, _ in ds.solved_problems()}
    ds._SOLVED.clear()
    assert ds.remember_solved(ahead) == len(ahead) == len(solved_here)
    remembered = ds.report_waves(CB, published, claims, (yes, no), u16, 5)
    assert {json.dumps(k) for k, _ in ds.solved_problems()} == solved_here  # none solved anew
    for a, b in zip(here[:2], remembered[:2]):
        pd.testing.assert_frame_equal(a, b)
    assert here[2] == remembered[2]


@pytest.mark.parametrize("fid", ["fig_11_4", "fig_11_7", "fig_11_14", "fig_11_15"])
def test_figure_table_read_without_pandas_draws_the_same_figure(demo_tables, tmp_path, fid):
    """Rule survey_figures reads its tables with read_table (no pandas): the numbers written
    (floats exactly), and the SVG drawn from them is byte for byte the one drawn from the table in
    memory (a missing interval, a missing base and a comma in a key included)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from analysis.survey.figures import FIGURE_COLUMNS, plot_figure, read_table

    t = demo_tables[0][fid].copy()
    t.loc[0, "ci_low"] = np.nan
    t.loc[len(t) - 1, "n"] = pd.NA
    t.loc[1, "series"] = "a, b"
    write_tidy(t, tmp_path / f"{fid}.csv", synthetic=True)
    plain = read_table(tmp_path / f"{fid}.csv")
    assert set(plain) == set(FIGURE_COLUMNS)
    for col in FIGURE_COLUMNS:
        want = [None if pd.isna(v) else v for v in t[col]]
        got = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in plain[col]]
        assert got == want, col

    def svg(table):
        buf = io.StringIO()
        fig = plot_figure(table, CB, fid, "no", DEFAULTS["survey"]["confidence"], WORDS_NO)
        fig.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue()

    assert svg(plain) == svg(t)
