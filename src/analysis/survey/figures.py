"""Kapittel 11's figures, drawn from the chapter's tidy tables (:mod:`analysis.survey.tables`) and
labelled from the codebook. Rule ``survey_figures`` reads the tables back from their CSV files, so
the rule that writes them (``survey_tables``) imports no matplotlib and the rules waiting for the
tables (``survey_sensitivity``, ``claims``) do not wait for the drawing."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from analysis.core.figures import PALETTE, apply_style, too_few_answers_figure
from analysis.survey.codebook import Codebook

STACK_COLOURS = ["#1f4e79", "#5b9bd5", "#a9c9e8", "#d9d9d9", "#f4b183", "#c55a11"]
# two waves: the latest dark, the earlier light; more waves: the palette from dark to light
WAVE_COLOURS = ["#1f4e79", "#a9c9e8"]


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


def plot_figure(table: pd.DataFrame, cb: Codebook, fid: str, language: str, confidence: float, words):
    """The report's style: stacked 100 % bars for distributions, paired bars otherwise; every bar
    with its base (N) and its confidence interval (the table's ``ci_low``/``ci_high``). Items and
    categories are labelled from the codebook in ``language``, the rest from ``words`` (the
    language's message catalogue, ``analysis.core.messages.Messages``).

    Distributions: the whisker of a category's share is drawn at the category's right edge in the
    stack (the preceding categories held fixed), so it shows how far that edge could move; the
    last category ends at 100 % by construction and has no whisker (its interval is in the table).
    """
    import matplotlib.pyplot as plt

    from analysis.core.figures import FIG_WIDTH, SMALL_FONT

    apply_style()
    f = cb.figures[fid]
    t = table[table["n"].notna() & (table["n"].fillna(0) > 0)]
    if t.empty:  # no unit was asked or answered (e.g. no unit practises the scheme)
        return too_few_answers_figure(words, "N = 0")
    ci_text = ci_label(confidence, words)
    # bases under survey.small_base are marked with * after N (the figure note explains it)
    flagged = t[t["small_base"].astype(bool)] if "small_base" in t.columns else t.iloc[:0]
    small = set(zip(flagged["year"], flagged["item"]))
    if f["kind"] == "distribution":
        cats = list(f["categories"])
        t = t[t["category"].isin(cats)]
        keys = list(f["items"])
        # one pass over the rows instead of a boolean selection per bar segment
        cell, first_n = {}, {}
        for y, k, c, v, n, lo, hi in zip(
            t["year"], t["item"], t["category"], t["value"], t["n"], t["ci_low"], t["ci_high"]
        ):
            cell.setdefault((y, k, c), []).append((v, lo, hi))
            first_n.setdefault((y, k), n)
        rows = [(y, k) for k in keys for y in sorted(t["year"].unique(), reverse=True) if (y, k) in first_n]
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
        t = t[t["category"] == ""]
    keys = [k for k in f["items"] if not t[t["item"] == k].empty]
    years = sorted(t["year"].unique(), reverse=True)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, (0.27 * max(len(years), 1) + 0.12) * len(keys) + 1.1))
    h = 0.8 / max(len(years), 1)
    whisker_label = ci_text
    for j, y in enumerate(years):
        ty = t[t["year"] == y].set_index("item")
        pos = [i + (j - (len(years) - 1) / 2) * h for i in range(len(keys))]
        get = {
            c: [float(ty.loc[k, c]) if k in ty.index else np.nan for k in keys]
            for c in ("value", "ci_low", "ci_high")
        }
        vals = get["value"]
        ns = [int(ty.loc[k, "n"]) if k in ty.index else None for k in keys]
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
