from analysis.lineage_graph import layers, rule_edges
from analysis.render import fmt_number


def test_norwegian_number_format():
    assert fmt_number(15284) == "15\u202f284"
    assert fmt_number(5.797, 1) == "5,8"
    assert fmt_number(5.797, 1, "en") == "5.8"
    assert fmt_number(float("nan")) == "–"


def test_rule_graph_layers_follow_data_flow():
    outputs = {"a.csv": {"rule": "ingest", "inputs": ["raw.csv"]},
               "b.csv": {"rule": "tables", "inputs": ["a.csv"]},
               "r.pdf": {"rule": "render", "inputs": ["a.csv", "b.csv"]}}
    rules, edges = rule_edges(outputs)
    assert edges == {("ingest", "tables"), ("ingest", "render"), ("tables", "render")}
    assert layers(rules, edges) == {"ingest": 0, "tables": 1, "render": 2}
