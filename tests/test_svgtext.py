"""SVG text drawn as one run per <text> (analysis.report.svgtext, decision record 0110): the words
land where WeasyPrint's letter-by-letter drawing puts them, and stay words in the PDF's text."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis.report import svgtext

ROOT = Path(__file__).resolve().parents[1]

# matplotlib's way of writing text (svg.fonttype: none), anchored start, middle and end
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="120pt" viewBox="0 0 300 120">
 <text style="font-size: 8px; font-family: 'DejaVu Sans'" x="10" y="20">Prosent (N = 62)</text>
 <text style="font-size: 9px; font-family: 'DejaVu Sans'; text-anchor: middle" x="150" y="50">Kommunen bosetter flere</text>
 <text style="font-size: 8px; font-family: 'DejaVu Sans'; text-anchor: end" x="290" y="80" transform="rotate(-0 290 80)">2021 (N = 61*)</text>
 <text x="10 20 30" y="110" style="font-size: 8px">abc</text>
</svg>"""

RENDER = textwrap.dedent(
    """
    import base64, sys
    sys.path.insert(0, {src!r})
    from weasyprint import HTML
    if sys.argv[1] == "runs":
        from analysis.report.svgtext import install
        assert install()
    svg = open(sys.argv[2], "rb").read()
    html = '<img style="width: 300pt" src="data:image/svg+xml;base64,' + base64.b64encode(svg).decode() + '">'
    HTML(string=html).write_pdf(sys.argv[3])
    """
)


def _words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """(word, xMin, xMax, yMin) of every word pdftotext finds."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("<word "):
            attrs = dict(part.split("=", 1) for part in line[6 : line.index(">")].split())
            word = line[line.index(">") + 1 : line.rindex("<")]
            words.append((word, *(float(attrs[k].strip('"')) for k in ("xMin", "xMax", "yMin"))))
    return words


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_runs_land_where_the_letters_did(tmp_path):
    svg = tmp_path / "f.svg"
    svg.write_text(SVG, encoding="utf-8")
    script = tmp_path / "render.py"
    script.write_text(RENDER.format(src=str(ROOT / "src")), encoding="utf-8")
    for mode in ("letters", "runs"):  # separate processes: install() changes the process
        subprocess.run(
            [sys.executable, str(script), mode, str(svg), str(tmp_path / f"{mode}.pdf")], check=True
        )
    letters, runs = _words(tmp_path / "letters.pdf"), _words(tmp_path / "runs.pdf")
    assert [w[0] for w in runs] == [w[0] for w in letters]
    assert "Prosent" in [w[0] for w in runs] and "61*)" in [w[0] for w in runs]
    for a, b in zip(letters, runs):
        # same place to within a fraction of a point (kerning inside a run moves glyphs slightly);
        # anchors (middle, end) hold: the run is shifted by its own width as the letters were
        assert abs(a[1] - b[1]) < 0.6 and abs(a[2] - b[2]) < 0.6 and abs(a[3] - b[3]) < 0.3, (a, b)


def test_only_plain_texts_are_drawn_as_runs():
    from xml.etree import ElementTree

    from cssselect2 import ElementWrapper
    from weasyprint.svg import Node

    def node(xml: str) -> Node:
        return Node(ElementWrapper.from_xml_root(ElementTree.fromstring(xml)), {})

    assert svgtext.is_plain(node('<text x="1" y="2">abc</text>'))
    assert not svgtext.is_plain(node('<text x="1 2 3" y="2">abc</text>'))  # a position per letter
    assert not svgtext.is_plain(node('<text x="1" y="2" dx="1">abc</text>'))
    assert not svgtext.is_plain(node('<text x="1" y="2" letter-spacing="2">abc</text>'))
    assert not svgtext.is_plain(node('<text x="1" y="2">ab<tspan>c</tspan></text>'))
    assert not svgtext.is_plain(node('<text x="1" y="2"></text>'))
    assert not svgtext.is_plain(node('<tspan x="1" y="2">abc</tspan>'))


def test_install_only_for_the_version_it_was_written_for(monkeypatch):
    import weasyprint
    import weasyprint.svg as wsvg

    before = dict(wsvg.TAGS)
    monkeypatch.setattr(weasyprint, "__version__", "0.0-other")
    assert svgtext.install() is False
    assert wsvg.TAGS == before
