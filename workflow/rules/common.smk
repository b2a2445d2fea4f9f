"""Config validation, input resolution and shared helpers for every stage."""

import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

ROOT = Path(workflow.basedir)
# Scripts (and this file) import the analysis package from this checkout's src/, whatever is installed.
sys.path.insert(0, str(ROOT / "src"))
from analysis.core.bytecode import compile_in_background, finish_compiling  # noqa: E402

# The package's bytecode for the jobs (these machines set PYTHONDONTWRITEBYTECODE; decision 0191),
# compiled by a process of its own on the core the parse leaves idle, only when a module has none
# or older bytecode than its source (0197); onstart waits for it. A cluster job reads the workflow
# again: it leaves this to the main process.
BYTECODE = compile_in_background(ROOT / "src") if workflow.is_main_process else None
from analysis.core.quickexit import exit_quickly_after_success, is_snakemake_cli  # noqa: E402
from analysis.core.config import ConfigError, input_path_problems, validate_config_cached  # noqa: E402
from analysis.core.filecache import FileCache, code_stamp  # noqa: E402
from analysis.core import snakemake_compat  # noqa: E402
from analysis.core.sources import source_files  # noqa: E402
from analysis.core.study import FIRST_YEAR_2024, study_from_config  # noqa: E402
from analysis.report.lineage import cluster_groups, downstream_rules, rule_graph  # noqa: E402

# The pinned environment every rule runs in (generated from uv.lock); used with --use-conda.
CONDA_ENV = str(ROOT / "environment.yml")
from analysis.core.yamlio import load_yaml  # noqa: E402

# In Snakemake's command-line process, what its start and these imports allocated (~10^5 objects)
# lives as long as the process: out of the garbage collector's reach, and so is the DAG once the
# build starts (onstart), so that the full collections of a build do not walk them again and
# again (~0.4 s of a cold build; decision 0198). Not in a test that parses the workflow by the API.
SNAKEMAKE_CLI = is_snakemake_cli(sys.argv[0])
if SNAKEMAKE_CLI:
    gc.freeze()

# (lint: PYTHONPATH is set here for the jobs, not read, so there is nothing to assert with envvars:)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)


# The jobs import the package without compiling it again: its bytecode is written before the first
# job starts (decisions 0191, 0197: what the process started above left, usually nothing). The
# DAG is frozen (0198).
onstart:
    finish_compiling(BYTECODE, ROOT / "src")
    if SNAKEMAKE_CLI:
        gc.freeze()


# Snakemake's private API is used only through analysis.core.snakemake_compat (pinned 9.27.1;
# docs/decisions/0151). A checkout whose path holds a space: script jobs' interpreter quoted (0046).
# A rule without params: no pandas, numpy or polars imported by the scheduler for its job (0185).
snakemake_compat.quote_script_interpreter()
snakemake_compat.store_no_params_without_imports()
# A finished job's inputs hashed once for its metadata, not once per output (0185).
snakemake_compat.checksum_inputs_once_per_job()
# A Snakemake call that succeeded ends without the interpreter's teardown (~0.3-0.5 s; 0190).
exit_quickly_after_success()


# `snakemake validate` removes its earlier result when it starts, before anything can stop it (a
# config or input path problem below): an old validation.csv must never look like this run's.
if "validate" in sys.argv[1:] and not {"-n", "--dry-run", "--dryrun"} & set(sys.argv):
    _run_name = str(config.get("run") or "")
    _run_name = _run_name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", _run_name) else ""
    for _name in ("validation.csv", "validation.html"):
        Path("reports", *(("runs", _run_name) if _run_name else ()), _name).unlink(missing_ok=True)

# What the Snakefile reads from files on every start (the validated config, each module's imports
# for code(), the figure labels of published_results.yaml), kept between runs in .snakemake/ by file
# path, mtime and size (docs/decisions/0150): a no-op rerun reads none of them again. The version is
# the code computing the values: editing it starts a new cache.
PARSE_CACHE = FileCache(
    Path(".snakemake") / "analysis-parse-cache.json",
    version=code_stamp(
        [
            ROOT / "workflow" / "rules" / "common.smk",
            ROOT / "src" / "analysis" / "core" / "config.py",
            ROOT / "src" / "analysis" / "core" / "filecache.py",
            ROOT / "src" / "analysis" / "core" / "sources.py",
            ROOT / "src" / "analysis" / "core" / "yamlio.py",
        ]
    ),
)


