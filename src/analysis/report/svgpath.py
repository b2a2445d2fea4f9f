"""SVG paths of absolute straight lines drawn without WeasyPrint's general path parser.

WeasyPrint 70 parses every ``<path d="...">`` with its general SVG path parser: it inserts
spaces around every command letter, normalises the string with four regular expressions, then
takes the coordinates two at a time with a regular expression and converts each through
``size()`` (which tries units and percentages). For the report's three kommune maps -- ~35 000
vertices of ``M x y L x y ... z``, the only commands matplotlib writes for polygons -- that was
the largest single cost of drawing the PDF (benchmarks/RESULTS.md, issue 28).

A path whose ``d`` holds only absolute ``M``/``L`` commands with plain numbers and ``z``/``Z``
is drawn here from one tokenisation: the same PDF operators with the same numbers (each number
is converted by ``float()``, as ``size()`` does for a plain number, and written by pydyf's own
formatter), the same ``vertices`` for markers, the same current point at ``z``. Any other path
(relative commands, curves, arcs, numbers with units or glued signs) goes to WeasyPrint's own
function unchanged. A path as svglite writes it (single spaces, every number as pydyf would
write it) is split on its spaces and its numbers go into the PDF as written, which halves the
fast path's own cost (~0,2 s of CPU per render; the same bytes).

:func:`install` replaces the function only for the WeasyPrint version it was written against
(pinned in uv.lock); with any other version it leaves WeasyPrint alone and returns False
(docs/decisions/0178-svg-paths-of-straight-lines.md).
"""

from __future__ import annotations

import re
from math import atan2, pi

from analysis.report.weasyprint_pin import pinned

# A number as this fast path accepts it: optional minus, digits with an optional fraction.
# Anything else (exponents, '+', '.5', units) makes the whole path go to WeasyPrint's parser.
_TOKEN = re.compile(r"\s*(?:([MLZz])|(-?\d+(?:\.\d+)?)(?=[\s,MLZz]|$)|,)")
_STRAIGHT = re.compile(r"[\sMLZz\d.,-]*")

# A number written as pydyf writes it (``str(int(x))`` for an integer, else ``f"{x:f}"`` without
# trailing zeros): no leading zeros, no "-0", at most 6 decimals, the last one not 0, and at most
# 9 digits before the point (exact in a float). Such a number's PDF bytes are its own text.
_PLAIN = r"(?:-?[1-9]\d{0,8}(?:\.\d{0,5}[1-9])?|-?0\.\d{0,5}[1-9]|0)"
# A whole path as svglite writes it (decision 0120): tokens separated by single spaces, every
# number plain. Its tokens are ``d.split(" ")``, and no number needs converting for the PDF.
_COMMAND = rf"(?:[ML] {_PLAIN} {_PLAIN}(?: {_PLAIN} {_PLAIN})*|[zZ])"
_WRITTEN = re.compile(rf"{_COMMAND}(?: {_COMMAND})*")


_LETTERS = frozenset("MLZz")


class _Plain(list):
    """Commands whose every number is written as pydyf would write it (see :data:`_PLAIN`)."""


def straight_tokens(d: str) -> list | None:
    """The path's commands as ``[letter, x, y]`` / ``[letter]`` lists of strings, or None when
    the path is not one this module draws (see the module's docstring)."""
    if _WRITTEN.fullmatch(d):
        commands = _Plain()
        for token in d.split(" "):
            if token in _LETTERS:
                commands.append([token])
            else:
                commands[-1].append(token)
        return commands
    if not _STRAIGHT.fullmatch(d):
        return None
    commands = []
    pos, end = 0, len(d.rstrip())
    while pos < end:
        m = _TOKEN.match(d, pos)
        if m is None or m.end() == pos:
            return None
        pos = m.end()
        letter, number = m.group(1), m.group(2)
        if letter is not None:
            commands.append([letter])
        elif number is not None:
            if not commands:
                return None
            commands[-1].append(number)
    for command in commands:
        letter, n = command[0], len(command) - 1
        if letter in "Zz":
            if n:
                return None
        elif n == 0 or n % 2:
            return None
    return commands


def draw_straight(svg, node, commands: list[list[str]]) -> None:
    """Draw ``commands`` (from :func:`straight_tokens`) as WeasyPrint's ``path()`` would."""
    from pydyf import _to_bytes

    stream = svg.stream
    out = stream.stream.append
    vertices = node.vertices
    as_bytes: dict[str, tuple[float, bytes]] = {}

    def number(text: str) -> tuple[float, bytes]:
        found = as_bytes.get(text)
        if found is None:
            value = float(text)
            found = as_bytes[text] = (value, _to_bytes(value))
        return found

    def plain(text: str) -> tuple[float, bytes]:
        return float(text), text.encode()

    # a path as svglite writes it: pydyf would write each number as it is written there
    value_and_bytes = plain if isinstance(commands, _Plain) else number

    out(b"0 0 m")  # WeasyPrint's path() always starts with a move to (0, 0)
    current = (0.0, 0.0)
    first_path_point = None
    last_letter = None
    for command in commands:
        letter = command[0]
        if letter in "Zz":
            if last_letter in (None, "z", "Z"):
                vertices.append(current)
            if last_letter in (None, "M", "z", "Z"):
                first_path_point = None
            if first_path_point:
                vertices.append(None)
                out(b"h")
                current = first_path_point
            last_letter = letter
            continue
        values = command[1:]
        for i in range(0, len(values), 2):
            # after the first pair, further pairs of an M are lines (SVG's implicit L)
            this = letter if i == 0 or letter == "L" else "L"
            if last_letter in (None, "z", "Z") and this != "M":
                vertices.append(current)
                first_path_point = current
            if last_letter in (None, "M", "z", "Z"):
                first_path_point = None
            if this != "M" and first_path_point is None:
                first_path_point = current
            (x, bx), (y, by) = value_and_bytes(values[i]), value_and_bytes(values[i + 1])
            if this == "L":
                angle = atan2(y - current[1], x - current[0])
                vertices.append((pi - angle, angle))
                out(b" ".join((bx, by, b"l")))
            else:
                if last_letter and last_letter not in "zZ":
                    vertices.append(None)
                out(b" ".join((bx, by, b"m")))
            current = (x, y)
            vertices.append(current)
            last_letter = this


def install() -> bool:
    """Draw straight-line paths with :func:`draw_straight` from now on (this process); False,
    and nothing changed, with an unpinned WeasyPrint (weasyprint_pin) or a PDF stream whose
    line and move operators are not pydyf's."""
    import pydyf
    import weasyprint.svg as wsvg
    from weasyprint.pdf.stream import Stream

    if not pinned():
        return False
    if not all(getattr(Stream, op) is getattr(pydyf.Stream, op) for op in ("move_to", "line_to", "close")):
        return False
    general = wsvg.TAGS["path"]
    if getattr(general, "draws_straight", False):
        return True

    def path(svg, node, font_size):
        commands = straight_tokens(node.get("d", ""))
        if commands is None:
            return general(svg, node, font_size)
        return draw_straight(svg, node, commands)

    path.draws_straight = True
    wsvg.TAGS["path"] = path
    return True
