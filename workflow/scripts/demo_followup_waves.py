"""Adapter: synthetic follow-up survey waves (demo: true, waves other than the report's)."""

import logging

import pandas as pd

from analysis.core.files import write_csv
from analysis.core.kommune import (
    FIRST_YEAR_2024,
    OSLO,
    OSLO_BYDELER,
    load_kommuner,
    load_kommuner_2020,
    study_code_map,
)
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.study import Study
from analysis.core.yamlio import load_yaml
from analysis.demo.followup import plain_frame, plain_wave
from analysis.survey.codebook import load_codebook
from analysis.survey.ingest import valid_codes
from analysis.survey.nonresponse import read_bydeler, settlement_totals

log = logging.getLogger("demo_followup_waves")
FIRST_2024_WAVE = FIRST_YEAR_2024  # from 2024 the frame lists the kommuner of 1.1.2024
FIRST_2020_WAVE = 2020


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    cb = load_codebook(smk.input.codebook)
    published = load_yaml(smk.input.published)
    cw24 = optional_input(smk, "crosswalk_2024")
    code_map = study_code_map(
        smk.input.crosswalk, dict(s["split_to"]), study.structure, cw24, dict(s["split_to_2024"])
    )
    register = pd.read_parquet(smk.input.register, columns=["unit_id", "year", "avtalt_selvbosetting"])
    bydeler = read_bydeler(smk.input.geo_bydeler)
    rate = float(cb.raw["demo"]["followup_response_rate"])
    for year in s["waves"]:
        wave = study.wave(year)
        if wave.frame_role:
            if year >= FIRST_2024_WAVE:
                kommuner = load_kommuner(smk.input.population_2024, FIRST_2024_WAVE)
            elif year >= FIRST_2020_WAVE:
                kommuner = load_kommuner_2020(smk.input.population)
            else:
                raise ValueError(f"the demo draws frames of waves from {FIRST_2020_WAVE} on, not {year}")
            frame = plain_frame(kommuner, bydeler)
            write_csv(frame, smk.output[wave.frame_role])
            units = list(frame["unit_id"])
        else:
            codes, _ = valid_codes(code_map, year)
            units = sorted(codes - {OSLO}) + list(OSLO_BYDELER)
        before = [w.year for w in study.waves if w.year < year]
        totals = settlement_totals(register, (before[-1] if before else study.first_year, year))
        asb = dict(zip(totals["unit_id"], totals["asb"].tolist()))  # agreed self-settlements per unit
        answers = plain_wave(cb, published, year, units, rate, asb, int(s["seed"]))
        write_csv(answers, smk.output[wave.survey_role])
        log.info("%d: %d units, %d responding (synthetic, not calibrated)", year, len(units), len(answers))


run(main, snakemake)  # noqa: F821