try:
    validate_config_cached(config, ROOT / "workflow" / "schemas" / "config.schema.yaml", PARSE_CACHE)
except ConfigError as err:
    raise WorkflowError(str(err)) from None

# Named runs (`--config run=NAME`): every path a rule declares under RUN_DIRS moves below
# <dir>/runs/NAME/, so variants (languages, demo and real data) keep their own outputs and
# intermediate files side by side. Rules keep writing the default layout ("reports/...",
# "logs/..."); Snakemake's own path modifier (the one behind `module ... replace_prefix:`) maps
# them when each rule is defined, so no stage file knows about runs (docs/decisions/0045).
RUN = str(config["run"])
RUN_DIRS = ("reports", "data/processed", "data/raw/demo", "logs", "benchmarks/runs")


def run_path(path):
    """Where this run keeps a file the default run keeps at ``path`` (for parse-time file access).

    Rule inputs and outputs need no call: Snakemake maps them. Idempotent."""
    path = str(path)
    if not RUN:
        return path
    for d in RUN_DIRS:
        if path.startswith(f"{d}/runs/{RUN}/"):
            return path
        if path.startswith(d + "/"):
            return f"{d}/runs/{RUN}/{path[len(d) + 1 :]}"
    return path


if RUN:
    snakemake_compat.install_run_paths(workflow, run_path)

DEMO = bool(config["demo"])
LANG = config["language"]
# The reader-facing words of the report's language (analysis.core.messages): an input of every
# rule that writes words, like code and settings not data, so it stays out of the lineage.
MESSAGES = f"workflow/report/messages/{LANG}.yaml"
NOT_DATA = ("code", "settings", "messages")
# The one derived default: protection follows the data unless set (off for synthetic, on for real).
PROTECT = bool(config["protection"].get("enabled", not DEMO))
PUBLIC_DIR = config["inputs"]["public_dir"]
SHARED_REFERENCE = Path(PUBLIC_DIR).parent / "reference"
PUBLISHED = str(SHARED_REFERENCE / "published_results.yaml")
CLAIMS = str(SHARED_REFERENCE / "published_claims.yaml")
SPLIT_TO = config["harmonisation"]["split_to"]
SPLIT_TO_2024 = config["harmonisation"]["split_to_2024"]
# The study's shape (register period, survey waves, kommune structure): built once here and handed
# to every stage as settings(rule, study=STUDY.as_dict(), ...); no stage spells a year or a wave.
STUDY = study_from_config(config)

# Public files read from public_dir: role -> path relative to it. The kommune list, population and
# boundaries follow the study's kommune structure (the one place that knows their file names); the
# stages still on the 2020 codes (the 2016/2021 survey frame, KOSTRA) read them through
# public_2020(), which is the same file in the 2020 structure.
_STRUCTURE_FILES = {
    2020: {
        "population": "kommuner/kommuner_2020_folkemengde.csv",
        "geo_kommuner": "geo/kommuner_2020.geojson",
        "geo_fylker": "geo/fylker_2020.geojson",
    },
    2024: {
        "population": "kommuner/kommuner_2024_folkemengde.csv",
        "geo_kommuner": "geo/kommuner_2024.geojson",
        "geo_fylker": "geo/fylker_2024.geojson",
    },
}
PUBLIC_FILES = {
    "crosswalk": "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv",
    "crosswalk_2024": "crosswalk/kommune_2020_to_2024.csv",
    "geo_bydeler": "geo/oslo_bydeler_2020.geojson",
    **_STRUCTURE_FILES[STUDY.structure],
    **{f"{k}_2020": v for k, v in _STRUCTURE_FILES[2020].items()},
    **{f"{k}_2024": v for k, v in _STRUCTURE_FILES[2024].items()},
}
# The register needs the 2020->2024 crosswalk when it may hold 2024 codes or is harmonised to them.
USES_2024_CODES = STUDY.structure == 2024 or max(STUDY.last_year, STUDY.register_end_year) >= FIRST_YEAR_2024

# Confidential inputs: generated under data/raw/demo/ with demo: true, read from config otherwise.
# Role -> demo file name: register, one survey per wave (and its frame), KOSTRA 12012.
CONFIDENTIAL = STUDY.confidential_roles()
DEMO_DIR = "data/raw/demo"
# Real inputs that are published figures quoted with their source per row (CONTRACT.md): a number
# built from them alone has basis `cited` in reproduction.csv and claims.csv, not `real`.
CITED_INPUTS = ["imdi_annual", "udi_privatboende", "husbanken"]

