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

import functools
import re

_ZERO_ROTATION = re.compile(r' transform="rotate\(-?0 [-+\d.e]+ [-+\d.e]+\)"')
_PATH = re.compile(r"<path\b([^>]*)>")  # greedy: a lazy body tries "/?>" at every character
_ATTR = re.compile(r'\s([\w:-]+)="([^"]*)"')
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_CLIP_RECT = re.compile(
    r'<clipPath id="([^"]+)">\s*<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"\s*/>\s*</clipPath>'
)
_STROKE_WIDTH = re.compile(r"stroke-width:\s*([\d.]+)")
_CLIP_REF = re.compile(r"url\(#([^)]+)\)")
DECIMALS = 2


_SLOT = "\x00"  # stands for a number in a path's tokens (path data has no NUL)
_TOKEN = re.compile(r"[A-Za-z]|\x00")
# matplotlib's path data: command letters and numbers, one per whitespace-separated word
_PLAIN = "MLCQZzeE0123456789.+- \n\t\r"
_PLAIN_LETTERS = frozenset("MLCQZzeE")
# after "%.2f": the zeros ending a number's decimals, and the point if nothing is left after it
# (they cannot reach into the digits before the point: the point comes first)
_TRAILING_ZEROS = re.compile(r"\.?0+(?= |$)")
_NEGATIVE_ZERO = re.compile(r"(?<![^ ])-0(?![^ ])")
_OTHER_COMMANDS = re.compile(r"[^MLCQZmlcqz\d\s.,eE+-]|[mlcqAaHhVvSsTt]")


def _tokens(d: str) -> tuple[list[str], list[float]]:
    """Path data ``d`` as its tokens (a command letter, or :data:`_SLOT` for a number) and its
    numbers. matplotlib writes each token as a whitespace-separated word, which ``split`` finds
    without a regular expression; anything else (``M1,2``, ``1-2``) goes through the regular
    expressions, which give the same tokens in the plain case."""
    if not d.strip(_PLAIN):
        words = d.split()
        try:
            numbers = [float(w) for w in words if w not in _PLAIN_LETTERS]
        except ValueError:  # e.g. "1-2", two numbers in one word
            pass
        else:
            return [w if w in _PLAIN_LETTERS else _SLOT for w in words], numbers
    return _TOKEN.findall(_NUMBER.sub(_SLOT, d)), list(map(float, _NUMBER.findall(d)))


def compact_path_data(d: str, tokens: tuple[list[str], list[float]] | None = None) -> str:
    """``d`` with every number to :data:`DECIMALS` decimals (no trailing zeros or point, no
    minus on a zero) and single spaces between tokens. ``tokens``: :func:`_tokens` of ``d``, if
    the caller has it. All numbers are formatted by one ``%`` and their zeros stripped by one
    pass over the result, not by a Python call per number (issue 28)."""
    words, numbers = tokens or _tokens(d)
    text = " ".join(words).replace(_SLOT, f"%.{DECIMALS}f") % tuple(numbers)
    negative_zero = f"-0.{'0' * DECIMALS}" in text
    text = _TRAILING_ZEROS.sub("", text)
    return _NEGATIVE_ZERO.sub("0", text) if negative_zero else text


def _inside(
    d: str, rect: tuple[float, float, float, float], margin: float, nums: list[float] | None = None
) -> bool:
    """All points of path data ``d`` (straight lines and Bézier curves only: a curve stays in the
    hull of its control points) lie in ``rect`` (x, y, width, height) shrunk by ``margin``.
    ``nums``: ``d``'s numbers, if the caller has them."""
    if d.strip(_PLAIN) and _OTHER_COMMANDS.search(d):
        return False  # relative or other commands: not checked, keep the clip
    if nums is None:
        nums = _tokens(d)[1]
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


@functools.cache  # a map has thousands of paths and a handful of styles
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
        body = m.group(1)
        attrs = dict(_ATTR.findall(" " + body))
        d = attrs.get("d")
        if d is None:
            return m.group(0)
        end = "/" if body.endswith("/") else ""
        body = body[: len(body) - len(end)]
        clip = attrs.get("clip-path", "")
        ref = _CLIP_REF.fullmatch(clip)
        tokens = _tokens(d)
        if ref and ref.group(1) in clips and "transform" not in attrs:
            margin = _stroke_margin(attrs.get("style", ""))
            if margin is not None and _inside(d, clips[ref.group(1)], margin, tokens[1]):
                body = body.replace(f' clip-path="{clip}"', "", 1)
        body = body.replace(f'd="{d}"', f'd="{compact_path_data(d, tokens)}"', 1)
        return f"<path{body}{end}>"

    return _PATH.sub(path, svg)
