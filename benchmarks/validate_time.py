"""How long `snakemake validate` takes on inputs of the demo's size (issue 23).

    .venv/bin/python benchmarks/validate_time.py [--reps 3] [--broken]

Needs a demo build's inputs (``data/raw/demo/``; ``./run.sh report`` makes them). Prints, per
repetition, the wall time of ``snakemake validate --cores 1`` (a fresh job each time: the
validation outputs are removed first) and the time of each input's checks from the job's log.
``--broken`` validates a copy of the demo frame and 2021 survey whose unit ids lost their leading
zeros and whose register has a column of "code name" kommune cells with wrong names, the
shape that gave thousands of problems: grouped by cause, it must take seconds as well.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def broken_inputs(tmp: Path) -> Path:
    """A config pointing at demo inputs broken in the ways real exports are (see the docstring)."""
    import pandas as pd

    demo = ROOT / "data" / "raw" / "demo"
    tmp.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(demo / "survey_frame_2021.csv", dtype=str, keep_default_na=False)
    frame["unit_id"] = frame["unit_id"].str.lstrip("0")
    frame.to_csv(tmp / "frame.csv", index=False)
    s21 = pd.read_csv(demo / "survey_2021.csv", dtype=str, keep_default_na=False)
    s21["unit_id"] = s21["unit_id"].str.lstrip("0")
    s21.to_csv(tmp / "survey_2021.csv", index=False)
    reg = pd.read_csv(demo / "register.csv", dtype=str, keep_default_na=False)
    reg["kommunenummer"] = reg["kommunenummer"].where(reg["kommunenummer"] != "0301", "0301 Bergen")
    reg.to_csv(tmp / "register.csv", index=False)
    cfg = tmp / "broken.yaml"
    cfg.write_text(
        "demo: false\ninputs:\n"
        f"  survey_frame_2021: {tmp / 'frame.csv'}\n  survey_2021: {tmp / 'survey_2021.csv'}\n"
        f"  register: {tmp / 'register.csv'}\n  survey_2016: {demo / 'survey_2016.csv'}\n"
        f"  kostra_12012: {demo / 'kostra_12012.json'}\n",
        encoding="utf-8",
    )
    return cfg


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--broken", action="store_true")
    a = ap.parse_args(argv)
    if not (ROOT / "data" / "raw" / "demo" / "register.csv").exists():
        sys.exit("no demo inputs in data/raw/demo: run ./run.sh report first")
    extra = []
    if a.broken:
        extra = ["--configfile", str(broken_inputs(Path("/tmp/validate_bench")))]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    walls = []
    for rep in range(a.reps):
        for f in ("reports/validation.csv", "reports/validation.html"):
            (ROOT / f).unlink(missing_ok=True)
        t0 = time.perf_counter()
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "snakemake"), "validate", "--cores", "1", "--quiet", *extra],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        walls.append(time.perf_counter() - t0)
        log = (ROOT / "logs" / "validate.log").read_text(encoding="utf-8")
        per_input = re.findall(r"(\w+): \S+ rows read.*?problem\(s\) from (\d+) cause\(s\), ([\d.]+) s", log)
        print(
            f"run {rep + 1}: snakemake validate {walls[-1]:.1f} s; "
            + ", ".join(f"{role} {sec} s ({n} causes)" for role, n, sec in per_input)
        )
    rows = (ROOT / "reports" / "validation.csv").read_text(encoding="utf-8").count("\n") - 1
    print(f"problems listed: {rows}")
    print(f"median wall time: {statistics.median(walls):.1f} s (min {min(walls):.1f}, max {max(walls):.1f})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
