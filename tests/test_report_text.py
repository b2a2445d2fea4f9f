"""The rendered report as a reader sees it: numbers in the Norwegian style, nothing in scientific
notation (issue 17). Uses the session's demo build."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

SCIENTIFIC = re.compile(r"(?<![\w/.])\d+(?:[.,]\d+)?[eE][-+]?\d+\b")
DOT_DECIMAL = re.compile(r"(?<![\w/.\-])\d+\.\d+(?![\w/.\-])")
# where a dot between digits is not a decimal point: figure/table/chapter references and
# section headings ("Figur 11.3", "kap. 9.1.3", "11.2 Praktisering"), dates (1.1.2020), version
# numbers ("JSON-stat 2.0"), and multi-dot numbers (sections, versions, dates)
HEADING = re.compile(r"(?m)^\d+(?:\.\d+)+ (?=[A-ZÆØÅ])")
ALLOWED = [
    re.compile(
        r"\b(?:Figur|Tabell|Vedlegg|figur|tabell|kap\.|Kap\.) [A-Z]?\d+(?:\.\d+)+"
        r"(?:(?:,| og| eller| and| –| -) [A-Z]?\d+(?:\.\d+)+)*"  # "kap. 2.2 og 4.1", "Tabell 12.1 og 2.1"
    ),
    re.compile(r"\d+(?:\.\d+){2,}"),
    re.compile(r"JSON-stat \d+\.\d+"),
]


class _Text(HTMLParser):
    """The reader's text of report.html: everything but <style>, <code> and class="mono" elements
    (paths, hashes, package versions), which are kept apart in ``code``."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.code = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "br", "meta", "col", "link", "hr", "input"):
            return
        cls = (dict(attrs).get("class") or "").split()
        self.stack.append(tag == "code" or tag == "style" or "mono" in cls)

    def handle_endtag(self, tag):
        if self.stack and tag not in ("img", "br", "meta", "col", "link", "hr", "input"):
            self.stack.pop()

    def handle_data(self, data):
        (self.code if any(self.stack) else self.text).append(data)


def html_text(path) -> tuple[str, str]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.text), " ".join(parser.code)


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def offenders(text: str, code_text: str) -> tuple[list[str], list[str]]:
    """(scientific-notation numbers, dot decimals) outside references, dates, versions and code."""
    text = re.sub(r"\s+", " ", HEADING.sub(" ", text))  # headings first; then lines joined
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    code_numbers = set(DOT_DECIMAL.findall(code_text))
    dots = [m for m in DOT_DECIMAL.findall(text) if m not in code_numbers]
    return SCIENTIFIC.findall(text), dots


def test_offenders_finds_what_it_should():
    sci, dots = offenders(
        "11.2 Praktisering\navvik 3.7e-11 og 0.0e+00; 5.797 og 34.03 i Figur\n11.3 (kap. 9.1.3), kap. 2.2 og 4.1, 1.1.2020, 5,8 %",
        "",
    )
    assert sci == ["3.7e-11", "0.0e+00"] and dots == ["5.797", "34.03"]
    assert offenders("pandas 2.2", "pandas 2.2") == ([], [])


def figure_text(reports) -> str:
    """The text drawn inside the figures (matplotlib writes SVG <text>, which the PDF keeps)."""
    return " ".join(
        " ".join(re.findall(r"<text[^>]*>([^<]*)", svg.read_text(encoding="utf-8")))
        for svg in sorted((reports / "figures").glob("*.svg"))
    )


def test_norwegian_pdf_has_no_scientific_notation_and_no_dot_decimals(demo_build):
    """The report's own text; numbers drawn inside figures are the next test's.

    Scientific notation is searched in the PDF's text. Dot decimals are searched in the text of
    report.html, from which the PDF is rendered: pdftotext interleaves the cells of wide tables,
    which parts "kap." from its "11.1"."""
    reports = demo_build / "reports"
    text, code = html_text(reports / "report.html")
    figures = figure_text(reports)
    sci, _ = offenders(pdf_text(reports / "report.pdf"), code + " " + figures)
    sci_html, dots = offenders(text, code)
    assert not sci and not sci_html, f"scientific notation in the report: {(sci + sci_html)[:10]}"
    assert not dots, f"dot decimals in the Norwegian report: {dots[:20]}"


def test_norwegian_figures_have_no_dot_decimals(demo_build):
    sci, dots = offenders(figure_text(demo_build / "reports"), "")
    assert not sci and not dots, f"in figures: {(sci + dots)[:20]}"


