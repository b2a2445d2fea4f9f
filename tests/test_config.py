"""The configuration is validated when the DAG starts."""

import json

import pytest
from conftest import copy_workflow, run_snakemake


@pytest.fixture(scope="module")
def workflow_copy(tmp_path_factory, shared_dir):
    return copy_workflow(tmp_path_factory.mktemp("config"))


def test_unknown_key_stops_with_the_key_named(workflow_copy):
    (workflow_copy / "bad.yaml").write_text("demo: true\nprotecton:\n  threshold: 3\n")
    proc = run_snakemake(workflow_copy, "-n", "--configfile", "bad.yaml", check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "Unknown configuration key(s) 'protecton'" in out


def test_unknown_nested_key_and_bad_value_are_rejected(workflow_copy):
    (workflow_copy / "bad2.yaml").write_text("inputs:\n  registr: x.csv\n")
    proc = run_snakemake(workflow_copy, "-n", "--configfile", "bad2.yaml", check=False)
    assert (
        proc.returncode != 0 and "Unknown configuration key(s) 'inputs.registr'" in proc.stdout + proc.stderr
    )
    (workflow_copy / "bad3.yaml").write_text("language: de\n")
    proc = run_snakemake(workflow_copy, "-n", "--configfile", "bad3.yaml", check=False)
    assert proc.returncode != 0 and "'de' is not one of" in proc.stdout + proc.stderr


def test_real_mode_without_confidential_inputs_plans_the_public_stages_only(workflow_copy):
    """demo: false with no confidential input is a partial run (tests/test_partial_runs.py)."""
    (workflow_copy / "real.yaml").write_text("demo: false\n")
    proc = run_snakemake(workflow_copy, "-n", "--configfile", "real.yaml")
    assert "render_report" in proc.stdout and "imdi_public" in proc.stdout
    assert "demo_register" not in proc.stdout and "survey_ingest" not in proc.stdout


def test_default_config_dry_run_plans_the_report(workflow_copy):
    proc = run_snakemake(workflow_copy, "-n")
    assert "render_report" in proc.stdout


def test_named_run_keeps_every_output_log_and_benchmark_apart(workflow_copy):
    """With run=x every file a job writes lies under <dir>/runs/x/ (tests/test_runs.py builds one)."""
    import re

    proc = run_snakemake(workflow_copy, "-n", "--config", "run=x")
    written = []
    for m in re.finditer(r"^\s+(output|log|benchmark): (.*)$", proc.stdout, re.M):
        written += [p.strip() for p in m.group(2).split(",")]
    assert len(written) > 60
    dirs = ("reports", "data/processed", "data/raw/demo", "logs", "benchmarks/runs")
    assert [p for p in written if not any(p.startswith(f"{d}/runs/x/") for d in dirs)] == []
    assert (workflow_copy / "data" / "processed" / "runs" / "x" / "settings" / "scope.json").exists()


def test_run_name_is_checked(workflow_copy):
    proc = run_snakemake(workflow_copy, "-n", "--config", "run=../x", check=False)
    assert proc.returncode != 0 and "configuration key 'run'" in proc.stdout + proc.stderr


def _cluster_groups(workflow_copy, *args) -> dict[str, str]:
    """rule -> group job, read from a dry run (Snakemake plans group jobs in a dry run)."""
    import re

    proc = run_snakemake(workflow_copy, "-n", *args)
    groups, current = {}, None
    for line in proc.stdout.splitlines():
        if m := re.search(r"Group job (\w+) ", line):
            current = m.group(1)
        elif m := re.match(r"(\s*)(?:local)?rule (\w+):", line):
            groups[m.group(2)] = current if m.group(1) else None  # a job outside a group is not indented
    return groups


# The three phases of a cluster run (profiles/slurm): every rule of the default build in one.
PHASES = {
    "inputs": [
        "cited", "demo_kostra", "demo_register", "demo_survey", "demo_survey_solve", "imdi_public",
        "kostra", "register", "survey_ingest",
    ],
    "chapters": [
        "scope", "survey_figures", "survey_tables", "waiting", "weighting",
    ],
    "report": [
        "lineage_graph", "provenance", "render_report", "row_ledger", "scorecards",
    ],
}  # fmt: skip


def test_cluster_groups_follow_from_the_rules(workflow_copy):
    """Jobs take seconds, queue waits longer: on a cluster every rule runs in the group job of its
    phase, derived by the workflow (no hand list in the profile that a new rule can miss)."""
    from analysis.core.yamlio import load_yaml

    profile = load_yaml(workflow_copy / "profiles" / "slurm" / "config.yaml")
    assert "groups" not in profile
    assert sorted(g.split("=")[0] for g in profile["group-components"]) == sorted(PHASES)
    groups = _cluster_groups(workflow_copy, "--group-components", *profile["group-components"])
    assert groups.pop("all") is None  # the target runs no job
    assert groups == {r: phase for phase, rules in PHASES.items() for r in rules}
    # protection on (the real-data default) and `snakemake validate`: their rules get a phase too
    (workflow_copy / "protect.yaml").write_text("protection:\n  enabled: true\n", encoding="utf-8")
    groups = _cluster_groups(workflow_copy, "validate", "all", "--configfile", "protect.yaml")
    assert groups["validate"] == "inputs" and groups["protection"] == "chapters"
    assert [r for r, g in groups.items() if g is None] == ["all"]


@pytest.mark.network  # uv builds a throw-away environment with the SLURM plugin (downloads it once)
def test_slurm_profile_dry_run(workflow_copy):
    """The cluster profile resolves and plans the same DAG (no cluster needed for -n).

    The SLURM executor plugin is the optional `cluster` extra (kept out of .venv because it
    slows every snakemake start); uv runs the dry run in a throw-away environment with it.
    """
    import os
    import shutil
    import subprocess

    from conftest import ROOT

    uv = ROOT / ".tools" / "bin" / "uv"
    uv = str(uv) if uv.exists() else shutil.which("uv")
    if uv is None:
        pytest.skip("uv not found (./run.sh installs it into .tools/)")
    env = {
        **os.environ,
        "SBATCH_ACCOUNT": "nibr",
        "SBATCH_PARTITION": "normal",
        "UV_PYTHON_DOWNLOADS": "never",
    }
    proc = subprocess.run(
        [
            uv,
            "run",
            "--frozen",
            "--isolated",
            "--extra",
            "cluster",
            "--no-progress",
            "snakemake",
            "--profile",
            "profiles/slurm",
            "-n",
        ],
        cwd=workflow_copy,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "render_report" in proc.stdout
    assert "slurm" in (proc.stdout + proc.stderr).lower()


def test_validate_config_fills_defaults_and_names_the_key_path(tmp_path):
    from conftest import ROOT

    from analysis.core.config import ConfigError, validate_config

    schema = ROOT / "workflow/schemas/config.schema.yaml"
    cfg = {
        "demo": True,
        "inputs": {"public_dir": "p", "imdi_public": "i", "imdi_annual": "a", "udi_privatboende": "u"},
    }
    validate_config(cfg, schema)
    assert cfg["language"] == "no" and cfg["protection"]["threshold"] == 3
    with pytest.raises(ConfigError, match=r"'protection\.treshold'"):
        validate_config({**cfg, "protection": {"treshold": 2}}, schema)
    for low in (1, 2):  # a threshold below 3 would switch protection (nearly) off: refused
        with pytest.raises(ConfigError, match=r"protection\.threshold"):
            validate_config({**cfg, "protection": {"threshold": low}}, schema)
    with pytest.raises(ConfigError, match=r"configuration key 'seed'"):
        validate_config({**cfg, "seed": "x"}, schema)


def test_a_cached_validation_gives_what_validation_gives_and_never_keeps_a_failure(tmp_path):
    """common.smk validates through the parse cache: an unchanged config is not validated again."""
    import copy
    import datetime as dt

    from conftest import ROOT

    from analysis.core.config import ConfigError, validate_config, validate_config_cached
    from analysis.core.filecache import FileCache

    schema = ROOT / "workflow/schemas/config.schema.yaml"
    given = {"demo": True, "inputs": {"public_dir": "p"}, "survey": {"confidence": 0.9}}
    expected = validate_config(copy.deepcopy(given), schema)
    store = tmp_path / "cache.json"
    for _ in range(2):  # computed, then read from the file by a new process
        cache = FileCache(store, version="t")
        cfg = copy.deepcopy(given)
        assert validate_config_cached(cfg, schema, cache) is cfg
        assert json.dumps(cfg) == json.dumps(expected)  # same values, same key order
        cache.save()
    assert not cache._dirty
    cfg["language"] = "en"  # the run's own changes never reach the cache
    assert validate_config_cached(copy.deepcopy(given), schema, cache)["language"] == "no"
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"'seed'"):
            validate_config_cached({**given, "seed": "x"}, schema, cache)
    # a value JSON cannot hold exactly (a date, an integer key) is validated without the cache
    with pytest.raises(ConfigError, match="register_end"):
        validate_config_cached({**given, "register_end": dt.date(2021, 3, 31)}, schema, cache)


# JSON Schema keywords the config schema may use: anything else in a schema object is a typo or a
# YAML slip (in a flow mapping `{description: a, b}` the comma starts a new key "b").
SCHEMA_KEYWORDS = {
    "$schema", "$defs", "$ref", "description", "type", "default", "enum", "const", "properties",
    "patternProperties",
    "additionalProperties", "propertyNames", "required", "items", "minItems", "maxItems",
    "uniqueItems", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "anyOf", "oneOf", "allOf",
}  # fmt: skip


def _schema_problems(node, path, problems):
    if not isinstance(node, dict):
        problems.append(f"{path}: not a schema object")
        return
    problems += [f"{path}: unknown keyword {k!r}" for k in sorted(set(node) - SCHEMA_KEYWORDS)]
    for name, sub in [*node.get("properties", {}).items(), *node.get("patternProperties", {}).items()]:
        where = f"{path}.{name}" if path else name
        if not isinstance(sub, dict) or not str(sub.get("description", "")).strip():
            problems.append(f"{where}: no description")
        _schema_problems(sub, where, problems)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _schema_problems(node[key], f"{path}[{key}]", problems)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key, [])):
            _schema_problems(sub, f"{path}[{key} {i}]", problems)
    for name, sub in node.get("$defs", {}).items():
        _schema_problems(sub, f"$defs.{name}", problems)


