"""Partial real runs (issue 14): demo: false with any subset of the confidential inputs.

Stages whose inputs are missing are left out (their rules do not exist, their tables are not
expected), the report names what it left out and why, and nothing is synthesised in their place.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest
import yaml
from conftest import ROOT, copy_workflow, run_snakemake

from analysis.core.config import input_path_problems
from analysis.core.messages import Messages, load_messages
from analysis.report.context import plan_chapters
from analysis.report.provenance import is_internal

CONFIDENTIAL = ["register", "survey_2016", "survey_2021", "survey_frame_2021", "kostra_12012"]
SURVEYS = ["survey_2016", "survey_2021", "survey_frame_2021"]
DEMO_RULES = {"demo_register", "demo_survey", "demo_survey_solve", "demo_kostra"}
# the input groups a chapter may need (any survey wave; any wave with its frame, answers and frame
# together), as survey.smk derives them
GROUPS = {
    "survey_waves": ["survey_2016", "survey_2021"],
    "survey_frames": [["survey_2021", "survey_frame_2021"]],
}


def _chapters():
    return yaml.safe_load((ROOT / "workflow/report/chapters.yaml").read_text(encoding="utf-8"))["chapters"]


def _t(lang="no"):
    return Messages(load_messages(ROOT / f"workflow/report/messages/{lang}.yaml"))


def test_every_chapter_is_kept_when_nothing_is_missing():
    kept, left_out = plan_chapters(_chapters(), [], "no", _t(), GROUPS)
    assert [c["anchor"] for c in kept] == ["kap2", "kap4", "kap9", "kap10", "kap11", "kap12"]
    assert left_out == []


def test_register_only_leaves_out_the_survey_chapters_and_the_kostra_part():
    kept, left_out = plan_chapters(_chapters(), SURVEYS + ["kostra_12012"], "en", _t("en"), GROUPS)
    assert [c["anchor"] for c in kept] == ["kap2", "kap4", "kap10", "kap12"]
    assert [(x["anchor"], x["inputs"]) for x in left_out] == [
        ("kap9", ["survey_2021", "survey_frame_2021"]),
        ("kap10", ["kostra_12012"]),
        ("kap11", ["survey_2016", "survey_2021"]),
    ]
    assert left_out[1]["what"].startswith("10 Municipal housing") and "Table 10.3" in left_out[1]["what"]


def test_surveys_without_register_keep_chapter_9_without_table_9_1():
    kept, left_out = plan_chapters(_chapters(), ["register"], "no", _t(), GROUPS)
    assert [c["anchor"] for c in kept] == ["kap9", "kap10", "kap11"]
    assert [(x["anchor"], x["inputs"]) for x in left_out] == [
        ("kap2", ["register"]),
        ("kap4", ["register"]),
        ("kap9", ["register"]),
        ("kap12", ["register"]),
    ]
    assert "Tabell 9.1" in left_out[2]["what"]


def test_one_wave_with_its_frame_keeps_chapters_9_and_11_titled_by_the_waves_given():
    """Any one survey wave builds chapter 11 (and, with its frame, chapter 9); the title names the
    waves of the run."""
    from analysis.report.context import survey_title

    t = _t()
    title = {"survey_title": survey_title([2021], t)}
    kept, left_out = plan_chapters(_chapters(), ["survey_2016", "kostra_12012"], "no", t, GROUPS, title)
    assert [c["anchor"] for c in kept] == ["kap2", "kap4", "kap9", "kap10", "kap11", "kap12"]
    assert [x["anchor"] for x in left_out] == ["kap10"]
    assert kept[4]["title"] == "11 Kommuneundersøkelsen 2021"
    kept, left_out = plan_chapters(_chapters(), ["survey_frame_2021"], "no", t, GROUPS, title)
    assert "kap9" not in [c["anchor"] for c in kept] and "kap11" in [c["anchor"] for c in kept]
    # a frame without its wave's answers is no frame wave: chapter 9 is left out, lacking the answers
    kept, left_out = plan_chapters(_chapters(), ["survey_2021"], "no", t, GROUPS, title)
    assert "kap9" not in [c["anchor"] for c in kept] and "kap11" in [c["anchor"] for c in kept]
    assert [(x["anchor"], x["inputs"]) for x in left_out] == [("kap9", ["survey_2021"])]
    assert survey_title([2016, 2021], t) == "Kommuneundersøkelsen 2021 sammenlignet med 2016"
    assert (
        survey_title([2016, 2021, 2026], _t("en")) == "The 2026 municipal survey compared with 2016 and 2021"
    )


def test_input_paths_must_be_files_and_public_dir_a_folder(tmp_path):
    f = tmp_path / "register.csv"
    f.write_text("x\n")
    folder = tmp_path / "export"
    folder.mkdir()
    inputs = {
        "register": str(folder),
        "survey_2016": str(f),
        "public_dir": str(f),
        "kostra_12012": "nope.json",
    }
    problems = input_path_problems(inputs, read=list(inputs))
    assert problems == [
        f"inputs.register: {folder} is a folder; it must name one file (the export itself)",
        f"inputs.public_dir: {f} is a file; it must be the folder of public data",
        "inputs.kostra_12012: file not found: nope.json",
    ]
    assert input_path_problems(inputs, read=["survey_2016"]) == []


@pytest.fixture(scope="module")
def workflow_copy(tmp_path_factory, shared_dir):
    return copy_workflow(tmp_path_factory.mktemp("partial"))


def _jobs(proc) -> set[str]:
    """Rule names of a dry run's job table."""
    lines = proc.stdout.split("Job stats:", 1)[1].splitlines()[3:]
    return {ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("total")}


