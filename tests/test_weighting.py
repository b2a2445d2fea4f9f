"""Raking weights: convergence, exact margins, diagnostics, intervals, and R's survey::rake."""

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import DEFAULTS, RAKE

from analysis.survey import nonresponse as nr
from analysis.survey import weighting as wt

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PUBLIC = SHARED / "data"
needs_public = pytest.mark.skipif(not (PUBLIC / "kommuner").exists(), reason="no ../shared/data")


def _toy():
    sample = pd.DataFrame({"a": ["x", "x", "y", "y", "y"], "b": ["p", "q", "p", "q", "q"]})
    margins = {"a": pd.Series({"x": 10.0, "y": 30.0}), "b": pd.Series({"p": 25.0, "q": 15.0})}
    return sample, margins


def test_rake_converges_to_exact_margins():
    sample, margins = _toy()
    res = wt.rake(sample, margins, tol=1e-14, max_iter=RAKE["max_iter"])
    assert res.converged and res.iterations > 1
    for v, m in margins.items():
        got = res.weights.groupby(sample[v]).sum()
        assert np.allclose(got[m.index], m, rtol=0, atol=1e-9)
    assert res.weights.sum() == pytest.approx(40.0)
    assert (res.weights > 0).all()


def test_rake_with_one_variable_is_poststratification():
    sample, margins = _toy()
    res = wt.rake(sample, {"a": margins["a"]}, **RAKE)
    assert res.weights.tolist() == pytest.approx([5, 5, 10, 10, 10])
    assert res.iterations == 1


def test_rake_refuses_empty_cells_and_inconsistent_totals():
    sample, margins = _toy()
    with pytest.raises(ValueError, match="no respondents in"):
        wt.rake(sample, {"a": pd.Series({"x": 10.0, "y": 20.0, "z": 10.0})}, **RAKE)
    with pytest.raises(ValueError, match="without a population count"):
        wt.rake(sample, {"a": pd.Series({"x": 40.0})}, **RAKE)
    with pytest.raises(ValueError, match="population total"):
        wt.rake(sample, {"a": margins["a"], "b": pd.Series({"p": 1.0, "q": 1.0})}, **RAKE)


def test_kish_deff_and_diagnostics():
    assert wt.kish_deff([1, 1, 2, 2]) == pytest.approx(4 * 10 / 36)
    assert wt.kish_deff([3, 3, 3]) == pytest.approx(1.0)
    sample, margins = _toy()
    res = wt.rake(sample, margins, **RAKE)
    d = pd.DataFrame(wt.diagnostics(res, sample, margins))
    s = d[d["item"].isna()].set_index("series")["value"] if "item" in d else d.set_index("series")["value"]
    assert s["n_respondents"] == 5 and s["converged"] == 1
    assert s["kish_deff"] == pytest.approx(wt.kish_deff(res.weights))
    assert d.loc[d["series"] == "margin_abs_error", "value"].max() < 1e-9


def test_wilson_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = wt.wilson(12 / 40, 40, 1.959963984540054)
    elo, ehi = proportion_confint(12, 40, alpha=0.05, method="wilson")
    assert (lo, hi) == pytest.approx((elo, ehi), abs=1e-12)


def test_linearised_variance_with_equal_weights_is_the_srs_variance():
    y = np.array([1, 0, 0, 1, 1, 0, 0, 0], dtype=float)
    n, N = len(y), 80
    w = np.full(n, N / n)
    p, var = wt.calibrated_share(y, np.ones(n), w, np.ones((n, 1)))
    assert p == pytest.approx(3 / 8)
    assert var == pytest.approx(p * (1 - p) / (n - 1))


def test_compare_estimates_base_excludes_empty_and_excluded_codes():
    sample, margins = _toy()
    res = wt.rake(sample, margins, **RAKE)
    survey = pd.DataFrame({"Q": [1, 2, 1, None, 9]})
    recs = wt.compare_estimates(
        survey,
        res.weights,
        sample,
        ["a", "b"],
        [{"id": "q", "item": "Q", "positive": [1], "exclude": [9]}],
        0.95,
        None,
    )
    unw = next(r for r in recs if r["category"] == "unweighted")
    assert unw["n"] == 3 and unw["value"] == pytest.approx(200 / 3)
    wtd = next(r for r in recs if r["category"] == "weighted")
    w = res.weights.to_numpy()
    assert wtd["value"] == pytest.approx(100 * (w[0] + w[2]) / (w[0] + w[1] + w[2]))
    assert wtd["ci_low"] <= wtd["value"] <= wtd["ci_high"]


def test_settlement_band():
    s = pd.Series([0, 1, 49, 50, 199, 200, 5000])
    assert wt.settlement_band(s, [1, 50, 200]).tolist() == [
        "0-0",
        "1-49",
        "1-49",
        "50-199",
        "50-199",
        "200+",
        "200+",
    ]


# ----------------------------------------------------------------- the demo data


