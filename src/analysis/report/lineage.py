"""Lineage: which rule feeds which, what each output comes from, and the workflow as a picture.

The picture reads left to right: each rule stands in the column after the last rule it needs
(longest path), rules in a column are ordered to keep arrows short, and the colour says which
stage file the rule lives in.
"""

from __future__ import annotations

from pathlib import Path


def rule_edges(outputs: dict[str, dict]) -> tuple[list[str], set[tuple[str, str]]]:
    """Rules and (producer, consumer) edges from provenance's output lineage."""
    producer = {out: info["rule"] for out, info in outputs.items()}
    rules = sorted({info["rule"] for info in outputs.values()})
    edges = set()
    for info in outputs.values():
        for inp in info["inputs"]:
            if inp in producer and producer[inp] != info["rule"]:
                edges.add((producer[inp], info["rule"]))
    return rules, edges


def downstream_rules(outputs: dict[str, dict], rule: str) -> set[str]:
    """``rule`` and every rule that (transitively) reads one of its outputs."""
    _, edges = rule_edges(outputs)
    found, todo = {rule}, [rule]
    while todo:
        r = todo.pop()
        for a, b in edges:
            if a == r and b not in found:
                found.add(b)
                todo.append(b)
    return found


def rule_graph(outputs: dict[str, dict]) -> dict:
    """What the picture needs: ``{"stages": {rule: stage}, "edges": [[producer, consumer], ...]}``."""
    rules, edges = rule_edges(outputs)
    stage = {}
    for info in outputs.values():
        stage.setdefault(info["rule"], info.get("stage", ""))
    return {"stages": {r: stage[r] for r in rules}, "edges": [list(e) for e in sorted(edges)]}


def sources(outputs: dict[str, dict], path: str, raw: set[str]) -> list[str]:
    """The registered input files (``raw``) an output comes from, following intermediate files
    back through the rules that made them."""
    found, seen, todo = set(), set(), [path]
    while todo:
        p = todo.pop()
        for inp in outputs.get(p, {}).get("inputs", []):
            if inp in seen:
                continue
            seen.add(inp)
            if inp in raw:  # a registered input ends the walk (even a generated demo file)
                found.add(inp)
            elif inp in outputs:
                todo.append(inp)
    return sorted(found)


