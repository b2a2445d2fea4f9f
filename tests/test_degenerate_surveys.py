"""Degenerate but valid surveys (issue 14): no unit practises the scheme, or one unit answers.

The report must build with the affected figures and the weights marked "too few answers" rather
than end in a traceback (ZeroDivisionError in the routing counts, ValueError from raking).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import DEFAULTS, RAKE

from analysis.core.messages import Messages, load_messages
from analysis.survey import weighting as wt
from analysis.survey.codebook import load_codebook
from analysis.survey.figures import plot_figure
from analysis.survey.tables import routing_counts_table

ROOT = Path(__file__).resolve().parents[1]
CB = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
WORDS_EN = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / "en.yaml"))


def test_routing_share_over_an_empty_branch_is_empty_not_a_crash():
    """Every unit answered 'no' to Q_FILTER: shares of the yes branch have base 0."""
    resp = {2021: pd.DataFrame({"unit_id": ["0301", "1101"], "Q_FILTER": [2, 9]})}
    for spec in CB.raw["routing_counts"].values():
        if spec.get("answered"):  # open comments: how many units wrote one (none here)
            resp[2021][f"{spec['item']}__answered"] = 0
    t = routing_counts_table(resp, CB)
    shares = t[t["n"].notna()]
    assert not shares.empty and (shares["n"] == 0).all() and shares["value"].isna().all()


def test_a_figure_without_answers_says_too_few_answers():
    import matplotlib.pyplot as plt

    fid = next(iter(CB.figures))
    empty = pd.DataFrame(
        {"year": ["2021"], "item": [""], "category": [""], "value": [float("nan")], "n": [0.0]}
    )
    fig = plot_figure(empty, CB, fid, "en", DEFAULTS["survey"]["confidence"], WORDS_EN)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    plt.close(fig)
    assert "Too few answers to show this figure" in texts


def test_raking_with_an_empty_frame_category_is_too_few_respondents():
    sample = pd.DataFrame({"size": ["small"]})
    margins = {"size": pd.Series({"small": 300.0, "big": 70.0})}
    with pytest.raises(wt.TooFewRespondents, match=r"no respondents in \['big'\]"):
        wt.rake(sample, margins, **RAKE)
    with pytest.raises(wt.TooFewRespondents, match="no respondents to weight"):
        wt.rake(sample.iloc[:0], margins, **RAKE)
