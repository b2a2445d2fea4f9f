"""The package layout that DEVELOPING.md promises, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PKG = ROOT / "src" / "analysis"
STAGES = {"core", "imdi", "survey", "official", "report", "demo"}


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
