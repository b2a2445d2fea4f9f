"""Which source files of the package a script runs: its `analysis` imports, followed transitively.

Snakemake tracks a rule's own script but not the modules it imports; `code()` in common.smk lists
these files as inputs, so an edit in src/analysis reruns exactly the rules whose scripts use it.
Imports are read with `ast` (any form: `from analysis.x import y`, `from analysis.pkg import
module`, `import analysis.x`, multi-line, inside functions); nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path


def _module_file(src: Path, dotted: str) -> Path | None:
    """src/analysis/<a>/<b>.py (or the package's __init__.py) for 'analysis.a.b', if it exists."""
    base = src.joinpath(*dotted.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


# (path, src, mtime_ns, size) -> imports: the Snakefile asks for ~30 scripts whose imports share
# most modules; parsing each module once instead of once per script took the no-op from ~3 s of
# CPU back to ~2 s (issue 28). A file changed on disk has a new key.
_IMPORTS: dict[tuple, frozenset[str]] = {}


def imported_modules(path: Path, src: Path) -> set[str]:
    """Dotted names of the `analysis` modules the file at `path` imports (below `src`)."""
    st = Path(path).stat()
    key = (str(path), str(src), st.st_mtime_ns, st.st_size)
    if key not in _IMPORTS:
        _IMPORTS[key] = frozenset(_parse_imports(Path(path), src))
    return set(_IMPORTS[key])


def _parse_imports(path: Path, src: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module.split(".")[0] == "analysis":
                names += [f"{node.module}.{a.name}" for a in node.names]  # a module of a package
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n for n in names if n.split(".")[0] == "analysis" and _module_file(src, n)}
    return out


def source_files(script: Path, src: Path) -> list[Path]:
    """The package files `script` runs: every module it imports, transitively, and the
    `__init__.py` of each package on the way; sorted."""
    seen: set[str] = set()
    todo = sorted(imported_modules(script, src))
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        parts = mod.split(".")
        todo += [".".join(parts[:k]) for k in range(1, len(parts))]  # parent packages run first
        todo += sorted(imported_modules(_module_file(src, mod), src) - seen)
    return sorted({_module_file(src, m) for m in seen})
