import pandas as pd

from analysis.core.protection import protect_counts


def test_primary_cells_become_a_range_and_lose_their_value():
    df = pd.DataFrame({"year": ["2020"] * 4, "kommune": list("abcd"), "value": [51.0, 2.0, 1.0, 0.0]})
    out = protect_counts(df, threshold=3, group_cols=["year"])
    assert out["protected"].tolist() == ["", "primary", "primary", ""]
    assert out["value_label"].tolist() == ["51", "1–2", "1–2", "0"]
    assert out["value"].isna().tolist() == [False, True, True, False]


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
    # with two hidden cells, total minus the shown cells gives only their sum (36), not either one
    assert out["value"].sum(min_count=1) == 205 + 40 + 5 + 9


def test_threshold_one_protects_nothing():
    df = pd.DataFrame({"value": [1.0, 2.0]})
    assert protect_counts(df, threshold=1)["protected"].tolist() == ["", ""]
