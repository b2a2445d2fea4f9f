"""Adapter: kapittel 11 under the other FPC choice, with non-response weights and with the
overlap of the waves (x_survey_sensitivity, Tabell X11.2)."""

import pandas as pd

from analysis.core.logsetup import run, settings
from analysis.core.tidy import tidy, write_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.inference import fpc_sizes
from analysis.survey.sensitivity import OVERLAP_CLUSTER, change_rows, level_rows
from analysis.survey.weighting import design_matrix


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    waves = {2021: pd.read_parquet(smk.input.survey_2021), 2016: pd.read_parquet(smk.input.survey_2016)}
    # responding units (as analysis.survey.tables.respondents; not imported: it loads matplotlib)
    resp = {
        year: (w[w["responded"] == 1] if "responded" in w.columns else w).reset_index(drop=True)
        for year, w in waves.items()
    }
    known = {2021: len(waves[2021]), 2016: s["frame_size_2016"]}
    used = fpc_sizes(known, s["fpc"])
    confidence = float(s["confidence"])
    wt = pd.read_csv(smk.input.weights, dtype={"unit_id": str})
    ids = resp[2021][["unit_id"]].astype(str)
    m = ids.merge(wt, on="unit_id", how="left", validate="1:1")
    weights = {}
    if len(m) and m["weight"].notna().all():  # raked (a survey too small to rake has no weights)
        weights[2021] = (m["weight"].to_numpy(dtype=float), design_matrix(m, list(s["margins"])))
    recs = [
        {**r, "group": "level"}
        for r in level_rows(resp, cb, used, known, weights, confidence, float(s["sensitivity_points"]))
    ]
    change = pd.read_csv(smk.input.change, keep_default_na=False, na_values=[""], dtype={"test": str})
    change[["item", "category", "test"]] = change[["item", "category", "test"]].fillna("")
    recs += [
        {**r, "group": "change"}
        for r in change_rows(resp, cb, change, used, weights, confidence, OVERLAP_CLUSTER, (2016, 2021))
    ]
    both = [set(resp[y][OVERLAP_CLUSTER].astype(str)) for y in (2016, 2021)]
    recs.append(
        {
            "group": "overlap",
            "year": "2016-2021",
            "series": "clusters_in_both_waves",
            "value": len(both[0] & both[1]),
            "n": len(both[0] | both[1]),
        }
    )
    write_tidy(tidy("x_survey_sensitivity", recs), smk.output.tables[0], synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
