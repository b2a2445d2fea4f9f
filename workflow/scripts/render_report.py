"""Adapter: reports/report.html -> reports/report.pdf (WeasyPrint), then the PDF/UA header scopes."""

import gc
from pathlib import Path

from analysis.core.logsetup import run
from analysis.report.pdfua import add_table_scopes
from analysis.report.render import write_pdf


def main(smk):
    # No cyclic garbage collection in this short-lived job: WeasyPrint allocates millions of
    # small objects, which made the collector run ~1 200 times, 0.9 s of a ~8 s job, to free a
    # few MB (reference counting frees the rest; peak RSS +~10 MB).
    gc.disable()
    html = Path(smk.input.html)
    out = Path(smk.output.pdf)
    raw = out.with_name(out.name + ".untagged-scopes")
    write_pdf(html.read_text(encoding="utf-8"), html.parent, raw)
    add_table_scopes(raw, out)
    raw.unlink()


run(main, snakemake)  # noqa: F821
