"""SVG paths of absolute straight lines drawn directly (analysis.report.svgpath, decision record
0178): the same PDF operators and marker vertices as WeasyPrint's general path parser, and every
other path left to that parser; the PDF's streams at zlib level 6 (0179)."""

from __future__ import annotations

import itertools
import zlib
from math import atan2, pi

import pydyf
import pytest
from weasyprint.svg.path import path as weasyprint_path
from weasyprint.svg.utils import size

from analysis.report import svgpath
from analysis.report.pdf import FLATE_LEVEL, flate_level


class _Node(dict):
    def __init__(self, d: str):
        super().__init__(d=d)
        self.vertices: list = []


class _Svg:
    def __init__(self):
        self.stream = pydyf.Stream()

    def point(self, x, y, font_size):
        return size(x, font_size, 100), size(y, font_size, 100)


def _drawn(draw, d: str):
    svg, node = _Svg(), _Node(d)
    draw(svg, node, 12)
    return svg.stream.stream, node.vertices


def _direct(svg, node, font_size):
    commands = svgpath.straight_tokens(node["d"])
    assert commands is not None
    svgpath.draw_straight(svg, node, commands)


def test_a_square_by_hand():
    ops, vertices = _drawn(_direct, "M 0 0 L 10 0 L 10 10 z")
    assert ops == [b"0 0 m", b"0 0 m", b"10 0 l", b"10 10 l", b"h"]
    right, up = atan2(0, 10), atan2(10, 0)
    assert vertices == [(0.0, 0.0), (pi - right, right), (10.0, 0.0), (pi - up, up), (10.0, 10.0), None]


# matplotlib's polygons, and the corners of the grammar this module accepts: implicit lines
# after M, commas, several subpaths, z right after M, z twice, a path that starts with z,
# negative zero, leading zeros, integers written as floats
SAME_AS_WEASYPRINT = [
    "M 134.17 453.94 L 136 451.88 L 136.3 451.87 z M 41.23 501.38 L 41.47 500.58 z",
    "M 1 2 3 4 5 6 z",
    "M1,2 L3,4 L 5 , 6 Z",
    "M 1 2 z L 3 4",
    "M 1 2 L 3 4 z z M 5 6 L 7 8",
    "z M 1 2 L 3 4",
    "M -0 -0.0 L 007 3.50 L -2.25 10",
    "L 1 2 L 3 4",
    "M 0 0 M 1 1 L 2 2",
    "",
    "   ",
    # as svglite writes paths (numbers taken as written), and near misses of that form
    "M 0 -0.5 L 10.25 3 L -7 0.000001 z M 123456789.123456 1 L 2 3 Z",
    "M 1234567890 1 L 2 3",
    "M 1 2 L 3 4 ",
    "M 1 2  L 3 4",
    "M 0.0000001 1 L 2 3",
]


@pytest.mark.parametrize("d", SAME_AS_WEASYPRINT)
def test_same_operators_and_vertices_as_weasyprint(d):
    assert svgpath.straight_tokens(d) is not None
    assert _drawn(_direct, d) == _drawn(weasyprint_path, d)


@pytest.mark.parametrize(
    "d, plain",
    [
        ("M 134.17 453.94 L 136 451.88 L 136.3 451.87 z M 41.23 501.38 L 41.47 500.58 z", True),
        ("M 0 -0.5 L 10.25 3 L -7 0.000001 z", True),
        ("z M 1 2 L 3 4 5 6", True),
        ("M -0 0 L 1 2", False),  # pydyf writes -0 as 0
        ("M 1.50 0 L 1 2", False),  # ... and 1.50 as 1.5
        ("M 007 0 L 1 2", False),
        ("M 0.0000001 1 L 2 3", False),  # more decimals than pydyf writes
        ("M 1234567890 1 L 2 3", False),
        ("M1,2 L3,4", False),
        ("M 1 2 L 3 4 ", False),
    ],
)
def test_paths_as_svglite_writes_them_keep_their_numbers_text(d, plain):
    commands = svgpath.straight_tokens(d)
    assert isinstance(commands, svgpath._Plain) is plain
    assert _drawn(_direct, d) == _drawn(weasyprint_path, d)


def test_every_short_path_of_the_grammar_as_weasyprint_draws_it():
    # all sequences of up to five tokens over letters and numbers the fast path takes
    tokens = ["M", "L", "z", "1.5", "-2", "0"]
    taken = 0
    for n in range(6):
        for seq in itertools.product(tokens, repeat=n):
            d = " ".join(seq)
            if svgpath.straight_tokens(d) is None:
                continue
            taken += 1
            assert _drawn(_direct, d) == _drawn(weasyprint_path, d), d
    assert taken > 250  # the enumeration does reach the fast path


@pytest.mark.parametrize(
    "d",
    [
        "m 1 2 l 3 4",  # relative commands
        "M 1 2 C 1 2 3 4 5 6",  # curves
        "M 1 2 H 5 V 6",  # horizontal and vertical lines
        "M 1e2 2 L 3 4",  # exponent
        "M .5 2 L 3 4",  # no digit before the point
        "M 1-2 L 3 4",  # a sign glued to the number before it
        "M 1 2 L 3",  # an odd number of coordinates
        "M 1 2 L 3px 4",  # units
        "M 1.5.5 L 3 4",  # two numbers glued by their points
    ],
)
def test_other_paths_go_to_weasyprint(d):
    assert svgpath.straight_tokens(d) is None


def test_install_replaces_the_path_tag_once_and_keeps_the_general_parser():
    import weasyprint.svg as wsvg

    before = wsvg.TAGS["path"]
    try:
        assert svgpath.install()
        installed = wsvg.TAGS["path"]
        assert installed.draws_straight
        assert svgpath.install() and wsvg.TAGS["path"] is installed  # idempotent
        # a curve still reaches WeasyPrint's parser through the installed function
        assert _drawn(installed, "M 0 0 C 1 1 2 2 3 3") == _drawn(weasyprint_path, "M 0 0 C 1 1 2 2 3 3")
    finally:
        wsvg.TAGS["path"] = before


def test_streams_compressed_at_the_chosen_level_only_inside_the_block():
    # path operators like a map's, where levels 6 and 9 give different bytes
    lines = [f"{(i * 37) % 1000 / 7:.2f} {(i * 91) % 1000 / 3:.2f} l".encode() for i in range(5000)]
    raw = b"\n".join(lines)
    assert _deflated(raw, FLATE_LEVEL) != _deflated(raw, 9)
    stream = pydyf.Stream(lines, compress=True)
    with flate_level(FLATE_LEVEL):
        inside = stream.data
    outside = stream.data
    assert _deflated(raw, FLATE_LEVEL) in inside
    assert _deflated(raw, 9) in outside  # pydyf's own level again after the block
    assert pydyf.zlib is zlib


def _deflated(raw: bytes, level: int) -> bytes:
    c = zlib.compressobj(level)
    return c.compress(raw) + c.flush()
