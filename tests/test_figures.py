"""Figure saving: deterministic bytes, also when the figures are shared between processes."""

from functools import partial

import pytest

from analysis.core.figures import apply_style, save_figure, save_figures
from analysis.core.synthetic import MARK


def _figure(i: int):
    import matplotlib.pyplot as plt

    apply_style()
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.barh(range(3), [i, 2 * i + 1, 3], label=f"serie {i}")
    ax.set_yticks(range(3), [f"rad {k}\nmed to linjer" for k in range(3)])
    ax.legend()
    return fig


def _jobs(folder, n=5):
    return [(folder / f"fig{i}", partial(_figure, i)) for i in range(n)]


def test_parallel_saving_writes_the_bytes_of_sequential_saving(tmp_path):
    save_figures(_jobs(tmp_path / "seq"), workers=1, synthetic=True)
    save_figures(_jobs(tmp_path / "par"), workers=3, synthetic=True)
    names = sorted(p.name for p in (tmp_path / "seq").iterdir())
    assert len(names) == 10 and names == sorted(p.name for p in (tmp_path / "par").iterdir())
    for name in names:
        assert (tmp_path / "seq" / name).read_bytes() == (tmp_path / "par" / name).read_bytes(), name


def test_a_failing_worker_fails_the_call(tmp_path):
    jobs = [(tmp_path / "ok", partial(_figure, 1)), (tmp_path / "bad", lambda: 1 / 0)]
    with pytest.raises(RuntimeError, match="worker processes failed"):
        save_figures(jobs, workers=2, synthetic=False)
    assert (tmp_path / "ok.svg").exists() and not (tmp_path / "bad.svg").exists()


def _png_text(path) -> dict[str, str]:
    from PIL import Image

    with Image.open(path) as im:
        return dict(im.text)


def test_synthetic_figures_carry_a_visible_and_machine_readable_mark(tmp_path):
    svg, png = save_figure(_figure(2), tmp_path / "syn", synthetic={"register": True, "population": False})
    text = svg.read_text(encoding="utf-8")
    assert f">{MARK}<" in text  # drawn text (svg.fonttype none keeps it as text)
    assert "<title>syntetiske data" in text and "<desc>syntetiske data" in text
    assert "syntetiske data" in _png_text(png).get("Description", "")
    # the mark is drawn into the image: the synthetic PNG differs from the real one below it
    real_svg, real_png = save_figure(_figure(2), tmp_path / "real", synthetic={"imdi_public": False})
    assert "yntetiske data" not in real_svg.read_text(encoding="utf-8")
    assert "Description" not in _png_text(real_png)
    from PIL import Image

    with Image.open(png) as a, Image.open(real_png) as b:
        assert a.size[1] > b.size[1]  # a line of text more at the bottom


def test_save_figure_needs_to_be_told_whether_the_data_are_synthetic(tmp_path):
    with pytest.raises(TypeError):
        save_figure(_figure(1), tmp_path / "x", synthetic="yes")


def _busy_figure():
    """Text of every kind the figure rules use, and some they might: lines of labels, bold,
    sizes, a rotated label, math text, an annotation, a legend inside and one outside."""
    import matplotlib.pyplot as plt

    apply_style()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(6, 3))
    ax.barh(range(3), [40, 55.5, 12], label="andel")
    ax.set_yticks(range(3), ["Bosetting\nav flyktninger", "Husbanken", "Kommunen"])
    ax.annotate("55 (N = 62*)", (55.5, 1), xytext=(4, 0), textcoords="offset points", fontsize=7.5)
    ax.set_xlabel("Prosent", fontweight="bold")
    ax.legend(loc="best")
    bx.plot([0, 1, 2], [2.0, 1.0, 3.0], label=r"$\sqrt{x}$ per 1 000")
    bx.set_aspect("equal")
    bx.set_ylabel("Antall", rotation=90)
    bx.set_title("Oslo", fontsize=11)
    fig.legend(loc="outside lower center", ncol=2)
    return fig


def test_text_measured_once_per_process_gives_the_bytes_of_matplotlibs_own_measuring(tmp_path, monkeypatch):
    from contextlib import nullcontext

    import analysis.core.figures as figures

    shared = [p.read_bytes() for p in save_figure(_busy_figure(), tmp_path / "shared", synthetic=True)]
    again = [p.read_bytes() for p in save_figure(_busy_figure(), tmp_path / "again", synthetic=True)]
    monkeypatch.setattr(figures, "shared_text_metrics", nullcontext)
    own = [p.read_bytes() for p in save_figure(_busy_figure(), tmp_path / "own", synthetic=True)]
    assert shared == own and again == own


def test_the_layout_pass_without_a_draw_finds_the_box_of_a_full_one():
    """save_figure runs the layout engine by itself, not a whole draw without rendering."""
    from matplotlib.transforms import Bbox

    from analysis.core.figures import run_layout

    boxes = []
    for full in (True, False):
        fig = _busy_figure()
        if full:
            fig.draw_without_rendering()
        else:
            run_layout(fig)
        renderer = fig.canvas.get_renderer()
        boxes.append(
            [
                fig.get_tightbbox(renderer).bounds,
                fig.get_tightbbox(renderer, bbox_extra_artists=fig.legends).bounds,
            ]
            + [Bbox(ax.get_position()).bounds for ax in fig.axes]
        )
    assert boxes[0] == boxes[1]


def test_the_pinned_matplotlib_still_has_what_shared_text_metrics_replaces():
    """shared_text_metrics swaps two names in matplotlib.text (decision 0180): on another
    matplotlib, check that ``Text._get_layout`` still measures through them, then move the pin."""
    import inspect

    import matplotlib
    from matplotlib import text as mtext

    from analysis.core.figures import MATPLOTLIB_PINNED, shared_text_metrics

    assert matplotlib.__version__ == MATPLOTLIB_PINNED
    layout = inspect.getsource(mtext.Text._get_layout)
    assert "get_font(fontManager._find_fonts_by_props(" in layout and ".get_sfnt_table(" in layout
    assert "_get_text_metrics_with_cache(" in layout
    before = (mtext._get_text_metrics_with_cache, mtext.get_font)
    with shared_text_metrics():
        assert mtext._get_text_metrics_with_cache is not before[0] and mtext.get_font is not before[1]
    assert (mtext._get_text_metrics_with_cache, mtext.get_font) == before


def test_artist_classes_made_after_figures_keep_matplotlibs_set_signature_without_its_docstring():
    """analysis.core.figures skips the generated docstring of each artist's ``set`` (decision
    0180): the signature stays what matplotlib makes (measured in a process without figures)."""
    import inspect
    import subprocess
    import sys

    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D

    import analysis.core.figures  # noqa: F401

    class Probe(Line2D):  # no setters of its own: the signature of Line2D.set
        pass

    own = subprocess.run(
        [
            sys.executable,
            "-c",
            "import inspect, matplotlib.lines as L; print(inspect.signature(L.Line2D.set))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(inspect.signature(Probe.set)) == own and "linewidth" in own
    assert Probe.set.__doc__ is None
    assert "cls._update_set_signature_and_docstring()" in inspect.getsource(Artist.__init_subclass__)
