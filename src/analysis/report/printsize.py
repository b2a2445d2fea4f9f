"""Figure text at print size: how large every SVG figure's text comes out on the PDF page.

Matplotlib writes SVGs in points (``width="476pt"``, ``viewBox`` in the same units, text as
``font-size: 8px`` in those units). The PDF scales each figure to the box the layout gives it, so
the printed size of a text is its SVG size times (printed width / SVG width). The render step
records the printed box of every figure (:func:`printed_figures`, from WeasyPrint's layout);
:func:`figure_text_report` turns that into the smallest printed text per figure.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import unquote

PX_PER_PT = 4 / 3  # CSS: 1pt = 4/3 px

_SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)pt"[^>]*?\sheight="([0-9.]+)pt"', re.S)
_FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)px")
_FONT_SHORT = re.compile(r"font:\s*(?:[a-z]+\s+)*([0-9.]+)px")


def svg_size_pt(text: str) -> tuple[float, float]:
    """(width, height) in pt of a matplotlib SVG."""
    m = _SVG_SIZE.search(text)
    if not m:
        raise ValueError("SVG without a width and height in pt")
    return float(m.group(1)), float(m.group(2))


def svg_font_sizes(text: str) -> list[float]:
    """Every font size in the SVG, in its own units (pt for matplotlib's SVGs)."""
    return [float(x) for x in _FONT_SIZE.findall(text) + _FONT_SHORT.findall(text)]


def _name(src: str, owner: str) -> str:
    """A figure's name: its file stem (``figures/fig_2_1.svg`` -> ``fig_2_1``), or for an inlined
    image (a ``data:`` URI) the id of the nearest enclosing element that has one."""
    if src and not src.startswith("data:"):
        return Path(src.split("?")[0]).stem
    return owner


def _svg_of(src: str) -> str | None:
    """The SVG text of an inlined figure (``data:image/svg+xml;base64,...`` or URL-encoded)."""
    if not src.startswith("data:image/svg+xml"):
        return None
    head, _, data = src.partition(",")
    if head.endswith(";base64"):
        return base64.b64decode(data).decode("utf-8")
    return unquote(data)


def printed_figures(document) -> dict[str, dict]:
    """``name -> {"box_width_pt", "box_height_pt", "svg"}`` for every image laid out in a
    WeasyPrint document (first occurrence per name; see :func:`_name`); ``svg`` is the text of an
    inlined SVG, else None."""
    from weasyprint.formatting_structure import boxes

    out: dict[str, dict] = {}

    def walk(box, owner):
        element = getattr(box, "element", None)
        ident = element.get("id") if element is not None and hasattr(element, "get") else None
        owner = ident or owner
        if isinstance(box, boxes.ReplacedBox) and box.element_tag == "img":
            src = box.element.get("src") or ""
            out.setdefault(
                _name(src, owner),
                {
                    "box_width_pt": round(box.width / PX_PER_PT, 3),
                    "box_height_pt": round(box.height / PX_PER_PT, 3),
                    "svg": _svg_of(src),
                },
            )
        for child in getattr(box, "children", []) or []:
            walk(child, owner)

    for page in document.pages:
        walk(page._page_box, "")
    return dict(sorted(out.items()))


def printed_scale(svg_w: float, svg_h: float, box_w: float, box_h: float) -> float:
    """Scale from SVG points to printed points for an image fitted into its box
    (``object-fit: contain``: the smaller of the two ratios)."""
    return min(box_w / svg_w, box_h / svg_h)


def figure_text_report(printed: dict[str, dict], figure_dir: str | Path | None = None) -> dict[str, dict]:
    """Per printed SVG figure: its scale and smallest printed text (pt). The SVG is the inlined
    one (``printed[name]["svg"]``) or else ``figure_dir/<name>.svg``."""
    out = {}
    for name, box in printed.items():
        text = box.get("svg")
        if text is None and figure_dir is not None and (Path(figure_dir) / f"{name}.svg").exists():
            text = (Path(figure_dir) / f"{name}.svg").read_text(encoding="utf-8")
        if text is None:
            continue
        w, h = svg_size_pt(text)
        scale = printed_scale(w, h, box["box_width_pt"], box["box_height_pt"])
        sizes = svg_font_sizes(text)
        out[name] = {
            "box_width_pt": box["box_width_pt"],
            "box_height_pt": box["box_height_pt"],
            "svg_width_pt": w,
            "svg_height_pt": h,
            "scale": round(scale, 4),
            "min_font_svg": min(sizes) if sizes else None,
            "min_font_printed_pt": round(min(sizes) * scale, 2) if sizes else None,
        }
    return out