# With demo: false any subset of the confidential inputs may be given (CONTRACT.md): a stage that
# needs a missing one is left out - its rules are not created, its tables and figures not expected
# by the scorecard and the report - and the report names it; nothing is synthesised in its place
# (docs/decisions/0015). KOSTRA 12012 is there when named or, with kostra.fetch, downloaded.
MISSING_INPUTS = (
    []
    if DEMO
    else [
        k
        for k in CONFIDENTIAL
        if k not in config["inputs"] and not (k == "kostra_12012" and config["kostra"]["fetch"])
    ]
)


def have(*roles):
    """True when every named confidential input is available to this run (always in the demo)."""
    unknown = sorted(set(roles) - set(CONFIDENTIAL))
    if unknown:
        raise WorkflowError(f"have(): not a confidential input role: {unknown}")
    return not set(roles) & set(MISSING_INPUTS)


# Every input path the run reads must be there and be what it should (a file; public_dir a folder),
# checked once here so that a wrong path is one message naming the key, not a traceback in a job.
_problems = input_path_problems(
    config["inputs"],
    read=[
        k
        for k in config["inputs"]
        if not (DEMO and k in CONFIDENTIAL) and not (k == "kostra_12012" and config["kostra"]["fetch"])
    ],
)
if _problems:
    raise WorkflowError("\n".join(_problems))


# Scheduling: the longest chain of a build (IMDi file -> register -> survey frame and answers ->
# survey tables -> scorecard, then the render) runs first, and the other stages fill the second core
# around it. Without priorities Snakemake started the short independent rules first and the chain
# waited for them (benchmarks/RESULTS.md, issue 28). A priority changes the order only, no output.
CRITICAL_PATH = 10
# Beside it, the jobs with the most work still behind them start before the short ones: the two
# that draw kommune maps (scope, kostra and the demo's KOSTRA file kostra waits for), the survey's
# second chain (rule weighting: non-response, weights, sensitivity) and waiting, whose tables the
# scorecards wait for. Started last, each kept the render waiting with one core idle (issue 28):
# waiting left the scorecards to run alone before the figures of kapittel 11, which take both cores.
BESIDE_CHAIN = 5


# Inputs the stages read, registered as the stage files use them: role -> path (for provenance).
USED_INPUTS = {"published_results": PUBLISHED, "published_claims": CLAIMS}


def use_input(role, path):
    """Register an input file under its role for provenance, and return its path."""
    USED_INPUTS[role] = str(path)
    return str(path)


def public(role):
    """Path of a real public file under inputs.public_dir."""
    return use_input(role, Path(PUBLIC_DIR) / PUBLIC_FILES[role])


def public_file(role, structure=None):
    """Path of a public file WITHOUT registering it for the report's provenance (rules outside the
    report, like validate, which is included after report.smk has listed the inputs); with
    ``structure=2020`` the 2020 structure's file of the role."""
    if structure == 2020 and STUDY.structure != 2020:
        role = f"{role}_2020"
    return str(Path(PUBLIC_DIR) / PUBLIC_FILES[role])


def public_2020(role):
    """A kommune file of the 2020 structure (``population``, ``geo_kommuner``), for the stages on
    2020 codes; the role's own name when the study's structure is 2020."""
    return public(role if STUDY.structure == 2020 else f"{role}_2020")


def crosswalk_2024():
    """The 2020->2024 crosswalk as a rule input when the study needs it, else no input."""
    return [public("crosswalk_2024")] if USES_2024_CODES else []


def configured(role):
    """Path of a real input named under inputs: in the config."""
    return use_input(role, config["inputs"][role])


def confidential(role):
    """Path of a confidential input: the synthetic demo file or the user's file."""
    return use_input(role, f"{DEMO_DIR}/{CONFIDENTIAL[role]}" if DEMO else config["inputs"][role])


def input_kind(role):
    """'synthetic' for generated demo inputs, 'real' for everything else."""
    return "synthetic" if DEMO and role in CONFIDENTIAL else "real"


