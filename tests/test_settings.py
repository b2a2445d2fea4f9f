"""Rule settings live in JSON files (workflow/rules/common.smk `settings()`), not in `params:`.

Snakemake's params rerun check imports pandas (about 1 s on every start) as soon as one job has
params; the settings files keep config changes rerunning exactly the rules that use them through
the mtime trigger instead, so their mtime must only move when their content does.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from conftest import ROOT, copy_workflow, run_snakemake, study_of

from analysis.core.logsetup import settings

SETTINGS = "data/processed/settings"


def test_no_rule_has_params_and_no_script_reads_them():
    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        assert not re.search(r"^\s+params:", smk.read_text(encoding="utf-8"), re.M), smk.name
    for script in sorted((ROOT / "workflow" / "scripts").glob("*.py")):
        assert not re.search(r"\b(smk|snakemake)\.params\b", script.read_text(encoding="utf-8")), script.name


def test_settings_reads_the_rule_input(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"years": [2016, 2020], "split_to": {"1613": "5059"}}), encoding="utf-8")
    assert settings(SimpleNamespace(input=SimpleNamespace(settings=str(path)))) == {
        "years": [2016, 2020],
        "split_to": {"1613": "5059"},
    }


def _state(main):
    return {p.stem: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted((main / SETTINGS).glob("*.json"))}


def test_settings_files_change_only_with_their_content(tmp_path):
    main = copy_workflow(tmp_path)
    run_snakemake(main, "-n", "--quiet")
    first = _state(main)
    assert {"provenance", "render_report", "scope", "weighting"} <= set(first)
    scope = json.loads(first["scope"][1])
    assert scope == {
        "study": study_of().as_dict(),
        "protect": False,
        "threshold": 3,
        "synthetic": {"register": True, "imdi_public": False, "imdi_annual": False, "population": False},
    }
    lineage = json.loads(first["provenance"][1])["lineage"]
    assert lineage["reports/tables/fig_2_1.csv"]["rule"] == "scope"
    assert not any(f.startswith(SETTINGS) for o in lineage.values() for f in o["inputs"])
    # the authors' preview is no part of the report's making: not in the lineage or the picture (0123)
    assert lineage["reports/report.html"]["rule"] == "render_report"
    assert "reports/preview.html" not in lineage
    assert "render_preview" not in json.loads(first["rule_graph"][1])["stages"]

    run_snakemake(main, "-n", "--quiet")
    assert _state(main) == first  # same config: not rewritten, so nothing reruns

    run_snakemake(main, "-n", "--quiet", "--config", "language=en")
    changed = {k for k, v in _state(main).items() if v != first[k]}
    assert changed == {k for k, (_, text) in first.items() if b'"language": "no"' in text}
    assert {"survey_figures", "weighting", "render_report"} <= changed  # words of figures: input messages
    assert "register" not in changed
