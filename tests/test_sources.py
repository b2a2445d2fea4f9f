"""code() in common.smk: the package files a script runs, read from its imports (any form)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
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


def _ast_walk_imports(text: str) -> list[str]:
    """The reference scan: every node of the tree (what sources.py did before issue 28)."""
    import ast

    out = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module.split(".")[0] == "analysis":
                names += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n for n in names if n.split(".")[0] == "analysis"}
    return sorted(out)


def test_the_statement_scan_finds_what_a_walk_over_every_node_finds():
    """Over every script and module of the package, and over the forms the package may use."""
    from analysis.core.sources import import_names

    files = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    assert len(files) > 80
    differ = [
        f
        for f in files
        if import_names(f.read_text(encoding="utf-8")) != _ast_walk_imports(f.read_text(encoding="utf-8"))
    ]
    assert differ == []
    forms = (
        "import os, analysis.core.files as f\n"
        "from analysis.core import (\n    tidy,\n    files,\n)\n"
        "class A:\n    def m(self):\n        if x:\n            pass\n        else:\n"
        "            from analysis.a import b\n"
        "try:\n    import analysis.t\nexcept ImportError:\n    import analysis.e\nelse:\n"
        "    import analysis.o\nfinally:\n    import analysis.f\n"
        "with open(p) as fh:\n    from analysis.w import x\n"
        "for i in y:\n    import analysis.loop\nelse:\n    import analysis.loop_else\n"
        "while 0:\n    import analysis.wl\n"
        "match v:\n    case 1:\n        import analysis.case\n"
        "async def g():\n    async with c:\n        import analysis.aw\n"
        "x = lambda: __import__('analysis.dynamic')\n"
        "from .rel import z\nfrom analysis import *\n"
        "text = '''\nfrom analysis.in_a_string import no\n'''\n"
    )
    assert import_names(forms) == _ast_walk_imports(forms)
    assert "analysis.loop_else" in import_names(forms) and "analysis.in_a_string" not in import_names(forms)


def test_the_file_cache_keeps_values_between_runs_and_reads_a_changed_file_again(tmp_path):
    import os

    from analysis.core.filecache import FileCache

    calls = []

    def compute(path):
        calls.append(path.name)
        return path.read_text(encoding="utf-8").split()

    data, store = tmp_path / "module.py", tmp_path / ".snakemake" / "cache.json"
    data.write_text("a b\n", encoding="utf-8")
    first = FileCache(store, version="v1")
    assert first.get("words", data, compute) == ["a", "b"] and first.get("words", data, compute) == ["a", "b"]
    first.save()
    assert calls == ["module.py"] and store.exists()
    # a new process: read from the file, nothing computed
    assert FileCache(store, version="v1").get("words", data, compute) == ["a", "b"] and len(calls) == 1
    # another version of the computing code, another size, another mtime, another key: computed again
    assert FileCache(store, version="v2").get("words", data, compute) == ["a", "b"] and len(calls) == 2
    data.write_text("a b c\n", encoding="utf-8")
    assert FileCache(store, version="v1").get("words", data, compute) == ["a", "b", "c"] and len(calls) == 3
    st = data.stat()
    data.write_text("a b d\n", encoding="utf-8")  # same size, other mtime
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert FileCache(store, version="v1").get("words", data, compute) == ["a", "b", "d"] and len(calls) == 4
    assert (
        FileCache(store, version="v1").get("words", data, compute, key="k") == ["a", "b", "d"]
        and len(calls) == 5
    )
    # a damaged cache file is ignored, a cache that cannot be written only costs the reading
    store.write_text("{not json", encoding="utf-8")
    assert FileCache(store, version="v1").get("words", data, compute) == ["a", "b", "d"] and len(calls) == 6
    blocked = FileCache(tmp_path / "module.py" / "cache.json", version="v1")
    blocked.get("words", data, compute)
    blocked.save()


def test_code_files_are_the_same_with_the_file_cache(tmp_path):
    from analysis.core.filecache import FileCache

    store = tmp_path / "cache.json"
    scripts = sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    plain = {s.stem: source_files(s, ROOT / "src") for s in scripts}
    cold = FileCache(store, version="t")
    assert {s.stem: source_files(s, ROOT / "src", cold) for s in scripts} == plain
    cold.save()
    warm = FileCache(store, version="t")
    assert {s.stem: source_files(s, ROOT / "src", warm) for s in scripts} == plain
    assert not warm._dirty  # every module's imports came from the file


def test_exact_values_keep_their_key_types_and_order_and_come_back_as_copies(tmp_path):
    """The codebook (integer keys: scale codes, years) goes through the parse cache of survey.smk."""
    import datetime as dt

    from analysis.core.filecache import FileCache, decode_exact, encode_exact
    from analysis.core.yamlio import load_yaml

    def same(a, b):
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            return [(type(k), k) for k in a] == [(type(k), k) for k in b] and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        return a == b

    codebook = ROOT / "workflow" / "resources" / "codebook.yaml"
    raw = load_yaml(codebook)
    assert same(decode_exact(json.loads(json.dumps(encode_exact(raw)))), raw)
    odd = {1: [True, 1, 1.0, None, "1"], "1": {2.5: "x", False: 0}, None: []}
    assert same(decode_exact(json.loads(json.dumps(encode_exact(odd)))), odd)
    assert encode_exact({"d": dt.date(2021, 3, 31)}) is None and encode_exact((1, 2)) is None

    store = tmp_path / "cache.json"
    first = FileCache(store, version="t")
    got = first.get_exact("yaml", codebook, load_yaml)
    got["items"].clear()  # the caller's copy
    assert same(first.get_exact("yaml", codebook, load_yaml), raw)
    first.save()
    assert same(FileCache(store, version="t").get_exact("yaml", codebook, lambda p: 1 / 0), raw)
    dated = tmp_path / "dated.yaml"
    dated.write_text("end: 2021-03-31\n", encoding="utf-8")
    assert FileCache(store, version="t").get_exact("yaml", dated, load_yaml) == {"end": dt.date(2021, 3, 31)}


# What the text scan of import_names (decision 0197) must tell apart from code as the tokenizer does:
# strings of every kind holding quotes, `#` and import lines; comments holding quotes; statements
# split over lines, after `;` and `:`, with blanks inside dotted names; imports in code that never
# runs (found by the tree too); and an import list whose comment holds a `)`, which the text scan
# hands to the whole-file scan.
_TRICKY = "\n".join(
    [
        's = "it\'s # not a comment"',
        "import analysis.after_hash",
        "r = r'\\'' ; import analysis.after_raw",
        'b = rb"\\\\\\"" if 1 else b\'\'',
        "from analysis.after_bytes import x",
        "f = f\"{'a'}{x!r:>{w}}\"; import analysis.after_fstring",
        'e = \'\'; t = """a\\"""" + ""',
        "import analysis.after_triple",
        'd = """',
        "import analysis.in_triple",
        "'''",
        '\\""" ""',
        '"""',
        "import analysis.after_doc",
        "c = 'a\\",
        "import analysis.in_continued_string'",
        '# it\'s a comment "with quotes" \\',
        "import analysis.after_comment",
        "import analysis.a, \\",
        "    analysis.b as bee",
        "from analysis . spaced \\",
        "  import (one,",
        "  two)  # (",
        "if x: import analysis.one_line",
        "try: from analysis.one_line_try import y",
        "except ImportError: pass",
        "raise E from err",
        "yield from gen",
        "import_names = __import__('analysis.dynamic')",
        "from analysis.reimport import import_names, importer",
        "def f():",
        "    return 1",
        "    import analysis.unreachable",
        "if False:",
        "    import analysis.if_false",
    ]
)
_PAREN_IN_COMMENT = "from analysis.p import (a,  # see f(x)\n    b)\n"


