"""No whisker outside its plot and no whisker on a value label, measured on the drawn figure
(issue 24): every error-bar segment and cap of every axis, in display coordinates, against the
axis' window and against the window extent of every text drawn in the axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.transforms import Bbox

from analysis.core.messages import Messages, load_messages
from analysis.core.tidy import read_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.figures import plot_figure

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "workflow" / "resources" / "codebook.yaml"
WORDS_NO = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / "no.yaml"))
TOLERANCE_PX = 1.0  # half a line width: a cap drawn exactly at the axis edge is inside


def whisker_boxes(ax) -> list[Bbox]:
    """The display box of every whisker segment and every cap of every error bar in ``ax``."""
    boxes = []
    dpi = ax.figure.dpi
    for container in ax.containers:
        if not isinstance(container, ErrorbarContainer):
            continue
        _, caps, bars = container.lines
        for collection in bars:
            pad = collection.get_linewidth()[0] * dpi / 72 / 2
            for seg in collection.get_segments():
                pts = ax.transData.transform(np.asarray(seg))
                (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
                boxes.append(Bbox([[x0 - pad, y0 - pad], [x1 + pad, y1 + pad]]))
        for cap in caps:  # a '|' cap (horizontal whisker) is a line of the cap's length, '_' lies flat
            long, thick = (v * dpi / 72 / 2 for v in (cap.get_markersize(), cap.get_markeredgewidth()))
            hx, hy = (thick, long) if cap.get_marker() == "|" else (long, thick)
            for x, y in ax.transData.transform(np.column_stack([cap.get_xdata(), cap.get_ydata()])):
                boxes.append(Bbox([[x - hx, y - hy], [x + hx, y + hy]]))
    return boxes


def collisions(fig) -> list[str]:
    """What is wrong with the figure's whiskers: one line per whisker out of its axis or on a text."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        frame = ax.get_window_extent(renderer).padded(TOLERANCE_PX)
        texts = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip()]
        for box in whisker_boxes(ax):
            if not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)):
                found.append(f"whisker {box.bounds} outside the axis {frame.bounds}")
            for text in texts:
                if box.overlaps(text):
                    found.append(f"whisker {box.bounds} on the label at {text.bounds}")
    return found


def _table(kind_rows):
    cols = ["year", "series", "item", "category", "group", "rank", "kommune"]
    rows = []
    for r in kind_rows:
        rec = {"entry_id": "fig_t", **{c: "" for c in cols}, "n": 40, "small_base": False, "se": 1.0}
        rec.update(r)
        rows.append(rec)
    df = pd.DataFrame(rows)
    df["n"] = df["n"].astype("Int64")
    return df


def test_the_measure_finds_a_whisker_out_of_the_plot_and_one_on_a_label():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xlim(0, 100)
    ax.errorbar([95], [0], xerr=[[5], [20]], fmt="none", capsize=3, clip_on=False)
    ax.errorbar([40], [1], xerr=[[5], [5]], fmt="none", capsize=3)
    ax.text(45, 1, "  40")
    ax.set_ylim(-1, 2)
    found = collisions(fig)
    plt.close(fig)
    assert any("outside" in f for f in found) and any("on the label" in f for f in found)


def test_stacked_bar_whiskers_stop_at_100_and_bar_labels_clear_their_caps():
    """A distribution whose intervals run past 100 %, and shares whose labels follow the cap."""
    import matplotlib.pyplot as plt

    cb = load_codebook(CODEBOOK)
    dist = next(f for f, spec in cb.figures.items() if spec.get("kind") == "distribution")
    spec = cb.figures[dist]
    cats = list(spec["categories"])
    rows = []
    for item in spec["items"]:
        shares = [97.0] + [3.0 / (len(cats) - 1)] * (len(cats) - 1)
        for cat, v in zip(cats, shares):
            rows.append(
                {"year": "2021", "item": item, "category": cat, "value": v, "ci_low": v - 4, "ci_high": v + 6}
            )
    fig = plot_figure(_table(rows), cb, dist, "no", 0.95, WORDS_NO)
    assert collisions(fig) == []
    plt.close(fig)
    share = next(f for f, s in cb.figures.items() if s.get("kind") == "share")
    rows = [
        {"year": y, "item": item, "value": v, "ci_low": v - 9, "ci_high": min(v + 9, 100)}
        for item in cb.figures[share]["items"]
        for y, v in (("2021", 66.0), ("2016", 93.0))
    ]
    fig = plot_figure(_table(rows), cb, share, "no", 0.95, WORDS_NO)
    assert collisions(fig) == []
    plt.close(fig)


@pytest.mark.e2e
def test_no_whisker_leaves_its_plot_or_touches_a_label_in_any_figure(demo_build):
    """Every figure of the demo build that draws intervals: chapter 11, Figur X4.1, Figur X9.1."""
    import matplotlib.pyplot as plt

    from analysis.imdi.waiting import plot_distribution
    from analysis.survey.weighting import plot_estimates

    tables = demo_build / "reports" / "tables"
    cb = load_codebook(CODEBOOK)
    figures = {
        fid: (lambda fid=fid: plot_figure(read_tidy(tables / f"{fid}.csv"), cb, fid, "no", 0.95, WORDS_NO))
        for fid in cb.figures
        if (demo_build / "reports" / "figures" / f"{fid}.svg").exists()
    }
    labels = {"ordinaer": "ordinær", "avtalt": "avtalt", "q1": "{year} (1. kv.)", "months": "måneder"}
    figures["x_waiting_distribution"] = lambda: plot_distribution(
        read_tidy(tables / "x_waiting_distribution.csv"), labels, {}
    )
    t_no = WORDS_NO
    figures["x_weighted_estimates"] = lambda: plot_estimates(
        read_tidy(tables / "x_weighted_estimates.csv"), t_no, "no", 0.95
    )
    assert len(figures) > 20
    problems = {}
    for fid, draw in figures.items():
        fig = draw()
        found = collisions(fig)
        plt.close(fig)
        if found:
            problems[fid] = found[:3]
    assert not problems, problems
