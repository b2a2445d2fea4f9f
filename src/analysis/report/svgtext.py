"""SVG text in the PDF drawn as one run per ``<text>`` element instead of one run per letter.

WeasyPrint 70 draws every ``<text>`` of an inlined SVG letter by letter: one Pango layout, one
PDF text object and one positioning per character, plus one layout of the whole string for its
width. The report's figures are matplotlib SVGs with their text as text (``svg.fonttype: none``,
so that it stays selectable, searchable and measurable at print size): ~9 000 characters, which
made drawing the figures' text about a fifth of the whole PDF render (benchmarks/RESULTS.md,
issue 28).

A plain ``<text>`` -- one ``x`` and one ``y``, no ``dx``/``dy``/``rotate``/``letter-spacing``/
``textLength``, no child elements, which is every text matplotlib writes -- is drawn here from the
one layout of the whole string that WeasyPrint makes anyway: the same font, size, position,
anchor, colour and bounding box; the glyphs are placed by Pango's shaping of the run (with the
font's kerning) instead of letter by letter. Anything else goes to WeasyPrint's own function.

:func:`install` replaces the function only for the WeasyPrint version it was written against
(pinned in uv.lock); with any other version it leaves WeasyPrint alone and returns False
(docs/decisions/0110-svg-text-runs.md).
"""

from __future__ import annotations

from math import inf

from analysis.report.weasyprint_pin import pinned

_PER_LETTER_ATTRIBUTES = ("dx", "dy", "rotate", "letter-spacing", "textLength")


def _single(value: str | None) -> bool:
    """An absent coordinate list, or one holding a single value."""
    if value is None:
        return True
    from weasyprint.svg.utils import normalize

    return len(normalize(value).strip().split(" ")) == 1


def is_plain(node) -> bool:
    """A ``<text>`` WeasyPrint would draw letter by letter with nothing per letter to honour."""
    return (
        node.tag == "text"
        and bool(node.text)
        and len(node._etree_node) == 0  # no tspan or other child element
        and _single(node.get("x"))
        and _single(node.get("y"))
        and not any(node.get(a) for a in _PER_LETTER_ATTRIBUTES)
    )


def _style(svg, node, font_size):
    """The text style WeasyPrint's SVG text uses (same fields, same defaults)."""
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    style["font_weight"] = node.get("font-weight", 400)
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    if style["font_weight"] == "normal":
        style["font_weight"] = 400
    elif style["font_weight"] == "bold":
        style["font_weight"] = 700
    else:
        try:
            style["font_weight"] = int(style["font_weight"])
        except ValueError:
            style["font_weight"] = 400
    return style


def _y_align(node, font_size, height):
    """Vertical alignment as WeasyPrint's SVG text computes it."""
    ascent, descent = font_size * 0.8, font_size * 0.2
    display_anchor = node.get("display-anchor")
    baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        return -height / 2
    if display_anchor == "top":
        return 0
    if display_anchor == "bottom":
        return -height
    if baseline in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0


def text_run(svg, node, font_size) -> None:
    """Draw a plain ``<text>`` (:func:`is_plain`) as one run."""
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    style = _style(svg, node, font_size)
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width) if "x" in node.attrib else None
    y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height) if "y" in node.attrib else None
    # the cursor as WeasyPrint moves it for the first letter, then past the whole run
    if x:
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + _y_align(node, font_size, height)
    points = ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height))
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(
        svg.stream, text_box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position)
    )
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def install() -> bool:
    """Draw plain SVG texts as runs from now on (this process); False, and nothing changed, with an
    unpinned WeasyPrint (weasyprint_pin)."""
    import weasyprint.svg as wsvg

    if not pinned():
        return False
    per_letter = wsvg.TAGS["text"]
    if getattr(per_letter, "draws_runs", False):
        return True

    def text(svg, node, font_size):
        if is_plain(node):
            return text_run(svg, node, font_size)
        return per_letter(svg, node, font_size)

    text.draws_runs = True
    # draw_node looks the function up in TAGS and compares it with the module's `text` (text
    # anchors): both must be the new one
    for tag, fn in list(wsvg.TAGS.items()):
        if fn is per_letter:
            wsvg.TAGS[tag] = text
    wsvg.text = text
    return True
