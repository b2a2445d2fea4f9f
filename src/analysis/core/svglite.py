"""Lighter figure SVGs: what matplotlib writes that no reader of the printed figure can see.

The report inlines every figure's SVG, and WeasyPrint parses and draws each element and each
path vertex in Python, so the bytes and elements of the figures are a large part of the render
(benchmarks/RESULTS.md, issue 28). Three rewrites, each leaving the drawing unchanged at any
printed size (decision 0120):

- path data with 2 decimals instead of 6 (coordinates in pt: 0.01 pt = 0.004 mm) and one space
  between tokens instead of a line per vertex (a third of a map's bytes);
- no ``transform="rotate(-0 x y)"`` on text that is not rotated (a transform parsed per label);
- no ``clip-path`` on a path that lies wholly inside its (rectangular) clip, its stroke included:
  clipping it cuts nothing, and each clip costs WeasyPrint a clip path drawn per element.

Pure text in, text out: the same SVG always gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

_ZERO_ROTATION = re.compile(r' transform="rotate\(-?0 [-+\d.e]+ [-+\d.e]+\)"')
_PATH = re.compile(r"<path\b([^>]*?)(/?)>")
_ATTR = re.compile(r'\s([\w:-]+)="([^"]*)"')
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_CLIP_RECT = re.compile(
    r'<clipPath id="([^"]+)">\s*<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"\s*/>\s*</clipPath>'
)
_STROKE_WIDTH = re.compile(r"stroke-width:\s*([\d.]+)")
DECIMALS = 2


def _fmt(value: float) -> str:
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def compact_path_data(d: str) -> str:
    """``d`` with every number to :data:`DECIMALS` decimals and single spaces between tokens."""
    tokens = re.findall(r"[A-Za-z]|" + _NUMBER.pattern, d)
    return " ".join(t if t.isalpha() else _fmt(float(t)) for t in tokens)


def _inside(d: str, rect: tuple[float, float, float, float], margin: float) -> bool:
    """All points of path data ``d`` (straight lines and Bézier curves only: a curve stays in the
    hull of its control points) lie in ``rect`` (x, y, width, height) shrunk by ``margin``."""
    if re.search(r"[^MLCQZmlcqz\d\s.,eE+-]", d) or re.search(r"[mlcqAaHhVvSsTt]", d):
        return False  # relative or other commands: not checked, keep the clip
    nums = [float(n) for n in _NUMBER.findall(d)]
    if not nums or len(nums) % 2:
        return False
    x0, y0, w, h = rect
    xs, ys = nums[0::2], nums[1::2]
    return (
        min(xs) >= x0 + margin
        and max(xs) <= x0 + w - margin
        and min(ys) >= y0 + margin
        and max(ys) <= y0 + h - margin
    )


def _stroke_margin(style: str) -> float | None:
    """How far a path's paint reaches beyond its outline: the full stroke width (covers round and
    square caps and joins), 0 without a stroke; None for mitred joins (spikes: keep the clip)."""
    if "miter" in style:
        return None
    declarations = dict(
        (k.strip(), v.strip()) for k, _, v in (p.partition(":") for p in style.split(";")) if k.strip()
    )
    stroke = declarations.get("stroke", "none")
    if stroke == "none":
        return 0.0
    m = _STROKE_WIDTH.search(style)
    return float(m.group(1)) if m else 1.0


def lighten(svg: str) -> str:
    """The rewrites of the module docstring applied to a matplotlib SVG document."""
    svg = _ZERO_ROTATION.sub("", svg)
    clips = {m.group(1): tuple(float(m.group(i)) for i in range(2, 6)) for m in _CLIP_RECT.finditer(svg)}

    def path(m: re.Match) -> str:
        attrs = dict(_ATTR.findall(" " + m.group(1)))
        d = attrs.get("d")
        if d is None:
            return m.group(0)
        body = m.group(1)
        clip = attrs.get("clip-path", "")
        ref = re.fullmatch(r"url\(#([^)]+)\)", clip)
        if ref and ref.group(1) in clips and "transform" not in attrs:
            margin = _stroke_margin(attrs.get("style", ""))
            if margin is not None and _inside(d, clips[ref.group(1)], margin):
                body = body.replace(f' clip-path="{clip}"', "", 1)
        body = body.replace(f'd="{d}"', f'd="{compact_path_data(d)}"', 1)
        return f"<path{body}{m.group(2)}>"

    return _PATH.sub(path, svg)


def lighten_file(path: str | Path) -> None:
    """Rewrite the SVG file at ``path`` with :func:`lighten`."""
    path = Path(path)
    path.write_text(lighten(path.read_text(encoding="utf-8")), encoding="utf-8")
