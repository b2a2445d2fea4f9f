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

Every row carries the report's sentence (``text``), the ``basis`` of the numbers it was checked
on (``real``, ``synthetic`` or ``cited``, as in reproduction.csv) and a ``note`` in the report's
language (``claims_note.*`` and ``claims_why.<id>`` in the message catalogue): the comparison
with both sides rounded in the language's number style, the tolerance, or why the claim could
not be checked.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.core.tidy import KEY_COLUMNS
from analysis.report.numbers import fmt_number
from analysis.report.reproduction import basis_of_bases, positions_where, row_bases, row_basis

CLAIMS_COLUMNS = ["claim_id", "entry_id", "verdict", "left", "right", "note", "text", "basis"]
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
    """A side of a claim cannot be read from the tables: ``key`` names the catalogue message
    (``claims_note.<key>``) and ``values`` fill it; str() is the English reason."""

    def __init__(self, key: str, **values):
        self.key, self.values = key, values
        super().__init__(f"{key}: {values}")

    def text(self, t) -> str:
        return t(f"claims_note.{self.key}", **self.values)


def _key_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(selector: Mapping, entry_id: str) -> str:
    keys = ", ".join(f"{k}={_key_text(v)}" for k, v in selector.items() if k != "entry_id")
    return f"{selector.get('entry_id', entry_id)}[{keys}]"


def _matching(tables: Mapping[str, pd.DataFrame], entry_id: str, selector: Mapping):
    """``tables[entry]`` and the positions of its rows that match ``selector`` on its key columns
    (found through the index ``positions_where`` builds once per table; no frame of the rows is
    built: the scorecard reads ~500 sides, issue 28)."""
    entry = str(selector.get("entry_id", entry_id))
    where = describe(selector, entry_id)
    table = tables.get(entry)
    if table is None:
        raise Unresolved("no_table", entry=entry)
    unknown = [k for k in selector if k != "entry_id" and k not in KEY_COLUMNS]
    if unknown:
        raise Unresolved("not_key_columns", where=where, columns=", ".join(unknown))
    key = {c: _key_text(w) for c, w in selector.items() if c != "entry_id"}
    return table, positions_where(table, key, as_text=True)


def select(tables: Mapping[str, pd.DataFrame], entry_id: str, selector: Mapping) -> float:
    """The value of the one row of ``tables[entry]`` that matches ``selector`` on its key columns."""
    where = describe(selector, entry_id)
    table, pos = _matching(tables, entry_id, selector)
    if len(pos) != 1:
        raise Unresolved("matches_rows", where=where, count=len(pos))
    value = table["value"].iloc[pos[0]]
    if value is None or pd.isna(value):
        raise Unresolved("no_value", where=where)
    return float(value)


def side(tables: Mapping[str, pd.DataFrame], entry_id: str, spec) -> float:
    """A side of a claim: a number, one selector, or a list of selectors (summed)."""
    if isinstance(spec, bool):
        raise Unresolved("not_a_side", side=repr(spec))
    if isinstance(spec, (int, float)):
        return float(spec)
    if isinstance(spec, Mapping):
        return select(tables, entry_id, spec)
    if isinstance(spec, list) and spec:
        return sum(side(tables, entry_id, s) for s in spec)
    raise Unresolved("not_a_side", side=repr(spec))


def side_basis(tables: Mapping[str, pd.DataFrame], entry_id: str, spec, cited_roles) -> list[str]:
    """The basis of every table row a side reads (a plain number reads none)."""
    if isinstance(spec, Mapping):
        try:
            table, pos = _matching(tables, entry_id, spec)
        except Unresolved:
            return []
        # row_basis of the matching rows, from each row's basis (computed once per table)
        bases = row_bases(table, cited_roles)
        return [basis_of_bases(bases[p] for p in pos)] if len(pos) else []
    if isinstance(spec, list):
        return [b for s in spec for b in side_basis(tables, entry_id, s, cited_roles)]
    return []


def claim_basis(claim: Mapping, tables: Mapping[str, pd.DataFrame], cited_roles) -> str:
    """``synthetic`` if a row either side reads came from a synthetic input, ``cited`` if every
    one is a quoted published figure, else ``real``; a claim reading no row at all takes the
    basis of its entry's table (``cited`` without one: only the report's words are there)."""
    eid = claim["entry_id"]
    bases = side_basis(tables, eid, claim.get("left"), cited_roles)
    bases += side_basis(tables, eid, claim.get("right"), cited_roles)
    if not bases and tables.get(eid) is not None:
        bases = [row_basis(tables[eid], cited_roles)]
    return basis_of_bases(bases)


