"""Merge the JSON written by the two benchmark scripts into benchmarks/results.json.

    .venv/bin/python benchmarks/run_benchmarks.py --json /tmp/pipeline.json
    .venv/bin/python benchmarks/scale_register.py --json /tmp/scale.json
    .venv/bin/python benchmarks/make_results_json.py /tmp/pipeline.json /tmp/scale.json [more scale JSON]

Later scale files replace the (persons, format, id_order) entries of earlier ones (a re-run of
one size); a run with --id-order random is kept beside the sequential one.

The report's lineage appendix reads benchmarks/results.json (machine, scenarios, times).
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    os_name = platform.system()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    pkgs = {}
    for p in ("polars", "duckdb", "pandas", "pyarrow", "numpy", "snakemake"):
        try:
            pkgs[p] = version(p)
        except PackageNotFoundError:
            pkgs[p] = None
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": f"{os_name}, kernel {platform.release()}",
        "python": platform.python_version(),
        "packages": pkgs,
    }


def main(pipeline_json: str, *scale_jsons: str) -> None:
    pipe = json.loads(Path(pipeline_json).read_text())
    records: dict = {}
    load_end = None
    for f in scale_jsons:
        sc = json.loads(Path(f).read_text())
        load_end = sc.get("load_end")
        for r in sc["records"]:
            r.setdefault("id_order", "sequential")
        new = {(r["persons"], r["format"], r["id_order"]) for r in sc["records"]}
        records = {k: v for k, v in records.items() if k[:3] not in new}
        for r in sc["records"]:
            records[(r["persons"], r["format"], r["id_order"], r["engine"])] = r
    scale = {"load_end": load_end, "records": list(records.values())}
    budgets = {
        "cold_s": 45,
        "noop_s": 2,
        "template_s": 15,
        "register_x_duckdb_at_10M": 1.2,
        "register_peak_mb_at_10M": 4096,
    }
    out = {
        "machine": machine(),
        "budgets": budgets,
        "pipeline": {
            "load_start": pipe["load_start"],
            "load_end": pipe["load_end"],
            "reps": pipe.get("reps", 1),
            "scenarios": pipe["scenarios"],
        },
        "register_scale": {
            "note": "median of 3 runs per engine, each in a fresh process; seconds exclude interpreter "
            "start-up and imports; pipeline = register rule + scope/waiting aggregates "
            "(two processes, as under Snakemake), duckdb = same validation, harmonisation, "
            "processed file and aggregates in SQL, duckdb_agg = aggregates only",
            "load_end": scale.get("load_end"),
            "records": [
                {k: v for k, v in r.items() if k not in ("runs",)} | {"runs_s": r.get("runs")}
                for r in scale["records"]
            ],
        },
    }
    verdicts = {}
    for sc in pipe["scenarios"]:
        if sc.get("budget_s"):
            verdicts[sc["scenario"]] = {
                "measured_s": sc["wall_s"],
                "budget_s": sc["budget_s"],
                "met": sc["wall_s"] <= sc["budget_s"],
            }
    for r in scale["records"]:
        if r["persons"] >= 10_000_000 and r["engine"] == "pipeline":
            rr = r.get("register_rule", {})
            suffix = "" if r["id_order"] == "sequential" else f"_{r['id_order']}_ids"
            verdicts[f"register_10M_{r['format']}{suffix}"] = {
                "stage_x_duckdb": round(r["x_duckdb"], 2),
                "stage_peak_mb": round(r["peak_mb"]),
                "register_rule_x_duckdb_same_steps": round(rr.get("x_duckdb_same_steps", float("nan")), 2),
                "register_rule_peak_mb": round(rr["peak_mb"]) if rr.get("peak_mb") else None,
                "met_time": r["x_duckdb"] <= 1.2,
                "met_memory": r["peak_mb"] < 4096,
            }
    out["verdicts"] = verdicts
    dest = ROOT / "benchmarks" / "results.json"
    dest.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main(*sys.argv[1:])
