"""Adapter: kapittel 11 figures from the chapter's tables (rule survey_tables wrote them); no pandas."""

from functools import partial
from pathlib import Path

from analysis.core.figures import save_figures
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.survey.codebook import load_codebook
from analysis.survey.figures import plot_figure, read_table

FIGURE_WORKERS = 2


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    words = Messages(load_messages(smk.input.messages), smk.input.messages)
    # Drawing is all of the job and the job is on the build's critical path (it has priority):
    # two processes share the figures whatever the rule's threads, so that the second core, busy
    # with stages that have slack, is shared with it. Same bytes as one process (save_figures).
    save_figures(
        [
            (
                Path(path).with_suffix(""),
                partial(
                    plot_figure,
                    read_table(smk.input[Path(path).stem]),
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
