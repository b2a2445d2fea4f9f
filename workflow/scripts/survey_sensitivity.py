"""Adapter: kapittel 11 under the other FPC choice, with non-response weights and with the
overlap of the waves (x_survey_sensitivity, Tabell X11.2): every wave's levels, every pair of
consecutive waves' changes and overlap."""

import pandas as pd

from analysis.core.logsetup import run, settings
from analysis.core.study import Study
from analysis.core.tidy import tidy, write_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.frame_sizes import read_frame_sizes
from analysis.survey.sensitivity import OVERLAP_CLUSTER, change_rows, level_rows, wave_estimands
from analysis.survey.waves import change_id, pairs, respondents
from analysis.survey.weighting import design_matrix


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    cb = load_codebook(smk.input.codebook)
    waves = {int(y): pd.read_parquet(smk.input[study.wave(y).survey_role]) for y in s["waves"]}
    resp = {year: respondents(w) for year, w in waves.items()}
    estimates = wave_estimands(resp, cb)  # once, for the levels and every pair's changes
    # every wave's frame size and the one its finite population correction uses (survey_ingest)
    known, used = read_frame_sizes(smk.input.frame_sizes)
    confidence = float(s["confidence"])
    weights = {}
    for year in (int(y) for y in s["weighted_waves"]):
        wt = pd.read_csv(smk.input[f"weights_{year}"], dtype={"unit_id": str})
        m = resp[year][["unit_id"]].astype(str).merge(wt, on="unit_id", how="left", validate="1:1")
        if len(m) and m["weight"].notna().all():  # raked (a survey too small to rake has no weights)
            weights[year] = (m["weight"].to_numpy(dtype=float), design_matrix(m, list(s["margins"])))
    recs = [
        {**r, "group": "level"}
        for r in level_rows(
            resp, cb, estimates, used, known, weights, confidence, float(s["sensitivity_points"])
        )
    ]
    overlap = []
    for y0, y1 in pairs(waves):
        change = pd.read_csv(
            smk.input[change_id(y0, y1)], keep_default_na=False, na_values=[""], dtype={"test": str}
        )
        change[["item", "category", "test"]] = change[["item", "category", "test"]].fillna("")
        recs += [
            {**r, "group": "change"}
            for r in change_rows(
                resp, cb, estimates, change, used, weights, confidence, OVERLAP_CLUSTER, (y0, y1)
            )
        ]
        both = [set(resp[y][OVERLAP_CLUSTER].astype(str)) for y in (y0, y1)]
        overlap.append(
            {
                "group": "overlap",
                "year": f"{y0}-{y1}",
                "series": "clusters_in_both_waves",
                "value": len(both[0] & both[1]),
                "n": len(both[0] | both[1]),
            }
        )
    write_tidy(tidy("x_survey_sensitivity", recs + overlap), smk.output.tables[0], synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
