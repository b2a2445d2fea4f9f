"""Pure inference functions of issue 25 on small hand-checkable data (R comparisons are in
tests/test_survey_r.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import RAKE, SPLIT_TO

from analysis.survey.frame_sizes import fpc_sizes, frame_size_table, read_frame_sizes
from analysis.survey.inference import (
    design_rao_scott,
    fisher_exact_p,
    korn_graubard_base,
    newcombe_correlated,
    sparse_table,
    stacked_covariance,
)
from analysis.survey.stats import newcombe, rao_scott


def test_fpc_is_a_stated_choice_per_wave():
    sizes = {2021: 370, 2016: None}
    assert fpc_sizes(sizes, {"default": "frame"}) == {2021: 370, 2016: None}
    assert fpc_sizes(sizes, {"default": "frame", "2021": "none"}) == {2021: None, 2016: None}
    assert fpc_sizes({2021: 370, 2016: 400}, {"default": "none", "2016": "frame"}) == {2021: None, 2016: 400}
    with pytest.raises(ValueError, match="2021"):
        fpc_sizes(sizes, {"default": "frame", "2021": "sometimes"})


def test_frame_sizes_are_written_once_and_read_back_as_computed(tmp_path):
    """survey_ingest's frame sizes (decision 0177): 2021 has a frame file of 370 rows, 2016 a
    configured size of 428 and 2026 none; 2016's correction is switched off."""
    t = frame_size_table(
        {2026: 95, 2016: 210, 2021: 370}, {"2016": 428}, [2021], {"default": "frame", "2016": "none"}
    )
    path = tmp_path / "survey_frame_sizes.csv"
    t.to_csv(path, index=False)
    assert path.read_text().splitlines() == [
        "wave,frame_size,fpc_size",
        "2016,428,",
        "2021,370,370",
        "2026,,",
    ]
    assert read_frame_sizes(path) == ({2016: 428, 2021: 370, 2026: None}, {2016: None, 2021: 370, 2026: None})


def test_design_rao_scott_with_waves_as_strata_is_the_equal_weights_test():
    a = np.array(["x"] * 7 + ["y"] * 5 + ["z"] * 3)
    b = np.array(["x"] * 3 + ["y"] * 6 + ["z"] * 6 + ["x"])
    ref = rao_scott([(a, 20, 50), (b, 16, None)])  # 5 and 0 units outside the domain
    rows = np.array(["a"] * 20 + ["b"] * 16)
    cols = np.concatenate([a, np.full(5, "x"), b])
    domain = np.r_[np.ones(15, bool), np.zeros(5, bool), np.ones(16, bool)]
    got = design_rao_scott(
        rows, cols, np.ones(36), rows, np.arange(36), np.r_[np.full(20, 50.0), np.full(16, np.inf)], domain
    )
    for f in ("f", "ndf", "ddf", "p_value", "pearson"):
        assert getattr(got, f) == pytest.approx(getattr(ref, f), rel=1e-12), f


def test_design_rao_scott_has_nothing_to_test():
    one = np.array(["x"] * 6)
    assert (
        design_rao_scott(
            np.r_[["a"] * 3, ["b"] * 3],
            one,
            np.ones(6),
            np.zeros(6),
            np.arange(6),
            np.full(6, np.inf),
            np.ones(6, bool),
        )
        is None
    )  # one answer
    rows = np.r_[["a"] * 3, ["b"]]
    # a stratum (wave) of a single unit: no variance estimate (R: lonely PSU)
    assert (
        design_rao_scott(
            rows,
            np.array(["x", "y", "x", "y"]),
            np.ones(4),
            rows,
            np.arange(4),
            np.full(4, np.inf),
            np.ones(4, bool),
        )
        is None
    )


def test_sparse_tables_get_fishers_exact_test():
    # the example: 0 of 50 against 4 of 64 (expected 1.75 < 5)
    t = np.array([[0, 50], [4, 60]])
    assert sparse_table(t) and not sparse_table(np.array([[20, 30], [25, 39]]))
    assert not sparse_table(np.array([[1, 2, 3], [4, 5, 6]]))  # only 2 x 2 tables
    assert round(fisher_exact_p(t), 3) == 0.130
    # hand check: [[1, 0], [0, 1]] has two tables with the margins, each of probability 1/2
    assert fisher_exact_p(np.array([[1, 0], [0, 1]])) == pytest.approx(1.0)
    # [[3, 0], [0, 3]]: P = 1/20 for it and for its mirror image
    assert fisher_exact_p(np.array([[3, 0], [0, 3]])) == pytest.approx(0.1)


def test_fisher_equals_scipy_on_many_tables():
    from scipy.stats import fisher_exact

    rng = np.random.default_rng(25)
    for _ in range(300):
        t = rng.integers(0, 30, size=(2, 2))
        if t.sum():
            assert fisher_exact_p(t) == pytest.approx(fisher_exact(t).pvalue, rel=1e-9, abs=1e-15)


