"""Adapter: kapittel 11 tables from the validated surveys (the figures: rule survey_figures)."""

from pathlib import Path

import pandas as pd

from analysis.core.logsetup import run, settings
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.frame_sizes import read_frame_sizes
from analysis.survey.tables import survey_tables


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    study = Study.from_dict(s["study"])
    waves = {int(y): pd.read_parquet(smk.input[study.wave(y).survey_role]) for y in s["waves"]}
    # the frame size per wave the finite population correction uses (survey.fpc), as survey_ingest wrote it
    frame_sizes = read_frame_sizes(smk.input.frame_sizes)[1]
    tables = survey_tables(
        waves,
        cb,
        frame_sizes,
        float(s["confidence"]),
        int(s["small_base"]),
        {int(y): eid for y, eid in s["response_rate_ids"].items()},
    )
    for path in smk.output.tables:
        write_tidy(tables[Path(path).stem], path, synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
