"""Figure saving: deterministic bytes, also when the figures are shared between processes."""

from functools import partial

import pytest

from analysis.core.figures import apply_style, save_figures


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
    save_figures(_jobs(tmp_path / "seq"), workers=1)
    save_figures(_jobs(tmp_path / "par"), workers=3)
    names = sorted(p.name for p in (tmp_path / "seq").iterdir())
    assert len(names) == 10 and names == sorted(p.name for p in (tmp_path / "par").iterdir())
    for name in names:
        assert (tmp_path / "seq" / name).read_bytes() == (tmp_path / "par" / name).read_bytes(), name


def test_a_failing_worker_fails_the_call(tmp_path):
    jobs = [(tmp_path / "ok", partial(_figure, 1)), (tmp_path / "bad", lambda: 1 / 0)]
    with pytest.raises(RuntimeError, match="worker processes failed"):
        save_figures(jobs, workers=2)
    assert (tmp_path / "ok.svg").exists() and not (tmp_path / "bad.svg").exists()