def _fmt(x: float, language: str) -> str:
    """A number of a claim's note as a reader reads it: whole numbers without decimals, shares
    at one decimal (two below 10), in the report's number style."""
    most = 2 if abs(x) < 10 else 1
    decimals = next((d for d in range(most) if abs(round(x, d) - x) < 1e-9), most)
    return fmt_number(x, decimals, language)


def _keys(spec, entry_id: str) -> str:
    """The rows a side reads, by their keys ('2021 own_experience'; '+' between summed rows), so
    that two claims on the same numbers but other rows stay apart; empty for a plain number."""
    if isinstance(spec, Mapping):
        other = str(spec.get("entry_id", entry_id))
        keys = " ".join(_key_text(v) for k, v in spec.items() if k != "entry_id")
        return f"{other} {keys}" if other != entry_id else keys
    if isinstance(spec, list):
        return " + ".join(_keys(s, entry_id) for s in spec)
    return ""


def _named(spec, entry_id: str, shown: str) -> str:
    keys = _keys(spec, entry_id)
    return f"{keys} = {shown}" if keys else shown


def _text(stmt: Mapping) -> str:
    return " ".join(str(stmt.get("phrase_no", "")).split())


def evaluate_claim(claim: Mapping, tables: Mapping[str, pd.DataFrame], t, language: str, cited_roles) -> dict:
    """One row of claims.csv for one claim; ``t`` is the report language's message catalogue."""
    cid, eid = claim["id"], claim["entry_id"]
    op, tol, offset = claim["op"], float(claim.get("tol", 0)), float(claim.get("offset", 0))
    row = {
        "claim_id": cid,
        "entry_id": eid,
        "left": None,
        "right": None,
        "text": _text(claim),
        "basis": claim_basis(claim, tables, cited_roles),
    }
    if op not in OPS:
        return {**row, "verdict": "unresolved", "note": t("claims_note.unknown_operator", op=repr(op))}
    try:
        left = side(tables, eid, claim["left"])
        right = side(tables, eid, claim["right"]) + offset
    except Unresolved as err:
        return {**row, "verdict": "unresolved", "note": err.text(t)}
    holds = OPS[op](left, right, tol)
    shown = "≈" if op == "approx" else op
    lhs = _named(claim["left"], eid, _fmt(left, language))
    rhs = _named(claim["right"], eid, _fmt(right - offset, language))
    if offset:
        rhs += f" {'+' if offset >= 0 else '−'} {_fmt(abs(offset), language)}"
    note = f"{lhs} {shown} {rhs}"
    if tol:
        note += " " + t("claims_note.tolerance", tol=_fmt(tol, language))
    if not holds and language == "en" and claim.get("reading"):
        note += f"; {claim['reading']}"
    return {**row, "left": left, "right": right, "verdict": "holds" if holds else "fails", "note": note}


def not_checkable_row(stmt: Mapping, t) -> dict:
    """A statement the catalogue cannot write as a comparison: why (``claims_why.<id>`` in the
    report's language, the catalogue's English ``why`` where the message catalogue has none),
    and whether the report rules it out: then it ``fails`` with the arithmetic, never with
    'not checkable'. Its basis is ``cited``: only the report's own words and numbers are there."""
    why = " ".join(str(stmt.get("why", "")).split())
    contradicted = why.startswith(CONTRADICTED)
    key = f"claims_why.{stmt['id']}"
    reason = t(key) if key in t else why
    return {
        "claim_id": stmt["id"],
        "entry_id": stmt.get("source_entry", ""),
        "verdict": "fails" if contradicted else "unresolved",
        "left": None,
        "right": None,
        "note": t("claims_note.contradicted" if contradicted else "claims_note.not_checkable", why=reason),
        "text": _text(stmt),
        "basis": "cited",
    }


def claims_scorecard(
    doc: Mapping, tables: Mapping[str, pd.DataFrame], t, language: str, cited_roles
) -> pd.DataFrame:
    """claims.csv: every claim evaluated, then every not_checkable statement, in catalogue order."""
    rows = [evaluate_claim(c, tables, t, language, cited_roles) for c in doc.get("claims") or []]
    rows += [not_checkable_row(s, t) for s in doc.get("not_checkable") or []]
    out = pd.DataFrame(rows, columns=CLAIMS_COLUMNS)
    out["left"] = pd.to_numeric(out["left"]).astype("float64")
    out["right"] = pd.to_numeric(out["right"]).astype("float64")
    return out


def summarise(card: pd.DataFrame) -> dict[str, int]:
    counts = card["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}