def test_correlated_newcombe():
    ci0, ci1 = (0.30, 0.55), (0.50, 0.75)
    assert newcombe_correlated(0.42, ci0, 0.63, ci1, 0.0) == pytest.approx(newcombe(0.42, ci0, 0.63, ci1))
    lo, hi = newcombe_correlated(0.42, ci0, 0.63, ci1, 0.5)
    lo0, hi0 = newcombe(0.42, ci0, 0.63, ci1)
    assert lo0 < lo < 0.21 < hi < hi0  # positive correlation: narrower around the same difference
    # by hand: a = 0.13, b = 0.13, rho 0.5 -> sqrt(0.0169 + 0.0169 - 0.0169) = 0.13
    assert lo == pytest.approx(0.21 - 0.13)


def test_stacked_covariance_by_hand():
    # wave A: units a, b (1, 0); wave B: units b, c (1, 1); unit b answers both
    means, cov = stacked_covariance(
        [np.array([1.0, 0.0]), np.array([1.0, 1.0])],
        [np.array(["a", "b"]), np.array(["b", "c"])],
        [np.ones(2), np.ones(2)],
        None,
    )
    assert means.tolist() == [0.5, 1.0]
    # linearised: a (0.25, 0), b (-0.25, 0), c (0, 0); n = 3 units, mean 0: V_A = 3/2 * 0.125
    assert cov[0, 0] == pytest.approx(1.5 * 0.125) and cov[1, 1] == 0 and cov[0, 1] == 0
    # one wave of 2 units from a frame of 6: (1 - 2/6) * 2/1 * (0.25² + 0.25²)
    assert stacked_covariance([np.array([1.0, 0.0])], [np.array(["a", "b"])], [np.ones(2)], 6)[1][0, 0] == (
        pytest.approx((1 - 2 / 6) * 2 * 0.125)
    )


def test_korn_graubard_base():
    # t(23, 0.975) = 2.068658; (1.959964 / 2.068658)^2 = 0.897670
    assert korn_graubard_base(24.0, 23, 0.95) == pytest.approx(24 * 0.897670, rel=1e-5)
    assert korn_graubard_base(24.0, 1e9, 0.95) == pytest.approx(24.0)
    assert math.isnan(korn_graubard_base(24.0, 0, 0.95))


def test_weighted_interval_keeps_the_fpc_at_0_and_100_percent():
    from analysis.survey.weighting import compare_estimates, margins_of, rake

    sample = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 4})
    frame = pd.DataFrame({"g": ["a"] * 12 + ["b"] * 12})
    res = rake(sample, margins_of(frame, ["g"]), **RAKE)
    survey = pd.DataFrame({"Q": [1] * 10})
    recs = compare_estimates(
        survey, res.weights, sample, ["g"], [{"id": "q", "item": "Q", "positive": [1]}], 0.95, 24
    )
    unw, w = (r for r in recs)
    assert w["value"] == unw["value"] == 100
    assert w["ci_low"] == pytest.approx(unw["ci_low"]) and w["effective_n"] == pytest.approx(
        unw["effective_n"]
    )
    no_fpc = compare_estimates(
        survey, res.weights, sample, ["g"], [{"id": "q", "item": "Q", "positive": [1]}], 0.95, None
    )
    assert no_fpc[1]["ci_low"] < w["ci_low"]  # the correction narrows, as for the unweighted one


def test_starting_weights_must_be_equal():
    from analysis.survey.weighting import check_equal_start, margins_of, rake

    sample = pd.DataFrame({"g": ["a", "a", "b"]})
    margins = margins_of(pd.DataFrame({"g": ["a"] * 4 + ["b"] * 2}), ["g"])
    check_equal_start(np.full(3, 2.0))
    with pytest.raises(ValueError, match="unequal"):
        rake(sample, margins, base_weights=pd.Series([1.0, 2.0, 2.0]), **RAKE)
    with pytest.raises(ValueError, match="positive"):
        rake(sample, margins, base_weights=pd.Series([0.0, 0.0, 0.0]), **RAKE)
    assert rake(sample, margins, base_weights=pd.Series([2.0, 2.0, 2.0]), **RAKE).converged


def test_non_convergence_is_reported_not_hidden():
    from analysis.survey.weighting import diagnostics, margins_of, rake

    # the margins are reached only as the weight of the (a, y) unit goes to 0: slow, not in 2 rounds
    sample = pd.DataFrame({"g": ["a", "a", "b"], "h": ["x", "y", "y"]})
    frame = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10, "h": ["x"] * 10 + ["y"] * 10})
    res = rake(sample, margins_of(frame, ["g", "h"]), tol=RAKE["tol"], max_iter=2)
    assert not res.converged and res.iterations == 2
    d = {
        r["series"]: r["value"]
        for r in diagnostics(res, sample, margins_of(frame, ["g", "h"]))
        if "group" not in r
    }
    assert d["converged"] == 0 and d["iterations"] == 2 and d["max_margin_error"] > 1e-6