def synthetic_of(*roles):
    """The input roles a rule's tables and figures are built from (directly or through processed
    files) -> whether each is synthetic; a rule setting read by core.tidy and core.figures."""
    return {role: input_kind(role) == "synthetic" for role in roles}


def code(script):
    """The package source files the rule's script (workflow/scripts/<script>.py) imports, followed
    transitively (analysis.core.sources), so an edit in src/analysis reruns exactly the rules whose
    scripts use it. Snakemake tracks the script itself."""
    files = source_files(ROOT / "workflow" / "scripts" / f"{script}.py", ROOT / "src", PARSE_CACHE)
    return [_rel(p) for p in files]


_CWD = Path.cwd().resolve()
_REL = {}


def _rel(path):
    """A path relative to the working directory when it lies below it (stable across checkouts)."""
    key = str(path)
    if key not in _REL:
        try:
            _REL[key] = str(Path(path).resolve().relative_to(_CWD))
        except ValueError:
            _REL[key] = key
    return _REL[key]


SETTINGS_DIR = "data/processed/settings"


def _json_safe(value, where):
    """Plain JSON for a settings file: mappings with string keys, lists (tuples become lists), scalars."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v, where) for k, v in value.items()}
    raise WorkflowError(f"settings({where}): {type(value).__name__} is not JSON: {value!r}")


_settings_written = set()


def settings_path(rule_name):
    return f"{SETTINGS_DIR}/{rule_name}.json"


def settings(rule_name, **values):
    """A rule's settings (what `params:` would hold) as a JSON file, for a rule input `settings`.

    Written when the Snakefile is read, and only when its bytes change: its mtime then moves
    exactly when a setting does, and Snakemake's mtime trigger reruns exactly the rules whose
    settings changed. Scripts read it with `analysis.core.logsetup.settings(snakemake)`. Top-level
    keys are sorted; nested mappings keep their (config) order, which outputs may show.
    """
    if rule_name in _settings_written:
        raise WorkflowError(f"settings({rule_name!r}) given twice: one settings file per rule")
    _settings_written.add(rule_name)
    path = Path(run_path(settings_path(rule_name)))
    doc = {k: _json_safe(values[k], f"{rule_name}.{k}") for k in sorted(values)}
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    try:
        old = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        old = None
    if old != text and (old is None or workflow.is_main_process):  # cluster jobs re-read the Snakefile
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return settings_path(rule_name)  # the default-layout path: Snakemake maps it like any other


# Tidy tables and figures per stage (entry ids as in published_results.yaml; x_ = our own).
# Each stage file registers its own entries before its rules, e.g. STAGE_TABLES["scope"] = [...].
STAGE_TABLES = {}
STAGE_FIGURES = {}


def tables(stage):
    return [f"reports/tables/{e}.csv" for e in STAGE_TABLES[stage]]


def figures(stage, ext="svg"):
    return [f"reports/figures/{e}.{ext}" for e in STAGE_FIGURES[stage]]


def _reference(path):
    """A reference file, parsed once per parse of the workflow: two values derived from
    published_results.yaml are cached apart, and a cold build (nothing cached) parsed the 200 kB
    file for each (~0.15 s each, issue 28)."""
    key = ("reference", str(path))
    if key not in PARSE_CACHE.memo:
        PARSE_CACHE.memo[key] = load_yaml(path)
    return PARSE_CACHE.memo[key]


def _figure_labels(path):
    """Entry id -> {report_ref, title_no} (those it has) of published_results.yaml."""
    return {
        e["id"]: {k: e[k] for k in ("report_ref", "title_no") if k in e} for e in _reference(path)["entries"]
    }


def published_labels():
    """The report's number and title of every published entry (the labels of figure_outputs)."""
    return PARSE_CACHE.get("figure_labels", PUBLISHED, _figure_labels)


def _entries_read(path):
    """The entry ids whose tables the checks of a reference file read: every entry of
    published_results.yaml (the reproduction scorecard); each claim's entry of
    published_claims.yaml and any other entry its sides' selectors name (the claims scorecard;
    both are rule scorecards)."""

    def named(side):
        if isinstance(side, dict):
            return [str(side["entry_id"])] if "entry_id" in side else []
        return [e for s in side for e in named(s)] if isinstance(side, list) else []

    doc = _reference(path)
    claims = doc.get("claims") or []
    ids = {str(e["id"]) for e in doc.get("entries") or []} | {str(c["entry_id"]) for c in claims}
    ids |= {e for c in claims for side in (c.get("left"), c.get("right")) for e in named(side)}
    return sorted(ids)


