"""Adapter: tables, figures, scorecard and provenance -> reports/report.html (figures inline), and
from the same HTML, in memory, reports/report.pdf (WeasyPrint, with the PDF/UA header scopes); then
reports/manifest.json with the sha256 of the report and of provenance.json (decisions 0035, 0121,
0123: one job for the HTML and the PDF, so no second Python start and no re-reading of the HTML).

The authors' preview (`snakemake html`) is rule render_preview: the same HTML, alone."""

import gc
import json
from pathlib import Path

from analysis.core.logsetup import run, settings
from analysis.report.document import JINJA_CACHE, report_html
from analysis.report.pdf import write_pdf
from analysis.report.pdfua import scope_finisher
from analysis.report.printsize import figure_text_report, printed_figures
from analysis.report.provenance import manifest


def main(smk):
    # No cyclic garbage collection in this short-lived job: WeasyPrint allocates millions of
    # small objects, which made the collector run ~1 200 times, 0.9 s of a ~8 s job, to free a
    # few MB (reference counting frees the rest; peak RSS +~10 MB).
    gc.disable()
    html_text = report_html(smk.input, settings(smk), cache_dir=JINJA_CACHE)
    html = Path(smk.output.html)
    html.write_text(html_text, encoding="utf-8")
    # the PDF/UA header scopes are set on WeasyPrint's objects before it writes the file
    document = write_pdf(html_text, html.parent, smk.output.pdf, finisher=scope_finisher)
    # the printed size of every figure and its smallest text (tests/test_figure_style.py)
    sizes = figure_text_report(printed_figures(document))
    Path(smk.output.print_sizes).write_text(
        json.dumps(sizes, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    # last: the hashes of the files written above (the print sizes are internal: not hashed)
    doc = manifest((smk.output.html, smk.output.pdf, smk.output.print_sizes, smk.input.provenance))
    with open(smk.output.manifest, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


run(main, snakemake)  # noqa: F821