# --- on the survey stage's demo waves (module-scoped build shared with test_survey) ----------
from test_survey import CB, demo_tables  # noqa: E402,F401


def test_sparse_items_of_the_change_table_use_fishers_test(demo_tables):  # noqa: F811
    from analysis.survey.stats import answer_groups
    from analysis.survey.tables import respondents

    tables, _, processed = demo_tables
    waves = {
        2021: respondents(pd.read_parquet(processed[0])),
        2016: respondents(pd.read_parquet(processed[1])),
    }
    ch = tables["x_survey_change_2016_2021"]
    two_by_two = ch[ch["test"].isin(["rao_scott_f", "fisher_exact"]) & (ch["category"] == "")]
    two_by_two = two_by_two[~two_by_two["series"].isin(["fig_11_2", "fig_11_4", "fig_11_6", "fig_11_20"])]
    n_fisher = 0
    for _, r in two_by_two.iterrows():
        counts = []
        for y in (2016, 2021):
            g, d = answer_groups(waves[y], CB, r["series"], r["item"])
            counts.append([int((g[d] == "share").sum()), int((g[d] == "rest").sum())])
        counts = np.array(counts)
        assert (r["test"] == "fisher_exact") == sparse_table(counts), (r["series"], r["item"], counts)
        if r["test"] == "fisher_exact":
            n_fisher += 1
            assert r["p_value"] == pytest.approx(fisher_exact_p(counts), rel=1e-12)
            assert np.isnan(r["statistic"]) and r["p_holm"] >= r["p_value"]
    assert n_fisher >= 1


def test_sensitivity_rows_on_the_demo_waves(demo_tables):  # noqa: F811
    """Level rows repeat the chapter's numbers; weights that change nothing give the chapter's
    estimates; overlap-aware change intervals follow the design correlation."""
    from test_survey import PUBLIC

    from analysis.core.kommune import load_code_map
    from analysis.survey.ingest import harmonise_units
    from analysis.survey.sensitivity import change_rows, level_rows, wave_estimands
    from analysis.survey.tables import respondents

    tables, _, processed = demo_tables
    resp = {
        2021: respondents(pd.read_parquet(processed[0])),
        2016: respondents(pd.read_parquet(processed[1])),
    }
    if "kommunenummer_2020" not in resp[2016].columns:  # the ingest adds it; this fixture does not
        cm = load_code_map(PUBLIC / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO)
        resp[2016]["kommunenummer_2020"] = harmonise_units(resp[2016], cm)
    sizes = {2021: 370, 2016: None}
    n21 = len(resp[2021])
    flat = {2021: (np.full(n21, 370 / n21), np.ones((n21, 1)))}  # equal weights, one margin
    levels = pd.DataFrame(level_rows(resp, CB, wave_estimands(resp, CB), sizes, sizes, flat, 0.95, 3.0))
    t = tables["fig_11_4"]
    for year in (2021, 2016):
        row = t[(t["year"] == str(year)) & (t["category"] == "informerer")].iloc[0]
        got = levels[
            (levels["series"] == "fig_11_4") & (levels["year"] == year) & (levels["category"] == "informerer")
        ]
        got = got.iloc[0]
        assert (got["value"], got["ci_low"], got["ci_high"]) == pytest.approx(
            (row["value"], row["ci_low"], row["ci_high"]), rel=1e-12
        )
        if year == 2021:  # without the correction: wider; equal weights: the same estimate
            assert got["ci_high_alt"] - got["ci_low_alt"] > got["ci_high"] - got["ci_low"]
            assert got["value_weighted"] == pytest.approx(got["value"], rel=1e-12)
        else:  # 2016 has no frame: no other choice, no weights
            assert np.isnan(got["ci_low_alt"]) and np.isnan(got["value_weighted"])
    assert not levels.loc[levels["year"] == 2021, "differs"].any()  # nothing moves with equal weights
    ch = tables["x_survey_change_2016_2021"]
    rows = pd.DataFrame(
        change_rows(
            resp, CB, wave_estimands(resp, CB), ch, sizes, flat, 0.95, "kommunenummer_2020", (2016, 2021)
        )
    )
    pct = rows[rows["ci_low_overlap"].notna() & (rows["series"] != "fig_11_14")]
    assert len(pct) > 20 and pct["rho"].abs().max() > 0
    for _, r in pct.iterrows():  # the overlap interval moves with the sign of the correlation
        w_ind, w_ovl = r["ci_high"] - r["ci_low"], r["ci_high_overlap"] - r["ci_low_overlap"]
        assert (w_ovl < w_ind + 1e-9) if r["rho"] > 0 else (w_ovl > w_ind - 1e-9), (r["series"], r["item"])
    tested = rows[rows["test"] == "rao_scott_f"]
    assert tested["p_overlap"].notna().all() and tested["p_weighted"].notna().all()
    assert (
        rows["p_holm_overlap"].dropna()
        >= rows["p_overlap"].dropna().reindex(rows["p_holm_overlap"].dropna().index)
    ).all()