@pytest.fixture(scope="module")
def demo():
    """Frame units and the demo respondents as the pipeline builds them (synthetic settlements)."""
    from analysis.core.kommune import load_kommuner_2020, read_crosswalk_wide
    from analysis.demo.frame import demo_frame

    cw = read_crosswalk_wide(PUBLIC / "crosswalk" / "alle_kommunenummer_fra2013_til2020_wide.csv")
    munis = nr.municipalities(
        load_kommuner_2020(PUBLIC / "kommuner/kommuner_2020_folkemengde.csv"),
        nr.region_table(cw, DEFAULTS["weighting"]["region_overrides"], grouping="report_derived"),
        DEFAULTS["weighting"]["population_column"],
    )
    units = nr.frame_units(munis, nr.read_bydeler(PUBLIC / "geo" / "oslo_bydeler_2020.geojson"))
    rng = np.random.default_rng(3)
    units["all"] = rng.integers(0, 300, len(units))
    units["asb"] = rng.binomial(units["all"], 0.05)
    published = yaml.safe_load(open(SHARED / "reference" / "published_results.yaml", encoding="utf-8"))
    _, resp = demo_frame(units, munis, published, 2021018)
    units["responded"] = units["unit_id"].isin(resp["unit_id"])
    return units


@needs_public
@pytest.mark.parametrize("variables", [["size_group", "region"], ["size_group", "region", "settlement_band"]])
def test_demo_weighted_margins_equal_frame_margins(demo, variables):
    units = demo.copy()
    units["settlement_band"] = wt.settlement_band(units["all"], [50, 200])
    sample = units[units["responded"]].reset_index(drop=True)
    margins = wt.margins_of(units, variables)
    res = wt.rake(sample, margins, **RAKE)
    assert res.converged
    got = wt.weighted_margins(sample, res.weights, variables)
    for v in variables:
        assert np.abs(got[v] - margins[v]).max() <= 1e-9
    assert res.weights.sum() == pytest.approx(370, abs=1e-9)


@needs_public
def test_weights_equal_r_survey_rake(demo, tmp_path, rscript):
    variables = ["size_group", "region"]
    sample = demo[demo["responded"]].reset_index(drop=True)
    margins = wt.margins_of(demo, variables)
    sample[["unit_id", *variables]].to_csv(tmp_path / "s.csv", index=False)
    pd.DataFrame(
        [(v, c, t) for v, m in margins.items() for c, t in m.items()],
        columns=["variable", "category", "total"],
    ).to_csv(tmp_path / "m.csv", index=False)
    subprocess.run(
        [
            rscript,
            str(ROOT / "tests" / "r" / "rake_compare.R"),
            str(tmp_path / "s.csv"),
            str(tmp_path / "m.csv"),
            str(tmp_path / "w.csv"),
        ],
        check=True,
        capture_output=True,
    )
    r = pd.read_csv(tmp_path / "w.csv", dtype={"unit_id": str})
    ours = wt.rake(sample, margins, **RAKE).weights
    assert r["unit_id"].tolist() == sample["unit_id"].tolist()
    assert np.allclose(ours.to_numpy(), r["weight"].to_numpy(), rtol=1e-9, atol=1e-9)