def tables_read(*references):
    """The tables of all_tables() whose entries the checks of ``references`` (PUBLISHED, CLAIMS)
    read (never our own x_ tables), so that the scorecards wait only for the jobs making those."""
    read = {e for ref in references for e in PARSE_CACHE.get("entries_read", ref, _entries_read)}
    return [t for t in all_tables() if Path(t).stem in read]


# Snakemake's parser reads `report(` at the start of a line as its `report:` directive, and
# snakefmt may put the call there: the function goes by another name in Python code.
report_output = report


def report_category(name):
    """A `snakemake --report` category name that sorts in chapter order.

    Snakemake's report lists categories in plain string order ("Kapittel 10" before "Kapittel 2"),
    so one-digit chapter numbers are written with a leading zero ("Kapittel 02 og 12: omfang").
    The whole report is "Hele rapporten" (first), the lineage appendix "Vedlegg: sporbarhet" (last).
    """
    return re.sub(r"(?<!\d)(\d)(?!\d)", r"0\1", name)


def figure_outputs(stage, category):
    """SVG figures marked for `snakemake --report`, with the report's number and title as labels."""
    entries = published_labels()
    outs = []
    for e in STAGE_FIGURES[stage]:
        meta = entries.get(e, {})
        outs.append(
            report_output(
                f"reports/figures/{e}.svg",
                caption="../report/captions/figure.rst",
                category=report_category(category),
                labels={"figure": meta.get("report_ref", e), "title": meta.get("title_no", e)},
            )
        )
    return outs


def all_tables():
    return [t for s in STAGE_TABLES for t in tables(s)]


def all_figures(ext="svg"):
    return [f for s in STAGE_FIGURES for f in figures(s, ext)]


def provenance_inputs():
    return dict(sorted(USED_INPUTS.items()))


# Which named inputs of a rule feed which of its outputs, for rules that make several outputs from
# different inputs (declared in the stage file beside STAGE_TABLES): FEEDS[rule][stem] = [input
# names], where stem is the output's file name up to its first dot ("fig_2_1" for fig_2_1.csv,
# .svg and .png), or {"table": [...], "figure": [...]} when an entry's figure reads more than its
# table (a map's geometry). Outputs not listed are fed by every data input of their rule. A list may
# name an output of the rule itself, a file it writes and then reads (the weights of rule weighting,
# decision 0195): such a list gives the output's inputs in its own order.
FEEDS = {}


def _stem(path):
    return Path(str(path)).name.split(".")[0]


def _named_data(r, code_files):
    """A rule's named data inputs: name -> files (code, settings and messages left out)."""
    out = {}
    for name, value in r.input.items():
        if name in NOT_DATA:
            continue
        files = snakemake_compat.rule_files(value if isinstance(value, list) else [value])
        files = [
            run_path(f)
            for f in files
            if f not in code_files and not run_path(f).startswith(run_path(SETTINGS_DIR) + "/")
        ]
        if files:
            out[name] = files
    return out


def _named_outputs(r):
    """A rule's named outputs: name -> files."""
    return {
        name: [run_path(f) for f in snakemake_compat.rule_files(v if isinstance(v, list) else [v])]
        for name, v in r.output.items()
    }


def _fed_by(r, out, named, own):
    """The input names (and names of the rule's own outputs, ``own``) feeding output ``out`` of
    rule ``r`` (all input names when FEEDS is silent)."""
    spec = FEEDS.get(r.name, {}).get(_stem(out))
    if spec is None:
        return list(named)
    if isinstance(spec, dict):
        spec = spec["figure"] if str(out).endswith((".svg", ".png")) else spec["table"]
    return [n for n in spec if n in named or n in own]


def check_feeds():
    """Every FEEDS declaration names outputs and inputs its rule has (a typo would hide an input)."""
    for rule_name, spec in FEEDS.items():
        try:
            r = workflow.get_rule(rule_name)
        except Exception:
            raise WorkflowError(f"FEEDS[{rule_name!r}]: no such rule") from None
        stems = {_stem(o) for o in snakemake_compat.rule_files(r.output)}
        names = (set(r.input.keys()) - set(NOT_DATA)) | set(r.output.keys())
        for stem, roles in spec.items():
            if stem not in stems:
                raise WorkflowError(f"FEEDS[{rule_name!r}][{stem!r}]: the rule has no such output")
            lists = roles.values() if isinstance(roles, dict) else [roles]
            bad = sorted({n for lst in lists for n in lst} - names)
            if bad:
                raise WorkflowError(f"FEEDS[{rule_name!r}][{stem!r}]: no input named {bad}")