def _tree_not_read(monkeypatch):
    """The whole-file scan made an error: what import_names gives comes from the text scan alone."""
    import analysis.core.sources as sources

    def tree(*args):
        raise AssertionError(f"read as a tree: {args[1:]}")

    monkeypatch.setattr(sources, "ast_import_names", tree)


def test_the_text_scan_finds_what_the_tree_finds(monkeypatch):
    from analysis.core.sources import ast_import_names, import_names

    # the standard library's imports of several packages, found both ways
    stdlib = Path(json.__file__).parents[1]
    files = sorted((stdlib / "email").rglob("*.py")) + sorted((stdlib / "importlib").rglob("*.py"))
    assert len(files) > 40
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    packages = ("os", "sys", "email", "importlib")
    want = {(f, p): ast_import_names(t, str(f), p) for f, t in texts.items() for p in packages}
    assert (
        import_names(_PAREN_IN_COMMENT)
        == _ast_walk_imports(_PAREN_IN_COMMENT)
        == ["analysis.p", "analysis.p.a", "analysis.p.b"]
    )

    _tree_not_read(monkeypatch)
    got = import_names(_TRICKY)
    assert got == _ast_walk_imports(_TRICKY)
    assert {"analysis.after_doc", "analysis.after_comment", "analysis.spaced.two", "analysis.b"} <= set(got)
    assert {"analysis.unreachable", "analysis.if_false", "analysis.one_line_try.y"} <= set(got)
    assert not [n for n in got if n.startswith("analysis.in_")] and "analysis.dynamic" not in got
    assert {(f, p): import_names(t, str(f), p) for f, t in texts.items() for p in packages} == want
    with pytest.raises(AssertionError, match="read as a tree"):
        import_names(_PAREN_IN_COMMENT)  # the `)` in a comment: the text scan gives up


def test_the_text_scan_reads_the_package_without_the_tree(monkeypatch):
    """Every script and module of the package is read by the text scan alone (else a cold build
    pays for the whole tree again)."""
    from analysis.core.sources import ast_import_names, import_names

    files = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    want = {f: ast_import_names(f.read_text(encoding="utf-8")) for f in files}
    _tree_not_read(monkeypatch)
    assert {f: import_names(f.read_text(encoding="utf-8"), str(f)) for f in files} == want
