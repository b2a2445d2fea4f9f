"""Figure style and deterministic saving (SVG for the PDF, PNG for quick looks).

The look follows the report: plain horizontal/vertical bars, muted blues, labels in Norwegian,
no chart junk. Saving strips dates and fixes SVG ids so that two builds give identical bytes.
A figure drawn from synthetic inputs says so: a visible "Syntetiske data" mark below the plot,
the words in the SVG's ``<title>``/``<desc>`` and in the PNG's ``Description`` text chunk.

One style for every figure: figures are drawn at most :data:`FIG_WIDTH` inches wide (the
report's text width, so the PDF prints them at their natural size, see ``style.css``) with
constrained layout, and no text is smaller than :data:`MIN_FONT_PT` at that size. The test
``tests/test_figure_style.py`` checks every SVG against its printed width in the PDF.
"""

from __future__ import annotations

import html
import os
import sys
import traceback
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np

from analysis.core.svglite import lighten_file
from analysis.core.synthetic import DESC, MARK, TITLE

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PALETTE = ["#1f4e79", "#5b9bd5", "#a9c9e8", "#f4b183", "#c55a11", "#7f7f7f", "#d9d9d9"]
ORDINARY, AGREED, ACCENT = "#1f4e79", "#f4b183", "#c55a11"

# The report's text width: A4 (210 mm) less the page margins of style.css (22 mm + 20 mm).
TEXT_WIDTH_MM = 168.0
FIG_WIDTH = 6.5  # inches, a little less than the text width (6.61 in)
MIN_FONT_PT = 7.0  # smallest text at print size (the test allows nothing below it)
SMALL_FONT = 7.5  # data labels, legends of crowded figures: the smallest size figures ask for

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.constrained_layout.use": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "nibr-2021-18",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


MARK_COLOR = "#a33333"


def apply_style() -> None:
    plt.rcParams.update(STYLE)


def sequential_cmap(name: str = "Blues", start: float = 0.18):
    """A sequential colour map without its white end: ``start`` (0..1) of ``name`` becomes the
    lowest colour, so that a 0 is a visible pale tint, never the page's background."""
    from matplotlib.colors import LinearSegmentedColormap

    base = plt.get_cmap(name)
    return LinearSegmentedColormap.from_list(f"{name}_from_{start:g}", base(np.linspace(start, 1.0, 256)))


def full_range_norm(values, step: float | None = None, gamma: float = 1.0):
    """A colour scale from 0 to (at least) the largest value: nothing is capped.

    ``step`` rounds the top up (e.g. 10 for percentages). ``gamma`` 0.5 (a square-root scale)
    keeps the many small values apart when a few kommuner lie far above the rest.
    """
    from matplotlib.colors import Normalize, PowerNorm

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    top = float(v.max()) if v.size else 1.0
    if step:
        top = float(np.ceil(top / step) * step)
    top = top if top > 0 else 1.0
    return Normalize(0.0, top) if gamma == 1.0 else PowerNorm(gamma=gamma, vmin=0.0, vmax=top)


@contextmanager
def layout_only_redraws(fig):
    """Within it, ``fig.canvas.draw_idle()`` lays the figure out without rendering it.

    geopandas' ``plot`` ends with ``draw_idle()``, which on the Agg canvas renders the whole
    figure (a kommune map: ~35 000 vertices) to pixels nobody sees. The layout pass does what
    that render leaves behind (constrained layout, ticks, text extents), so the saved files are
    byte for byte the same (issue 28)."""
    canvas = fig.canvas
    canvas.draw_idle = lambda *args, **kwargs: fig.draw_without_rendering()
    try:
        yield fig
    finally:
        del canvas.draw_idle


def mark_synthetic(fig) -> None:
    """Write the visible synthetic-data mark just below everything else drawn in ``fig``."""
    renderer = fig.canvas.get_renderer()
    # figure legends (placed outside the axes) are not in the tight box by default
    box = fig.get_tightbbox(renderer, bbox_extra_artists=fig.legends).transformed(fig.dpi_scale_trans)
    x1, y0 = fig.transFigure.inverted().transform((box.x1, box.y0))
    fig.text(
        x1,
        y0 - 0.01,
        MARK,
        ha="right",
        va="top",
        fontsize=8,
        fontweight="bold",
        color=MARK_COLOR,
        gid="synthetic-mark",
    )


def _svg_title_desc(svg: Path) -> None:
    """Put ``<title>`` and ``<desc>`` with the synthetic-data words first in the SVG root."""
    text = svg.read_text(encoding="utf-8")
    start = text.index("<svg")
    end = text.index(">", start) + 1
    meta = f"\n <title>{html.escape(TITLE)}</title>\n <desc>{html.escape(DESC)}</desc>"
    svg.write_text(text[:end] + meta + text[end:], encoding="utf-8")


