"""Real-shaped exports (issues 14, 23): with the mapping in examples/real_exports/config.yaml, a
Latin-1 ';' register with Norwegian headers, Ja/Nei and dd.mm.yyyy dates, the same register as
UTC-timestamp Parquet, an SPSS 2021 survey with value labels, unticked boxes as empty and
unfinished answers, a 2016 survey in Excel and a gzip tab-separated frame give exactly the
answers of their plain-CSV twins; so do, with second_round.yaml, a label-text Nettskjema CSV
with "code name" units, a SurveyXact workbook with title rows, SSB's statbank CSV of 12012 and
an Excel register with "0301 Oslo" cells and a free-text column (none of which reaches any
output or log). Only the stages that read them run (register, waiting times, survey ingest and
tables, non-response, KOSTRA), not the report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import copy_workflow, run_snakemake  # noqa: E402

EX = "examples/real_exports"
PROCESSED = ["register", "survey_2021", "survey_2016"]


TARGETS = ("waiting", "survey_tables", "weighting", "kostra")
FREE_TEXT = ("Familien ønsket nærhet", "henvendelse fra flyktningtjenesten", "ektefelle bosatt fra før")


def _run(workdir: Path, *configs: str, targets=TARGETS) -> dict:
    """Build the stage targets with the given config files; return the tables and processed
    frames (bytes / frames), then clear them for the next run."""
    args = ["--configfile", *[f"{EX}/{c}" for c in configs]]
    run_snakemake(workdir, *targets, *args, timeout=600)
    out = {p.name: p.read_bytes() for p in sorted((workdir / "reports" / "tables").glob("*.csv"))}
    for name in PROCESSED:
        p = workdir / "data" / "processed" / f"{name}.parquet"
        if p.exists():
            out[name] = pl.read_parquet(p)
    ledger = workdir / "data" / "processed" / "ledger" / "survey.csv"
    out["_ledger"] = ledger.read_text(encoding="utf-8") if ledger.exists() else ""
    out["_leaks"] = [  # the register's free text: in no output, log or intermediate file
        str(p.relative_to(workdir))
        for d in ("reports", "logs", "data/processed", ".snakemake/log", "benchmarks/runs")
        for p in (workdir / d).rglob("*")
        if p.is_file() and any(t.encode() in p.read_bytes() for t in FREE_TEXT)
    ]
    for d in ("reports/tables", "data/processed"):
        subprocess.run(["rm", "-rf", str(workdir / d)], check=True)
    return out


@pytest.fixture(scope="module")
def runs(demo_build, tmp_path_factory):
    """Demo inputs (the session's demo build's) -> example exports and twins; then four runs: the
    twins, the exports (and `validate`), the exports with the Parquet register (register stage
    only), the second-round shapes."""
    workdir = copy_workflow(tmp_path_factory.mktemp("real_exports"))
    subprocess.run(  # every run below has demo: false and reads only these files
        [sys.executable, f"{EX}/make_examples.py", str(demo_build / "data/raw/demo"), f"{EX}/build"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    plain = _run(workdir, "plain.yaml")
    real = _run(workdir, "config.yaml", targets=("validate", *TARGETS))
    real["_validation"] = (workdir / "reports" / "validation.csv").read_text(encoding="utf-8")
    pq = _run(workdir, "config.yaml", "parquet.yaml", targets=("waiting",))
    second = _run(workdir, "second_round.yaml", targets=("validate", *TARGETS))
    second["_validation"] = (workdir / "reports" / "validation.csv").read_text(encoding="utf-8")
    return plain, real, pq, workdir, second


def test_real_exports_validate_clean(runs):
    _, real, _, _, second = runs
    assert second["_validation"] == "input,line,column,problem\n", second["_validation"][:2000]
    assert real["_validation"] == "input,line,column,problem\n", real["_validation"][:2000]


def test_real_exports_give_the_answers_of_their_plain_twins(runs):
    plain, real, _, _, _ = runs
    tables = [k for k in plain if k.endswith(".csv")]
    assert len(tables) >= 20, tables
    assert [k for k in tables if plain[k] != real.get(k)] == []
    for name in PROCESSED:
        assert plain[name].equals(real[name]), name
    # the unfinished SPSS answers are left out by keep_rows and counted, not dropped silently
    assert (
        "survey_2021,excluded,mapping.survey_2021.keep_rows: Status not in ['Fullført'],5" in real["_ledger"]
    )


def test_utc_parquet_register_gives_oslo_dates(runs):
    """Settlements on 1 January (Oslo midnight = 23:00 UTC the day before) stay in their year."""
    plain, _, pq, _, _ = runs
    jan1 = plain["register"].filter(
        (pl.col("bosettingsdato").dt.month() == 1) & (pl.col("bosettingsdato").dt.day() == 1)
    )
    assert jan1.height > 0
    assert plain["register"].equals(pq["register"])
    waiting = [k for k in pq if k.endswith(".csv")]
    assert waiting and [k for k in waiting if plain[k] != pq[k]] == []


def test_second_round_shapes_give_the_answers_of_their_plain_twins(runs):
    """Label text, "code name" units, title rows, the statbank CSV, the Excel register: the same
    tables (Tabell 10.3 from the statbank CSV among them), and the free text nowhere."""
    plain, _, _, _, second = runs
    tables = [k for k in plain if k.endswith(".csv")]
    assert "tab_10_3.csv" in tables and "fig_11_1.csv" in tables and "tab_4_2.csv" in tables
    assert [k for k in tables if plain[k] != second.get(k)] == []
    for name in PROCESSED:
        assert plain[name].equals(second[name]), name
    assert second["_leaks"] == []


def test_validate_lists_every_problem_of_a_broken_export(runs):
    """Four independent problems in the Latin-1 register export: all four in one `validate` run,
    with line and column, and no value of the file in the report."""
    workdir = runs[3]
    src = workdir / EX / "build" / "bosetting_uttrekk.csv"
    lines = src.read_bytes().decode("cp1252").split("\r\n")
    head = lines[0].split(";")
    rows = [r.split(";") for r in lines[1:6]]
    rows[0][head.index("Kategori")] = "Mottatt"  # a label the mapping does not know
    rows[1][head.index("Bosettingsdato")] = "31.02.2016"  # not a calendar date
    rows[3][head.index("Kommunenr")] = "0000"  # valid in no year
    head.append("Fødselsnummer")  # an unmapped (identifying) column
    text = "\r\n".join(";".join(r) for r in [head, *[r + ["12345678901"] for r in rows]]) + "\r\n"
    bad = workdir / EX / "build" / "broken.csv"
    bad.write_bytes(text.encode("cp1252"))
    (workdir / "broken.yaml").write_text(f"inputs:\n  register: {EX}/build/broken.csv\n", encoding="utf-8")
    run_snakemake(workdir, "validate", "--configfile", f"{EX}/config.yaml", "broken.yaml", timeout=300)
    got = (workdir / "reports" / "validation.csv").read_text(encoding="utf-8")
    found = {tuple(line.split(",")[:3]) for line in got.splitlines()[1:]}
    assert {
        ("register", "1", "Fødselsnummer"),
        ("register", "2", "kategori"),
        ("register", "3", "bosettingsdato"),
        ("register", "5", "kommunenummer"),
    } <= found, got
    html = (workdir / "reports" / "validation.html").read_text(encoding="utf-8")
    for secret in ("12345678901", "Mottatt", "31.02.2016", rows[0][0]):
        assert secret not in got and secret not in html, secret
