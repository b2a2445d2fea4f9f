"""survey.fpc and a raking that does not converge (issue 25), through the workflow to the HTML:
the report says the weights are provisional and never that the raking converged; the chapter's
intervals follow the stated FPC choice and Tabell X11.2 shows the other choice beside them."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from conftest import copy_build, run_snakemake

pytestmark = pytest.mark.e2e


def test_fpc_none_and_unconverged_raking_are_reported(demo_build, tmp_path):
    main = copy_build(demo_build, tmp_path)  # only the jobs the two settings touch rerun
    cfg = tmp_path / "choices.yaml"
    cfg.write_text(
        yaml.safe_dump({"survey": {"fpc": {"default": "none"}}, "weighting": {"max_iter": 1}}),
        encoding="utf-8",
    )
    run_snakemake(main, "html", "--configfile", str(cfg))  # the report's HTML without the PDF (0123)
    diag = pd.read_csv(main / "reports/tables/x_weighting_diagnostics.csv", keep_default_na=False, dtype=str)
    assert diag.loc[diag["series"] == "converged", "value"].astype(float).tolist() == [0.0]
    html = (main / "reports/preview.html").read_text(encoding="utf-8")
    assert "rakingen konvergerte ikke" in html and "foreløpige, ikke endelige" in html
    assert "Algoritmen konvergerte etter" not in html
    # no correction in kapittel 11: the 2021 interval is the one without it, the other choice
    # (with the 370-unit frame) is narrower and sits beside it in Tabell X11.2
    sens = pd.read_csv(main / "reports/tables/x_survey_sensitivity.csv", keep_default_na=False, dtype=str)
    row = sens[
        (sens["series"] == "fig_11_4") & (sens["year"] == "2021") & (sens["category"] == "informerer")
    ].iloc[0]
    fig = pd.read_csv(main / "reports/tables/fig_11_4.csv", keep_default_na=False, dtype=str)
    fig_row = fig[(fig["year"] == "2021") & (fig["category"] == "informerer")].iloc[0]
    assert row["fpc"] == "none" and float(row["ci_low"]) == float(fig_row["ci_low"])
    assert float(row["ci_high_alt"]) - float(row["ci_low_alt"]) < float(row["ci_high"]) - float(row["ci_low"])
    assert "Ingen bølge bruker endelighetskorreksjon" in html
