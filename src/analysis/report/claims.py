"""The claims scorecard: the report's verbal statements checked against the tables the pipeline built.

``published_claims.yaml`` writes each checkable statement as a comparison over tidy-table rows:
a selector on each side picks exactly one row by key columns (the claim's ``entry_id`` unless the
selector names another), a list of selectors is summed, and the claim holds when
``left op (right + offset)`` holds with slack ``tol`` in the claim's favour. A selector that
matches no row or several rows, or a row without a value (suppressed, chapter left out), leaves the
claim ``unresolved``: the scorecard never guesses.

The statements the catalogue lists under ``not_checkable`` get a row too, so that a reviewer sees
every statement: ``fails`` where the catalogue shows that the report's own printed numbers
contradict the statement (its ``why`` gives the arithmetic), else ``unresolved``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.core.tidy import KEY_COLUMNS

CLAIMS_COLUMNS = ["claim_id", "entry_id", "verdict", "left", "right", "note"]
VERDICTS = ("holds", "fails", "unresolved")
OPS = {
    ">": lambda a, b, t: a > b - t,
    ">=": lambda a, b, t: a >= b - t,
    "<": lambda a, b, t: a < b + t,
    "<=": lambda a, b, t: a <= b + t,
    "approx": lambda a, b, t: abs(a - b) <= t,
}
# not_checkable statements whose reason shows the report's own numbers rule them out
CONTRADICTED = "contradicted by the report's own printed"


class Unresolved(Exception):
    """A side of a claim cannot be read from the tables (the message says why)."""


def _key_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(selector: Mapping, entry_id: str) -> str:
    keys = ", ".join(f"{k}={_key_text(v)}" for k, v in selector.items() if k != "entry_id")
    return f"{selector.get('entry_id', entry_id)}[{keys}]"


def select(tables: Mapping[str, pd.DataFrame], entry_id: str, selector: Mapping) -> float:
    """The value of the one row of ``tables[entry]`` that matches ``selector`` on its key columns."""
    entry = str(selector.get("entry_id", entry_id))
    where = describe(selector, entry_id)
    table = tables.get(entry)
    if table is None:
        raise Unresolved(f"no table {entry}")
    unknown = [k for k in selector if k != "entry_id" and k not in KEY_COLUMNS]
    if unknown:
        raise Unresolved(f"{where}: {unknown} are not key columns")
    mask = pd.Series(True, index=table.index)
    for col, want in selector.items():
        if col != "entry_id":
            mask &= table[col].astype(str) == _key_text(want)
    rows = table[mask]
    if len(rows) != 1:
        raise Unresolved(f"{where} matches {len(rows)} rows, not 1")
    value = rows["value"].iloc[0]
    if value is None or pd.isna(value):
        raise Unresolved(f"{where} has no value (suppressed or not computed)")
    return float(value)


def side(tables: Mapping[str, pd.DataFrame], entry_id: str, spec) -> float:
    """A side of a claim: a number, one selector, or a list of selectors (summed)."""
    if isinstance(spec, bool):
        raise Unresolved(f"side {spec!r} is neither a number nor a selector")
    if isinstance(spec, (int, float)):
        return float(spec)
    if isinstance(spec, Mapping):
        return select(tables, entry_id, spec)
    if isinstance(spec, list) and spec:
        return sum(side(tables, entry_id, s) for s in spec)
    raise Unresolved(f"side {spec!r} is neither a number nor a selector")


def _fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:.0f}"


def evaluate_claim(claim: Mapping, tables: Mapping[str, pd.DataFrame]) -> dict:
    """One row of claims.csv for one claim."""
    cid, eid = claim["id"], claim["entry_id"]
    op, tol, offset = claim["op"], float(claim.get("tol", 0)), float(claim.get("offset", 0))
    row = {"claim_id": cid, "entry_id": eid, "left": None, "right": None}
    if op not in OPS:
        return {**row, "verdict": "unresolved", "note": f"unknown operator {op!r}"}
    try:
        left = side(tables, eid, claim["left"])
        right = side(tables, eid, claim["right"]) + offset
    except Unresolved as err:
        return {**row, "verdict": "unresolved", "note": str(err)}
    holds = OPS[op](left, right, tol)
    shown = "≈" if op == "approx" else op
    rhs = _fmt(right - offset) + (f" {'+' if offset >= 0 else '-'} {_fmt(abs(offset))}" if offset else "")
    note = f"{_fmt(left)} {shown} {rhs}" + (f" (tol {_fmt(tol)})" if tol else "")
    if not holds:
        note += f"; {claim.get('reading', '')}".rstrip("; ")
    return {**row, "left": left, "right": right, "verdict": "holds" if holds else "fails", "note": note}


def not_checkable_row(stmt: Mapping) -> dict:
    """A statement the catalogue cannot write as a comparison: why, and whether the report rules it out."""
    why = " ".join(str(stmt.get("why", "")).split())
    verdict = "fails" if why.startswith(CONTRADICTED) else "unresolved"
    return {
        "claim_id": stmt["id"],
        "entry_id": stmt.get("source_entry", ""),
        "verdict": verdict,
        "left": None,
        "right": None,
        "note": f"not checkable: {why}",
    }


def claims_scorecard(doc: Mapping, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """claims.csv: every claim evaluated, then every not_checkable statement, in catalogue order."""
    rows = [evaluate_claim(c, tables) for c in doc.get("claims") or []]
    rows += [not_checkable_row(s) for s in doc.get("not_checkable") or []]
    out = pd.DataFrame(rows, columns=CLAIMS_COLUMNS)
    out["left"] = pd.to_numeric(out["left"]).astype("float64")
    out["right"] = pd.to_numeric(out["right"]).astype("float64")
    return out


def summarise(card: pd.DataFrame) -> dict[str, int]:
    counts = card["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}
