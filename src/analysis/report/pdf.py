"""The report's PDF from its HTML (WeasyPrint, PDF/UA-1), deterministic.

Apart from :mod:`analysis.report.render` (templates, tables) so that the render job imports
neither pandas nor Jinja2: only WeasyPrint and what drawing the PDF needs (issue 28).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def write_pdf(html_text: str, base_url: str | Path, out_path: str | Path, finisher=None):
    """HTML -> PDF; the identifier is a hash of the HTML so equal inputs give equal bytes.

    ``finisher(document, pdf)`` may change WeasyPrint's PDF objects before they are written
    (:func:`analysis.report.pdfua.scope_finisher`). Returns the laid-out WeasyPrint document (for
    :func:`analysis.report.printsize.printed_figures`).
    """
    from weasyprint import DEFAULT_OPTIONS, HTML

    from analysis.report.svgtext import install as draw_svg_text_as_runs

    draw_svg_text_as_runs()  # figures' text one run per <text>, not one per letter (0110)
    ident = hashlib.sha256(html_text.encode("utf-8")).hexdigest()[:32].encode()
    # PDF/UA-1: a tagged, accessible PDF (document language, title, alt texts); it costs ~nothing
    options = {
        **DEFAULT_OPTIONS,
        "pdf_identifier": ident,
        "pdf_variant": "pdf/ua-1",
        "uncompressed_pdf": False,
        "optimize_images": False,
    }
    document = HTML(string=html_text, base_url=str(base_url)).render(**options)
    document.write_pdf(str(out_path), finisher=finisher, **options)
    return document
