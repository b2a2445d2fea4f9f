from analysis.report.lineage import layers, rule_edges


def test_rule_graph_layers_follow_data_flow():
    outputs = {
        "a.csv": {"rule": "ingest", "inputs": ["raw.csv"]},
        "b.csv": {"rule": "tables", "inputs": ["a.csv"]},
        "r.pdf": {"rule": "render", "inputs": ["a.csv", "b.csv"]},
    }
    rules, edges = rule_edges(outputs)
    assert edges == {("ingest", "tables"), ("ingest", "render"), ("tables", "render")}
    assert layers(rules, edges) == {"ingest": 0, "tables": 1, "render": 2}


def _tidy_frame():
    import pandas as pd

    return pd.DataFrame(
        {
            "entry_id": ["t"] * 6,
            "year": ["2016", "2016", "2020", "2020", "2020", ""],
            "series": ["a", "b", "a", "b", "b", "a"],
            "category": ["", "", "x", "", "", ""],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, float("nan")],
        },
        index=[10, 11, 12, 13, 14, 15],
    )


def test_tables_lookups_equal_boolean_filtering():
    import pandas as pd
    import pytest

    from analysis.report.render import Tables

    df = _tidy_frame()
    T = Tables({"t": df})
    cases = [
        {},
        {"year": 2016},
        {"year": "2020", "series": "b"},
        {"series": "b", "year": 2020},
        {"year": 2021},
        {"category": ""},
        {"year": ""},
    ]
    for keys in cases:
        expected = df
        for k, v in keys.items():
            expected = expected[expected[k] == str(v)]
        pd.testing.assert_frame_equal(T.rows("t", **keys), expected)
        assert T.has("t", **keys) == (not expected.empty)
        if not expected.empty:
            v, e = T.value("t", **keys), float(expected["value"].iloc[0])
            assert v == e or (v != v and e != e)
    assert T.value("t", year=2020, series="b") == 4.0  # first matching row
    assert not T.has("missing", year=2016)
    with pytest.raises(KeyError, match="no row for"):
        T.value("t", year=1999)
    with pytest.raises(KeyError):
        T.rows("t", no_such_column="x")


def test_kilde_line_says_when_a_synthetic_input_contributed():
    import pandas as pd
    from conftest import ROOT

    from analysis.core.messages import Messages, load_messages
    from analysis.report.context import source_line, synthetic_entries

    msgs = {
        lang: Messages(load_messages(ROOT / "workflow" / "report" / "messages" / f"{lang}.yaml"))
        for lang in ("no", "en")
    }
    entry = {
        "id": "fig_2_2_map",
        "source_line_no": "Kilde: SSB, KOSTRA 12012",
        "data_source": ["kostra_12012"],
    }
    assert source_line(entry, "no", False, msgs["no"]) == "Kilde: SSB, KOSTRA 12012"
    assert source_line(entry, "no", True, msgs["no"]) == "Kilde: SSB, KOSTRA 12012 (syntetiske data)"
    bare = {"id": "fig_11_1", "data_source": ["survey_2021", "survey_2016"]}
    assert source_line(bare, "no", True, msgs["no"]) == (
        "Kilde: kommuneundersøkelsen 2021; kommuneundersøkelsen 2016 (syntetiske data)"
    )
    assert source_line(bare, "en", True, msgs["en"]).endswith("(synthetic data)")
    assert source_line(bare, "no", False, msgs["no"]) == ""
    tables = {
        "a": pd.DataFrame({"value": [1.0, 2.0], "synthetic": [False, True]}),
        "b": pd.DataFrame({"value": [1.0], "synthetic": [False]}),
    }
    from analysis.core.synthetic import DESC

    figures = {"m": f"<svg><desc>{DESC}</desc></svg>", "n": "<svg></svg>"}
    assert synthetic_entries(tables, figures) == {"a", "m"}


