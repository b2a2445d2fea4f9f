"""Figure alt text from the figure's table (analysis.report.alt_text) on hand-checkable tables."""

import pandas as pd

from analysis.report.alt_text import figure_alt
from analysis.report.messages import Messages, flatten

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
