"""Lighter figure SVGs (analysis.core.svglite, decision 0120): only what no reader sees goes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.core.svglite import compact_path_data, lighten  # noqa: E402

CLIP = '<clipPath id="c1">\n   <rect x="10" y="10" width="100" height="50"/>\n  </clipPath>'


def _svg(body: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="100pt">{body}<defs>{CLIP}</defs></svg>'


def test_path_data_keeps_two_decimals_and_one_space_between_tokens():
    d = "M 134.166949 453.936633 \nL 135.995918 451.884238 \nL -0.001 7 \nz\n"
    assert compact_path_data(d) == "M 134.17 453.94 L 136 451.88 L 0 7 z"


def test_a_fill_wholly_inside_its_clip_loses_the_clip_one_reaching_out_keeps_it():
    inside = '<path d="M 20 20 L 100 20 L 100 50 z" clip-path="url(#c1)" style="fill: #1f4e79"/>'
    out = '<path d="M 5 20 L 100 20 L 100 50 z" clip-path="url(#c1)" style="fill: #1f4e79"/>'
    on_edge = '<path d="M 10 10 L 110 10 L 110 60 z" clip-path="url(#c1)" style="fill: #1f4e79"/>'
    svg = lighten(_svg(inside + out + on_edge))
    paths = [e for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}path")]
    assert [p.get("clip-path") for p in paths] == [None, "url(#c1)", None]


def test_a_stroke_counts_its_width_and_mitred_joins_keep_their_clip():
    near = (
        '<path d="M 12 20 L 100 20" clip-path="url(#c1)" style="fill: none; stroke: #000; stroke-width: 3"/>'
    )
    clear = (
        '<path d="M 14 20 L 100 20" clip-path="url(#c1)" style="fill: none; stroke: #000; stroke-width: 3"/>'
    )
    mitre = (
        '<path d="M 40 20 L 60 30" clip-path="url(#c1)" '
        'style="fill: none; stroke: #000; stroke-width: 1; stroke-linejoin: miter"/>'
    )
    transformed = '<path d="M 40 20 L 60 30" clip-path="url(#c1)" transform="scale(3)" style="fill: #000"/>'
    svg = lighten(_svg(near + clear + mitre + transformed))
    paths = [e for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}path")]
    assert [p.get("clip-path") for p in paths] == ["url(#c1)", None, "url(#c1)", "url(#c1)"]


def test_only_zero_rotations_go_and_text_is_untouched():
    flat = '<text style="font-size: 8px" x="1.234567" y="2" transform="rotate(-0 1.234567 2)">2021 (N = 62)</text>'
    turned = '<text style="font-size: 8px" x="1" y="2" transform="rotate(-90 1 2)">Prosent</text>'
    svg = lighten(_svg(flat + turned))
    assert '<text style="font-size: 8px" x="1.234567" y="2">2021 (N = 62)</text>' in svg
    assert 'transform="rotate(-90 1 2)">Prosent</text>' in svg


def test_a_matplotlib_figure_keeps_its_elements_and_gets_lighter_and_stable(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.barh(["a", "b"], [40.0, 70.0])
    ax.set_xlim(0, 100)
    fig.savefig(tmp_path / "f.svg", format="svg", metadata={"Date": None})
    plt.close(fig)
    raw = (tmp_path / "f.svg").read_text(encoding="utf-8")
    light = lighten(raw)
    tags = lambda s: sorted(e.tag for e in ET.fromstring(s).iter())  # noqa: E731
    assert tags(light) == tags(raw)  # no element dropped or added
    assert len(light) < len(raw)
    assert lighten(light) == light  # a second pass changes nothing


def _reference(d: str) -> str:
    """compact_path_data as first written (decision 0120): one regular expression and one
    format call per number; the faster version must give the same text."""
    import re

    def fmt(value: float) -> str:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    number = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
    return " ".join(t if t.isalpha() else fmt(float(t)) for t in re.findall(r"[A-Za-z]|" + number, d))


def test_path_data_is_what_one_format_per_number_gave():
    import random

    rng = random.Random(28)
    values = [0.0, -0.0, -0.004, -0.005, -0.0051, 0.005, 0.015, 0.125, 9.995, 10.0, 100.0, -100.5]
    values += [1e20, -2.5e-7, 123456.789]
    values += [rng.uniform(-1000, 1000) for _ in range(3000)] + [
        rng.choice([-1, 1]) * rng.random() for _ in range(500)
    ]
    plain = (
        "".join(f"{c} {x!r} {y!r} \n" for c, x, y in zip("MLLCLL" * 1000, values[0::2], values[1::2])) + "z\n"
    )
    cases = [
        plain,
        "M 0 0 L 1 1 e 2 E z",  # lone e/E are commands to the tokenizer
        "M1,2L3-4 5.5.5z",  # not matplotlib's: commas, numbers running into each other
        "M 1e5 -1E-3 L .5 +7. z",
        "M 1e999 0 L 2 2",  # inf
        "M nan 1 L inf 2 L 1_0 3 L 1٣ 4",  # words float() reads but the path grammar does not
        "",
    ]
    for d in cases:
        assert compact_path_data(d) == _reference(d), d[:40]
