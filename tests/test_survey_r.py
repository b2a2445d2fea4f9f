"""Reference check: estimates and standard errors against R's `survey` package (to 1e-8)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_survey import CB, demo_tables  # noqa: F401  (module-scoped demo fixture)

from analysis.survey.stats import answer_groups, domain_stats, estimands
from analysis.survey.tables import respondents

R_SCRIPT = Path(__file__).resolve().parent / "r" / "survey_check.R"


@pytest.mark.parametrize("year,frame_size", [(2021, 370), (2016, None)])
def test_estimates_and_ses_match_r_survey(demo_tables, tmp_path, year, frame_size, rscript):  # noqa: F811
    tables, _, processed = demo_tables
    wave = respondents(pd.read_parquet(processed[0 if year == 2021 else 1]))
    cols, ours = {}, {}
    for fid, f in CB.figures.items():
        if year not in f["years"]:
            continue
        for key, cat, kind, y in estimands(wave, CB, fid, year):
            if kind == "count" or y.notna().sum() < 2:
                continue
            name = f"{fid}|{key}|{cat}"
            cols[name] = y.to_numpy()
            ours[name] = domain_stats(y.dropna().to_numpy(), len(wave), frame_size)[:2]
    df = pd.DataFrame(cols)
    df.insert(0, "fpc", frame_size if frame_size else np.nan)
    df.to_csv(tmp_path / "in.csv", index=False, na_rep="NA")
    subprocess.run(
        [rscript, str(R_SCRIPT), str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    ref = pd.read_csv(tmp_path / "out.csv").set_index("estimand")
    assert len(ref) == len(ours) > (100 if year == 2021 else 40)
    for name, (est, se) in ours.items():
        assert abs(est - ref.loc[name, "estimate"]) < 1e-8, name
        assert abs(se - ref.loc[name, "se"]) < 1e-8, name
    # and the published tables carry the same numbers (percent scale)
    t = tables["fig_11_4"]
    row = t[(t["year"] == str(year)) & (t["category"] == "informerer")].iloc[0]
    assert abs(row["value"] / 100 - ref.loc["fig_11_4||informerer", "estimate"]) < 1e-10
    assert abs(row["se"] / 100 - ref.loc["fig_11_4||informerer", "se"]) < 1e-10


CHISQ_SCRIPT = Path(__file__).resolve().parent / "r" / "svychisq_check.R"


def test_rao_scott_tests_match_r_svychisq(demo_tables, tmp_path, rscript):  # noqa: F811
    """Every Rao-Scott test of the change table equals R's svychisq on the stacked waves."""
    tables, _, processed = demo_tables
    waves = {
        2021: (respondents(pd.read_parquet(processed[0])), 370.0),
        2016: (respondents(pd.read_parquet(processed[1])), np.inf),
    }
    ch = tables["x_survey_change_2016_2021"]
    tested = ch[ch["test"] == "rao_scott_f"]
    assert len(tested) >= 20 and {"fig_11_4", "fig_11_20", "fig_11_7"} <= set(tested["series"])
    parts = []
    for _, r in tested.iterrows():
        name = f"{r['series']}|{r['item']}"
        for year, (wave, fpc) in waves.items():
            groups, in_domain = answer_groups(wave, CB, r["series"], r["item"])
            parts.append(
                pd.DataFrame(
                    {"test": name, "wave": str(year), "fpc": fpc, "answer": np.where(in_domain, groups, None)}
                )
            )
    pd.concat(parts).to_csv(tmp_path / "in.csv", index=False, na_rep="NA")
    subprocess.run(
        [rscript, str(CHISQ_SCRIPT), str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    ref = pd.read_csv(tmp_path / "out.csv").set_index("test")
    assert len(ref) == len(tested)
    for _, r in tested.iterrows():
        e = ref.loc[f"{r['series']}|{r['item']}"]
        assert r["statistic"] == pytest.approx(e["F"], rel=1e-8, abs=1e-10), r["series"]
        assert r["df_num"] == pytest.approx(e["ndf"], rel=1e-8), r["series"]
        assert r["df_den"] == pytest.approx(e["ddf"], rel=1e-8), r["series"]
        assert r["p_value"] == pytest.approx(e["p"], rel=1e-7, abs=1e-12), r["series"]


# --- issue 25: weighted, clustered (overlapping waves) and exact tests against R -------------
INFERENCE_SCRIPT = Path(__file__).resolve().parent / "r" / "inference_check.R"


def _run_r(mode: str, tmp_path: Path, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    if frame is not None:
        frame.to_csv(tmp_path / f"{mode}_in.csv", index=False, na_rep="NA")
    subprocess.run(
        [
            "Rscript",  # the tests calling this take the rscript fixture (skips without R's survey)
            str(INFERENCE_SCRIPT),
            mode,
            str(tmp_path / f"{mode}_in.csv"),
            str(tmp_path / f"{mode}_out.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pd.read_csv(tmp_path / f"{mode}_out.csv")


def _overlapping_waves() -> pd.DataFrame:
    """Two waves with a known overlap (units u025-u059 answer both), unequal weights in the
    second wave, a three-category answer and items outside some units' base (NaN)."""
    rng = np.random.default_rng(2025)
    parts = []
    for wave, ids, wmax in (("A", range(0, 60), 1.0), ("B", range(25, 80), 3.0)):
        n = len(ids)
        answer = rng.choice(["x", "y", "z"], size=n, p=[0.5, 0.3, 0.2] if wave == "A" else [0.3, 0.4, 0.3])
        answer = np.where(rng.random(n) < 0.15, None, answer)
        parts.append(
            pd.DataFrame(
                {
                    "wave": wave,
                    "unit_id": [f"u{i:03d}" for i in ids],
                    "w": rng.uniform(1.0, wmax, n).round(3) if wmax > 1 else 1.0,
                    "answer": answer,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_weighted_rao_scott_matches_r_on_apistrat(tmp_path, rscript):
    """R's own apistrat (stratified, unequal weights, fpc): stype x awards, F = 14.1694."""
    from analysis.survey.inference import design_rao_scott

    ref = _run_r("api", tmp_path).iloc[0]
    d = pd.read_csv(tmp_path / "api_in.csv")
    rs = design_rao_scott(
        d["stype"].to_numpy(),
        d["awards"].to_numpy(),
        d["pw"].to_numpy(),
        d["stype"].to_numpy(),
        np.arange(len(d)),
        d["fpc"].to_numpy(),
        np.ones(len(d), dtype=bool),
    )
    assert round(rs.f, 4) == 14.1694
    assert rs.f == pytest.approx(ref["F"], rel=1e-10)
    assert rs.ndf == pytest.approx(ref["ndf"], rel=1e-10)
    assert rs.ddf == pytest.approx(ref["ddf"], rel=1e-10)
    assert rs.p_value == pytest.approx(ref["p"], rel=1e-8)


def test_rao_scott_over_overlapping_waves_matches_r(tmp_path, rscript):
    """Units as clusters across the stacked waves (svydesign(ids = ~unit_id)), with and without
    weights and a finite population correction, and the stratified independent-waves design."""
    from analysis.survey.inference import design_rao_scott

    s = _overlapping_waves()
    designs = {
        "clustered": dict(strata="1", cluster=s["unit_id"], w=1.0, fpc=np.nan),
        "clustered_weighted_fpc": dict(strata="1", cluster=s["unit_id"], w=s["w"], fpc=200.0),
        "independent_weighted": dict(
            strata=s["wave"], cluster=s["wave"] + s["unit_id"], w=s["w"], fpc=np.nan
        ),
    }
    rows = []
    for name, d in designs.items():
        rows.append(
            pd.DataFrame(
                {
                    "test": name,
                    "rows": s["wave"],
                    "cols": s["answer"].fillna("none"),
                    "w": d["w"],
                    "strata": d["strata"],
                    "cluster": d["cluster"],
                    "fpc": d["fpc"],
                    "domain": s["answer"].notna().astype(int),
                }
            )
        )
    data = pd.concat(rows, ignore_index=True)
    ref = _run_r("chisq", tmp_path, data).set_index("test")
    for name in designs:
        t = data[data["test"] == name]
        rs = design_rao_scott(
            t["rows"].to_numpy(),
            t["cols"].to_numpy(),
            t["w"].to_numpy(dtype=float),
            t["strata"].to_numpy(),
            t["cluster"].to_numpy(),
            np.where(t["fpc"].isna(), np.inf, t["fpc"]),
            t["domain"].to_numpy(dtype=bool),
        )
        e = ref.loc[name]
        assert rs.f == pytest.approx(e["F"], rel=1e-9), name
        assert rs.ndf == pytest.approx(e["ndf"], rel=1e-9), name
        assert rs.ddf == pytest.approx(e["ddf"], rel=1e-9), name
        assert rs.p_value == pytest.approx(e["p"], rel=1e-7), name
    # the overlap matters: the clustered test differs from the independent one
    assert ref.loc["clustered", "F"] != pytest.approx(
        design_rao_scott(
            s["wave"].to_numpy(),
            s["answer"].fillna("none").to_numpy(),
            np.ones(len(s)),
            s["wave"].to_numpy(),
            (s["wave"] + s["unit_id"]).to_numpy(),
            np.full(len(s), np.inf),
            s["answer"].notna().to_numpy(),
        ).f,
        rel=1e-3,
    )


@pytest.mark.parametrize("fpc", [None, 200.0])
def test_stacked_covariance_matches_r_svyby(tmp_path, fpc, rscript):
    """Means of two overlapping waves and their covariance (units as clusters) equal R's
    svyby(covmat = TRUE), weighted, domain estimation (units outside the base)."""
    from analysis.survey.inference import stacked_covariance

    s = _overlapping_waves()
    s["y"] = np.where(s["answer"].isna(), np.nan, (s["answer"] == "y").astype(float))
    data = s.assign(test="t", fpc=np.nan if fpc is None else fpc)[
        ["test", "wave", "unit_id", "w", "fpc", "y"]
    ]
    ref = _run_r("cov", tmp_path, data).set_index("wave")
    parts = [s[s["wave"] == w] for w in ("A", "B")]
    means, cov = stacked_covariance(
        [p["y"].to_numpy() for p in parts],
        [p["unit_id"].to_numpy() for p in parts],
        [p["w"].to_numpy(dtype=float) for p in parts],
        fpc,
    )
    for k, w in enumerate(("A", "B")):
        assert means[k] == pytest.approx(ref.loc[w, "mean"], rel=1e-12)
        for j, v in enumerate(("A", "B")):
            assert cov[k, j] == pytest.approx(ref.loc[w, f"cov_{v}"], rel=1e-9)
    assert cov[0, 1] > 0  # the overlapping units answer alike: positive covariance


def test_fisher_exact_matches_r(tmp_path, rscript):
    from analysis.survey.inference import fisher_exact_p

    tables = {"t0_50_4_64": (0, 50, 4, 60), "t3_21_1_30": (3, 21, 1, 30), "t12_12_2_20": (12, 12, 2, 20)}
    data = pd.DataFrame([(k, *v) for k, v in tables.items()], columns=["test", "a", "b", "c", "d"])
    ref = _run_r("fisher", tmp_path, data).set_index("test")
    for k, (a, b, c, d) in tables.items():
        assert fisher_exact_p(np.array([[a, b], [c, d]])) == pytest.approx(ref.loc[k, "p"], rel=1e-9), k
    assert round(fisher_exact_p(np.array([[0, 50], [4, 60]])), 3) == 0.130
