"""One home per default: the config schema (docs/decisions/0007). No function argument named
after a schema key has a default, and no module constant repeats a schema default."""

from __future__ import annotations

import ast

from conftest import ROOT

from analysis.core.yamlio import load_yaml

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
# Arguments that only look like schema keys: "no mapping" (None), a formatting width.
NOT_SCHEMA_VALUES = {"mapping": None, "tolerance": None}
# Constants equal to a default on purpose: the synthetic truth does not follow the config.
DELIBERATE = {
    "frame.py REGION_GROUPING",  # the demo frame is calibrated under this grouping (decision 0004)
    "register.py REPORT_REGISTER_END",  # the demo register's calibration ends where the report's data end
}


def schema_defaults(node: dict | None = None, path: tuple = ()) -> dict[tuple, object]:
    """(key path) -> default, for every key of the schema that has one."""
    node = load_yaml(SCHEMA) if node is None else node
    out = {path: node["default"]} if path and "default" in node else {}
    for key, sub in (node.get("properties") or {}).items():
        out |= schema_defaults(sub, (*path, key))
    return out


def _python_files():
    return sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "workflow" / "scripts").glob("*.py")])


def offenders(files, defaults) -> list[str]:
    names = {path[-1] for path in defaults}
    # values distinctive enough that an equal constant is a copy (not 3, True or "no")
    distinctive = [
        v
        for v in defaults.values()
        if isinstance(v, (dict, list, float)) and v or isinstance(v, str) and len(v) > 6
    ]
    out = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                pos = a.posonlyargs + a.args
                pairs = list(zip(pos[len(pos) - len(a.defaults) :], a.defaults))
                pairs += [(k, d) for k, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
                for arg, default in pairs:
                    value = ast.literal_eval(default) if isinstance(default, ast.Constant) else ...
                    copied = any(value == d and type(value) is type(d) for d in distinctive)
                    if copied or arg.arg in names and NOT_SCHEMA_VALUES.get(arg.arg, ...) != value:
                        out.append(f"{path.name}:{node.lineno} {node.name}({arg.arg}=)")
            elif isinstance(node, ast.Assign) and node.col_offset == 0:
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                name = ast.unparse(node.targets[0])
                if any(value == d and type(value) is type(d) for d in distinctive):
                    if f"{path.name} {name}" not in DELIBERATE:
                        out.append(f"{path.name}:{node.lineno} {name} =")
    return out


def test_no_schema_default_has_a_second_home_in_python():
    assert offenders(_python_files(), schema_defaults()) == []


def test_the_check_finds_default_arguments_and_copied_constants(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "SPLIT = {'1613': '5059'}\nLEVEL = 0.95\nN = 3\n"
        "def f(x, confidence=0.95, *, mapping=None, language='no', tol=0.95):\n    pass\n",
        encoding="utf-8",
    )
    defaults = {("harmonisation", "split_to"): {"1613": "5059"}, ("survey", "confidence"): 0.95}
    defaults |= {("language",): "no", ("mapping",): {}, ("protection", "threshold"): 3}
    assert offenders([probe], defaults) == [
        "probe.py:1 SPLIT =",
        "probe.py:2 LEVEL =",
        "probe.py:4 f(confidence=)",
        "probe.py:4 f(language=)",
        "probe.py:4 f(tol=)",
    ]
