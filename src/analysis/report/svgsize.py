"""Each distinct SVG length string normalised once per render, not once per element.

WeasyPrint 70 reads every SVG length with ``svg.utils.size``: a plain number through ``float()``,
anything else (``1em``, ``8px``, ``50%``) through ``normalize``, three regular-expression
substitutions, then its unit. Drawing an element starts with its font size,
``size(node.get('font-size', '1em'), ...)``, so drawing the report's figures normalised 28
distinct strings ~9 600 times: ~0,06 s of CPU per PDF render (issue 28). The tokens are kept as
long as the process (the PDF worker renders one document and ends).

:func:`install` gives WeasyPrint's SVG modules a ``size`` that keeps the normalised token of each
string it has met and computes the length from it exactly as WeasyPrint's own function does
(the same branches, asserts, arithmetic and errors; tests/test_render_shortcuts.py compares the two
over numbers, units, percentages and bad strings). Installed only for the WeasyPrint version it
was written against (pinned in uv.lock); with any other it leaves WeasyPrint alone and returns
False (docs/decisions/0196-the-pdf-worker-prepares-while-it-waits.md).
"""

from __future__ import annotations

from analysis.report.weasyprint_pin import pinned


def cached(normalize, lengths: dict):
    """WeasyPrint's ``size(string, font_size, percentage_reference)`` with ``normalize``'s token
    of each non-numeric string kept (``lengths``: WeasyPrint's ``LENGTHS_TO_PIXELS``)."""
    tokens: dict = {}

    def size(string, font_size=None, percentage_reference=None):
        if not string:
            return 0
        try:
            return float(string)
        except ValueError:
            pass
        token = tokens.get(string)
        if token is None:
            token = tokens[string] = normalize(string).split(" ", 1)[0]
        if token.endswith("%"):
            assert percentage_reference is not None
            return float(token[:-1]) * percentage_reference / 100
        if token.endswith("rem"):
            assert font_size is not None
            return font_size * float(token[:-3])
        if token.endswith("em"):
            assert font_size is not None
            return font_size * float(token[:-2])
        if token.endswith("ex"):  # WeasyPrint: 1em == 2ex
            assert font_size is not None
            return font_size * float(token[:-2]) / 2
        for unit, coefficient in lengths.items():
            if token.endswith(unit):
                return float(token[: -len(unit)]) * coefficient
        return 0  # an unknown unit, as WeasyPrint

    size.normalises_once = True
    size.tokens = tokens
    return size


def install() -> bool:
    """Normalise each distinct SVG length string once from now on (this process); False, and
    nothing changed, with an unpinned WeasyPrint (weasyprint_pin)."""

    if not pinned():
        return False
    from weasyprint.css.units import LENGTHS_TO_PIXELS

    modules = svg_modules()
    utils = modules[-1]
    if getattr(utils.size, "normalises_once", False):
        return True
    own = utils.size
    size = cached(utils.normalize, LENGTHS_TO_PIXELS)
    size.replaces = own  # WeasyPrint's own (the tests compare the two)
    for module in modules:
        if getattr(module, "size", None) is own:
            module.size = size
    return True


def svg_modules() -> list:
    """WeasyPrint's SVG modules that call ``size`` by a name of their own: svg/__init__.py (each
    element's font size, its points and lengths), defs.py, text.py and, last, utils.py (its
    transforms). By ``importlib``: ``weasyprint.svg.text`` as an attribute is the drawing
    function that analysis.report.svgtext installs, not the module."""
    import importlib

    return [importlib.import_module(f"weasyprint.svg{m}") for m in ("", ".defs", ".text", ".utils")]
