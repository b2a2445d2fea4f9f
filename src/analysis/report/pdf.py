"""The report's PDF from its HTML (WeasyPrint, PDF/UA-1), deterministic.

Apart from :mod:`analysis.report.render` (templates, tables) so that the render job imports
neither pandas nor Jinja2: only WeasyPrint and what drawing the PDF needs (issue 28).
"""

from __future__ import annotations

import hashlib
import zlib
from contextlib import contextmanager
from pathlib import Path

# zlib level of the PDF's streams. pydyf compresses every stream at level 9, which took ~0.95 s
# of CPU for the report's ~10 MB of page content and fonts; level 6 (zlib's default) takes
# ~0.3 s for 2 % more bytes (docs/decisions/0179-pdf-streams-at-zlib-level-6.md).
FLATE_LEVEL = 6


class _Flate:
    """Stands in for the ``zlib`` module inside pydyf: the same functions at another level."""

    def __init__(self, level: int):
        self.level = level

    def compressobj(self, level=None, *args, **kwargs):
        return zlib.compressobj(self.level, *args, **kwargs)

    def compress(self, data, level=None):
        return zlib.compress(data, self.level)


@contextmanager
def flate_level(level: int):
    """pydyf compresses at ``level`` inside the block (nothing changes if pydyf no longer
    compresses through its module's ``zlib``)."""
    import pydyf

    if getattr(pydyf, "zlib", None) is not zlib:
        yield
        return
    pydyf.zlib = _Flate(level)
    try:
        yield
    finally:
        pydyf.zlib = zlib


def write_pdf(html_text: str, base_url: str | Path, out_path: str | Path, finisher=None):
    """HTML -> PDF; the identifier is a hash of the HTML so equal inputs give equal bytes.

    ``finisher(document, pdf)`` may change WeasyPrint's PDF objects before they are written
    (:func:`analysis.report.pdfua.scope_finisher`). Returns the laid-out WeasyPrint document (for
    :func:`analysis.report.printsize.printed_figures`).
    """
    from weasyprint import DEFAULT_OPTIONS, HTML

    from analysis.report.svgpath import install as draw_straight_paths_directly
    from analysis.report.svgtext import install as draw_svg_text_as_runs

    draw_svg_text_as_runs()  # figures' text one run per <text>, not one per letter (0110)
    draw_straight_paths_directly()  # the maps' polygons without the general path parser (0178)
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
    with flate_level(FLATE_LEVEL):
        document.write_pdf(str(out_path), finisher=finisher, **options)
    return document
