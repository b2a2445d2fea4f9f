"""The reproduction scorecard: every published number beside the number the pipeline computed.

Published numbers come from ``published_results.yaml``. A percentage or count is reproduced when
the computed value, rounded half-up to the published number of decimals, equals it. Where the
report contradicts itself the scorecard says ``published_conflict`` rather than hiding either
side: automatically when two published records for the same key disagree and the computed
value matches one of them, and by a recorded decision (``reproduction_decisions.yaml``) where
the report's own numbers cannot all be true (e.g. INC09).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from analysis.core.tidy import KEY_COLUMNS
from analysis.core.yamlio import load_yaml

NUMERIC_STATUSES = ("exact", "text", "derived")
SCORECARD_COLUMNS = [
    "entry_id",
    *KEY_COLUMNS,
    "status",
    "published",
    "computed",
    "verdict",
    "inconsistency",
    "note",
    "stated_in",
    "basis",
    "computed_rounded",
    "rounding",
    "tolerance",
]
BASES = ("real", "synthetic", "cited")
# how a computed value is compared with the published one (the ``rounding`` column)
RULE_HALF_UP = "half_up_to_published_decimals"
RULE_TOLERANCE = "within_tolerance"
_INC = re.compile(r"INC\d\d")


def load_published(path: str | Path) -> dict:
    return load_yaml(path)


def decimals_of(value) -> int:
    """Number of decimals as printed (YAML 5.8 -> 1, 117 -> 0, 8.473 -> 3)."""
    if isinstance(value, bool) or value is None:
        raise TypeError(value)
    if isinstance(value, int):
        return 0
    text = repr(float(value))
    if "e" in text or "E" in text:
        return max(0, -Decimal(text).as_tuple().exponent)
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def round_half_up(x: float, ndigits: int) -> Decimal:
    """Round as a reader of a printed table expects (2.45 -> 2.5), not banker's rounding."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)


def matches(published, computed, status: str = "exact", tolerance: float | None = None) -> bool:
    if computed is None or pd.isna(computed):
        return False
    if status == "text_approx":
        return abs(float(computed) - float(published)) <= float(tolerance or 0)
    d = decimals_of(published)
    return round_half_up(computed, d) == round_half_up(published, d)


def record_key(rec: dict) -> dict[str, str]:
    """The tidy key columns a published record uses (``period`` goes into ``year``)."""
    key = {}
    for col in KEY_COLUMNS:
        src = "period" if col == "year" and "year" not in rec and "period" in rec else col
        if src in rec and rec[src] is not None:
            v = rec[src]
            key[col] = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return key


def row_basis(rows: pd.DataFrame, cited_roles) -> str:
    """The basis of the number made from ``rows`` of a tidy table (CONTRACT.md, ``basis``):
    ``synthetic`` when a synthetic input contributed to any of them; else ``cited`` when every
    row is a published figure quoted with its source (its ``source`` names a cited input role,
    or is a citation rather than an input role: core.tidy.synthetic_flags reads it the same way);
    else ``real``. ``cited_roles``: the input roles that are published figures with a source."""
    if rows is None or rows.empty:
        return "cited"
    if "synthetic" in rows.columns and rows["synthetic"].astype(str).str.lower().eq("true").any():
        return "synthetic"
    if "source" not in rows.columns:
        return "real"
    return "cited" if bool(_cited(rows["source"].fillna("").astype(str), cited_roles).all()) else "real"


def _cited(source: pd.Series, cited_roles) -> pd.Series:
    """Per row: is its ``source`` (text, "" when empty) a cited input role or a citation rather
    than an input role (core.tidy.synthetic_flags reads it the same way)."""
    return source.isin(list(cited_roles)) | (source.ne("") & ~source.str.fullmatch(r"[a-z0-9_]+"))


def row_bases(table: pd.DataFrame, cited_roles) -> list[str]:
    """``row_basis`` of each row of ``table`` on its own (as ``row_basis(table.iloc[[i]])``),
    computed once per table: the scorecard asks it for ~600 single rows (issue 28)."""
    held = _memo(table)
    memo = ("basis", tuple(sorted(cited_roles)))
    bases = held[1].get(memo)
    if bases is None:
        n = len(table)
        syn = (
            table["synthetic"].astype(object).astype(str).str.lower().eq("true").tolist()
            if "synthetic" in table.columns
            else [False] * n
        )
        if "source" in table.columns:
            cited = _cited(table["source"].astype(object).fillna("").astype(str), cited_roles)
            other = ["cited" if c else "real" for c in cited.tolist()]
        else:
            other = ["real"] * n
        bases = held[1][memo] = ["synthetic" if y else o for y, o in zip(syn, other)]
    return bases


