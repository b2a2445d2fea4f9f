"""Bad input through the workflow (issue 8): one malformed file per input kind stops the run.

Snakemake runs with ``demo: false`` in a temporary copy of the checkout per run, every input
pointing at a valid corpus base file (small files cut from a demo build, or public rows;
``tests/corpus/base/``) except the malformed one(s), and asks only for the outputs of the rule
that reads each bad file (``--keep-going``: bad files of independent rules share one run, five
runs in all). For every case the run must fail, print one line naming the file with its column
and value, leave none of that rule's outputs behind, and make no report.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import PUBLIC, copy_workflow, run_snakemake  # noqa: E402
from corpus.cases import BASE, CASES, materialise  # noqa: E402

BY_ID = {c.id: c for c in CASES}
LEDGER = "data/processed/ledger"
SURVEY_OUT = [
    "data/processed/survey_2021.parquet",
    "data/processed/survey_2016.parquet",
    f"{LEDGER}/survey.csv",
]
# (case id, configured input key, outputs of the rule that must fail: the first is the target).
# Cases in the same group run in one Snakemake call with --keep-going (their rules are
# independent, so each fails on its own file). A job stops at its first bad file, so the files one
# rule reads are in different groups: the three survey files (rule survey_ingest) and the three
# cited files (rule cited: imdi_annual, udi_privatboende, husbanken); the crosswalk feeds nearly
# every rule, so it runs alone.
WORKFLOW_CASES = [
    (
        "imdi_public-ten_million_refugees",
        "imdi_public",
        ["data/processed/imdi_public.parquet", f"{LEDGER}/imdi_public.csv"],
        "independent",
    ),
    (
        "register-dates_out_of_order",
        "register",
        ["data/processed/register.parquet", f"{LEDGER}/register.csv"],
        "independent",
    ),
    (
        "kostra_12012-missing_dimension",
        "kostra_12012",
        [
            f"{LEDGER}/kostra_12012.csv",
            "reports/tables/tab_10_3.csv",
            "reports/tables/x_kostra_aggregate_check.csv",
        ],
        "independent",
    ),
    (
        "udi_privatboende-negative_count",
        "udi_privatboende",
        [f"{LEDGER}/udi_privatboende.csv", "reports/tables/tab_10_2.csv"],
        "survey_2021",
    ),
    ("imdi_annual-percent_over_100", "imdi_annual", [f"{LEDGER}/imdi_annual.csv"], "independent"),
    (
        "husbanken-percent_over_100",
        "husbanken",
        [f"{LEDGER}/husbanken.csv", "reports/tables/text_ch12_3_husbanken.csv"],
        "survey_2016",
    ),
    ("survey_2021-routing_violation", "survey_2021", SURVEY_OUT, "survey_2021"),
    ("survey_2016-out_of_scale_code", "survey_2016", SURVEY_OUT, "survey_2016"),
    ("survey_frame_2021-duplicate_unit", "survey_frame_2021", SURVEY_OUT, "survey_frame_2021"),
    (
        "crosswalk-duplicate_row",
        "public_dir",
        ["data/processed/imdi_public.parquet", f"{LEDGER}/imdi_public.csv"],
        "crosswalk",
    ),
]
CONFIDENTIAL = ["register", "survey_2016", "survey_2021", "survey_frame_2021", "kostra_12012"]
CONFIGURED = ["imdi_public", "imdi_annual", "udi_privatboende", "husbanken"]
CROSSWALK = "alle_kommunenummer_fra2013_til2020_wide.csv"


def public_dir_with(crosswalk: Path, dest: Path) -> Path:
    """``dest/data`` like the shared data folder (with ``dest/reference`` beside it), with the
    crosswalk replaced."""
    data = dest / "data"
    for sub in PUBLIC.iterdir():
        if sub.is_dir():
            (data / sub.name).mkdir(parents=True, exist_ok=True)
            for f in sub.iterdir():
                (data / sub.name / f.name).symlink_to(f)
        else:
            (data / sub.name).symlink_to(sub)
    (dest / "reference").symlink_to(PUBLIC.parent / "reference", target_is_directory=True)
    target = data / "crosswalk" / CROSSWALK
    target.unlink()
    target.write_bytes(crosswalk.read_bytes())
    return data


@pytest.fixture(scope="module")
def group_run(tmp_path_factory, shared_dir):
    """Run each group of cases once, each in its own copy of the checkout (a group's run may build
    outputs of another group's failing rule from valid files);
    cached per group."""
    done = {}

    def run(group: str):
        if group in done:
            return done[group]
        workdir = copy_workflow(tmp_path_factory.mktemp(f"corpus_wf_{group}"))
        tmp = tmp_path_factory.mktemp(f"corpus_{group}")
        inputs = {k: str(BASE[k]) for k in CONFIDENTIAL + CONFIGURED}
        inputs["public_dir"] = str(PUBLIC)
        bad_names, targets = {}, []
        for case_id, key, outputs, g in WORKFLOW_CASES:
            if g != group:
                continue
            case = BY_ID[case_id]
            bad = materialise(case.kind, case.mutate, tmp / case.kind)
            if key == "public_dir":
                inputs["public_dir"] = str(public_dir_with(bad, tmp / "public"))
                bad_names[case_id] = CROSSWALK
            else:
                inputs[key] = str(bad)
                bad_names[case_id] = bad.name
            for o in outputs:
                assert not (workdir / o).exists(), f"{o} exists before the run"
            targets.append(outputs[0])
        cfg = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
        cfg["demo"] = False
        cfg["inputs"] = inputs
        cfg_path = tmp / "bad.yaml"
        cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        t0 = time.perf_counter()
        proc = run_snakemake(
            workdir, *targets, "--keep-going", "--configfile", str(cfg_path), check=False, timeout=300
        )
        done[group] = (workdir, proc, bad_names, time.perf_counter() - t0)
        print(f"\ncorpus workflow group {group}: {len(targets)} bad file(s), {done[group][3]:.1f} s")
        return done[group]

    return run


@pytest.mark.parametrize("case_id, key, outputs, group", WORKFLOW_CASES, ids=[c[0] for c in WORKFLOW_CASES])
def test_corpus_workflow_bad_input_stops_the_run(case_id, key, outputs, group, group_run):
    case = BY_ID[case_id]
    workdir, proc, bad_names, _ = group_run(group)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"run succeeded on a malformed {case.kind}:\n{out[-3000:]}"
    name = bad_names[case_id]
    lines = [ln for ln in out.splitlines() if "INPUT ERROR" in ln and f"/{name}," in ln]
    assert len(lines) == 1, f"expected one INPUT ERROR line for {name}, got {lines}\n{out[-3000:]}"
    line = lines[0]
    assert f"column '{case.column.rstrip('*')}" in line and "value" in line, line
    assert case.message in line, line
    assert "Traceback" not in out, out[-3000:]
    assert "snakemake validate" in out, "a failed build points to `snakemake validate`"
    for o in outputs:
        assert not (workdir / o).exists(), f"partial output left behind: {o}"
    assert not (workdir / "reports" / "report.pdf").exists()
