import pytest

from analysis.core.tidy import tidy
from analysis.report.reproduction import decimals_of, matches, round_half_up, scorecard


@pytest.mark.parametrize("value, d", [(117, 0), (5.8, 1), (8.473, 3), (30.0, 0), (0.5, 1)])
def test_decimals_as_printed(value, d):
    assert decimals_of(value) == d


def test_round_half_up_not_bankers():
    assert str(round_half_up(2.45, 1)) == "2.5"
    assert str(round_half_up(0.5, 0)) == "1"
    assert matches(5.8, 886 / 15284 * 100) and not matches(5.7, 886 / 15284 * 100)
    assert matches(2800, 2759, "text_approx", 100) and not matches(2800, 2650, "text_approx", 100)


PUBLISHED = {
    "entries": [
        {
            "id": "fig_x",
            "reproduction": "compute",
            "values": [
                {"year": 2016, "series": "asb_pct", "value": 5.8, "status": "text"},
                {"year": 2016, "series": "asb_pct", "value": 5.7, "status": "text", "note": "INC01"},
                {"year": 2017, "series": "asb", "value": 500, "status": "exact"},
                {"year": 2020, "series": "asb", "value": 51, "status": "text", "note": "INC09"},
                {"year": 2019, "series": "asb", "value": None, "status": "not published"},
                {
                    "period": "2016-2021",
                    "series": "asb",
                    "approx_value": 1500,
                    "tolerance_pp": 100,
                    "status": "text_approx",
                    "value": None,
                },
            ],
        },
        {"id": "tab_y", "reproduction": "compute", "values": [{"year": 2016, "value": 1, "status": "exact"}]},
    ]
}


def test_scorecard_verdicts():
    t = tidy(
        "fig_x",
        [
            {"year": 2016, "series": "asb_pct", "value": 5.797},
            {"year": 2017, "series": "asb", "value": 499},
            {"year": 2020, "series": "asb", "value": 96},
            {"year": "2016-2021", "series": "asb", "value": 1460},
        ],
    )
    decisions = [
        {
            "entry_id": "fig_x",
            "key": {"year": 2020, "series": "asb"},
            "published": 51,
            "inconsistency": "INC09",
            "reason": "Tabell 12.1 implies at least 96",
        }
    ]
    card = scorecard(PUBLISHED, {"fig_x": t}, decisions).set_index(
        ["entry_id", "year", "series", "published"]
    )
    v = card["verdict"]
    assert v[("fig_x", "2016", "asb_pct", 5.8)] == "match"
    assert v[("fig_x", "2016", "asb_pct", 5.7)] == "published_conflict"
    assert v[("fig_x", "2017", "asb", 500)] == "mismatch"
    assert v[("fig_x", "2020", "asb", 51)] == "published_conflict"
    assert "96" in card.loc[("fig_x", "2020", "asb", 51), "note"]
    assert v[("fig_x", "2016-2021", "asb", 1500)] == "match"
    assert v[("tab_y", "2016", "", 1)] == "missing"
    assert len(card) == 6  # not-published values are not scored


def test_basis_and_rounding_columns():
    """Each row says what the computed number rests on and how it was compared."""
    from analysis.report.reproduction import row_basis, summarise_basis

    t = tidy(
        "fig_x",
        [
            {"year": 2016, "series": "asb_pct", "value": 5.797, "source": "register", "synthetic": True},
            {"year": 2017, "series": "asb", "value": 499, "source": "imdi_public", "synthetic": False},
            {"year": 2020, "series": "asb", "value": 96, "source": "imdi_annual", "synthetic": False},
            {
                "year": "2016-2021",
                "series": "asb",
                "value": 1460,
                "source": "UDI, e-post",
                "synthetic": False,
            },
        ],
    )
    card = scorecard(PUBLISHED, {"fig_x": t}, [], cited_roles=["imdi_annual"]).set_index(
        ["entry_id", "year", "series", "published"]
    )
    assert card.loc[("fig_x", "2016", "asb_pct", 5.8), "basis"] == "synthetic"
    assert card.loc[("fig_x", "2017", "asb", 500), "basis"] == "real"
    assert card.loc[("fig_x", "2020", "asb", 51), "basis"] == "cited"  # a cited input role
    approx = card.loc[("fig_x", "2016-2021", "asb", 1500)]
    assert (approx["basis"], approx["rounding"], approx["tolerance"]) == ("cited", "within_tolerance", 100)
    exact = card.loc[("fig_x", "2016", "asb_pct", 5.8)]
    assert (exact["computed_rounded"], exact["rounding"]) == (5.8, "half_up_to_published_decimals")
    assert card.loc[("tab_y", "2016", "", 1), "basis"] == "cited"  # no table: only the published number
    assert summarise_basis(card.reset_index()) == {"real": 0, "synthetic": 1, "cited": 1}
    assert row_basis(t.iloc[[1, 2]], ["imdi_annual"]) == "real"  # real and cited rows together
