"""The Norwegian report as a publisher reads it (issue 24): a text scan of the PDF before the
lineage appendix (Vedlegg 2) finds no English sentence, no dot decimal, no hyphen-minus before a
digit, and, before the appendices, no developer code (INC05, x_ table names, config keys, decision
numbers). The lineage lines under each table and figure ("Sporbarhet: ...") are lineage, and name
files and rules on purpose; they are left out of the scan."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from analysis.core.messages import load_messages

ROOT = Path(__file__).resolve().parents[1]
NO = load_messages(ROOT / "workflow" / "report" / "messages" / "no.yaml")

ENGLISH = re.compile(r"\b(the|and|of|with|which|not|is|are|from|this|that|for|by|only|has|have|cannot)\b")
URL = re.compile(r"https?://\S+")
# a lineage footer names each file with its hash, or "(–)" for an internal file it does not hash
HASH = re.compile(r"\((?:[0-9a-f]{12}|–)\)")
# numbers with a dot that are references, not decimals: Figur 2.1, Tabell X9.1, kap. 4.1.1, a heading
REFERENCE = re.compile(
    r"(?:Figur|Tabell|figur|tabell|[Kk]ap\.|Vedlegg)\s+X?(\d+(?:\.\d+)+)|^(\d+(?:\.\d+)+) [A-ZÆØÅ]", re.M
)
DOT_DECIMAL = re.compile(r"(?<![\d.,])\d+\.\d+(?![\d.])")
MISSING_SPACE = re.compile(r"[a-zæøå)]\.[A-ZÆØÅ][a-zæøå]")  # "undersøkelsen.Prosentene"
HYPHEN_MINUS = re.compile(r"(?<![\w\-–/])-\d")
CODES = [
    re.compile(r"\bINC\d\d\b"),
    re.compile(r"\bx_[a-z]"),
    re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b"),  # a config key: survey.small_base
    re.compile(r"\bvedtak \d{4}"),
    re.compile(r"\b[a-z]+_[a-z0-9_]+\b"),  # snake_case identifiers: region_grouping, imdi_annual
]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def before(text: str, heading: str) -> str:
    """The text before the heading's second occurrence (the first is the table of contents)."""
    first = text.find(heading)
    second = text.find(heading, first + len(heading))
    assert first >= 0 and second > first, f"heading {heading!r} not found twice"
    return text[:second]


def readable_lines(text: str) -> list[str]:
    """The lines a reader reads: lineage footers (which name files and hashes) left out."""
    label = NO["lineage_footer.label"] if "lineage_footer.label" in NO else "Sporbarhet:"
    out, in_footer = [], False
    for line in text.split("\n"):
        if line.startswith(label):
            in_footer = True
        if in_footer and (line.startswith(label) or HASH.search(line) or "regel:" in line):
            continue
        in_footer = False
        out.append(URL.sub("", line))
    return out


def problems(text: str) -> dict[str, list[str]]:
    lines = readable_lines(before(text, NO["lineage.appendix_2_data_lineage"]))
    body = readable_lines(before(text, NO["scorecard.appendix_1_reproduction_published_numbers"]))
    joined = " ".join(lines)
    references = {a or b for a, b in REFERENCE.findall("\n".join(lines))}
    found = {
        "english": [x for x in lines if len(set(ENGLISH.findall(x))) >= 2],
        # pdftotext may tear "Figur 11.4" apart at a page or cell break: a number the report also
        # writes as a reference elsewhere is that reference
        "dot decimal": [
            joined[max(0, m.start() - 30) : m.end() + 10]
            for m in DOT_DECIMAL.finditer(joined)
            if m.group(0) not in references
        ],
        "hyphen-minus": [x for x in lines if HYPHEN_MINUS.search(x)],
        "missing space": [x for x in lines if MISSING_SPACE.search(x)],
        "developer code": [x for x in body if any(c.search(x) for c in CODES)],
    }
    return {k: v for k, v in found.items() if v}


def test_the_scan_finds_what_it_looks_for():
    """The scan itself on hand-made text: each kind of problem is found, clean text passes."""
    heads = f"{NO['scorecard.appendix_1_reproduction_published_numbers']}\n{NO['lineage.appendix_2_data_lineage']}\n"
    clean = (
        "2.1 Bosetting\nAndelen var 5,8 % i Figur 2.1 (kap. 4.1.1), en endring på −3 prosentpoeng.\n4.1.1\n"
    )
    assert problems(heads + clean + heads) == {}
    dirty = "Andelen var 5.8 %.\nEndringen var -3.\nthe share is not known\nSe tabell x_kostra_aggregate_check (INC05).Neste\n"
    assert set(problems(heads + dirty + heads)) == {
        "english",
        "dot decimal",
        "hyphen-minus",
        "missing space",
        "developer code",
    }


@pytest.mark.e2e
def test_norwegian_pdf_before_the_lineage_appendix_reads_as_norwegian(demo_build):
    found = problems(pdf_text(demo_build / "reports" / "report.pdf"))
    assert not found, {k: v[:8] for k, v in found.items()}


@pytest.mark.e2e
def test_the_furniture_a_reader_expects_is_in_the_pdf_and_the_html(demo_build):
    """A list of figures and tables, a suggested citation and a reference list in both; every
    figure of the HTML links to its tidy CSV (a data: URI, so the file works alone)."""
    import base64

    reports = demo_build / "reports"
    pdf = pdf_text(reports / "report.pdf")
    page = (reports / "report.html").read_text(encoding="utf-8")
    for words in (
        NO["furniture.figures_and_tables"],
        NO["title.suggested_citation"],
        NO["bibliography.heading"],
    ):
        assert pdf.count(words) >= 1 and words in page, words
    assert "IMDi (2017a)" in pdf and "IMDi (2017a)" in page  # the report's "IMDi 2017a" points somewhere
    figures = re.findall(r'<figure id="([^"]+)">(.*?)</figure>', page, re.S)
    with_table = [(fid, body) for fid, body in figures if (reports / "tables" / f"{fid}.csv").exists()]
    assert len(with_table) > 20
    for fid, body in with_table:
        link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="([^"]+)"', body)
        assert link and link.group(2) == f"{fid}.csv", fid
        assert base64.b64decode(link.group(1)) == (reports / "tables" / f"{fid}.csv").read_bytes(), fid
