"""The package layout that DEVELOPING.md promises, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PKG = ROOT / "src" / "analysis"
STAGES = {"core", "imdi", "survey", "official", "report", "validate", "demo"}


def _imports(path: Path) -> set[str]:
    """Every module below ``analysis`` that a file imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                found.add("<relative>")
            elif node.module == "analysis" or node.module.startswith("analysis."):
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("analysis")}
    return found


def test_top_level_holds_only_stage_packages():
    modules = sorted(p.name for p in PKG.iterdir() if p.suffix == ".py")
    packages = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert modules == ["__init__.py"]
    assert packages == STAGES


def test_nothing_outside_demo_imports_demo():
    offenders = []
    sources = [p for p in PKG.rglob("*.py") if "demo" not in p.relative_to(PKG).parts[:1]]
    scripts = [p for p in (ROOT / "workflow" / "scripts").glob("*.py") if not p.name.startswith("demo_")]
    for path in sources + scripts:
        if any(m == "analysis.demo" or m.startswith("analysis.demo.") for m in _imports(path)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_package_imports_are_absolute():
    """One spelling of every import, which is what code() in common.smk follows."""
    relative = [str(p.relative_to(ROOT)) for p in PKG.rglob("*.py") if "<relative>" in _imports(p)]
    assert relative == []


def test_scripts_are_named_after_their_rules():
    rules = ROOT / "workflow" / "rules"
    text = "\n".join(p.read_text(encoding="utf-8") for p in rules.glob("*.smk"))
    import re

    # a rule's own block only (a rule without a script, such as the target `html`, has none)
    pairs = re.findall(r"rule (\w+):(?:(?!\nrule ).)*?script:\s*\"\.\./scripts/(\w+)\.py\"", text, flags=re.S)
    assert pairs, "no rule with a script found"
    assert [(r, s) for r, s in pairs if r != s] == []
    scripts = {p.stem for p in (ROOT / "workflow" / "scripts").glob("*.py")}
    assert scripts == {s for _, s in pairs}


# Stage layering: core <- imdi, survey, official <- report, validate; demo may use every stage and
# nothing uses demo. report and validate (input validation, which runs every stage's readers) are
# side by side and do not import each other. A stage's scripts (the rules of
# workflow/rules/<stage>.smk) follow the same rule.
LAYER = {"core": 0, "imdi": 1, "survey": 1, "official": 1, "report": 2, "validate": 2, "demo": 3}
RULE_FILE_STAGE = {
    "imdi": "imdi",
    "survey": "survey",
    "official": "official",
    "demo": "demo",
    "report": "report",
    "validate": "validate",
}


def _layer_offenders(stage: str, path: Path) -> list[str]:
    """'file -> stage' for each stage that a file of `stage` may not import."""
    used = {m.split(".")[1] for m in _imports(path) if m.count(".") >= 1 and m.split(".")[1] in LAYER}
    bad = {t for t in used if t != stage and not (LAYER[t] < LAYER[stage] and t != "demo")}
    return [f"{path.name} -> {t}" for t in sorted(bad)]


def test_stages_import_only_lower_layers():
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        stage = path.relative_to(PKG).parts[0]
        if stage in LAYER:
            offenders += _layer_offenders(stage, path)
    import re

    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        if smk.stem not in RULE_FILE_STAGE:
            continue
        for script in re.findall(r'script:\s*"\.\./scripts/(\w+)\.py"', smk.read_text(encoding="utf-8")):
            offenders += _layer_offenders(
                RULE_FILE_STAGE[smk.stem], ROOT / "workflow" / "scripts" / f"{script}.py"
            )
    assert sorted(set(offenders)) == []


def test_the_layer_check_finds_upward_and_sideways_imports(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(
        "from analysis.imdi.register import scan\nfrom analysis.core import tidy\n", encoding="utf-8"
    )
    assert _layer_offenders("core", path) == ["probe.py -> imdi"]
    assert _layer_offenders("survey", path) == ["probe.py -> imdi"]
    assert _layer_offenders("report", path) == []
    assert _layer_offenders("validate", path) == []
    path.write_text("from analysis.report.numbers import num\n", encoding="utf-8")
    assert _layer_offenders("validate", path) == ["probe.py -> report"]  # side by side, not above
    path.write_text("def f():\n    from analysis.demo import register\n", encoding="utf-8")
    assert _layer_offenders("report", path) == ["probe.py -> demo"]
