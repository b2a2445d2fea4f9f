"""Each distinct ``style`` attribute of the figures' SVG elements parsed once per render.

WeasyPrint 70 parses the ``style`` attribute of every SVG element it draws with tinycss2
(tokenise, parse the declarations, serialise each value back to a string) while it cascades the
element's properties. matplotlib writes the style of every path, bar and marker into that
attribute: the report's figures have ~3 700 of them but only ~250 distinct strings, and parsing
them took ~0,1 s of CPU per PDF render (benchmarks/RESULTS.md, issue 28).

:func:`install` has WeasyPrint's SVG cascade look the parsed declarations up by the attribute's
string and parse only a string it has not seen. The cascade only reads them, so the drawing and
the PDF's bytes are the same. Installed only for the WeasyPrint version it was written against
(pinned in uv.lock); with any other it leaves WeasyPrint alone and returns False
(docs/decisions/0187-svg-styles-parsed-once.md).
"""

from __future__ import annotations

from analysis.report.weasyprint_pin import pinned


def cached(parse):
    """``parse`` (str -> declarations) answering each distinct string from one call."""
    seen: dict = {}

    def parse_declarations(text):
        found = seen.get(text)
        if found is None:
            found = seen[text] = parse(text)
        return found

    parse_declarations.parses_once = True
    parse_declarations.seen = seen
    return parse_declarations


def install() -> bool:
    """Parse each distinct SVG ``style`` attribute once from now on (this process); False, and
    nothing changed, with an unpinned WeasyPrint (weasyprint_pin)."""
    import weasyprint.svg as wsvg

    if not pinned():
        return False
    if getattr(wsvg.parse_declarations, "parses_once", False):
        return True
    wsvg.parse_declarations = cached(wsvg.parse_declarations)
    return True
