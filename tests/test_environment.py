"""The pinned environment is described the same way for uv/pip users and conda users."""

import subprocess
import sys
import tomllib

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
