"""End-to-end: the demo build from a clean copy produces the report, tables and provenance."""

import csv
import hashlib
import json
import subprocess
from pathlib import Path

from analysis.core.tidy import TIDY_COLUMNS


def test_pdf_exists_with_heading_and_synthetic_notice(demo_build):
    pdf = demo_build / "reports" / "report.pdf"
    assert pdf.stat().st_size > 10_000
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Omfanget av avtalt selvbosetting" in text
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert all("SYNTETISKE DATA" in p for p in pages), "every page must say the inputs are synthetic"
    assert f"Side {len(pages)} av {len(pages)}" in pages[-1]


def test_tidy_tables_have_the_contract_columns(demo_build):
    tables = sorted((demo_build / "reports" / "tables").glob("*.csv"))
    assert tables
    for t in tables:
        with t.open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert header[: len(TIDY_COLUMNS)] == TIDY_COLUMNS, t.name


def test_provenance_lists_every_input_with_its_sha256(demo_build):
    doc = json.loads((demo_build / "reports" / "provenance.json").read_text())
    roles = {i["role"]: i for i in doc["inputs"]}
    assert {"imdi_public", "crosswalk", "published_results"} <= set(roles)
    for i in doc["inputs"]:
        path = Path(i["path"]) if Path(i["path"]).is_absolute() else demo_build / i["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == i["sha256"], i["role"]
        assert i["kind"] in ("real", "synthetic") and i["bytes"] == path.stat().st_size
    assert roles["imdi_public"]["kind"] == "real"
    assert doc["outputs"]["reports/tables/fig_2_1.csv"]["rule"] == "scope"
    assert set(doc) >= {"inputs", "code_version", "packages", "config", "outputs"}


def test_scorecard_reproduces_the_public_totals(demo_build):
    with (demo_build / "reports" / "reproduction.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    verdict = {(r["entry_id"], r["year"], r["series"], r["status"]): r["verdict"] for r in rows}
    assert verdict[("fig_2_1", "2014", "total_settled", "text")] == "match"
    assert verdict[("fig_2_1", "2015", "total_settled", "text")] == "match"
    assert {r["verdict"] for r in rows} <= {"match", "mismatch", "missing", "published_conflict"}


def test_noop_rerun_does_nothing(demo_build):
    from conftest import run_snakemake

    proc = run_snakemake(demo_build, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_snakemake_report_has_a_caption_for_every_figure(demo_build, tmp_path):
    from conftest import run_snakemake

    out = tmp_path / "snakemake-report.html"  # outside reports/, which other tests compare
    run_snakemake(demo_build, "--report", str(out))
    html = out.read_text(encoding="utf-8", errors="replace")
    n_figures = len(list((demo_build / "reports" / "figures").glob("*.svg")))
    captions = html.count("Figure of rule") + html.count("The rules of the workflow")
    assert captions == n_figures > 20
    # categories in chapter order (the report's menu sorts them as strings)
    import re

    names = sorted(set(re.findall(r'"(Hele rapporten|Kapittel [^"]*|Vedlegg: [^"]*)"', html)))
    chapters = [int(re.match(r"Kapittel (\d+)", n).group(1)) for n in names if n.startswith("Kapittel")]
    assert names[0] == "Hele rapporten" and names[-1] == "Vedlegg: sporbarhet"
    assert len(chapters) >= 5 and chapters == sorted(chapters)


def test_report_contains_every_computed_entry_and_the_scorecard_agrees(demo_build):
    """Every `compute` entry of published_results.yaml is in the report (by its anchor), and the
    scorecard appendix counts the same verdicts as reports/reproduction.csv."""
    import re

    from conftest import REFERENCE

    from analysis.core.yamlio import load_yaml

    html = (demo_build / "reports" / "report.html").read_text(encoding="utf-8")
    computed = [
        e["id"]
        for e in load_yaml(REFERENCE / "published_results.yaml")["entries"]
        if e["reproduction"] == "compute"
    ]
    missing = [e for e in computed if f'id="{e}"' not in html]
    assert missing == []
    with (demo_build / "reports" / "reproduction.csv").open(encoding="utf-8") as fh:
        verdicts = [r["verdict"] for r in csv.DictReader(fh)]
    appendix = html[html.index('id="appendix-scorecard"') :]
    for verdict in ("match", "mismatch", "missing", "published_conflict"):
        m = re.search(rf'class="verdict-{verdict}">[^<]*</t[hd]><td class="num">(\d+)</td>', appendix)
        assert m and int(m.group(1)) == verdicts.count(verdict), verdict


def test_row_ledger_accounts_for_every_input_row(demo_build):
    """Every input in provenance.json with a row structure (delimited text, Parquet, the JSON-stat
    table's region x year rows) is in x_row_ledger.csv with used + excluded = its data rows."""
    from analysis.core.ledger import data_rows

    doc = json.loads((demo_build / "reports" / "provenance.json").read_text())
    ledger = {}
    with (demo_build / "reports" / "tables" / "x_row_ledger.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ledger[r["series"]] = ledger.get(r["series"], 0) + float(r["value"])
    checked = []
    for i in doc["inputs"]:
        path = Path(i["path"]) if Path(i["path"]).is_absolute() else demo_build / i["path"]
        if path.suffix in (".csv", ".parquet"):
            rows = data_rows(str(path))
        elif i["role"].startswith("kostra_12012"):
            d = json.loads(path.read_text(encoding="utf-8"))
            size = dict(zip(d["id"], d["size"]))
            rows = size["KOKkommuneregion0000"] * size["Tid"]
        else:
            continue  # GeoJSON boundaries and YAML references: no rows to account for
        assert ledger.get(i["role"]) == rows, (i["role"], ledger.get(i["role"]), rows)
        checked.append(i["role"])
    assert {"register", "survey_frame_2021", "imdi_annual", "crosswalk", "imdi_public"} <= set(checked)


def test_nothing_runs_past_the_page_margins(demo_build, tmp_path):
    """No word of any page (tables included) lies outside the text area of A4 with our margins."""
    import re

    bbox = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(demo_build / "reports" / "report.pdf"), str(bbox)], check=True)
    mm = 72 / 25.4
    left, right = 22 * mm, 595.28 - 20 * mm
    outside = []
    for page_no, page in enumerate(bbox.read_text(encoding="utf-8").split("<page ")[1:], start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page
        ):
            if float(m.group(1)) < left - 1 or float(m.group(2)) > right + 1:
                outside.append((page_no, m.group(3)))
    assert outside == []


def test_a_rule_runs_standalone_and_gives_the_same_output(demo_build, tmp_path):
    """tools/run_rule.py runs a rule's script outside Snakemake (for debugging and profiling)
    with the same inputs, outputs and settings: the output is byte-identical."""
    import sys

    from conftest import copy_build

    work = copy_build(demo_build, tmp_path)
    outs = [work / "reports" / name for name in ("reproduction.csv", "claims.csv")]
    before = [out.read_bytes() for out in outs]
    for out in outs:
        out.unlink()
    proc = subprocess.run(
        [sys.executable, "tools/run_rule.py", "scorecards"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [out.read_bytes() for out in outs] == before