def lineage():
    """For every output: the rule (and stage file) that makes it, the data inputs that feed it
    (by input name and as a flat list) and the code it ran."""
    check_feeds()
    result = {}
    for r in workflow.rules:
        if r.name == "all":
            continue
        named = dict(r.input.items())
        code_files = [str(c) for c in named.get("code", [])] if "code" in named else []
        data = [
            run_path(f)
            for f in snakemake_compat.rule_files(r.input)
            if f not in code_files
            and f != MESSAGES
            and not run_path(f).startswith(run_path(SETTINGS_DIR) + "/")
        ]
        by_name = _named_data(r, code_files)
        own = _named_outputs(r) if r.name in FEEDS else {}
        code_list = sorted(
            [str(Path(f).relative_to(ROOT)) if Path(f).is_absolute() else f for f in code_files]
            + ([str(r.script)] if r.script else [])
        )
        for out in snakemake_compat.rule_files(r.output):
            if r.name in FEEDS and by_name:
                names = _fed_by(r, out, by_name, own)
                roles = {n: by_name[n] if n in by_name else own[n] for n in names}
                if any(n not in by_name for n in names):  # files of its own: in the list's order
                    inputs = list(dict.fromkeys(f for files in roles.values() for f in files))
                else:
                    inputs = [f for f in data if any(f in files for files in roles.values())]
            else:
                roles, inputs = by_name, data
            result[out] = {
                "rule": r.name,
                "stage": Path(r.snakefile).stem,
                "inputs": inputs,
                "input_roles": roles,
                "code": code_list,
            }
    return dict(sorted(result.items()))


# Set at the end of report.smk, once every rule exists (empty while lineage() itself runs).
LINEAGE = {}
AFTER_PROVENANCE = set()


def hashed_outputs():
    """Every output provenance.json can hash: those of the rules that do not wait for it."""
    return [out for out, info in LINEAGE.items() if info["rule"] not in AFTER_PROVENANCE]


def assign_cluster_groups():
    """On a cluster every rule runs in the group job of its phase (inputs, chapters, report), derived
    from the rules: their stage file, whether they read an input (a `ledger` output) and which rule
    feeds which (analysis.report.lineage.cluster_groups; profiles/slurm, decision 0153). Called
    once, after the last rule; locally Snakemake ignores groups."""
    producer = {out: info["rule"] for out, info in LINEAGE.items()}
    edges = {
        (producer[i], info["rule"]) for info in LINEAGE.values() for i in info["inputs"] if i in producer
    }
    done = {info["rule"] for info in LINEAGE.values()}
    for r in workflow.rules:  # rules after report.smk (validate) are not in LINEAGE
        if r.name not in done and r.name != "all":
            edges |= {(producer[f], r.name) for f in snakemake_compat.rule_files(r.input) if f in producer}
    stages = {r.name: Path(r.snakefile).stem for r in workflow.rules if r.name != "all"}
    readers = {r.name for r in workflow.rules if "ledger" in r.output.keys()}
    try:
        groups = cluster_groups(stages, edges, readers)
    except ValueError as err:  # a cluster run would wait forever; a local one does not care
        print(f"NOTE no cluster groups: {err}", file=sys.stderr)
        return
    snakemake_compat.set_rule_groups(workflow, groups)


def ledger_parts():
    """Every rule's `ledger` output: one file, or a list from a rule reading several inputs (cited)."""
    parts = []
    for r in workflow.rules:
        if "ledger" in r.output.keys():
            led = r.output.ledger
            parts.extend([str(led)] if isinstance(led, str) else [str(f) for f in led])
    return sorted(parts)


def _code_version():
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        commit, time = git("log", "-1", "--no-show-signature", "--format=%H %ct").split(
            " "
        )  # one call: ~10 ms each
        return {
            "commit": commit,
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "time": int(time),
        }
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError):
        # outside a git checkout: the report's publication date stands in for the commit time
        return {"commit": "unknown", "dirty": None, "time": 1638316800}


CODE_VERSION = _code_version()
