from analysis.core.tidy import TIDY_COLUMNS, read_tidy, tidy, write_tidy


def test_tidy_orders_columns_and_round_trips(tmp_path):
    df = tidy("tab_2_1", [{"value": 117, "year": 2016, "series": "units_practising", "ci_low": 1.0}])
    assert list(df.columns) == TIDY_COLUMNS + ["ci_low"]
    p = tmp_path / "t.csv"
    write_tidy(df, p, synthetic=True)
    assert p.read_text().splitlines()[0] == ",".join(TIDY_COLUMNS + ["ci_low", "synthetic"])
    assert p.read_text().splitlines()[1].endswith(",true")
    back = read_tidy(p)
    assert back.loc[0, "year"] == "2016" and back.loc[0, "kommune"] == "" and back.loc[0, "value"] == 117
    assert back.loc[0, "synthetic"] is True or back.loc[0, "synthetic"] == True  # noqa: E712


def test_synthetic_column_follows_the_source_of_each_row(tmp_path):
    rows = [
        {"year": 2015, "series": "asb", "value": 961, "source": "imdi_annual"},
        {"year": 2016, "series": "asb", "value": 886, "source": "register"},
        {"year": 2018, "series": "bergen", "value": 50, "source": "cited"},
        {"year": 2019, "series": "derived", "value": 1, "source": ""},
    ]
    p = tmp_path / "t.csv"
    write_tidy(tidy("fig_2_1", rows), p, synthetic={"register": True, "imdi_annual": False})
    assert list(read_tidy(p)["synthetic"]) == [False, True, False, True]
    write_tidy(tidy("fig_2_1", rows), p, synthetic={"register": False, "imdi_annual": False})
    assert not read_tidy(p)["synthetic"].any()
    # a table without a source column is synthetic as a whole when any input of its rule is
    write_tidy(
        tidy("x", [{"value": 1}, {"value": 2}]), p, synthetic={"survey_2021": True, "population": False}
    )
    assert list(read_tidy(p)["synthetic"]) == [True, True]