def basis_of_bases(bases) -> str:
    """Several numbers combined (a claim's two sides): synthetic if any is, cited if all are."""
    bases = list(bases)
    if "synthetic" in bases:
        return "synthetic"
    if bases and all(b == "cited" for b in bases):
        return "cited"
    return "real" if bases else "cited"


# per table (held, so that its id is not reused) and key columns: key values -> row positions
_KEY_INDEX: dict[int, tuple[pd.DataFrame, dict[tuple, dict[tuple, list[int]]]]] = {}


def _memo(table: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """``table`` and its memo of things computed once per table (indexes, bases, empty masks)."""
    held = _KEY_INDEX.get(id(table))
    if held is None or held[0] is not table:
        held = _KEY_INDEX[id(table)] = (table, {})
    return held


def positions_where(table: pd.DataFrame, key: Mapping, as_text: bool = False) -> list[int] | range:
    """The positions of ``table``'s rows whose columns equal ``key``'s values (see rows_where)."""
    cols = tuple(key)
    if not cols:
        return range(len(table))
    held = _memo(table)
    index = held[1].get((cols, as_text))
    if index is None:
        index = {}
        columns = [table[c].astype(str) if as_text else table[c] for c in cols]
        for pos, vals in enumerate(zip(*(c.tolist() for c in columns))):
            index.setdefault(vals, []).append(pos)
        held[1][(cols, as_text)] = index
    return index.get(tuple(key.values()), [])


def rows_where(table: pd.DataFrame, key: Mapping, as_text: bool = False) -> pd.DataFrame:
    """``table``'s rows whose columns equal ``key``'s values: the same rows, order and index labels
    as ``table[(table[c1] == v1) & ...]`` (with ``as_text``: ``table[c].astype(str) == v``), through
    an index built once per table and set of key columns. The scorecards look up ~600 published
    numbers; a boolean selection over a whole table per lookup was ~80 % of their jobs (issue 28)."""
    return table.iloc[positions_where(table, key, as_text)] if key else table


def _others_empty(table: pd.DataFrame, others: tuple[str, ...]):
    """Per row of ``table``: are all of ``others`` empty (``(table[others] == "").all(axis=1)``),
    computed once per table and set of columns."""
    held = _memo(table)
    empty = held[1].get(("empty", others))
    if empty is None:
        empty = held[1][("empty", others)] = (table[list(others)] == "").all(axis=1).to_numpy()
    return empty


def _row_position(table: pd.DataFrame, key: dict[str, str]) -> int | None:
    """Position of the row ``lookup`` reads: the first of ``key``'s rows whose other key columns
    are empty, else the first of them; None when no row has ``key`` (the same row as selecting
    ``key``'s rows and then the empty ones, without building either frame)."""
    pos = positions_where(table, key)
    if not len(pos):
        return None
    others = tuple(c for c in KEY_COLUMNS if c not in key)
    if others:
        empty = _others_empty(table, others)
        return next((p for p in pos if empty[p]), pos[0])
    return pos[0]


def lookup_row(table: pd.DataFrame | None, key: dict[str, str]):
    """The row holding the computed value for ``key`` (rows with other key columns empty are
    preferred), or None."""
    if table is None or table.empty:
        return None
    pos = _row_position(table, key)
    return None if pos is None else table.iloc[pos]


def lookup(table: pd.DataFrame | None, key: dict[str, str]):
    """Find the computed value for ``key``; rows with other key columns empty are preferred."""
    row = lookup_row(table, key)
    if row is None:
        return None, None
    return float(row["value"]), (None if pd.isna(row["n"]) else int(row["n"]))


def lookup_rank_tie(table: pd.DataFrame | None, key: dict[str, str]):
    """Rank tables (Tabell 12.1): tied values are compared as sets, not by tie-break order.

    When no row has exactly (rank, kommune), find the kommune's row with the other keys; it
    counts if its value is tied with the value at the published rank, i.e. the published rank
    lies within the block of consecutive ranks that share the kommune's computed value.
    Returns (value, note) or (None, None).
    """
    if table is None or table.empty or "rank" not in key or "kommune" not in key:
        return None, None
    rest = {c: v for c, v in key.items() if c not in ("rank", "kommune")}
    block = rows_where(table, rest)
    block = block[block["rank"] != ""]
    mine = block[block["kommune"] == key["kommune"]]
    if mine.empty:
        return None, None
    value = float(mine["value"].iloc[0])
    tied = block[block["value"] == value]
    ranks = sorted(int(r) for r in tied["rank"])
    if int(key["rank"]) not in ranks:
        return None, None
    return value, f"tied ranks {ranks[0]}-{ranks[-1]} compared as a set"


def _decision_for(decisions: list[dict], entry_id: str, key: dict, value) -> dict | None:
    for d in decisions:
        if d["entry_id"] != entry_id:
            continue
        if {k: str(v) for k, v in d.get("key", {}).items()} != key:
            continue
        if "published" in d and value is not None and float(d["published"]) != float(value):
            continue
        return d
    return None


def scorecard(
    published: dict,
    tables: dict[str, pd.DataFrame],
    decisions: list[dict] | None = None,
    entries: set[str] | None = None,
    cited_roles=(),
) -> pd.DataFrame:
    """One row per published number of every ``compute`` entry (and any entry with a table),
    with the ``basis`` of the computed number (``row_basis``), the computed value rounded as the
    comparison rounds it and the rule (``rounding``) and ``tolerance`` the comparison used."""
    decisions = decisions or []
    rows = []
    for entry in published["entries"]:
        eid = entry["id"]
        if entry.get("qualitative") or (entry.get("reproduction") != "compute" and eid not in tables):
            continue
        if entries is not None and eid not in entries:
            continue
        table = tables.get(eid)
        recs = [r for r in entry.get("values", []) if r.get("status") in (*NUMERIC_STATUSES, "text_approx")]
        by_key: dict[tuple, list] = {}
        for r in recs:
            by_key.setdefault(tuple(sorted(record_key(r).items())), []).append(r)
        for r in recs:
            key = record_key(r)
            status = r["status"]
            pub = r.get("approx_value") if status == "text_approx" else r.get("value")
            if pub is None:
                continue
            tol = r.get("tolerance_pp", r.get("tolerance"))
            # the row lookup() reads its value from (one lookup for both)
            pos = None if table is None or table.empty else _row_position(table, key)
            computed = None if pos is None else float(table["value"].iloc[pos])
            source_rows = None
            tie_note = ""
            if computed is None:
                computed, tie_note = lookup_rank_tie(table, key)
                if computed is not None:
                    source_rows = table[table["kommune"] == key["kommune"]]
            if source_rows is None:  # nothing computed: the basis the entry's table would have
                source_rows = table
            incs = sorted(set(_INC.findall(" ".join(str(r.get(k, "")) for k in ("note", "interpretation")))))
            note = ""
            if computed is None:
                verdict = "missing"
                note = "no computed value" if table is not None else "no computed table for this entry"
            elif matches(pub, computed, status, tol):
                verdict = "match"
                note = tie_note or ""
            else:
                verdict = "mismatch"
                siblings = [
                    s
                    for s in by_key[tuple(sorted(key.items()))]
                    if s is not r and s.get("value") is not None and s.get("value") != pub
                ]
                if any(matches(s["value"], computed, s["status"]) for s in siblings):
                    verdict = "published_conflict"
                    note = (
                        "the report prints another value for the same number, which the computation matches"
                    )
                dec = _decision_for(decisions, eid, key, pub)
                if dec is not None:
                    verdict = dec.get("verdict", "published_conflict")
                    note = dec["reason"]
                    incs = sorted(set(incs) | set(_INC.findall(dec.get("inconsistency", ""))))
            row = {
                "entry_id": eid,
                **{c: key.get(c, "") for c in KEY_COLUMNS},
                "status": status,
                "published": pub,
                "computed": computed,
                "verdict": verdict,
                "inconsistency": ";".join(incs),
                "note": note,
                "stated_in": r.get("stated_in", ""),
                "basis": row_bases(table, cited_roles)[pos]
                if pos is not None
                else row_basis(source_rows, cited_roles),
                **_rounding(pub, computed, status, tol),
            }
            rows.append(row)
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


def _rounding(published, computed, status: str, tolerance) -> dict:
    """The computed value as the comparison sees it, and the rule: rounded half-up to the
    published number's decimals, or (``text_approx``) unrounded within a tolerance."""
    if status == "text_approx":
        return {"computed_rounded": computed, "rounding": RULE_TOLERANCE, "tolerance": float(tolerance or 0)}
    rounded = (
        None
        if computed is None or pd.isna(computed)
        else float(round_half_up(computed, decimals_of(published)))
    )
    return {"computed_rounded": rounded, "rounding": RULE_HALF_UP, "tolerance": None}


def summarise_basis(card: pd.DataFrame, verdict: str = "match") -> dict[str, int]:
    """How many rows of a verdict rest on real data, on synthetic data, on cited figures."""
    counts = card.loc[card["verdict"] == verdict, "basis"].value_counts()
    return {b: int(counts.get(b, 0)) for b in BASES}


def summarise(card: pd.DataFrame) -> dict[str, int]:
    counts = card["verdict"].value_counts().to_dict()
    return {v: int(counts.get(v, 0)) for v in ("match", "mismatch", "missing", "published_conflict")}