def layers(rules: list[str], edges: set[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering, so every arrow points to a later layer."""
    depth = {r: 0 for r in rules}
    for _ in range(len(rules)):
        changed = False
        for a, b in sorted(edges):
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def columns(stages: dict[str, str], edges: set[tuple[str, str]]) -> dict[str, int]:
    """Column of every rule, left to right: the demo generators first (they make the inputs),
    then the data stages by longest path among themselves, then the report stage by longest path
    among its own rules. Edges from the demo generators back to the files they are calibrated
    to do not move a rule."""
    demo = sorted(r for r, s in stages.items() if s == "demo")
    report = sorted(r for r, s in stages.items() if s == "report")
    data = sorted(r for r in stages if r not in demo and r not in report)
    inner = {(a, b) for a, b in edges if a in data and b in data}
    d_data = layers(data, inner)
    first = 1 if demo else 0
    col = {r: 0 for r in demo}
    col.update({r: first + d_data[r] for r in data})
    start = max([col[r] for r in data], default=first - 1) + 1
    d_rep = layers(report, {(a, b) for a, b in edges if a in report and b in report})
    col.update({r: start + d_rep[r] for r in report})
    return col


def column_order(rules: list[str], edges: set[tuple[str, str]], depth: dict[str, int], sweeps: int = 4):
    """Rules per column, ordered by the mean position of their neighbours (barycentre heuristic,
    alternating forward and backward sweeps), ties by name: fewer and shorter crossing arrows."""
    cols: dict[int, list[str]] = {}
    for r in sorted(rules):
        cols.setdefault(depth[r], []).append(r)
    pos = {r: float(i) for c in cols.values() for i, r in enumerate(c)}
    preds = {r: [a for a, b in edges if b == r] for r in rules}
    succs = {r: [b for a, b in edges if a == r] for r in rules}
    for k in range(sweeps):
        order = sorted(cols) if k % 2 == 0 else sorted(cols, reverse=True)
        for d in order:
            nb = preds if k % 2 == 0 else succs

            def key(r, nb=nb):
                near = [pos[x] for x in nb[r]]
                return (sum(near) / len(near) if near else pos[r], r)

            cols[d] = sorted(cols[d], key=key)
            for i, r in enumerate(cols[d]):
                pos[r] = float(i)
    return cols


def _box_label(name: str, width: int = 10) -> str:
    """A rule name on one or two lines (split at an underscore)."""
    if len(name) <= width or "_" not in name:
        return name
    cut = min((abs(i - len(name) / 2), i) for i, ch in enumerate(name) if ch == "_")[1]
    return name[:cut] + "_\n" + name[cut + 1 :]


STAGE_COLOURS = {
    "demo": "#d9d9d9",
    "imdi": "#a9c9e8",
    "survey": "#f4b183",
    "official": "#c5e0b4",
    "report": "#e8eef5",
}


def draw_rule_graph(graph: dict, base: str | Path, *, synthetic, t):
    """The workflow from left (inputs) to right (the report): ``graph`` from :func:`rule_graph`.

    Edges into provenance are left out (it records every file, it feeds nothing but the report);
    the many edges from the data stages into the report's collecting rules (ledger, scorecard,
    render) join one bus line; calibration edges of the demo generators are dashed. ``t``: the
    message catalogue of the report's language (its words, group ``figure``)."""
    # analysis.core.figures first: it sets matplotlib up before pyplot makes its artists (0180)
    from analysis.core.figures import FIG_WIDTH, MIN_FONT_PT, apply_style, save_figure

    # isort: split
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Patch

    apply_style()
    stages = graph["stages"]
    rules = sorted(stages)
    edges = {tuple(e) for e in graph["edges"] if e[1] != "provenance"}
    col = columns(stages, edges)
    cols = column_order(rules, edges, col)
    n_cols = max(cols) + 1 if cols else 1
    n_rows = max(len(c) for c in cols.values()) if cols else 1
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.42 * n_rows + 0.9))
    bw, bh = 0.84, 0.7  # box size in column / row units
    xy = {}
    for d, names in cols.items():
        top = (n_rows - len(names)) / 2  # centre each column vertically
        for i, name in enumerate(names):
            xy[name] = (d, top + i)
    is_report = {r for r in rules if stages[r] == "report"}
    collectors = sorted(
        b for b in is_report if sum(1 for a, c in edges if c == b and a not in is_report) >= 3
    )
    bus_x = min((xy[c][0] for c in collectors), default=0) - 0.5
    arrow = dict(arrowstyle="-|>", color="#8c8c8c", lw=0.6, shrinkA=0, shrinkB=0, mutation_scale=7)
    fed_bus = set()
    for a, b in sorted(edges):
        (x0, y0), (x1, y1) = xy[a], xy[b]
        if b in collectors and a not in is_report:
            fed_bus.add(a)
            continue
        style = dict(arrow)
        if x1 <= x0:  # a demo generator calibrated to a file made later in the flow
            style.update(linestyle=(0, (2, 2)), connectionstyle="arc3,rad=-0.35")
            ax.annotate("", xy=(x1, y1 - bh / 2), xytext=(x0, y0 - bh / 2), arrowprops=style, zorder=1)
            continue
        ax.annotate("", xy=(x1 - bw / 2, y1), xytext=(x0 + bw / 2, y0), arrowprops=style, zorder=1)
    if fed_bus:
        ys = [xy[a][1] for a in fed_bus] + [xy[c][1] for c in collectors]
        ax.plot([bus_x, bus_x], [min(ys), max(ys)], color="#1f4e79", lw=1.2, zorder=1)
        for a in sorted(fed_bus):
            x0, y0 = xy[a]
            ax.plot([x0 + bw / 2, bus_x], [y0, y0], color="#b0b0b0", lw=0.5, zorder=0.5)
        for c in collectors:
            x1, y1 = xy[c]
            ax.annotate("", xy=(x1 - bw / 2, y1), xytext=(bus_x, y1), arrowprops=arrow, zorder=1)
        ax.text(
            bus_x - 0.04,
            min(ys) - 0.45,
            t("figure.dag_outputs"),
            ha="center",
            va="bottom",
            fontsize=MIN_FONT_PT,
            color="#1f4e79",
        )
    for name, (x, y) in xy.items():
        colour = STAGE_COLOURS.get(stages[name], "#ffffff")
        ax.add_patch(
            FancyBboxPatch(
                (x - bw / 2, y - bh / 2),
                bw,
                bh,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                fc=colour,
                ec="#1f4e79",
                lw=0.6,
                zorder=2,
            )
        )
        ax.text(
            x, y, _box_label(name), ha="center", va="center", fontsize=MIN_FONT_PT, zorder=3, linespacing=1.0
        )
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.3, -0.9)
    ax.axis("off")
    ax.grid(False)
    used = [s for s in STAGE_COLOURS if s in set(stages.values())]
    title = t("figure.dag_stages")
    handles = [Patch(facecolor=STAGE_COLOURS[s], edgecolor="#1f4e79", label=f"{s}.smk") for s in used]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(handles), title=title)
    return save_figure(fig, base, synthetic=synthetic)