def test_every_schema_key_has_a_description():
    from conftest import ROOT

    from analysis.core.yamlio import load_yaml

    problems = []
    _schema_problems(load_yaml(ROOT / "workflow" / "schemas" / "config.schema.yaml"), "", problems)
    assert problems == []
    problems = []
    _schema_problems(
        {"properties": {"a": {"type": "string", "description": "x", "b": None}, "c": {}}}, "", problems
    )
    assert problems == ["a: unknown keyword 'b'", "c: no description"]


def test_run_sh_help_lists_commands_and_keys_with_schema_defaults():
    import subprocess

    from conftest import ROOT

    proc = subprocess.run(["bash", "run.sh", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for word in ("report [snakemake args]", "test [pytest args]", "env [snakemake args]", "profiles/slurm"):
        assert word in out
    assert 'language (default "no")' in out and "protection.threshold (default 3)" in out
    assert 'run (default "")' in out and "reports/runs/en/" in out
    bad = subprocess.run(["bash", "run.sh", "nonsense"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage: ./run.sh COMMAND" in bad.stderr


def test_describe_keys_names_an_unknown_key(tmp_path):
    from analysis.core.config import ConfigError, describe_keys

    schema = tmp_path / "s.yaml"
    schema.write_text("properties:\n  a: {type: object, properties: {b: {default: 2, description: the b}}}\n")
    assert describe_keys(schema, ["a.b"]) == ["  a.b (default 2)\n      the b"]
    with pytest.raises(ConfigError, match="no key 'a.c'"):
        describe_keys(schema, ["a.c"])


@pytest.mark.parametrize(
    "override, message",
    [
        ({"study_years": [2021, 2014]}, r"'study_years': \[2021, 2014\] is reversed; give \[first, last\]"),
        ({"register_end": "2021-02-30"}, r"'register_end': '2021-02-30' is not a date on the calendar"),
    ],
)
def test_values_the_schema_cannot_check_stop_with_the_key_named(override, message):
    from conftest import ROOT

    from analysis.core.config import ConfigError, validate_config

    cfg = {
        "inputs": {"public_dir": "p", "imdi_public": "i", "imdi_annual": "a", "udi_privatboende": "u"},
        **override,
    }
    with pytest.raises(ConfigError, match=message):
        validate_config(cfg, ROOT / "workflow/schemas/config.schema.yaml")
    ok = {**cfg, "study_years": [2014, 2014], "register_end": "2020-02-29"}
    assert validate_config(ok, ROOT / "workflow/schemas/config.schema.yaml") is ok


def test_impossible_register_end_stops_the_dry_run_before_any_job(workflow_copy):
    proc = run_snakemake(workflow_copy, "-n", "--config", "register_end=2021-02-30", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "configuration key 'register_end'" in out
    assert "ValueError" not in out and "Traceback" not in out


@pytest.mark.parametrize(
    "args, cluster",
    [
        (["--profile", "profiles/slurm"], True),
        (["--config", "run=x", "--profile=profiles/slurm/"], True),
        (["--executor", "slurm"], True),
        (["--cores", "2", "--config", "run=slurm"], False),
        ([], False),
    ],
)
def test_run_sh_adds_the_slurm_plugin_only_for_the_cluster_profile(args, cluster):
    import subprocess

    from conftest import ROOT

    script = 'eval "$(sed -n "/^uses_cluster()/,/^}/p" run.sh)"; uses_cluster "$@"'
    proc = subprocess.run(["bash", "-c", script, "x", *args], cwd=ROOT, capture_output=True, text=True)
    assert (proc.returncode == 0) == cluster, proc.stderr
