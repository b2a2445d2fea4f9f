"""Reference check: estimates and standard errors against R's `survey` package (to 1e-8)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_survey import CB, demo_tables  # noqa: F401  (module-scoped demo fixture)

from analysis.survey.stats import answer_groups, domain_stats, estimands
from analysis.survey.tables import respondents

R_SCRIPT = Path(__file__).resolve().parent / "r" / "survey_check.R"


def _has_r_survey() -> bool:
    if shutil.which("Rscript") is None:
        return False
    proc = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    return proc.returncode == 0


@pytest.mark.skipif(
    not _has_r_survey(),
    reason="Rscript with the 'survey' package is not installed "
    "(Debian: apt-get install r-cran-survey); the R reference check is skipped",
)
@pytest.mark.parametrize("year,frame_size", [(2021, 370), (2016, None)])
def test_estimates_and_ses_match_r_survey(demo_tables, tmp_path, year, frame_size):  # noqa: F811
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
        ["Rscript", str(R_SCRIPT), str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
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


@pytest.mark.skipif(not _has_r_survey(), reason="Rscript with the 'survey' package is not installed")
def test_rao_scott_tests_match_r_svychisq(demo_tables, tmp_path):  # noqa: F811
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
        ["Rscript", str(CHISQ_SCRIPT), str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
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
