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
import io
import os
import sys
import traceback
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np

from analysis.core.svglite import lighten
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


# shared_text_metrics replaces two names matplotlib's text module uses (private; decision 0180):
# tests/test_figures.py fails on another matplotlib than this one (uv.lock)
MATPLOTLIB_PINNED = "3.11.2"
_METRICS: dict = {}  # (renderer kind, text, font, rc) -> (width, height, descent)
_FONT_TABLES: dict = {}  # font file paths -> _FontTables


class _FontTables:
    """What ``Text._get_layout`` asks of a font (its OS/2, hhea and head tables), read once."""

    def __init__(self, font):
        self._font, self._tables = font, {}

    def get_sfnt_table(self, name):
        if name not in self._tables:
            self._tables[name] = self._font.get_sfnt_table(name)
        return self._tables[name]


@contextmanager
def shared_text_metrics():
    """Within it, text extents and font line metrics are measured once per process, not once per
    renderer (decision 0180): the same numbers, so the same files, with much less FreeType work.

    matplotlib measures each text once per renderer (``_get_text_metrics_with_cache``), and a
    figure is saved with three (Agg at the figure's dpi for the layout, the SVG renderer, Agg at
    the PNG's dpi), every figure with new ones; each measurement lays the text out with FreeType
    (~0.1-0.5 ms). Agg's numbers depend on its dpi and the hinting settings, the SVG renderer's on
    neither: both are kept by those. ``Text._get_layout`` also reads the font's line metrics
    (``get_sfnt_table``, ~30 us) on every call; the tables are kept per font. Math text, TeX and
    other renderers go to matplotlib's own cache."""
    from matplotlib import text as mtext
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.font_manager import get_font

    per_renderer = mtext._get_text_metrics_with_cache

    def metrics(renderer, text, fontprop, ismath, dpi):
        inner = renderer._renderer if isinstance(renderer, MixedModeRenderer) else renderer
        if ismath or type(inner) not in (RendererAgg, RendererSVG):
            return per_renderer(renderer, text, fontprop, ismath, dpi)
        rc = plt.rcParams
        kind = (type(inner), inner.dpi if type(inner) is RendererAgg else None)
        key = (kind, text, fontprop, rc["text.hinting"], rc["text.hinting_factor"], rc["text.kerning_factor"])
        got = _METRICS.get(key)
        if got is None:
            got = renderer.get_text_width_height_descent(text, fontprop, ismath)
            _METRICS[(kind, text, fontprop.copy(), *key[3:])] = got
        return got

    def font_tables(paths):
        key = tuple(paths)
        if key not in _FONT_TABLES:
            _FONT_TABLES[key] = _FontTables(get_font(paths))
        return _FONT_TABLES[key]

    mtext._get_text_metrics_with_cache, mtext.get_font = metrics, font_tables
    try:
        yield
    finally:
        mtext._get_text_metrics_with_cache, mtext.get_font = per_renderer, get_font


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


def _svg_title_desc(text: str) -> str:
    """SVG ``text`` with ``<title>`` and ``<desc>`` (the synthetic-data words) first in its root."""
    start = text.index("<svg")
    end = text.index(">", start) + 1
    meta = f"\n <title>{html.escape(TITLE)}</title>\n <desc>{html.escape(DESC)}</desc>"
    return text[:end] + meta + text[end:]


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

    The layout is computed once for both files (decision 0130): the constrained layout runs once
    (by itself, without the draw around it: the tight box measures every artist anyway, decision
    0180), the mark goes below its result, the tight box (``savefig.bbox: tight`` with
    ``savefig.pad_inches``) is taken from the same layout, and the layout is then frozen, so that
    each file costs one real draw. ``savefig`` with ``bbox_inches="tight"`` would lay out and draw
    every figure once more per format. Text is measured once per process
    (:func:`shared_text_metrics`), and the SVG is lightened in memory and written once.
    """
    synthetic = is_synthetic(synthetic)
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    svg, png = base.with_suffix(".svg"), base.with_suffix(".png")
    with shared_text_metrics():
        text = _save_figure(fig, png, synthetic)
    # the SVG written once: what no reader sees taken out (decision 0120), the words put in;
    # newlines as a write and read of the file in text mode would leave them
    text = lighten(text.replace("\r\n", "\n").replace("\r", "\n"))
    svg.write_text(_svg_title_desc(text) if synthetic else text, encoding="utf-8")
    return svg, png


def _save_figure(fig, png: Path, synthetic: bool) -> str:
    """Lay ``fig`` out once, write its PNG, close it; its SVG document as matplotlib writes it."""
    engine = fig.get_layout_engine()
    if fig.axes and engine is not None:
        # what Figure.draw does first; the rest of a draw without rendering changes nothing the
        # tight box below does not compute again (same bytes, ~0.02 s less per figure)
        try:
            engine.execute(fig)
        except ValueError:  # as Figure.draw
            pass
    if synthetic:
        # below the final position of everything, a legend placed outside the axes included
        mark_synthetic(fig)
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    png_meta = {"Software": None, **({"Description": DESC} if synthetic else {})}
    # no layout engine while saving (the style turns constrained layout on for every new figure,
    # and savefig would restore it between the two files)
    with plt.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
        fig.set_layout_engine(None)
        svg = io.StringIO()
        fig.savefig(svg, format="svg", bbox_inches=box, metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", bbox_inches=box, metadata=png_meta)
    plt.close(fig)
    return svg.getvalue()


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
