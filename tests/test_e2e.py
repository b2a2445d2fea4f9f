"""End-to-end: the demo build from a clean copy produces the report, tables and provenance."""
import csv
import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from analysis.tidy import TIDY_COLUMNS

pytestmark = pytest.mark.e2e


def test_pdf_exists_with_heading_and_synthetic_notice(demo_build):
    pdf = demo_build / "reports" / "report.pdf"
    assert pdf.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
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


def test_two_clean_builds_are_byte_identical(demo_build, tmp_path):
    """A second clean build gives the same bytes for every table, figure, PDF and provenance."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from double_build import compare, digests

    from conftest import copy_workflow, run_snakemake
    second = copy_workflow(tmp_path)
    run_snakemake(second)
    first_sums, second_sums = digests(demo_build), digests(second)
    assert any(k.endswith("report.pdf") for k in first_sums)
    assert compare(first_sums, second_sums) == []
