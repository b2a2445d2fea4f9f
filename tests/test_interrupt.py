"""A build killed at any point and run again gives exactly the outputs of a clean build."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_workflow, run_snakemake

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from double_build import compare, digests  # noqa: E402

pytestmark = pytest.mark.e2e


def kill_build_after(workdir: Path, seconds: float, sig=signal.SIGKILL) -> None:
    """Start a real build and send `sig` to its whole process group after `seconds`."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1638316800"}
    proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(seconds)
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait()


def test_killed_build_reruns_to_the_clean_outputs(demo_build, tmp_path):
    """Kill early (demo inputs being generated), rerun and kill again mid-way (stage jobs and
    render running), then rerun to the end: every output equals the clean build's."""
    from analysis.locks import clear_stale_lock

    work = copy_workflow(tmp_path)
    kill_build_after(work, 6.0, signal.SIGINT)      # Ctrl-C: Snakemake cleans up itself
    first = digests(work)
    kill_build_after(work, 20.0, signal.SIGKILL)    # power cut: a stale lock stays behind
    second = digests(work)
    assert clear_stale_lock(work)                   # what ./run.sh does before every build
    run_snakemake(work)
    final = digests(work)
    assert compare(digests(demo_build), final) == []
    assert first != final and second != final, "a kill came too late to interrupt anything"
