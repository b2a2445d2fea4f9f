"""The WeasyPrint version the render's changes to WeasyPrint's internals were written against.

Each module that patches WeasyPrint for the render (pagination, svgpath, svgstyle, svgtext,
svgsize, svgprepared) does so only when :func:`pinned` is true and leaves WeasyPrint alone
otherwise: an upgrade (uv.lock) turns them all off at once, and tests/test_render_shortcuts.py
names the ones to look at again.
"""

from __future__ import annotations

WRITTEN_FOR = "70.0"


def pinned() -> bool:
    """Is the installed WeasyPrint the version the patches were written for?"""
    import weasyprint

    return weasyprint.__version__ == WRITTEN_FOR
