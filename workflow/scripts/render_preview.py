"""Adapter: the authors' preview (`snakemake html`, issue 17): reports/preview.html, the report's
HTML exactly as rule render_report writes reports/report.html, without the PDF (decision 0123)."""

import gc
from pathlib import Path

from analysis.core.logsetup import run, settings
from analysis.report.document import report_html


def main(smk):
    gc.disable()  # a short-lived job: reference counting frees enough (see render_report.py)
    html_text = report_html(smk.input, settings(smk))
    Path(smk.output.html).write_text(html_text, encoding="utf-8")


run(main, snakemake)  # noqa: F821
