"""Pipeline benchmarks: prints figures, asserts nothing (budgets are read by people).

    .venv/bin/python benchmarks/run_benchmarks.py [--reps N] [--keep] [--json PATH]

Scenarios, each in a clean copy of this checkout:
  cold        full demo build to the PDF from nothing
  noop        the same command again (nothing to do)
  template    one report template edited -> PDF
  html_preview the same template edited again -> `snakemake html` (the authors' preview, no PDF);
              its wall time is compared with the render step of `template` (render_html +
              render_report) in the same run: the preview should take at most a third of it
  survey_item one survey item's label edited in the codebook -> PDF
For each: wall time, peak resident memory of the whole process tree, and for the builds the
per-rule times from Snakemake's benchmark files and the overhead ratio (wall time over the sum
of rule times; 1.0 would mean Snakemake and process start-up cost nothing). With --reps N the
whole sequence runs N times, each in a fresh copy, and the median (with min-max) is printed.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from double_build import clean_copy  # noqa: E402

BUDGETS = {"cold": 45.0, "noop": 2.0, "template": 15.0}


def _tree_rss_kb(root_pid: int) -> int:
    """Sum of RSS over root_pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            status = (d / "status").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(d.name)] = int(line.split()[1])
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run cmd; return (wall seconds, peak MB of the process tree sampled every 50 ms)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1638316800"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            stop.wait(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()[-3000:]}")
    return wall, peak / 1024


def rule_times(main: Path, since: float) -> dict[str, float]:
    """Seconds per rule from benchmarks/runs/*.tsv files written after `since`."""
    out = {}
    for f in sorted((main / "benchmarks" / "runs").glob("*.tsv")):
        if f.stat().st_mtime < since:
            continue
        with f.open() as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows:
            out[f.stem] = float(rows[-1]["s"])
    return out


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"benchmark edit: {old!r} not found in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


