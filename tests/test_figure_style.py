"""One figure style: every text of every figure at least 7 pt as printed in the PDF, and the
survey figures with their confidence intervals and bases (issue 17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.core.figures import MIN_FONT_PT, full_range_norm, sequential_cmap
from analysis.core.messages import Messages, load_messages
from analysis.report.printsize import figure_text_report, printed_scale, svg_font_sizes, svg_size_pt
from analysis.survey.figures import plot_figure

WORDS_NO = Messages(load_messages(Path(__file__).resolve().parents[1] / "workflow/report/messages/no.yaml"))
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="200pt" viewBox="0 0 400 200">'
    "<text style=\"font: 10px 'DejaVu Sans'\">a</text>"
    "<text style=\"font-size: 8px; font-family: 'DejaVu Sans'\">b</text></svg>"
)


def test_printed_text_size_is_svg_size_times_printed_over_svg_width(tmp_path):
    assert svg_size_pt(SVG) == (400.0, 200.0)
    assert sorted(svg_font_sizes(SVG)) == [8.0, 10.0]
    # a box 200 pt wide and tall enough: half size; a box limited by its height: a quarter
    assert printed_scale(400, 200, 200, 500) == 0.5
    assert printed_scale(400, 200, 400, 50) == 0.25
    (tmp_path / "f.svg").write_text(SVG, encoding="utf-8")
    rep = figure_text_report({"f": {"box_width_pt": 200.0, "box_height_pt": 100.0}}, tmp_path)
    assert rep["f"]["min_font_printed_pt"] == 4.0


def test_every_figure_prints_every_text_at_7_pt_or_more(demo_build):
    sizes = json.loads((demo_build / "data/processed/report_figure_sizes.json").read_text(encoding="utf-8"))
    svgs = sorted(p.stem for p in (demo_build / "reports/figures").glob("*.svg"))
    assert set(svgs) <= set(sizes), f"figures not printed in the PDF: {sorted(set(svgs) - set(sizes))}"
    for name in svgs:
        text = (demo_build / "reports/figures" / f"{name}.svg").read_text(encoding="utf-8")
        w, h = svg_size_pt(text)
        box = sizes[name]
        scale = printed_scale(w, h, box["box_width_pt"], box["box_height_pt"])
        # the printed box keeps the figure's aspect ratio and never exceeds the text width (168 mm)
        assert box["box_width_pt"] <= 168 / 25.4 * 72 + 0.5, name
        small = [s for s in svg_font_sizes(text) if s * scale < MIN_FONT_PT - 0.05]
        assert not small, f"{name}: text printed at {min(small) * scale:.2f} pt (< {MIN_FONT_PT} pt)"


def _codebook_and_table(kind):
    from analysis.survey.codebook import Codebook

    cats = {"ja": {"label_no": "Ja"}, "nei": {"label_no": "Nei"}}
    items = {"a": {"item": "A", "label_no": "Påstand A"}, "b": {"item": "B", "label_no": "Påstand B"}}
    figure = {"kind": kind, "items": items, **({"categories": cats} if kind == "distribution" else {})}
    cb = Codebook({"figures": {"fig_t": figure}, "items": {"A": {"label_no": "A"}, "B": {"label_no": "B"}}})
    if kind == "distribution":
        rows = [
            ("2021", "a", "ja", 60.0, 50, 46.0, 72.0),
            ("2021", "a", "nei", 40.0, 50, 28.0, 54.0),
            ("2021", "b", "ja", 30.0, 40, 18.0, 45.0),
            ("2021", "b", "nei", 70.0, 40, 55.0, 82.0),
        ]
    else:
        rows = [
            ("2021", "a", "", 60.0, 50, 46.0, 72.0),
            ("2021", "b", "", 30.0, 40, 18.0, 45.0),
            ("2016", "a", "", 50.0, 90, 40.0, 60.0),
        ]
    t = pd.DataFrame(rows, columns=["year", "item", "category", "value", "n", "ci_low", "ci_high"])
    return cb, t


def _whisker_spans(fig):
    ax = fig.axes[0]
    spans = []
    for c in ax.containers:
        if type(c).__name__ == "ErrorbarContainer":
            for coll in c.lines[2]:
                for seg in coll.get_segments():
                    spans.append(tuple(round(float(v), 6) for v in sorted(np.asarray(seg)[:, 0])))
    return sorted(spans)


def test_paired_bars_have_the_tables_intervals_and_n_per_bar():
    cb, t = _codebook_and_table("share")
    fig = plot_figure(t, cb, "fig_t", "no", 0.95, WORDS_NO)
    assert _whisker_spans(fig) == [(18.0, 45.0), (40.0, 60.0), (46.0, 72.0)]
    texts = [x.get_text() for x in fig.axes[0].texts]
    assert any("(N = 50)" in x for x in texts) and any("(N = 90)" in x for x in texts)
    legend = [x.get_text() for x in fig.legends[0].get_texts()]
    assert "95 % konfidensintervall" in legend
    plt.close(fig)


def test_stacked_bars_put_each_interval_at_its_categorys_edge():
    cb, t = _codebook_and_table("distribution")
    fig = plot_figure(t, cb, "fig_t", "no", 0.9, WORDS_NO)
    # the first category's edge is its share; the last category (ends at 100) has none
    assert _whisker_spans(fig) == [(18.0, 45.0), (46.0, 72.0)]
    labels = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert any("N = 50" in x for x in labels) and any("N = 40" in x for x in labels)
    assert "90 % konfidensintervall" in [x.get_text() for x in fig.legends[0].get_texts()]
    plt.close(fig)


def test_every_survey_figure_of_the_demo_shows_intervals(demo_build):
    from analysis.core.yamlio import load_yaml

    cb = load_yaml(demo_build / "workflow/resources/codebook.yaml")
    charts = [f for f, d in cb["figures"].items() if d.get("chart")]
    assert charts
    for fid in charts:
        svg = (demo_build / "reports/figures" / f"{fid}.svg").read_text(encoding="utf-8")
        assert re.search(r'id="ci_whisker_', svg), f"{fid}: no interval whiskers"
        assert "konfidensintervall" in svg or "confidence interval" in svg, fid
    html = (demo_build / "reports/report.html").read_text(encoding="utf-8")
    assert not re.search(r"tabellen fig_11_\d+", html)


def test_colour_scales_reach_the_largest_value_and_do_not_start_at_white():
    norm = full_range_norm(pd.Series([0.0, 0.4, 2.8, 6.49]), gamma=0.5)
    assert norm.vmax == pytest.approx(6.49) and norm(6.49) == pytest.approx(1.0)
    assert full_range_norm([3.0, 47.0], step=10).vmax == 50
    r, g, b, _ = sequential_cmap("Blues")(0.0)
    assert min(r, g, b) < 0.9  # a visible tint, not (near) white