def test_pdf_table_headers_carry_a_scope(demo_build):
    """PDF/UA: at least 95 % of the header cells (/TH) have a /Scope, and row labels are headers."""
    import pikepdf

    from analysis.report.pdfua import has_scope, header_cells

    with pikepdf.open(demo_build / "reports" / "report.pdf") as pdf:
        cells = header_cells(pdf)
        scoped = [th for th in cells if has_scope(th)]
        rows = [th for th in scoped if th.A.Scope == pikepdf.Name.Row]
    assert len(cells) > 200
    assert len(scoped) >= 0.95 * len(cells), f"{len(scoped)} of {len(cells)} header cells have a /Scope"
    assert len(rows) > 100, "row labels are tagged as row headers"


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.headings = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.refs += [(tag, k, v) for k, v in a.items() if k in ("src", "href", "data") and v]
        if tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(tag)


def test_report_html_is_self_contained(demo_build, tmp_path):
    """report.html copied alone into an empty folder shows every figure: no link to figures/ or
    any other file, every image inline."""
    alone = tmp_path / "report.html"
    alone.write_bytes((demo_build / "reports" / "report.html").read_bytes())
    html = alone.read_text(encoding="utf-8")
    parser = _Refs()
    parser.feed(html)
    images = [v for tag, k, v in parser.refs if tag == "img"]
    assert len(images) >= 25
    assert all(v.startswith("data:image/") for v in images)
    external = [
        v for _, _, v in parser.refs if not v.startswith(("data:", "#", "http://", "https://", "mailto:"))
    ]
    assert not external, f"references to other files: {external[:5]}"
    assert not re.search(r"url\((?!['\"]?data:)", html), "a stylesheet url() points at a file"


def test_sub_sections_are_tagged_one_level_below_sections(demo_build):
    parser = _Refs()
    parser.feed((demo_build / "reports" / "report.html").read_text(encoding="utf-8"))
    html = (demo_build / "reports" / "report.html").read_text(encoding="utf-8")
    assert parser.headings.count("h3") >= 3
    # "4.1.1 …" is a sub-section: never an h1/h2
    assert not re.search(r"<h[12][^>]*>\d+\.\d+\.\d+ ", html)


class _Figures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts, self.captions, self._in_caption = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt", ""))
        self._in_caption = tag == "figcaption" or (self._in_caption and tag == "b")

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data):
        if self._in_caption:
            self.captions.append(data.strip())


def test_figure_alt_text_states_what_the_figure_shows_with_numbers(demo_build):
    parser = _Figures()
    parser.feed((demo_build / "reports" / "report.html").read_text(encoding="utf-8"))
    captions = " ".join(parser.captions)
    data_alts = [a for a in parser.alts if a != "Arbeidsflyten som graf"]
    assert len(data_alts) >= 25
    assert all(re.search(r"\d", a) for a in data_alts), [a for a in data_alts if not re.search(r"\d", a)][:3]
    assert not [a for a in data_alts if a in captions], "an alt text repeats its caption"


def test_html_preview_rebuilds_only_the_html(demo_build, tmp_path):
    """`snakemake html` after a template edit: one job (render_preview), its own file has the edit
    and is otherwise report.html byte for byte; the report (HTML and PDF) is untouched (0123)."""
    import shutil

    from conftest import run_snakemake

    work = tmp_path / "main"
    shutil.copytree(demo_build, work, symlinks=True)
    (tmp_path / "shared").symlink_to((demo_build.parent / "shared").resolve(), target_is_directory=True)
    template = work / "workflow" / "report" / "templates" / "summary.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace("</section>", "<p>FORHÅNDSVISNING</p>\n</section>")
    )
    report = [work / "reports" / f"report.{ext}" for ext in ("pdf", "html")]
    before = [(p.stat().st_mtime_ns, p.read_bytes()) for p in report]
    proc = run_snakemake(work, "html")
    log = proc.stdout + proc.stderr
    assert set(re.findall(r"rule (\w+):", log)) == {"render_preview", "html"}  # no render_report job
    preview = (work / "reports" / "preview.html").read_text(encoding="utf-8")
    assert "<p>FORHÅNDSVISNING</p>\n" in preview
    assert [(p.stat().st_mtime_ns, p.read_bytes()) for p in report] == before
    assert preview.replace("<p>FORHÅNDSVISNING</p>\n", "", 1).encode("utf-8") == before[1][1]