def _short(sha: str | None, n: int = 12) -> str:
    return sha[:n] if sha else "–"


def footer_lookup(provenance: dict):
    """``lineage_of(entry_id)`` for the templates: the entry's table (or figure) file, its rule, the
    inputs that feed it and the registered input files it comes from, each with a short sha256
    (the full ones are in provenance.json); None for an entry without an output. Outputs are found
    by their ``tables/<id>.csv`` / ``figures/<id>.svg`` ending, so a named run's folder works too."""
    outputs = provenance.get("outputs", {})
    inputs = {i["path"]: i for i in provenance.get("inputs", [])}
    by_entry: dict[str, str] = {}
    for path in sorted(outputs):
        parts = path.split("/")
        if len(parts) >= 2 and (parts[-2], Path(path).suffix) in (("tables", ".csv"), ("figures", ".svg")):
            stem = Path(path).stem
            # the table wins over the figure of the same entry
            if stem not in by_entry or parts[-2] == "tables":
                by_entry[stem] = path

    def describe(path: str, role: str = "") -> dict:
        sha = (outputs.get(path) or {}).get("sha256") or (inputs.get(path) or {}).get("sha256")
        return {"path": path, "name": Path(path).name, "role": role, "sha": _short(sha)}

    def lineage_of(entry_id: str) -> dict | None:
        path = by_entry.get(entry_id)
        if path is None:
            return None
        info = outputs[path]
        roles = {f: r for r, files in (info.get("input_roles") or {}).items() for f in files}
        return {
            "file": "/".join(path.split("/")[-2:]),
            "sha": _short(info.get("sha256")),
            "rule": info["rule"],
            "inputs": [describe(f, roles.get(f, "")) for f in info["inputs"]],
            "sources": [describe(f, (inputs.get(f) or {}).get("role", "")) for f in info.get("sources", [])],
        }

    return lineage_of


def cluster_groups(stages: dict[str, str], edges, reads_inputs: set[str]) -> dict[str, str]:
    """The group job of every rule on a cluster (profiles/slurm), one per phase, run in order:

    - ``inputs``: the rules of the demo and validate stage files, every rule that reads an input
      (it writes a ``ledger``) and every rule these need;
    - ``report``: the rules of report.smk and every rule that needs one of them;
    - ``chapters``: the rest (the stages' tables and figures).

    ``stages``: rule -> stage file (stem); ``edges``: (producer, consumer) pairs. ``inputs`` is
    closed upstream and ``report`` downstream, so no group job waits for a later one; a rule that
    would be in both (a report rule feeding an input reader) raises ValueError."""
    needs: dict[str, set[str]] = {r: set() for r in stages}
    feeds: dict[str, set[str]] = {r: set() for r in stages}
    for a, b in edges:
        if a in stages and b in stages:
            needs[b].add(a)
            feeds[a].add(b)

    def closure(start, step):
        found, todo = set(start), list(start)
        while todo:
            for nxt in step[todo.pop()] - found:
                found.add(nxt)
                todo.append(nxt)
        return found

    inputs = closure({r for r, s in stages.items() if s in ("demo", "validate") or r in reads_inputs}, needs)
    report = closure({r for r, s in stages.items() if s == "report"}, feeds)
    if inputs & report:
        raise ValueError(f"rules both read inputs and need the report: {sorted(inputs & report)}")
    return {r: "inputs" if r in inputs else "report" if r in report else "chapters" for r in sorted(stages)}
