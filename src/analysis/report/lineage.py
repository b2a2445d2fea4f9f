"""A picture of the workflow: rules as boxes in layers, arrows where one rule feeds another."""

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


def draw_rule_graph(outputs: dict[str, dict], base: str | Path, *, synthetic):
    import matplotlib.pyplot as plt

    from analysis.core.figures import apply_style, save_figure

    apply_style()
    rules, edges = rule_edges(outputs)
    depth = layers(rules, edges)
    by_layer: dict[int, list[str]] = {}
    for r in rules:
        by_layer.setdefault(depth[r], []).append(r)
    n_layers = max(by_layer) + 1 if by_layer else 1
    width = max(len(v) for v in by_layer.values()) if by_layer else 1
    pos = {}
    for d, names in by_layer.items():
        for i, name in enumerate(sorted(names)):
            pos[name] = ((i + 0.5) * width / len(names), n_layers - d)
    fig, ax = plt.subplots(figsize=(6.3, max(2.0, 0.75 * n_layers + 0.5)))
    for a, b in sorted(edges):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate(
            "",
            xy=(x1, y1 + 0.18),
            xytext=(x0, y0 - 0.18),
            arrowprops=dict(arrowstyle="->", color="#888888", lw=0.8),
        )
    for name, (x, y) in pos.items():
        ax.text(
            x,
            y,
            name,
            ha="center",
            va="center",
            fontsize=7,
            bbox=dict(boxstyle="round,pad=0.3", fc="#e8eef5", ec="#1f4e79", lw=0.6),
        )
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(0.4, n_layers + 0.6)
    ax.axis("off")
    ax.grid(False)
    return save_figure(fig, base, synthetic=synthetic)
