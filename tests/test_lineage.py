"""Lineage a reviewer can use: output hashes, per-output inputs, footers, the rule picture (issue 17)."""

from __future__ import annotations

import hashlib
import json

import pytest

from analysis.report.lineage import (
    column_order,
    columns,
    downstream_rules,
    footer_lookup,
    rule_graph,
    sources,
)

# a small workflow: a <- raw1; b <- a.csv, raw2; c <- b.csv; prov <- (everything); rep <- prov
LINEAGE = {
    "a.csv": {"rule": "A", "stage": "imdi", "inputs": ["raw1"]},
    "b.csv": {"rule": "B", "stage": "imdi", "inputs": ["a.csv", "raw2"]},
    "c.csv": {"rule": "C", "stage": "survey", "inputs": ["b.csv"]},
    "p.json": {"rule": "prov", "stage": "report", "inputs": ["raw1", "raw2"]},
    "r.pdf": {"rule": "rep", "stage": "report", "inputs": ["p.json", "c.csv"]},
}


def test_sources_follow_intermediate_files_back_to_the_registered_inputs():
    assert sources(LINEAGE, "c.csv", {"raw1", "raw2"}) == ["raw1", "raw2"]
    assert sources(LINEAGE, "a.csv", {"raw1", "raw2"}) == ["raw1"]


def test_rules_after_provenance_are_those_reading_it():
    assert downstream_rules(LINEAGE, "prov") == {"prov", "rep"}


def test_rule_graph_reads_left_to_right():
    g = rule_graph(LINEAGE)
    assert g["stages"]["C"] == "survey"
    edges = {tuple(e) for e in g["edges"]}
    assert edges == {("A", "B"), ("B", "C"), ("C", "rep"), ("prov", "rep")}
    col = columns(g["stages"], edges)
    assert col == {"A": 0, "B": 1, "C": 2, "prov": 3, "rep": 4}
    assert all(col[a] < col[b] for a, b in edges)  # every arrow points right
    stages = {**g["stages"], "D": "demo"}  # a demo generator comes first
    assert columns(stages, edges | {("D", "A")})["D"] == 0
    assert columns(stages, edges | {("D", "A")})["A"] == 1
    assert column_order(sorted(stages), edges, columns(stages, edges))[4] == ["prov"]


def test_footer_names_file_rule_inputs_and_short_hashes():
    prov = {
        "inputs": [{"role": "register", "path": "raw1", "sha256": "a" * 64}],
        "outputs": {
            "reports/tables/t.csv": {
                "rule": "A",
                "inputs": ["raw1"],
                "input_roles": {"register": ["raw1"]},
                "sources": ["raw1"],
                "sha256": "b" * 64,
            }
        },
    }
    f = footer_lookup(prov)("t")
    assert f["file"] == "tables/t.csv" and f["sha"] == "b" * 12 and f["rule"] == "A"
    assert f["inputs"] == [{"path": "raw1", "name": "raw1", "role": "register", "sha": "a" * 12}]
    assert footer_lookup(prov)("missing") is None


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_table_and_figure_is_in_provenance_with_its_sha256(demo_build):
    prov = json.loads((demo_build / "reports/provenance.json").read_text(encoding="utf-8"))
    files = sorted(
        p for d in ("tables", "figures") for p in (demo_build / "reports" / d).iterdir() if p.is_file()
    )
    assert len(files) > 60
    for p in files:
        rel = p.relative_to(demo_build).as_posix()
        assert rel in prov["outputs"], rel
        assert prov["outputs"][rel]["sha256"] == _sha(p), rel
        assert prov["outputs"][rel]["bytes"] == p.stat().st_size, rel
    for i in prov["inputs"]:
        path = demo_build / i["path"] if not i["path"].startswith("/") else None
        if path is not None and path.exists():
            assert i["sha256"] == _sha(path), i["path"]
    manifest = json.loads((demo_build / "reports/manifest.json").read_text(encoding="utf-8"))["outputs"]
    for rel in ("reports/report.pdf", "reports/report.html", "reports/provenance.json"):
        assert manifest[rel]["sha256"] == _sha(demo_build / rel), rel
        if rel != "reports/provenance.json":
            assert prov["outputs"][rel]["hash_in"] == "reports/manifest.json"


