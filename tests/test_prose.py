"""Chapter 11's sentences per figure (analysis.report.prose) on hand-checkable tables."""

import pandas as pd

from analysis.core.messages import Messages, flatten
from analysis.report.prose import figure_prose

T = Messages(
    flatten(
        {
            "prose": {
                "share_top": "{year}: most {top} {top_value}, fewest {low} {low_value}.",
                "share_one": "{year}: {top_value} {top}.",
                "mean_top": "{year}: high {top} {top_value}, low {low} {low_value}.",
                "distribution_one": "{year}: mostly {top} {top_value}.",
                "distribution_many": "{year}: mostly {top} on {item} {top_value}.",
                "largest_change": "Largest since {prev}: {name} {before} to {after}.",
                "none_significant": "None significant.",
                "some_significant": "{k} of {m} significant.",
                "one_significant": "Significant.",
                "one_not_significant": "Not significant.",
                "only_wave": "Only {year}.",
                "not_comparable": "Changed since {prev}.",
            }
        }
    )
)


def label(entry_id, key):
    return key.upper()


def table(rows):
    cols = ["year", "item", "category", "value", "n"]
    df = pd.DataFrame([dict(zip(cols, r)) for r in rows])
    df["n"] = df["n"].astype("Int64")
    return df


def change(rows):
    cols = ["series", "item", "category", "value", "comparable", "test", "p_holm"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


SHARES = table(
    [
        ("2031", "a", "", 70.0, 40),
        ("2031", "b", "", 20.0, 40),
        ("2026", "a", "", 40.0, 30),
        ("2026", "b", "", 25.0, 30),
        ("2031", "a", "uenig", 10.0, 40),  # table only: not drawn, never quoted
    ]
)


def test_shares_name_the_top_and_bottom_bar_and_the_largest_significant_change():
    ch = change(
        [
            ("fig", "a", "", "30", "True", "rao_scott_f", "0.01"),
            ("fig", "b", "", "-5", "True", "rao_scott_f", "0.6"),
        ]
    )
    text = figure_prose("fig", SHARES, ch, False, label, "en", T)
    assert text == "2031: most A 70%, fewest B 20%. Largest since 2026: A 40% to 70%. 1 of 2 significant."


def test_one_wave_incomparable_and_distribution_cases():
    only = SHARES[SHARES["year"] == "2031"]
    assert (
        figure_prose("fig", only, None, False, label, "no", T)
        == "2031: most A 70\u00a0%, fewest B 20\u00a0%. Only 2031."
    )
    changed = change([("fig", "a", "", "", "False", "", "")])
    assert figure_prose("fig", SHARES, changed, False, label, "en", T).endswith("Changed since 2026.")
    dist = table([("2031", "", "ja", 30.0, 50), ("2031", "", "nei", 70.0, 50), ("2026", "", "nei", 60.0, 40)])
    ch = change([("fig", "", "nei", "10", "True", "", ""), ("fig", "", "", "", "True", "rao_scott_f", "0.2")])
    assert figure_prose("fig", dist, ch, False, label, "en", T) == (
        "2031: mostly NEI 70%. Largest since 2026: NEI 60% to 70%. Not significant."
    )
    means = table([("2031", "x", "", 3.64, 20), ("2031", "y", "", 2.05, 20)])
    assert figure_prose("fig", means, None, True, label, "no", T) == "2031: high X 3,6, low Y 2,1. Only 2031."
