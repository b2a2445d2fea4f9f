"""Which source files of the package a script runs: its `analysis` imports, followed transitively.

Snakemake tracks a rule's own script but not the modules it imports; `code()` in common.smk lists
these files as inputs, so an edit in src/analysis reruns exactly the rules whose scripts use it.
Imports are found as `ast` finds them (any form: `from analysis.x import y`, `from analysis.pkg
import module`, `import analysis.x`, multi-line, inside functions, classes, `if`/`try`/`with`
blocks); nothing is executed. A cold build reads ~100 files here before its first job, and `ast`
builds the tree of each whole file (~0.13 s): :func:`import_names` instead skips the file's
strings and comments with one regular expression, as Python 3.11's tokenizer delimits them, and
hands `ast` only the text of each import statement left (~0.02 s; decision 0197). Whatever that
text does not parse as one import statement goes to the whole-file scan, :func:`ast_import_names`.
With the file cache of `common.smk` (analysis.core.filecache) a module is read again only after
it changed.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from pathlib import Path

from analysis.core.filecache import FileCache

# Fields that hold statement lists (module, def, class, if/for/while/with/try bodies, except
# handlers and match cases). Imports inside other statements are found there; expressions
# (lambdas, comprehensions) cannot hold one.
_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")

# Within one process without a file cache (tests, tools): each file is read once per version.
_MEMORY = FileCache(None, version="memory")


def _module_file(src: Path, dotted: str) -> Path | None:
    """src/analysis/<a>/<b>.py (or the package's __init__.py) for 'analysis.a.b', if it exists."""
    base = src.joinpath(*dotted.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


# Outside strings and comments, the keyword `import` occurs only in an import statement: `import x`
# or the head `from x import`. One pattern finds, in the order of the text, every comment and
# string (skipped whole, so nothing inside one is seen; a backslash escapes the next character in
# every kind of string, raw ones too, as in the tokenizer) and every such statement head. Python
# 3.12 lets an f-string's expressions hold its own quote (PEP 701); the package is on 3.11 (and the
# pattern's possessive quantifiers need 3.11).
_WS = r"(?:[ \t\f]|\\\n)"  # blanks within a logical line, a backslash continuation included
_CODE = re.compile(
    rf"""(?=[\#'"fi])(?:
      (?P<skip>\#[^\n]*+
        | '''(?:[^'\\]++|\\.|'(?!''))*+'''
        | \"\"\"(?:[^"\\]++|\\.|"(?!""))*+\"\"\"
        | '(?:[^'\\\n]++|\\.)*+'
        | "(?:[^"\\\n]++|\\.)*+")
    | \bfrom\b(?:{_WS}|[\w.])*?\bimport\b
    | \bimport\b)""",
    re.VERBOSE | re.DOTALL,
)
# The rest of the statement after `import`: a parenthesised list of names, or up to the end of the
# logical line, a `;` or a comment.
_REST = re.compile(rf"{_WS}*+\([^)]*+\)|(?:[^\\\n;#]|\\\n)*+")
_FAST = sys.version_info[:2] == (3, 11)


def _add_names(node: ast.stmt, out: set[str], package: str) -> bool:
    """Add what the import statement ``node`` imports below ``package`` to ``out``; False when
    ``node`` is no import statement."""
    if isinstance(node, ast.ImportFrom):
        if node.level == 0 and node.module and node.module.split(".")[0] == package:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)  # a module of a package
    elif isinstance(node, ast.Import):
        out.update(a.name for a in node.names if a.name.split(".")[0] == package)
    else:
        return False
    return True


def import_names(text: str, filename: str = "<source>", package: str = "analysis") -> list[str]:
    """Every dotted name below `analysis` that the source imports, sorted, whether or not it is a
    module: ``from analysis.core import files, tidy`` gives ``analysis.core``,
    ``analysis.core.files`` and ``analysis.core.tidy`` (the caller keeps those that are files).
    Relative imports are not read (the package has none: tests/test_architecture.py). The same
    names as :func:`ast_import_names`, from the text of the import statements alone; a file that
    does not compile may give names here where that raises (its job reports the error).
    ``package``: another top-level name to look for (the tests compare both scans on the standard
    library)."""
    if not _FAST or "\r" in text:
        return ast_import_names(text, filename, package)
    out: set[str] = set()
    for m in _CODE.finditer(text):
        if m.lastgroup == "skip":
            continue
        statement = text[m.start() : _REST.match(text, m.end()).end()]
        if package not in statement and statement.isascii():  # (names are NFKC-normalised)
            continue
        try:
            body = ast.parse(statement).body
        except SyntaxError:
            return ast_import_names(text, filename, package)
        if len(body) != 1 or not _add_names(body[0], out, package):
            return ast_import_names(text, filename, package)
    return sorted(out)


def ast_import_names(text: str, filename: str = "<source>", package: str = "analysis") -> list[str]:
    """:func:`import_names` from the whole file's tree: the statement lists only (an import is a
    statement, never part of an expression), a third of the time a walk over every node takes."""
    out: set[str] = set()
    todo = list(ast.parse(text, filename).body)
    while todo:
        node = todo.pop()
        if not _add_names(node, out, package):
            for field in _STATEMENT_LISTS:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    todo.extend(value)
    return sorted(out)


def _scan(path: Path) -> list[str]:
    return import_names(path.read_text(encoding="utf-8"), str(path))


def imported_modules(path: Path, src: Path, cache: FileCache | None = None) -> set[str]:
    """Dotted names of the `analysis` modules the file at `path` imports (below `src`)."""
    if cache is None:
        return {n for n in _MEMORY.get("imports", path, _scan) if _module_file(src, n)}
    key = ("imported_modules", str(path), str(src))  # once per file in one parse of the Snakefile
    if key not in cache.memo:
        cache.memo[key] = frozenset(n for n in cache.get("imports", path, _scan) if _lookup(src, n, cache))
    return set(cache.memo[key])


def _python_files(src: Path) -> set[str]:
    """Every file below ``src`` (symlinks followed, as Path.is_file does), as paths below it:
    one directory listing per package instead of two stat calls per imported name."""
    found = set()
    for top, dirs, _ in os.walk(src):
        with os.scandir(top) as entries:
            found.update(os.path.relpath(e.path, src) for e in entries if e.is_file())
    return found


def _lookup(src: Path, dotted: str, cache: FileCache | None) -> Path | None:
    """:func:`_module_file`, for the life of ``cache`` (one parse of the Snakefile) from one
    listing of ``src``."""
    if cache is None:
        return _module_file(src, dotted)
    key = ("module_file", str(src), dotted)
    if key not in cache.memo:
        files = cache.memo.get(("python_files", str(src)))
        if files is None:
            files = cache.memo[("python_files", str(src))] = _python_files(src)
        rel = os.path.join(*dotted.split("."))
        hit = next((r for r in (rel + ".py", os.path.join(rel, "__init__.py")) if r in files), None)
        cache.memo[key] = None if hit is None else src / hit
    return cache.memo[key]


def source_files(script: Path, src: Path, cache: FileCache | None = None) -> list[Path]:
    """The package files `script` runs: every module it imports, transitively, and the
    `__init__.py` of each package on the way; sorted. ``cache`` keeps each file's imports
    between runs (common.smk passes one below .snakemake/)."""
    seen: set[str] = set()
    todo = sorted(imported_modules(script, src, cache))
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        parts = mod.split(".")
        todo += [".".join(parts[:k]) for k in range(1, len(parts))]  # parent packages run first
        todo += sorted(imported_modules(_lookup(src, mod, cache), src, cache) - seen)
    return sorted({_lookup(src, m, cache) for m in seen})