def test_each_output_lists_only_the_inputs_that_feed_it(demo_build):
    out = json.loads((demo_build / "reports/provenance.json").read_text(encoding="utf-8"))["outputs"]
    fig = out["reports/tables/fig_2_1.csv"]
    assert fig["rule"] == "scope"
    assert not [f for f in fig["inputs"] + fig["sources"] if f.endswith(".geojson")]
    # the register's counts (rule register's register_counts.parquet), not the person-level file
    assert set(fig["input_roles"]) == {"register_counts", "imdi_public", "imdi_annual"}
    assert "data/raw/demo/register.csv" in fig["sources"]
    assert any(f.endswith("imdi_bosatt_anmodede_kommune_1995-2023.csv") for f in fig["sources"])
    # the map's figure reads the geometry, its table does not
    assert any(f.endswith(".geojson") for f in out["reports/figures/fig_2_2_map.svg"]["inputs"])
    assert not any(f.endswith(".geojson") for f in out["reports/tables/fig_2_2_map.csv"]["inputs"])
    # a survey figure comes from the waves the codebook gives it, not from both
    from analysis.core.yamlio import load_yaml

    cb = load_yaml(demo_build / "workflow/resources/codebook.yaml")
    one_wave = 0
    for fid, d in cb["figures"].items():
        waves = {r for r in out[f"reports/tables/{fid}.csv"]["input_roles"] if r.startswith("survey_")}
        assert waves == {f"survey_{y}" for y in d["years"]}, fid
        one_wave += len(waves) == 1
    assert one_wave > 0
    # rule weighting is one job of three parts (decision 0195): each part's outputs name what fed
    # that part, the units and weights the job writes and then reads included
    units, weights = "data/processed/nonresponse_units_2021.parquet", "data/processed/weights_2021.csv"
    tab = out["reports/tables/tab_9_1.csv"]
    assert tab["rule"] == out[weights]["rule"] == "weighting"
    assert out[units]["inputs"] == tab["inputs"] and "register" in tab["input_roles"]
    assert out[weights]["inputs"] == [
        units,
        "data/processed/survey_2021.parquet",
        "data/processed/survey_frame_sizes.csv",
    ]
    assert out["reports/figures/x_weighted_estimates.svg"]["inputs"] == out[weights]["inputs"]
    sens = out["reports/tables/x_survey_sensitivity.csv"]
    assert weights in sens["inputs"] and units not in sens["inputs"]
    assert not {"register", "messages"} & set(sens["input_roles"])
    assert "data/raw/demo/register.csv" in sens["sources"]  # through the weights and the units


def test_every_table_and_figure_has_a_lineage_footer(demo_build):
    html = (demo_build / "reports/report.html").read_text(encoding="utf-8")
    assert 'class="lineage"' in html
    start = html.index('id="fig_2_1"')
    footer = html[
        html.index('class="lineage"', start) : html.index("</p>", html.index('class="lineage"', start))
    ]
    assert "tables/fig_2_1.csv" in footer and "scope" in footer and "geojson" not in footer


def test_no_internal_file_is_hashed_and_published_outputs_are(tmp_path, monkeypatch):
    """provenance.json gives no hash or size of a file under data/processed/ (an oracle against
    which a guessed plan can be checked, issue 27); a report file keeps its hash."""
    from analysis.report.provenance import is_internal, output_lineage, outputs_present, publishable

    monkeypatch.chdir(tmp_path)
    for rel, text in (
        ("data/processed/protection_plan.csv", "entry_id\nfig_2_1\n"),
        ("reports/t.csv", "a\n"),
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    lineage = {
        "data/processed/protection_plan.csv": {"rule": "protection", "inputs": ["raw.csv"]},
        "reports/t.csv": {"rule": "scope", "inputs": ["data/processed/protection_plan.csv"]},
    }
    out = output_lineage(lineage, list(lineage), [{"path": "raw.csv"}], [])
    plan = out["data/processed/protection_plan.csv"]
    assert plan["sha256"] is None and plan["bytes"] is None and "not hashed" in plan["note"]
    assert out["reports/t.csv"]["sha256"] == _sha(tmp_path / "reports/t.csv")
    present = outputs_present(lineage, set())
    assert present["data/processed/protection_plan.csv"]["sha256"] is None
    assert present["reports/t.csv"]["sha256"]
    assert is_internal("data/processed/runs/x/register.parquet") and not is_internal("reports/report.pdf")
    assert publishable(["reports/report.pdf", "data/processed/report_figure_sizes.json"]) == [
        "reports/report.pdf"
    ]


def test_provenance_and_manifest_hash_no_internal_file(demo_build):
    prov = json.loads((demo_build / "reports/provenance.json").read_text(encoding="utf-8"))
    internal = [p for p in prov["outputs"] if p.startswith("data/processed/")]
    assert internal and all(prov["outputs"][p]["sha256"] is None for p in internal)
    assert all(prov["outputs"][p]["bytes"] is None for p in internal)
    manifest = json.loads((demo_build / "reports/manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert not [p for p in manifest if p.startswith("data/processed/")]


def test_cluster_groups_are_phases_that_never_wait_for_a_later_one():
    from analysis.report.lineage import cluster_groups

    stages = {
        "demo_x": "demo",
        "read_a": "imdi",  # reads an input (writes a ledger)
        "plan": "imdi",  # a stage rule an input reader needs: an input phase rule too
        "table_a": "imdi",
        "table_b": "survey",
        "validate": "validate",
        "scorecard": "report",
        "after_report": "survey",  # needs the report: report phase
    }
    edges = {
        ("demo_x", "read_a"),
        ("plan", "read_a"),
        ("read_a", "table_a"),
        ("table_a", "table_b"),
        ("table_b", "scorecard"),
        ("scorecard", "after_report"),
    }
    assert cluster_groups(stages, edges, {"read_a"}) == {
        "after_report": "report",
        "demo_x": "inputs",
        "plan": "inputs",
        "read_a": "inputs",
        "scorecard": "report",
        "table_a": "chapters",
        "table_b": "chapters",
        "validate": "inputs",
    }
    with pytest.raises(ValueError, match="scorecard"):  # a report rule feeding an input reader
        cluster_groups(stages, edges | {("scorecard", "plan")}, {"read_a"})
