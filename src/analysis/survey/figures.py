"""Kapittel 11's figures, drawn from the chapter's tidy tables (:mod:`analysis.survey.tables`) and
labelled from the codebook. Rule ``survey_figures`` reads the tables back from their CSV files, so
the rule that writes them (``survey_tables``) imports no matplotlib and the rules waiting for the
tables (``weighting``, ``scorecards``) do not wait for the drawing (decision 0133). Nothing
here imports pandas: the figure job reads its tables with :func:`read_table` (decision 0134)."""

from __future__ import annotations

import csv
import math
import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from analysis.core.figures import FIG_WIDTH, PALETTE, SMALL_FONT, apply_style, too_few_answers_figure
from analysis.survey.codebook import Codebook

STACK_COLOURS = ["#1f4e79", "#5b9bd5", "#a9c9e8", "#d9d9d9", "#f4b183", "#c55a11"]
# two waves: the latest dark, the earlier light; more waves: the palette from dark to light
WAVE_COLOURS = ["#1f4e79", "#a9c9e8"]


# the columns of a figure's tidy table that its figure shows
FIGURE_COLUMNS = ("year", "item", "category", "value", "n", "ci_low", "ci_high", "small_base")


def read_table(path: str | Path) -> dict[str, list]:
    """A figure's tidy table (``write_tidy``'s CSV) as columns of plain values, without pandas:
    the key columns as strings, ``value``/``ci_low``/``ci_high`` as floats (NaN where empty; the
    CSV holds every float as its ``repr``, so these are the numbers written), ``n`` as an int (None
    where empty), ``small_base`` as a bool. :func:`plot_figure` takes these or a DataFrame."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    floats = {"value", "ci_low", "ci_high"}
    out = {}
    for c in FIGURE_COLUMNS:
        if rows and c not in rows[0]:
            continue
        cells = [r[c] for r in rows]
        if c in floats:
            out[c] = [float(x) if x != "" else math.nan for x in cells]
        elif c == "n":
            out[c] = [int(x) if x != "" else None for x in cells]
        elif c == "small_base":
            out[c] = [x == "True" for x in cells]
        else:
            out[c] = cells
    return out


def _count(n) -> float:
    """A base as a float, NaN where there is none (None, NaN, pandas' NA)."""
    try:
        return float(n)
    except TypeError:
        return math.nan


def _records(table) -> list[dict]:
    """The rows of a figure's table (a DataFrame, or :func:`read_table`'s columns) as records."""
    cols = {c: list(table[c]) for c in FIGURE_COLUMNS if c in table}
    length = len(cols["n"])
    cols["small_base"] = [bool(x) for x in cols.get("small_base", [False] * length)]
    return [{c: v[i] for c, v in cols.items()} for i in range(length)]


def _wrap(text: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _item_label(cb: Codebook, fid: str, key: str, language: str) -> str:
    node = cb.figures[fid]["items"][key]
    if key == "":
        return ""
    return cb.label(node, language) or cb.items[node["item"]][f"label_{language}"]


def _cat_label(cb: Codebook, fid: str, cat: str, language: str) -> str:
    node = cb.figures[fid].get("categories", {}).get(cat, {})
    return cb.label(node, language) or cat


CI_COLOUR = "#222222"


def ci_label(confidence: float, words) -> str:
    """Legend text for the whiskers ('95 % konfidensintervall'); ``words``: the message catalogue."""
    return words("figure.survey_interval", level=f"{100 * confidence:.0f}")


MEAN_RANGE = (1, 5)  # the five-point scale of mean items (aldri = 1 ... svært ofte = 5)
LABEL_GAP_PT = 4  # points between a whisker's cap and the value label after it


def _whiskers(ax, x, y, lo, hi, label, bounds):
    """Horizontal interval whiskers at (x, y) from ``lo`` to ``hi`` (NaN-safe), cut at the axis'
    ``bounds`` (0 and 100 % in a stacked bar: an edge cannot move past them), so that no whisker
    runs out of the plot; the first call on an axis carries the legend label."""
    x, y, lo, hi = (np.asarray(a, dtype=float) for a in (x, y, lo, hi))
    lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
    ok = np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi)
    if not ok.any():
        return None
    container = ax.errorbar(
        x[ok],
        y[ok],
        xerr=[np.clip(x[ok] - lo[ok], 0, None), np.clip(hi[ok] - x[ok], 0, None)],
        fmt="none",
        ecolor=CI_COLOUR,
        elinewidth=0.8,
        capsize=2.5,
        capthick=0.8,
        clip_on=False,
        label=label,
        zorder=3,
    )
    for k, lines in enumerate(container.lines[2]):  # ids in the SVG, so that a test finds them
        lines.set_gid(f"ci_whisker_{len(ax.containers)}_{k}")
    return container


def plot_figure(table: Mapping, cb: Codebook, fid: str, language: str, confidence: float, words):
    """The report's style: stacked 100 % bars for distributions, paired bars otherwise; every bar
    with its base (N) and its confidence interval (the table's ``ci_low``/``ci_high``). Items and
    categories are labelled from the codebook in ``language``, the rest from ``words`` (the
    language's message catalogue, ``analysis.core.messages.Messages``). ``table``: the figure's
    tidy table, a DataFrame or :func:`read_table`'s columns.

    Distributions: the whisker of a category's share is drawn at the category's right edge in the
    stack (the preceding categories held fixed), so it shows how far that edge could move; the
    last category ends at 100 % by construction and has no whisker (its interval is in the table).
    """
    import matplotlib.pyplot as plt

    apply_style()
    f = cb.figures[fid]
    t = [r for r in _records(table) if _count(r["n"]) > 0]
    if not t:  # no unit was asked or answered (e.g. no unit practises the scheme)
        return too_few_answers_figure(words, "N = 0")
    ci_text = ci_label(confidence, words)
    # bases under survey.small_base are marked with * after N (the figure note explains it)
    small = {(r["year"], r["item"]) for r in t if r["small_base"]}
    if f["kind"] == "distribution":
        cats = list(f["categories"])
        t = [r for r in t if r["category"] in cats]
        keys = list(f["items"])
        # one pass over the rows instead of a boolean selection per bar segment
        cell, first_n = {}, {}
        for r in t:
            y, k = r["year"], r["item"]
            cell.setdefault((y, k, r["category"]), []).append((r["value"], r["ci_low"], r["ci_high"]))
            first_n.setdefault((y, k), r["n"])
        years = sorted({r["year"] for r in t}, reverse=True)
        rows = [(y, k) for k in keys for y in years if (y, k) in first_n]
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.42 * len(rows) + 1.3))
        left = np.zeros(len(rows))
        whisker_label = ci_text
        for j, cat in enumerate(cats):
            # nansum: what Series.sum gives (0 for no rows, NaN skipped)
            got = [cell.get((y, k, cat), []) for y, k in rows]
            vals = np.array([float(np.nansum(np.asarray([v for v, _, _ in g], dtype=float))) for g in got])
            lo = np.array([float(g[0][1]) if len(g) == 1 else np.nan for g in got])
            hi = np.array([float(g[0][2]) if len(g) == 1 else np.nan for g in got])
            ax.barh(
                range(len(rows)),
                vals,
                left=left,
                color=STACK_COLOURS[j % len(STACK_COLOURS)],
                label=_cat_label(cb, fid, cat, language),
                height=0.65,
            )
            for i, v in enumerate(vals):
                if v >= 6:
                    ax.text(
                        left[i] + v / 2,
                        i + 0.08,
                        f"{v:.0f}",
                        ha="center",
                        va="center",
                        fontsize=SMALL_FONT,
                        color="white" if j < 2 else "black",
                    )
            # the last category ends at 100 % by construction: no edge to move
            shown = (vals > 0) & (j < len(cats) - 1)
            if _whiskers(
                ax,
                np.where(shown, left + vals, np.nan),
                np.arange(len(rows)) - 0.2,
                left + lo,
                left + hi,
                whisker_label,
                (0, 100),
            ):
                whisker_label = "_nolegend_"
            left += vals
        labels = []
        for y, k in rows:
            n = int(first_n[(y, k)])
            lab = _wrap(_item_label(cb, fid, k, language), 40)
            star = "*" if (y, k) in small else ""
            labels.append(f"{lab}\n{y} (N = {n}{star})" if lab else f"{y} (N = {n}{star})")
        ax.set_axisbelow(True)
        ax.set_yticks(range(len(rows)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(words("figure.survey_percent"))
        ax.grid(axis="x", color="#dddddd")
        ax.grid(axis="y", visible=False)
        fig.legend(*_ci_last(ax, ci_text), loc="outside lower center", ncol=3)
        return fig
    # paired bars: one bar per item and year
    if f["kind"] in ("share", "multi"):
        t = [r for r in t if r["category"] == ""]
    present = {r["item"] for r in t}
    keys = [k for k in f["items"] if k in present]
    years = sorted({r["year"] for r in t}, reverse=True)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, (0.27 * max(len(years), 1) + 0.12) * len(keys) + 1.1))
    h = 0.8 / max(len(years), 1)
    whisker_label = ci_text
    for j, y in enumerate(years):
        ty = {r["item"]: r for r in t if r["year"] == y}
        pos = [i + (j - (len(years) - 1) / 2) * h for i in range(len(keys))]
        get = {
            c: [float(ty[k][c]) if k in ty else np.nan for k in keys] for c in ("value", "ci_low", "ci_high")
        }
        vals = get["value"]
        ns = [int(ty[k]["n"]) if k in ty else None for k in keys]
        colour = (WAVE_COLOURS if len(years) <= len(WAVE_COLOURS) else PALETTE)[j % len(PALETTE)]
        ax.barh(pos, vals, height=h * 0.95, color=colour, label=f"{y}")
        bounds = MEAN_RANGE if f["kind"] == "mean" else (0, 100)
        if _whiskers(ax, vals, pos, get["ci_low"], get["ci_high"], whisker_label, bounds):
            whisker_label = "_nolegend_"
        for p, v, hi, n, k in zip(pos, vals, get["ci_high"], ns, keys):
            if not np.isnan(v):
                star = "*" if (y, k) in small else ""
                txt = f"{v:.1f}" if f["kind"] == "mean" else f"{v:.0f}"
                txt = txt.replace(".", words("figure.decimal_mark"))
                end = hi if np.isfinite(hi) else v
                # the label starts a few points right of the whisker's cap, never on it
                ax.annotate(
                    f"{txt} (N = {n}{star})",
                    (end, p),
                    xytext=(LABEL_GAP_PT, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=SMALL_FONT,
                )
    ax.set_axisbelow(True)
    ax.set_yticks(range(len(keys)), [_wrap(_item_label(cb, fid, k, language), 44) for k in keys])
    ax.invert_yaxis()
    if f["kind"] == "mean":
        ax.set_xlim(1, 5.9)
        ax.set_xlabel(words("figure.survey_mean"))
    else:
        ax.set_xlim(0, 125)
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel(words("figure.survey_percent"))
    ax.grid(axis="x", color="#dddddd")
    ax.grid(axis="y", visible=False)
    fig.legend(*_ci_last(ax, ci_text), loc="outside lower center", ncol=3)
    return fig


def _ci_last(ax, ci_text: str):
    """Legend entries with the interval whisker (labelled ``ci_text``) last."""
    pairs = list(zip(*ax.get_legend_handles_labels()))
    pairs.sort(key=lambda hl: hl[1] == ci_text)
    return [h for h, _ in pairs], [lab for _, lab in pairs]
