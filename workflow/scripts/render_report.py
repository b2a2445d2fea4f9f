"""Adapter: tables, figures, scorecard and provenance -> reports/report.html (figures inline), and
from the written HTML file, reports/report.pdf (WeasyPrint, with the PDF/UA header scopes); then
reports/manifest.json with the sha256 of the report and of provenance.json (decisions 0035, 0121,
0123: one job for the HTML and the PDF, so no second Python start; 0173: the PDF is laid out in
a worker forked first, which imports WeasyPrint while this process renders the HTML).

The authors' preview (`snakemake html`) is rule render_preview: the same HTML, alone."""

import gc
import json
from pathlib import Path

from analysis.core.logsetup import run, settings
from analysis.report.pdf import PdfWorker


def main(smk):
    # No cyclic garbage collection in this short-lived job: WeasyPrint allocates millions of
    # small objects, which made the collector run ~1 200 times, 0.9 s of a ~8 s job, to free a
    # few MB (reference counting frees the rest; peak RSS +~10 MB).
    gc.disable()
    # the PDF worker imports WeasyPrint while this process imports pandas and renders the HTML
    # (decision 0173): forked before the HTML step's imports; while it waits for the HTML, it
    # parses and cascades the figures the HTML will inline (decision 0196)
    with PdfWorker([*smk.input.figures, smk.input.workflow_picture]) as pdf:
        from analysis.report.document import report_html

        html_text = report_html(smk.input, settings(smk))
        html = Path(smk.output.html)
        html.write_text(html_text, encoding="utf-8")
        # the PDF with the PDF/UA header scopes, and the printed size of every figure
        pdf.render(html, smk.output.pdf, smk.output.print_sizes)
    from analysis.report.provenance import manifest

    # last: the hashes of the files written above (the print sizes are internal: not hashed)
    doc = manifest((smk.output.html, smk.output.pdf, smk.output.print_sizes, smk.input.provenance))
    with open(smk.output.manifest, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


run(main, snakemake)  # noqa: F821
