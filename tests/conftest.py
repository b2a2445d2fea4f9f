"""Shared fixtures and the test tiers (DEVELOPING.md, "Tests").

Tiers: `./run.sh test` runs everything (what CI runs); `./run.sh test quick` leaves out the tests
marked `e2e` (they run Snakemake or read the demo build), `r` (Rscript) and `network`. The
markers are set here, from what a test uses (`pytest_collection_modifyitems`): nobody needs to
remember them. A test is `e2e` when it, a fixture it uses or a helper of its module calls one of
`copy_workflow`, `copy_build`, `run_snakemake`, `clean_copy`, or uses `demo_build`; `r` when that
code names `Rscript` or it uses the `rscript` fixture (which skips when R's `survey` package is
missing); `network` is set by hand (`@pytest.mark.network`).

`demo_build` is one full demo build per session, kept between sessions under
`.pytest_cache/demo-build/<hash>`; the hash covers every file a workflow copy holds (except
`tests/`) and the names, sizes and mtimes of the shared data, so any change to code, config or
inputs builds afresh. No test may change it (a check at the end of the session fails and drops
the cache if one did): a test that needs a variant copies it with `copy_build`.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT.parent / "shared").resolve()
PUBLIC = SHARED / "data"
REFERENCE = SHARED / "reference"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
BUILD_CACHE = ROOT / ".pytest_cache" / "demo-build"
CROSSWALK = PUBLIC / "crosswalk" / "alle_kommunenummer_fra2013_til2020_wide.csv"

sys.path.insert(0, str(ROOT / "tools"))
from double_build import clean_copy, compare, copied_files, digests  # noqa: E402  (one copy routine for tests and tools)

from analysis.core.config import validate_config  # noqa: E402

# The configuration's defaults, from the schema (their only home): tests that need a default
# value read it here, e.g. DEFAULTS["harmonisation"]["split_to"].
DEFAULTS = validate_config({}, ROOT / "workflow" / "schemas" / "config.schema.yaml")
SPLIT_TO = DEFAULTS["harmonisation"]["split_to"]
REGISTER_END = DEFAULTS["register_end"]
RAKE = {"tol": DEFAULTS["weighting"]["tolerance"], "max_iter": DEFAULTS["weighting"]["max_iter"]}


def copy_workflow(dest: Path) -> Path:
    """A copy of the checkout at dest/main with dest/shared pointing at the real shared folder.

    Snakemake locks its working directory and writes outputs beside the Snakefile, so each
    end-to-end test builds in its own copy; config paths like ../shared/data keep working.
    """
    return clean_copy(dest)


def copy_build(build: Path, dest: Path) -> Path:
    """A writable copy of a built tree (outputs, Snakemake metadata, mtimes) at dest/main.

    A variant of the demo build (another config, a changed input) then reruns only the jobs the
    change touches.
    """
    main = dest / "main"
    shutil.copytree(build, main, symlinks=True)
    (dest / "shared").symlink_to(SHARED, target_is_directory=True)
    return main


def run_snakemake(
    workdir: Path, *args: str, check: bool = True, timeout: int = 900, env: dict | None = None
) -> subprocess.CompletedProcess:
    # GIT_CEILING_DIRECTORIES: the cached build lies inside the checkout; it must not find the
    # checkout's git history (provenance's code_version), or it would differ from builds in /tmp.
    full_env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": "1638316800",
        "GIT_CEILING_DIRECTORIES": str(BUILD_CACHE),
        **(env or {}),
    }
    proc = subprocess.run(
        [*SNAKEMAKE, "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


# ---------------------------------------------------------------------------------------------
# tiers: markers from what a test uses
_E2E_CALLS = {"copy_workflow", "copy_build", "run_snakemake", "clean_copy"}
_FIXTURE_MARKS = {"demo_build": "e2e", "rscript": "r"}
_NEEDS: dict = {}  # code object -> the markers it needs (memo: helpers are shared by many tests)


def _code_needs(func) -> frozenset:
    """Markers a function needs: it calls one of _E2E_CALLS or names Rscript, itself or through
    the functions of tests/ and tools/ it calls (module helpers, fixtures' helpers)."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None:
        return frozenset()
    if code in _NEEDS:
        return _NEEDS[code]
    _NEEDS[code] = frozenset()  # a cycle ends here
    names, consts, stack = set(), [], [code]
    while stack:  # names and constants of the function and of functions/lambdas nested in it
        c = stack.pop()
        names |= set(c.co_names)
        consts += c.co_consts
        stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    needs = {"r"} if any("Rscript" in str(k) for k in consts if isinstance(k, (str, tuple))) else set()
    for name in names:
        obj = func.__globals__.get(name)
        target = inspect.unwrap(obj) if callable(obj) else None
        where = getattr(getattr(target, "__code__", None), "co_filename", None)
        if where is None or not Path(where).resolve().is_relative_to(ROOT):
            continue
        if name in _E2E_CALLS:
            needs.add("e2e")
        elif Path(where).resolve().parent.name in ("tests", "tools"):
            needs |= _code_needs(target)
    _NEEDS[code] = frozenset(needs)
    return _NEEDS[code]


def _needs(item) -> set[str]:
    needs = {_FIXTURE_MARKS[f] for f in item.fixturenames if f in _FIXTURE_MARKS}
    funcs = [item.function] if hasattr(item, "function") else []
    for name in item.fixturenames:
        funcs += [d.func for d in item._fixtureinfo.name2fixturedefs.get(name) or ()]
    for f in funcs:
        needs |= _code_needs(f)
    return needs


def pytest_collection_modifyitems(config, items):
    for item in items:
        present = {m.name for m in item.iter_markers()}
        for marker in _needs(item) - present:
            item.add_marker(marker)
    # Modules with builds first, R next, the quick ones last (stable, so a module's tests stay
    # together in file order): `./run.sh test` hands whole modules to two workers in this order
    # (--dist loadfile), and the quick modules then fill the gaps while the last builds run.
    rank = {}
    for item in items:
        tier = 0 if item.get_closest_marker("e2e") else 1 if item.get_closest_marker("r") else 2
        rank[item.path] = min(rank.get(item.path, 2), tier)
    items.sort(key=lambda item: rank[item.path])


@pytest.fixture(scope="session")
def rscript() -> str:
    """The Rscript command, checked once per session to have the `survey` package (else skip)."""
    path = shutil.which("Rscript")
    if path is None or subprocess.run([path, "-e", "library(survey)"], capture_output=True).returncode:
        pytest.skip("Rscript with the R package 'survey' is not installed (Debian: r-cran-survey)")
    return path


# ---------------------------------------------------------------------------------------------
# the session's demo build
def _build_key() -> str:
    """sha256 of what a workflow copy holds (tests/ aside, but for this file) and of the shared
    data's file list."""
    h = hashlib.sha256()
    for rel in copied_files():
        if rel.parts[0] == "tests" and rel.name != "conftest.py":  # conftest.py says how to build
            continue
        h.update(rel.as_posix().encode() + b"\0" + (ROOT / rel).read_bytes() + b"\0")
    for p in sorted(SHARED.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(SHARED)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    h.update(f"{sys.executable}\0{sys.version}".encode())
    return h.hexdigest()[:20]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not PUBLIC.is_dir():
        pytest.skip(f"shared data folder not found at {PUBLIC}")
    return SHARED


@pytest.fixture(scope="session")
def demo_build(shared_dir) -> Path:
    """One full demo build (to the PDF), shared by the tests of a session and kept between
    sessions while nothing it depends on changes. Read it; never write into it (copy_build)."""
    key = _build_key()
    entry = BUILD_CACHE / key
    BUILD_CACHE.mkdir(parents=True, exist_ok=True)
    with open(BUILD_CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sessions in one checkout build once
        stamp = entry / "digests.json"
        if not stamp.exists():
            for old in BUILD_CACHE.iterdir():
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            run_snakemake(clean_copy(entry))
            stamp.write_text(json.dumps(digests(entry / "main")), encoding="utf-8")
    main = entry / "main"
    yield main
    changed = compare(json.loads(stamp.read_text(encoding="utf-8")), digests(main))
    if changed:
        shutil.rmtree(entry, ignore_errors=True)
        pytest.fail(f"a test changed the shared demo build ({', '.join(changed[:5])}); use copy_build")


def shown_register_cells(published: dict, entry_ids=None) -> dict:
    """(table, row key, column) -> the label or the number a reader sees, for every register-based
    number of the published tables (all of them, or those of ``entry_ids``); the two-release
    comparisons of tests/test_protection.py and tests/test_attacks.py read both releases with it."""
    from analysis.imdi.disclosure import _row_key

    out = {}
    for eid in entry_ids or published:
        for r in published[eid].to_dict("records"):
            if r.get("source", "register") != "register":
                continue
            for col in ("value", "asb", "settled", "n"):
                if col in r and (r[col] != "" or r.get(f"{col}_label", "")):
                    out[(eid, _row_key(eid, r), col)] = r.get(f"{col}_label", "") or float(r[col])
    return out


def study_of(**config):
    """The study shape of a config (defaults from the schema), as the workflow builds it."""
    from analysis.core.config import validate_config
    from analysis.core.study import study_from_config

    cfg = {"demo": True, "inputs": {}, **config}
    return study_from_config(validate_config(cfg, ROOT / "workflow" / "schemas" / "config.schema.yaml"))
