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
