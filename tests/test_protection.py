"""The protection layer's engine on small hand-checkable tables (docs/decisions/0020)."""

import numpy as np
import pandas as pd

from analysis.core.protection import Cell, apply_plan, decide, gauss_secondary, protect_counts


def test_primary_cells_become_a_range_and_lose_their_value():
    df = pd.DataFrame({"year": ["2020"] * 5, "kommune": list("abcde"), "value": [51.0, 40.0, 2.0, 1.0, 0.0]})
    out = protect_counts(df, threshold=3, group_cols=["year"])
    assert out["value_label"].tolist()[2:] == ["1–2", "1–2", "0"]
    assert out["value"].isna().tolist()[2:] == [True, True, False]
    # total minus the shown cells would give 2 + 1 = 3, pinning one range at 1 and one at 2:
    # the smaller shown cell is hidden too
    assert out["protected"].tolist() == ["", "secondary", "primary", "primary", ""]


def test_a_lone_protected_cell_gets_a_secondary_partner():
    df = pd.DataFrame(
        {
            "year": ["2016"] * 4 + ["2020"] * 2,
            "kommune": list("abcdab"),
            "value": [205.0, 2.0, 40.0, 34.0, 5.0, 9.0],
        }
    )
    out = protect_counts(df, threshold=3, group_cols=["year"])
    assert out["protected"].tolist() == ["", "primary", "", "secondary", "", ""]
    assert out["value_label"].tolist() == ["205", "1–2", "40", "x", "5", "9"]


def test_a_cell_already_derivable_is_shown_and_a_derivable_hidden_group_is_not_allowed():
    # inner cells a, b, c; published: a+b+c (total), a+b, c, a; a is primary
    v = np.array([[1, 1, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]])
    sec = gauss_secondary(v, [False, False, False, True], order=[0, 1, 2])
    # total first; a+b next is safe; c = total - (a+b) is derivable already, so shown
    assert sec.tolist() == [False, False, False, False]
    # c a small group no table may reveal: a+b would give it as total - (a+b), and c is it
    sec = gauss_secondary(v[:3], [False, False, False], order=[0, 1, 2], hidden=np.array([[0, 0, 1]]))
    assert sec.tolist() == [False, True, True]


def test_small_n_statistics_and_linked_spaces():
    # two groups' means and the total's: the small group's mean follows from the others
    vec = np.eye(2, dtype=np.int64)
    cells = [
        Cell("t", 0, "value", "stat", space="m", members=np.array([1, 1]), n=101),
        Cell("t", 1, "value", "stat", space="m", members=vec[0], n=1),
        Cell("t", 2, "value", "stat", space="m", members=vec[1], n=100),
        Cell("t", 3, "value", "derived", sources=[1]),
    ]
    status = decide(cells, {"m": np.array([1, 100])}, threshold=3)
    assert status == ["", "small_n", "secondary", "secondary"]


def test_plan_application_checks_the_row_keys():
    t = pd.DataFrame(
        {
            "year": ["2020", "2021"],
            "series": ["a", "a"],
            "kommune": ["", ""],
            "group": ["", ""],
            "value": [5.0, 1.0],
            "n": pd.array([10, 1], dtype="Int64"),
        }
    )
    plan = pd.DataFrame(
        {
            "entry_id": ["t", "t"],
            "row": ["1", "1"],
            "year": ["2021", "2021"],
            "series": ["a", "a"],
            "kommune": ["", ""],
            "group": ["", ""],
            "column": ["value", "n"],
            "status": ["small_n", "primary"],
        }
    )
    out = apply_plan({"t": t}, plan, 3)["t"]
    assert out["value_label"].tolist() == ["", "n<3"] and out["n_label"].tolist() == ["", "1–2"]
    assert pd.isna(out.loc[1, "value"]) and pd.isna(out.loc[1, "n"]) and out.loc[0, "n"] == 10
    bad = plan.assign(year="2020")
    try:
        apply_plan({"t": t}, bad, 3)
    except ValueError as err:
        assert "does not fit" in str(err)
    else:
        raise AssertionError("a plan for other rows was applied")


def test_a_hidden_number_in_the_running_text_shows_its_label():
    from analysis.report.numbers import fmt_number, fmt_pct
    from analysis.report.render import Tables

    t = pd.DataFrame({"year": ["2018", "2019"], "value": [np.nan, 6.0], "value_label": ["1–2", ""]})
    tables = Tables({"t": t})
    hidden, shown = tables.value("t", year=2018), tables.value("t", year=2019)
    assert fmt_number(hidden) == "1–2" and fmt_pct(hidden, 1) == "1–2"
    assert fmt_number(shown) == "6" and hidden != hidden  # NaN in arithmetic


def test_tabell_9_1_settlement_rows_follow_the_period_count_and_hide_small_differences():
    from analysis.core.tidy import tidy
    from analysis.imdi.disclosure import protect_settlement_rows

    def rows(item, total, responded):
        return [
            {"item": item, "category": "responded", "value": 100 * responded / total, "n": total},
            {"item": item, "category": "count_responded", "value": float(responded)},
            {"item": item, "category": "count_total", "value": float(total)},
        ]

    t = tidy("tab_9_1", rows("asb_settlements", 10, 6) + rows("all_settlements", 100, 99))
    plan = pd.DataFrame(
        {
            "entry_id": ["fig_2_1"],
            "year": ["2016-2021"],
            "series": ["asb"],
            "column": ["value"],
            "status": ["x"],
        }
    )
    out = protect_settlement_rows(t, plan, 3)
    # asb: its period total is hidden in fig_2_1, so every asb row is; all: 1 not responding
    assert out["value"].isna().all() and out["n"].isna().all()
    assert set(out["value_label"]) == {"x"}
    shown = protect_settlement_rows(t, plan.assign(status=""), 3)
    assert shown.loc[shown["item"] == "asb_settlements", "value"].notna().all()
