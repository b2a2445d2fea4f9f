"""Adapter: kapittel 11 figures from the chapter's tables (rule survey_tables wrote them); no pandas."""

from functools import partial
from pathlib import Path

from analysis.core.figures import save_figures
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.survey.codebook import load_codebook
from analysis.survey.figures import plot_figure, read_table


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    words = Messages(load_messages(smk.input.messages), smk.input.messages)
    # Drawing is all of the job and the job is on the build's critical path (it has priority):
    # as many processes share the figures as the rule has threads (two; one with --cores 1), and
    # the rule reserves the cores they use. Same bytes as one process (save_figures).
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
        workers=smk.threads,
        synthetic=s["synthetic"],
    )


run(main, snakemake)  # noqa: F821