@pytest.mark.parametrize(
    "given, present, absent",
    [
        ([], {"imdi_public", "cited", "render_report"}, {"register", "survey_ingest", "kostra", "weighting"}),
        (["kostra_12012"], {"kostra", "render_report"}, {"register", "survey_ingest"}),
        (
            SURVEYS,
            {"survey_ingest", "survey_tables", "survey_figures"},
            {"register", "weighting", "kostra"},
        ),
        (
            ["survey_2021"],
            {"survey_ingest", "survey_tables", "survey_figures"},
            {"register", "weighting"},
        ),
    ],
    ids=["none", "kostra", "surveys", "one_wave"],
)
def test_dry_run_plans_only_the_stages_whose_inputs_are_given(
    workflow_copy, tmp_path, given, present, absent
):
    cfg = {
        "demo": False,
        "inputs": {
            k: str(ROOT / "tests/corpus/base" / f"{k}.{'json' if k == 'kostra_12012' else 'csv'}")
            for k in given
        },
    }
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    jobs = _jobs(run_snakemake(workflow_copy, "-n", "--configfile", str(path)))
    assert present <= jobs and not (absent | DEMO_RULES) & jobs, jobs


def test_a_directory_as_input_stops_before_any_job(workflow_copy, tmp_path):
    (tmp_path / "export").mkdir()
    path = tmp_path / "dir.yaml"
    path.write_text(yaml.safe_dump({"demo": False, "inputs": {"register": str(tmp_path / "export")}}))
    proc = run_snakemake(workflow_copy, "-n", "--configfile", str(path), check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "inputs.register:" in out and "is a folder; it must name one file" in out
    assert "IsADirectoryError" not in out


@pytest.mark.e2e
def test_register_only_real_run_builds_a_report_naming_what_it_left_out(demo_build, tmp_path_factory):
    """A register (the demo's, copied out of a demo build so it counts as the user's file) and no
    other confidential input: the register chapters are built, the rest is named as left out."""
    work = copy_workflow(tmp_path_factory.mktemp("register_only"))
    register = work.parent / "register.csv"
    shutil.copyfile(demo_build / "data/raw/demo/register.csv", register)
    cfg = work.parent / "register_only.yaml"
    cfg.write_text(yaml.safe_dump({"demo": False, "inputs": {"register": str(register)}}), encoding="utf-8")
    proc = run_snakemake(work, "--configfile", str(cfg))
    ran = set(re.findall(r"rule (\w+):", proc.stdout + proc.stderr))
    assert "register" in ran and not DEMO_RULES & ran, "nothing may be synthesised"
    assert not (work / "data/raw/demo").exists()
    prov = json.loads((work / "reports/provenance.json").read_text(encoding="utf-8"))
    kinds = {i["role"]: i["kind"] for i in prov["inputs"]}
    assert kinds["register"] == "real" and "synthetic" not in kinds.values()
    assert not set(SURVEYS + ["kostra_12012"]) & set(kinds)
    html = (work / "reports/report.html").read_text(encoding="utf-8")
    for anchor in ("kap2", "kap4", "kap10", "kap12"):
        assert f'id="{anchor}"' in html
    assert 'id="kap9"' not in html and 'id="kap11"' not in html
    left = html.split('id="left-out"', 1)[1].split("</ul>", 1)[0]
    # chapter 9 needs a wave with its frame (2021's answers and frame), chapter 11 any wave
    assert "9 Metode og frafall – mangler survey_2021, survey_frame_2021</li>" in left
    assert "11 Kommuneundersøkelsene – mangler survey_2016, survey_2021</li>" in left
    assert "Tabell 10.3" in left and "mangler kostra_12012" in left
    assert (work / "reports/report.pdf").stat().st_size > 10_000
    assert (work / "reports/tables/tab_2_1.csv").exists() and not (
        work / "reports/tables/tab_10_3.csv"
    ).exists()
    card = (work / "reports/reproduction.csv").read_text(encoding="utf-8")
    assert "fig_11_1" in card  # left-out entries stay in the scorecard, as missing

    # the same run with a register a rule rejects: provenance.json then describes what is on disk
    bad = work.parent / "bad_register.csv"
    lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
    head, row = lines[0].split(","), lines[5].split(",")
    row[head.index("avtalt_selvbosetting")] = "7"
    bad.write_text("".join([*lines[:5], ",".join(row), *lines[6:]]), encoding="utf-8")
    cfg.write_text(yaml.safe_dump({"demo": False, "inputs": {"register": str(bad)}}), encoding="utf-8")
    proc = run_snakemake(work, "--configfile", str(cfg), check=False)
    assert proc.returncode != 0 and "avtalt_selvbosetting must be 0 or 1" in proc.stderr
    prov = json.loads((work / "reports/provenance.json").read_text(encoding="utf-8"))
    assert prov["status"] == "failed"
    assert "register" not in {i["role"] for i in prov["inputs"]} and "imdi_public" in {
        i["role"] for i in prov["inputs"]
    }
    assert "data/processed/register.parquet" not in prov["outputs"]
    assert "reports/tables/tab_10_2.csv" in prov["outputs"]
    # every output listed is on disk; an intermediate file's hash is withheld (docs/decisions/0100)
    assert "data/processed/imdi_annual.parquet" in prov["outputs"]
    for path, rec in prov["outputs"].items():
        digest = None if is_internal(path) else hashlib.sha256((work / path).read_bytes()).hexdigest()
        assert (work / path).is_file() and rec["sha256"] == digest, path


def test_failed_build_provenance_follows_only_files_that_are_there(tmp_path, monkeypatch):
    """raw.csv -> mid.parquet -> table.csv made; bad.csv -> (failed, absent) gone.parquet -> old.csv."""
    from analysis.report.provenance import failed_build_document

    monkeypatch.chdir(tmp_path)
    for name in ("raw.csv", "bad.csv", "mid.parquet", "table.csv", "old.csv"):
        (tmp_path / name).write_text(name)
    lineage = {
        "mid.parquet": {"rule": "a", "inputs": ["raw.csv"], "code": []},
        "table.csv": {"rule": "b", "inputs": ["mid.parquet"], "code": []},
        "gone.parquet": {"rule": "c", "inputs": ["bad.csv"], "code": []},
        "old.csv": {"rule": "d", "inputs": ["gone.parquet", "raw.csv"], "code": []},
        "prov.json": {"rule": "provenance", "inputs": ["raw.csv", "bad.csv"], "code": []},
    }
    s = {"lineage": lineage, "kinds": {"raw": "real", "bad": "real"}, "code_version": {}, "config": {}}
    doc = failed_build_document(s, {"raw": "raw.csv", "bad": "bad.csv"}, "prov.json")
    assert doc["status"] == "failed"
    assert [i["role"] for i in doc["inputs"]] == ["raw"]
    assert sorted(doc["outputs"]) == ["mid.parquet", "old.csv", "table.csv"]
    assert doc["outputs"]["table.csv"]["sha256"] == hashlib.sha256(b"table.csv").hexdigest()
