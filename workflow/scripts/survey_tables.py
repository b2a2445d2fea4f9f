"""Adapter: kapittel 11 tables and figures from the validated surveys."""

from functools import partial
from pathlib import Path

import pandas as pd

from analysis.core.figures import save_figures
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.frame_sizes import read_frame_sizes
from analysis.survey.tables import plot_figure, survey_tables

FIGURE_WORKERS = 2


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    words = Messages(load_messages(smk.input.messages), smk.input.messages)
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
    # Drawing is most of the job and this rule is on the build's critical path (it has priority):
    # two processes share the figures whatever the rule's threads, so that the second core, busy
    # with stages that have slack, is shared with it. Same bytes as one process (save_figures).
    save_figures(
        [
            (
                Path(path).with_suffix(""),
                partial(
                    plot_figure,
                    tables[Path(path).stem],
                    cb,
                    Path(path).stem,
                    s["language"],
                    float(s["confidence"]),
                    words,
                ),
            )
            for path in smk.output.figures
        ],
        workers=FIGURE_WORKERS,
        synthetic=s["synthetic"],
    )


run(main, snakemake)  # noqa: F821