def test_figure_note_gives_the_base_of_every_bar_and_the_printed_n_where_it_differs():
    import pandas as pd

    from analysis.report.context import figure_bases

    t = pd.DataFrame(
        {
            "entry_id": "fig_x",
            "year": ["2021", "2021", "2021", "2021", "2016", "2016"],
            "item": ["a", "a", "b", "b", "a", "b"],
            "n": pd.array([61, 61, 58, 58, 100, 100], dtype="Int64"),
        }
    )
    labels = {"a": "Påstand A", "b": "Påstand B"}
    bases = figure_bases(t, {"2021": 62, "2016": None}, lambda e, k: labels[k])
    assert bases == [
        {"year": "2021", "n": None, "per_bar": "Påstand A: 61; Påstand B: 58", "printed": 62},
        {"year": "2016", "n": 100, "per_bar": None, "printed": None},
    ]
    same = figure_bases(t[t["year"] == "2016"], {"2016": 100}, lambda e, k: labels[k])
    assert same == [{"year": "2016", "n": 100, "per_bar": None, "printed": None}]
    # a printed N that is not a number (a remark) is not compared
    assert figure_bases(t[t["year"] == "2016"], {"2016": "62 (per Figur 11.13)"}, None)[0]["printed"] is None


def test_tables_not_strict_prints_a_dash_and_lists_what_is_missing():
    """Real data may lack a row the text refers to (a register without 2020): a dash, not a crash."""
    from analysis.report.numbers import fmt_number
    from analysis.report.render import Tables

    T = Tables({"t": _tidy_frame()}, strict=False)
    v = T.value("t", year=1999, series="b")
    assert fmt_number(v, 1, "no") == "–" and v != v  # NaN in arithmetic
    assert T.value("t", year=2020, series="b") == 4.0
    assert T.missing == [("t", {"year": 1999, "series": "b"})]


def test_title_page_of_a_real_run_with_protection_off_describes_that_run():
    """A real run (demo: false) with protection off never says that its data are synthetic."""
    from conftest import ROOT

    from analysis.core.messages import Messages, load_messages
    from analysis.report.render import make_env

    ctx = {
        "title": "T",
        "real_inputs": ["register"],
        "real_input_words": ["register"],
        "synthetic_inputs": [],
        "synthetic_input_words": [],
        "created": "2026-12-07T00:00:00",
        "left_out": [],
        "threshold": 3,
        "code_version": {"commit": "0" * 40, "dirty": False},
        "score": {"match": 1},
        "score_total": 2,
    }
    from markupsafe import escape

    for lang in ("no", "en"):
        t = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / f"{lang}.yaml"))
        says_synthetic = [
            escape(t(k))
            for k in ("title.demo_confidential_inputs_are_synthetic", "title.off_demo_inputs_are_synthetic")
        ]
        env = make_env(ROOT / "workflow" / "report" / "templates", lang, t)
        from jinja2 import ChainableUndefined

        env.undefined = ChainableUndefined  # the title page's other parts (headline, dates) left empty
        real = env.get_template("title.html.j2").render(**ctx, demo=False, protect=False)
        assert not any(w in real for w in says_synthetic)
        assert str(escape(t("title.off_real_inputs_by_configuration"))) in real
        demo = env.get_template("title.html.j2").render(**ctx, demo=True, protect=False)
        assert all(w in demo for w in says_synthetic)


def test_the_method_note_prints_the_suppressed_range_of_core_protection():
    """The range a reader sees for a hidden count ("1–2" at threshold 3) has one home:
    core.protection.range_label, used by the tables and, through the template global, the text."""
    from conftest import ROOT

    from analysis.core.messages import Messages, load_messages
    from analysis.core.protection import range_label
    from analysis.report.render import make_env

    t = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / "no.yaml"))
    env = make_env(ROOT / "workflow" / "report" / "templates", "no", t)
    from markupsafe import escape

    for threshold in (2, 3, 5):
        html = env.get_template("method/50_protection.html.j2").render(
            threshold=threshold, protect=False, demo=True
        )
        rule = t(
            "method_protection.rules", top=threshold - 1, range=range_label(threshold), threshold=threshold
        )
        assert str(escape(rule)) in html