FOLLOWUP = "examples/followup.yaml"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    # target before --quiet: `--quiet` takes optional values and would swallow a trailing "all"
    snake = [sys.executable, "-m", "snakemake", "all", "--cores", "2", "--quiet", "all"]
    preview = [sys.executable, "-m", "snakemake", "html", "--cores", "2", "--quiet", "all"]
    json_path = Path(sys.argv[sys.argv.index("--json") + 1]) if "--json" in sys.argv else None
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 1
    load_start = os.getloadavg()
    runs: dict[str, list] = {}
    try:
        for rep in range(reps):
            main_dir = clean_copy(tmp / f"rep{rep}")
            scenarios = [
                ("cold", None),
                ("noop", None),
                (
                    "template",
                    lambda: edit(
                        main_dir / "workflow/report/templates/summary.html.j2",
                        "</section>",
                        "<!-- benchmark edit -->\n</section>",
                    ),
                ),
                (
                    "html_preview",
                    lambda: edit(
                        main_dir / "workflow/report/templates/summary.html.j2",
                        "</section>",
                        "<!-- preview edit -->\n</section>",
                    ),
                ),
                ("survey_item", lambda: _edit_codebook(main_dir)),
                ("followup", None),  # the follow-up demo from cold, in its own run folders
            ]
            if rep == 0:
                # Snakemake's own start-up (interpreter + imports + CLI), the floor under a no-op
                startup = sorted(
                    timed([sys.executable, "-m", "snakemake", "--version"], main_dir)[0] for _ in range(3)
                )[1]
            for name, change in scenarios:
                if change is not None:
                    change()
                since = time.time()
                cmd = {"html_preview": preview, "followup": [*snake, "--configfile", FOLLOWUP]}.get(
                    name, snake
                )
                wall, peak = timed(cmd, main_dir)
                rules = rule_times(main_dir, since) if name != "noop" else {}
                runs.setdefault(name, []).append((wall, peak, rules))
        # per scenario, the run with the median wall time (its peak and rule times with it)
        results = [
            (name, *sorted(rs, key=lambda r: r[0])[len(rs) // 2], [r[0] for r in rs])
            for name, rs in runs.items()
        ]
        print(f"machine: {machine()}")
        print(
            f"load average before/after: {' '.join(f'{x:.2f}' for x in load_start)} / "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(f"snakemake start-up (`snakemake --version`, median of 3): {startup:.2f} s")
        print(f"runs per scenario: {reps} (median shown, min-max beside it)")
        print(
            f"{'scenario':<12} {'wall s':>8} {'min-max s':>11} {'budget s':>9} {'peak MB':>8} {'rules':>6} "
            f"{'sum rule s':>11} {'overhead':>9}"
        )
        for name, wall, peak, rules, walls in results:
            total = sum(rules.values())
            ratio = f"{wall / total:.2f}" if total else "-"
            budget = f"{BUDGETS[name]:.0f}" if name in BUDGETS else "-"
            spread = f"{min(walls):.1f}-{max(walls):.1f}"
            print(
                f"{name:<12} {wall:8.1f} {spread:>11} {budget:>9} {peak:8.0f} {len(rules):6d} {total:11.1f} "
                f"{ratio:>9}"
            )
        walls = {name: wall for name, wall, *_ in results}
        if "followup" in walls:
            print(
                f"\nfollow-up build (examples/followup.yaml) vs the default cold build: "
                f"{walls['followup']:.1f} s / {walls['cold']:.1f} s = {walls['followup'] / walls['cold']:.2f}"
            )
        ratio = preview_ratio(results)
        if ratio is not None:
            print(
                f"\nhtml preview vs the template build's render step (render_html + render_report): "
                f"{ratio['preview_s']:.1f} s / {ratio['render_step_s']:.1f} s = {ratio['ratio']:.2f} (target <= 0.33)"
            )
        cold_rules = results[0][3]
        if cold_rules:
            print("\nper-rule times of the cold build (s):")
            for rule, s in sorted(cold_rules.items(), key=lambda kv: -kv[1]):
                print(f"  {rule:<24} {s:7.2f}")
        if json_path is not None:
            json_path.write_text(
                json.dumps(
                    {
                        "machine": machine(),
                        "load_start": load_start,
                        "load_end": os.getloadavg(),
                        "snakemake_startup_s": round(startup, 2),
                        "budgets_s": BUDGETS,
                        "reps": reps,
                        "html_preview_vs_render_step": preview_ratio(results),
                        "followup_vs_cold": round(walls["followup"] / walls["cold"], 3)
                        if "followup" in walls
                        else None,
                        "scenarios": [
                            {
                                "scenario": n,
                                "wall_s": round(w, 2),
                                "peak_mb": round(p),
                                "wall_s_all": [round(x, 2) for x in ws],
                                "budget_s": BUDGETS.get(n),
                                "sum_rule_s": round(sum(r.values()), 2),
                                "overhead_ratio": round(w / sum(r.values()), 2) if r else None,
                                "rule_s": {k: round(v, 2) for k, v in sorted(r.items())},
                            }
                            for n, w, p, r, ws in results
                        ],
                    },
                    indent=1,
                )
                + "\n",
                encoding="utf-8",
            )
        return 0
    finally:
        if "--keep" in sys.argv:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def preview_ratio(results) -> dict | None:
    """The preview's wall time over the full build's render step, both from this run."""
    by_name = {name: (wall, rules) for name, wall, _peak, rules, _walls in results}
    if "html_preview" not in by_name or "template" not in by_name:
        return None
    step = sum(by_name["template"][1].get(r, 0.0) for r in ("render_html", "render_report"))
    if not step:
        return None
    wall = by_name["html_preview"][0]
    return {"preview_s": round(wall, 2), "render_step_s": round(step, 2), "ratio": round(wall / step, 3)}


def _edit_codebook(main_dir: Path) -> None:
    """Change one survey item's Norwegian label (the survey stage and the report rerun)."""
    path = main_dir / "workflow/resources/codebook.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "label_no: "
    i = text.index(marker)
    j = text.index("\n", i)
    path.write_text(
        text[:j] + " (endret)" + text[j:]
        if not text[i:j].rstrip().endswith(("'", '"'))
        else text[: j - 1] + " (endret)" + text[j - 1 :],
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