def is_synthetic(synthetic: bool | Mapping[str, bool]) -> bool:
    """A rule's ``synthetic`` setting (role -> flag, or one flag): is any of its inputs synthetic?"""
    if isinstance(synthetic, Mapping):
        synthetic = any(synthetic.values())
    if not isinstance(synthetic, bool):
        raise TypeError(f"synthetic must be True/False or a mapping role -> bool, not {synthetic!r}")
    return synthetic


def save_figure(fig, base: str | Path, *, synthetic: bool | Mapping[str, bool]) -> tuple[Path, Path]:
    """Save ``fig`` as ``base.svg`` and ``base.png`` without timestamps; close it.

    ``synthetic`` (a flag, or the rule's input roles -> flags): the figure's data come (partly)
    from synthetic inputs; the files then carry the visible mark and the machine-readable words
    (SVG title/desc, PNG Description).

    The layout is computed once for both files (decision 0130): one draw without rendering runs
    the constrained layout, the mark goes below its result, the tight box (``savefig.bbox:
    tight`` with ``savefig.pad_inches``) is taken from the same draw, and the layout is then
    frozen, so that each file costs one real draw. ``savefig`` with ``bbox_inches="tight"`` would
    lay out and draw every figure once more per format.
    """
    synthetic = is_synthetic(synthetic)
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    svg, png = base.with_suffix(".svg"), base.with_suffix(".png")
    fig.draw_without_rendering()
    if synthetic:
        # below the final position of everything, a legend placed outside the axes included
        mark_synthetic(fig)
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    png_meta = {"Software": None, **({"Description": DESC} if synthetic else {})}
    # no layout engine while saving (the style turns constrained layout on for every new figure,
    # and savefig would restore it between the two files)
    with plt.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
        fig.set_layout_engine(None)
        fig.savefig(svg, format="svg", bbox_inches=box, metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", bbox_inches=box, metadata=png_meta)
    plt.close(fig)
    if synthetic:
        _svg_title_desc(svg)
    lighten_file(svg)  # what no reader sees, out of the SVG the PDF inlines (decision 0120)
    return svg, png


def save_figures(jobs, workers: int = 1, *, synthetic: bool | Mapping[str, bool]) -> None:
    """Draw and save many figures: ``jobs`` are ``(base, make)`` pairs, ``make()`` returning the
    figure that :func:`save_figure` writes to ``base`` (all with the same ``synthetic`` flag).

    Drawing dominates (one layout pass and one draw per format), so with
    ``workers`` > 1 the jobs are shared round-robin between this process and ``workers - 1``
    forked copies of it (POSIX; sequential elsewhere). Each figure is drawn and saved by one
    process from the same state, so the files are byte for byte those of a sequential run.
    """
    jobs = list(jobs)
    workers = max(1, min(int(workers), len(jobs)))
    if workers == 1 or not hasattr(os, "fork"):
        for base, make in jobs:
            save_figure(make(), base, synthetic=synthetic)
        return
    children = []
    try:
        for k in range(1, workers):
            pid = os.fork()
            if pid == 0:  # child: its share, then leave without running the parent's cleanup
                code = 0
                try:
                    for base, make in jobs[k::workers]:
                        save_figure(make(), base, synthetic=synthetic)
                except BaseException:
                    traceback.print_exc()
                    code = 1
                finally:
                    sys.stderr.flush()
                    os._exit(code)
            children.append(pid)
        for base, make in jobs[0::workers]:
            save_figure(make(), base, synthetic=synthetic)
    finally:
        failed = [pid for pid in children if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0]
    if failed:
        raise RuntimeError(
            f"save_figures: {len(failed)} of {workers - 1} worker processes failed (traceback above)"
        )


def thousands(x: float, _pos=None) -> str:
    """Norwegian thousands separator (thin space) for axis ticks: 15 284."""
    return f"{x:,.0f}".replace(",", "\u202f")


def too_few_answers_figure(words, detail: str):
    """A figure in place of one that has no answers to show (a degenerate but valid survey: no
    unit practises the scheme, one unit answered), saying so instead of drawing empty axes.
    ``words``: the language's message catalogue (``analysis.core.messages.Messages``)."""
    import matplotlib.pyplot as plt

    apply_style()
    fig, ax = plt.subplots(figsize=(7.5, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.6, words("figure.too_few_answers"), ha="center", va="center", fontsize=11)
    if detail:
        ax.text(0.5, 0.25, detail, ha="center", va="center", fontsize=8, color="#555555")
    return fig
