from analysis.core.tidy import TIDY_COLUMNS, read_tidy, tidy, write_tidy


def test_tidy_orders_columns_and_round_trips(tmp_path):
    df = tidy("tab_2_1", [{"value": 117, "year": 2016, "series": "units_practising", "ci_low": 1.0}])
    assert list(df.columns) == TIDY_COLUMNS + ["ci_low"]
    p = tmp_path / "t.csv"
    write_tidy(df, p)
    assert p.read_text().splitlines()[0] == ",".join(TIDY_COLUMNS + ["ci_low"])
    back = read_tidy(p)
    assert back.loc[0, "year"] == "2016" and back.loc[0, "kommune"] == "" and back.loc[0, "value"] == 117