@needs_public
def test_weighted_ses_equal_r_svymean_on_the_raked_design(demo, tmp_path, rscript):
    """Unequal raking weights: our weights, weighted shares and calibrated SEs (with the FPC)
    equal R's rake() design and svymean on it to 1e-8, for the whole sample and for domains."""
    variables = ["size_group", "region"]
    sample = demo[demo["responded"]].reset_index(drop=True)
    margins = wt.margins_of(demo, variables)
    res = wt.rake(sample, margins, **RAKE)
    w = res.weights.to_numpy()
    assert w.max() / w.min() > 1.5  # the weights are far from equal
    rng = np.random.default_rng(18)
    n = len(sample)
    # estimands: whole sample and domains (units outside the base = NaN), unrelated and
    # related to the raking variables
    big = sample["size_group"].isin(["big4", "30k_plus"]).to_numpy()
    ys = {
        "all_random": rng.binomial(1, 0.3, n).astype(float),
        "domain_random": np.where(rng.random(n) < 0.5, rng.binomial(1, 0.6, n), np.nan),
        "size_related": np.where(big, rng.binomial(1, 0.8, n), rng.binomial(1, 0.2, n)).astype(float),
        "domain_small": np.where(rng.random(n) < 0.2, rng.binomial(1, 0.4, n), np.nan),
    }
    s = sample[["unit_id", *variables]].assign(fpc=len(demo))
    for k, y in ys.items():
        s[f"y_{k}"] = y
    s.to_csv(tmp_path / "s.csv", index=False, na_rep="NA")
    pd.DataFrame(
        [(v, c, t) for v, m in margins.items() for c, t in m.items()],
        columns=["variable", "category", "total"],
    ).to_csv(tmp_path / "m.csv", index=False)
    subprocess.run(
        [
            rscript,
            str(ROOT / "tests" / "r" / "weighted_check.R"),
            *(str(tmp_path / f) for f in ("s.csv", "m.csv", "o.csv")),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    ref = pd.read_csv(tmp_path / "o.csv").set_index(["estimand", "method"])
    rw = np.array([ref.loc[(f"weight:{u}", "rake"), "estimate"] for u in sample["unit_id"]])
    assert np.allclose(rw, w, rtol=1e-10, atol=0)
    X = wt.design_matrix(sample, variables)
    for k, y in ys.items():
        valid = ~np.isnan(y)
        p, var = wt.calibrated_share(np.nan_to_num(y), valid.astype(float), w, X, len(demo))
        se = np.sqrt(var)
        r = ref.loc[(k, "rake")]
        assert abs(p - r["estimate"]) < 1e-8, k
        assert abs(se - r["se"]) < 1e-8, k
        # the FPC matters at this size: without it the SE is visibly larger
        assert np.sqrt(wt.calibrated_share(np.nan_to_num(y), valid.astype(float), w, X)[1]) > se * 1.2, k


def test_weighted_estimates_figure_names_the_configured_interval_level():
    table = pd.DataFrame(
        {
            "item": ["a", "a"],
            "label_no": ["Et spørsmål", "Et spørsmål"],
            "label_en": ["A question", "A question"],
            "category": ["unweighted", "weighted"],
            "value": [40.0, 45.0],
            "ci_low": [30.0, 33.0],
            "ci_high": [50.0, 57.0],
        }
    )
    from analysis.core.messages import Messages, load_messages

    t = {
        lang: Messages(load_messages(ROOT / f"workflow/report/messages/{lang}.yaml")) for lang in ("no", "en")
    }
    fig = wt.plot_estimates(table, t["no"], "no", 0.9)
    assert fig.axes[0].get_xlabel() == "Prosent (90 % konfidensintervall)"
    assert [x.get_text() for x in fig.axes[0].get_legend().get_texts()] == ["Uvektet", "Vektet (raking)"]
    assert (
        wt.plot_estimates(table, t["en"], "en", 0.95).axes[0].get_xlabel()
        == "Percent (95% confidence interval)"
    )


# ----------------------------------------------------------------- one frame wave (rule weighting)


def _wave(responded):
    units = pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(6)],
            "unit_type": "kommune",
            "size_group": ["a", "a", "a", "b", "b", "b"],
            "responded": responded,
            "all": [0, 5, 10, 20, 40, 80],
        }
    )
    resp = units[units["responded"]]
    survey = pd.DataFrame(
        {
            "unit_id": resp["unit_id"].to_numpy(),
            "responded": 1,
            "unit_type": "kommune",
            "weight": len(units) / len(resp),
            "q": [1, 2, 9, 1][: len(resp)],
        }
    )
    return units, survey


def _weight_wave(units, survey):
    spec = {"id": "share_q", "item": "q", "positive": [1], "exclude": [9], "label_no": "Q", "label_en": "Q"}
    return wt.weight_wave(
        units,
        survey,
        margins=["size_group"],
        settlement_breaks=[10],
        estimates=[spec, {**spec, "id": "missing", "item": "not_asked"}],
        confidence=0.95,
        frame_size=None,
        name="survey_toy",
        tolerance=RAKE["tol"],
        max_iter=RAKE["max_iter"],
    )


def test_weight_wave_rakes_the_respondents_to_the_frame():
    units, survey = _wave([True, True, False, True, False, True])
    res = _weight_wave(units, survey)
    assert res.not_weighted is None
    assert res.weights["unit_id"].tolist() == ["u0", "u1", "u3", "u5"]
    # each size group's respondents carry its three frame units
    assert res.weights.groupby("size_group")["weight"].sum().tolist() == pytest.approx([3.0, 3.0])
    est = pd.DataFrame(res.records["x_weighted_estimates"])
    assert set(est["item"]) == {"share_q"}  # a spec whose item the wave lacks is left out
    assert est.set_index("category")["n"].to_dict() == {"unweighted": 3, "weighted": 3}  # 9 excluded
    assert res.records["x_weighting_region_sensitivity"] == []  # no region margin
    assert survey.columns.tolist() == ["unit_id", "responded", "unit_type", "weight", "q"]  # not changed


def test_weight_wave_without_respondents_in_a_margin_says_why():
    units, survey = _wave([True, True, True, False, False, False])
    res = _weight_wave(units, survey)
    assert res.not_weighted and "b" in res.not_weighted
    assert res.weights["weight"].isna().all() and len(res.weights) == 3
    assert res.records["x_weighting_diagnostics"] == [
        {"series": "not_weighted", "value": 3, "reason": res.not_weighted}
    ]
    assert res.records["x_weighted_estimates"] == res.records["x_weighting_region_sensitivity"] == []
