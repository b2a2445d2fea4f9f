"""code() in common.smk: the package files a script runs, read from its imports (any form)."""

from __future__ import annotations

import re

from conftest import ROOT

from analysis.core.sources import source_files


def _tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "src"


def test_imports_are_followed_in_every_form_and_transitively(tmp_path):
    src = _tree(
        tmp_path,
        {
            "analysis/__init__.py": "",
            "analysis/core/__init__.py": "",
            "analysis/core/files.py": "import json\n",
            "analysis/core/tidy.py": "from analysis.core.files import sha256\n",
            "analysis/core/unused.py": "",
            "analysis/stage/__init__.py": "",
            "analysis/stage/a.py": "def f():\n    from analysis.core import (\n        tidy,\n    )\n",
            "analysis/stage/b.py": "import analysis.stage.a\n",
            "script.py": "import pandas\nfrom analysis.stage import b as bee\n",
        },
    )
    got = [p.relative_to(src).as_posix() for p in source_files(src / "script.py", src)]
    assert got == [
        "analysis/__init__.py",
        "analysis/core/__init__.py",
        "analysis/core/files.py",
        "analysis/core/tidy.py",
        "analysis/stage/__init__.py",
        "analysis/stage/a.py",
        "analysis/stage/b.py",
    ]


def test_a_module_used_everywhere_reaches_every_rule_that_uses_it():
    """core/files.py (sha256 and atomic writes) is read by most scripts through other modules."""
    scripts = sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    using = [s.stem for s in scripts if ROOT / "src/analysis/core/files.py" in source_files(s, ROOT / "src")]
    assert len(using) >= 15, using


def test_every_rule_lists_the_code_of_its_own_script():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    blocks = re.findall(r"rule (\w+):((?:(?!\n\s*rule ).)*)", text, flags=re.S)
    pairs = [
        (rule, re.findall(r"code=code\(\"(\w+)\"\)", body)) for rule, body in blocks if "script:" in body
    ]
    assert pairs and [(r, c) for r, c in pairs if c != [r]] == []
