"""Figure alt text from the figure's table (analysis.report.alt_text) on hand-checkable tables."""

import pandas as pd
import pytest

from analysis.core.messages import Messages, flatten
from analysis.report.alt_text import figure_alt

T = Messages(
    flatten(
        {
            "alt": {
                "compare": "{n} bars for {waves}. Highest in {wave}: {top}, {top_value}{top_other}. "
                "Lowest: {low}, {low_value}{low_other}.",
                "other_wave": " ({wave}: {value})",
                "and": " and ",
                "share_of": "Share {category}.",
                "series": "{first_year}-{last_year}: {lines}.",
                "series_line": "{label} {first} ({first_year}) to {last} ({last_year}), top {top} ({top_year})",
                "ranking": "{n} municipalities; highest {top}; median {median}.",
                "shares": "{items}.",
                "share_item": "{label} {value}",
                "unit_months": "{value} months",
                "first_quarter": "Q1 {year}",
            }
        }
    )
)
LABELS = {"a": "Alpha", "b": "Beta", "c": "Gamma", "x": "Total"}


def label(entry_id, key):
    return LABELS[key]


def frame(rows):
    cols = ["year", "series", "item", "category", "group", "kommune", "value"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def test_compare_names_the_highest_and_lowest_bar_with_the_other_year():
    df = frame(
        [
            ("2021", "", "a", "", "", "", 81.04),
            ("2021", "", "b", "", "", "", 12.5),
            ("2021", "", "c", "", "", "", 40.0),
            ("2016", "", "a", "", "", "", 60.0),
        ]
    )
    text = figure_alt("f", df, {"unit": "percent"}, {}, label, "en", T)
    assert text == "3 bars for 2021 and 2016. Highest in 2021: Alpha, 81% (2016: 60%). Lowest: Beta, 13%."


def test_series_gives_first_last_and_highest_per_line_and_ranking_the_top_three():
    df = frame([(str(y), "x", "", "", "", "", v) for y, v in [(2015, 11342), (2016, 15284), (2021, 1080)]])
    text = figure_alt("f", df, {}, {"mode": "series", "unit": "count"}, label, "no", T)
    assert text == "2015-2021: Total 11\u202f342 (2015) to 1\u202f080 (2021), top 15\u202f284 (2016)."
    maps = frame(
        [("", "", "", "", "", k, v) for k, v in [("Oslo", 2.0), ("Leka", 5.39), ("Bø", 0.0), ("Ål", 1.0)]]
    )
    text = figure_alt("m", maps, {}, {"mode": "ranking", "unit": "per1000"}, label, "no", T)
    assert text == "4 municipalities; highest Leka (5,39), Oslo (2,00), Ål (1,00); median 1,50."


def test_rows_hidden_by_disclosure_control_are_never_quoted():
    maps = frame([("", "", "", "", "", k, v) for k, v in [("Leka", 5.39), ("Oslo", 2.0)]])
    maps["protected"] = [True, False]
    text = figure_alt("m", maps, {}, {"mode": "ranking", "unit": "per1000"}, label, "no", T)
    assert "Leka" not in text and "Oslo (2,00)" in text


def test_compare_describes_the_plain_share_the_figure_draws_not_a_table_only_category():
    """Figure 11.16 draws the agree share (empty category); its table also has a disagree share."""
    df = frame(
        [
            ("2021", "", "a", "", "", "", 25.0),
            ("2021", "", "a", "uenig", "", "", 48.0),
            ("2021", "", "b", "", "", "", 19.0),
            ("2021", "", "b", "uenig", "", "", 60.0),
        ]
    )
    text = figure_alt("fig_t", df, {"unit": "percent"}, {}, label, "en", T)
    assert "25%" in text and "19%" in text and "48" not in text and "60" not in text


def test_series_says_when_a_year_is_only_its_first_quarter():
    df = frame([("2020", "x", "", "", "", "", 10.0), ("2021", "x", "", "", "", "", 4.0)])
    df["note"] = ["", "Q1"]
    text = figure_alt("fig_t", df, {}, {"mode": "series", "unit": "count"}, label, "en", T)
    assert "4 (Q1 2021)" in text and text.startswith("2020-Q1 2021")


# ---------------------------------------------------------------------------------------------
# end to end: every figure's alt text in the built report against its tidy table
def alt_problems(reports) -> dict[str, str]:
    """Each figure of report.html whose alt text quotes a percentage no drawn row of its table has,
    or that does not say that its data are synthetic when its table is."""
    import html as html_module
    import re
    from pathlib import Path

    from analysis.core.messages import load_messages
    from analysis.core.tidy import read_tidy
    from analysis.core.yamlio import load_yaml
    from analysis.survey.codebook import load_codebook

    root = Path(__file__).resolve().parents[1]
    cb = load_codebook(root / "workflow" / "resources" / "codebook.yaml")
    specs = load_yaml(root / "workflow" / "report" / "figure_alt.yaml")["figures"]
    synthetic_words = load_messages(root / "workflow" / "report" / "messages" / "no.yaml")["alt.synthetic"]
    page = (reports / "report.html").read_text(encoding="utf-8")
    found = {}
    for fid, alt in re.findall(r'<figure id="([^"]+)">.*?<img [^>]*alt="([^"]*)"', page, re.S):
        alt = html_module.unescape(alt)
        table_id = (specs.get(fid) or {}).get("table", fid)
        path = reports / "tables" / f"{table_id}.csv"
        if not path.exists():
            continue
        df = read_tidy(path)
        spec = cb.figures.get(fid)
        if spec and spec["kind"] == "distribution":
            df = df[df["category"].isin(list(spec["categories"]))]
        elif spec:
            df = df[df["category"] == ""]
        shown = {round(float(v)) for v in df["value"].dropna()}
        quoted = [int(q) for q in re.findall(r"(?<![\d,])(\d+)\s?%", alt)]
        strange = [q for q in quoted if q not in shown and q + 1 not in shown and q - 1 not in shown]
        if strange:
            found[fid] = f"quotes {strange} %: {alt[:120]}"
        if df["synthetic"].astype(str).str.lower().eq("true").any() and synthetic_words not in alt:
            found[fid] = f"synthetic data not named: {alt[:120]}"
    return found


@pytest.mark.e2e
def test_every_alt_text_matches_its_table_and_names_synthetic_data(demo_build):
    assert alt_problems(demo_build / "reports") == {}
