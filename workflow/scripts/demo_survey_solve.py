"""Adapter: the integer programmes of the demo survey's calibration, solved ahead for numbered
units (demo: true only): they depend on how many units answer, not on which, so this job runs
beside the register rules and demo_survey, which needs the register for its frame, looks them up
(decision 0137)."""

import json
import logging

from analysis.core.logsetup import run, settings
from analysis.core.yamlio import load_yaml
from analysis.demo.frame import responding_units
from analysis.demo.survey import solve_ahead, survey_claims
from analysis.survey.codebook import load_codebook

log = logging.getLogger("demo_survey_solve")


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    published = load_yaml(smk.input.published)
    claims = survey_claims(cb, load_yaml(smk.input.claims))
    solved = solve_ahead(cb, published, claims, responding_units(published), int(s["seed"]))
    with open(smk.output[0], "w", encoding="utf-8") as fh:
        json.dump(solved, fh, separators=(",", ":"))
    log.info("%d calibration problems solved", len(solved))


run(main, snakemake)  # noqa: F821
