"""The pinned environment is described the same way for uv/pip users and conda users."""

import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT


def test_environment_yml_matches_uv_lock():
    proc = subprocess.run([sys.executable, "tools/sync_environment.py", "--check"], cwd=ROOT)
    assert proc.returncode == 0, "environment.yml is out of date: run python tools/sync_environment.py"


def test_direct_dependencies_are_pinned_to_the_locked_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = {p["name"]: p["version"] for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    for dep in project:
        name, _, version = dep.partition("==")
        assert version, f"{dep} is not pinned"
        assert lock[name.lower()] == version, f"{name}: pyproject {version}, uv.lock {lock[name.lower()]}"


def _environment_yml():
    from analysis.core.yamlio import load_yaml

    deps = load_yaml(ROOT / "environment.yml")["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    return conda, pip


def test_environment_yml_installs_from_anywhere_with_pinned_conda_packages():
    """No editable install (conda runs pip from .snakemake/conda/), every conda package pinned."""
    conda, pip = _environment_yml()
    assert [p for p in pip if p.startswith("-") or "==" not in p] == []
    assert [c for c in conda if not __import__("re").fullmatch(r"[a-z0-9-]+=[0-9][0-9.]*", c)] == []
    assert any(c.startswith("python=3.11.") for c in conda)


def test_environment_yml_pins_the_locked_runtime_for_linux_cpython():
    """Every pip pin equals the lock; the set is the runtime closure on Linux CPython: nothing
    Windows- or PyPy-only, nothing from the dev group or the cluster extra unless runtime needs it."""
    from packaging.markers import Marker

    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    versions = {p["name"]: p["version"] for p in lock["package"]}
    _, pip = _environment_yml()
    pinned = dict(p.split("==") for p in pip)
    assert {n: v for n, v in pinned.items() if versions.get(n) != v} == {}
    # every lock entry that names a pinned package's dependency only for Windows or PyPy
    linux_cpython = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                     "implementation_name": "cpython", "platform_python_implementation": "CPython",
                     "python_version": "3.11", "python_full_version": "3.11.9", "extra": ""}  # fmt: skip
    edges = [
        d
        for p in lock["package"]
        for d in p.get("dependencies", []) + sum(p.get("optional-dependencies", {}).values(), [])
    ]
    needed_here = {
        d["name"] for d in edges if not d.get("marker") or Marker(d["marker"]).evaluate(linux_cpython)
    }
    foreign = {d["name"] for d in edges} - needed_here  # only ever required on other platforms
    assert {"colorama", "pyreadline3", "brotlicffi"} <= foreign  # the lock has such packages ...
    assert sorted(foreign & set(pinned)) == []  # ... and none of them is pinned
    for dev_only in (
        "pytest",
        "ruff",
        "snakefmt",
        "duckdb",
        "statsmodels",
        "pypdf",
        "snakemake-executor-plugin-slurm",
    ):
        assert dev_only not in pinned
    for runtime in (
        "snakemake",
        "weasyprint",
        "pandas",
        "polars",
        "brotli",
        "zopfli",
        "pyreadstat",
        "pikepdf",
    ):
        assert runtime in pinned, runtime


@pytest.mark.network  # asks the package index
def test_every_pip_pin_resolves_against_the_package_index(tmp_path):
    """uv resolves the pinned set for Linux CPython 3.11 to exactly itself: every pin exists in the
    index for that platform, the set is closed (nothing missing) and consistent. Skipped when uv
    or the package index is not reachable."""
    import os
    import shutil

    uv = ROOT / ".tools" / "bin" / "uv"
    uv = str(uv) if uv.exists() else shutil.which("uv")
    if uv is None:
        pytest.skip("uv not found (./run.sh installs it into .tools/)")
    _, pins = _environment_yml()
    (tmp_path / "req.txt").write_text("\n".join(pins) + "\n")
    proc = subprocess.run(
        [uv, "pip", "compile", str(tmp_path / "req.txt"), "--python-platform", "x86_64-manylinux_2_28",
         "--python-version", "3.11", "--no-header", "--no-annotate", "--quiet", "-o", str(tmp_path / "out.txt")],
        capture_output=True, text=True, timeout=600, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )  # fmt: skip
    if proc.returncode != 0 and ("Failed to fetch" in proc.stderr or "Could not connect" in proc.stderr):
        pytest.skip("package index not reachable")
    assert proc.returncode == 0, proc.stderr[-3000:]
    resolved = [
        ln.strip() for ln in (tmp_path / "out.txt").read_text().splitlines() if ln.strip() and ln[0] != "#"
    ]
    assert sorted(resolved) == sorted(pins)
