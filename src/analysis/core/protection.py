"""Disclosure control: the one layer every person-level output passes through.

A statistics office's three steps (docs/decisions/0020):

1. **Primary suppression.** A person count ``0 < v < threshold`` is not shown (its value is
   emptied, the reader sees the range "1–2"). A statistic (mean, quantile, share, rate)
   computed on ``0 < n < threshold`` persons is not shown either ("n<3"). Zeros are shown.
2. **Secondary suppression by linear dependency** (:func:`gauss_secondary`), in the manner of
   SSB's GaussSuppression: every published number is a linear function of *inner cells*
   (persons per year, kommune, flag, ...), so a hidden cell can be recovered when its vector
   lies in the span of the published vectors. Published cells are taken in order of how much
   we want them shown; one that would make a hidden cell (or any combination of hidden
   ranges) derivable is hidden too ("x"). Small *atoms* (groups a reader can isolate by
   differencing although no table shows them) are protected the same way.
3. **Safe placement.** Ranked and sorted tables put every protected row after the shown ones
   in a fixed order (by code), without rank or rate, so position says nothing.

Tables carry the result in ``protected`` ('' / 'primary' / 'small_n' / 'secondary') and in a
``<column>_label`` column per protected column (``value_label``, ``n_label``, ...): what a
reader sees instead of the emptied number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SECONDARY_LABEL = "x"
# cells that follow their sources: hidden when any source is hidden. ``units``: a count of units
# (kommuner, bydeler) practising, a lower bound of the person count it follows (issue 27)
FOLLOWERS = ("derived", "ratio", "units")
MIN_THRESHOLD = 3  # the schema's minimum too (docs/decisions/0020)
_P = 2_147_483_629  # a prime below 2**31: exact elimination in int64 (products < 2**62)


_PERIOD = re.compile(r"^\d{4}-\d{4}$")


def is_period(year) -> bool:
    """A plan's period key ("2016-2021": the register's first to last year) rather than one year."""
    return isinstance(year, str) and bool(_PERIOD.match(year))


def range_label(threshold: int) -> str:
    """What a reader sees for a primary-suppressed count: "1–2" for threshold 3."""
    return "1" if threshold == 2 else f"1–{threshold - 1}"


def small_n_label(threshold: int) -> str:
    """What a reader sees for a statistic on fewer than ``threshold`` persons."""
    return f"n<{threshold}"


# --- linear algebra over GF(p): exact, and a dependency over the rationals is one over GF(p) ---


class _Echelon:
    """A growing row-echelon basis over GF(p) (rows fully reduced on their pivots)."""

    def __init__(self, width: int):
        self.rows = np.zeros((0, width), dtype=np.int64)
        self.pivots: list[int] = []

    def reduce(self, v: np.ndarray) -> np.ndarray:
        """v minus its projection on the basis: the rows are fully reduced (each pivot column is
        a unit column), so that is one product; split in 16-bit halves to stay inside int64."""
        r = v.astype(np.int64) % _P
        if not self.pivots:
            return r
        c = r[self.pivots]
        hi, lo = c >> 16, c & 0xFFFF
        proj = (((hi @ self.rows) % _P) * 65536 + (lo @ self.rows) % _P) % _P
        return (r - proj) % _P

    def contains(self, v: np.ndarray) -> bool:
        return not self.reduce(v).any()

    def add(self, v: np.ndarray) -> np.ndarray | None:
        """Add ``v``; return its reduced residual (normalised), or None if already spanned."""
        r = self.reduce(v)
        nz = np.flatnonzero(r)
        if nz.size == 0:
            return None
        j = int(nz[0])
        r = (r * pow(int(r[j]), _P - 2, _P)) % _P
        if len(self.rows):
            col = self.rows[:, j].copy()
            self.rows = (self.rows - np.outer(col, r)) % _P
        self.rows = np.vstack([self.rows, r])
        self.pivots.append(j)
        return r


def gauss_secondary(
    vectors: np.ndarray,
    primary: Sequence[bool],
    order: Sequence[int],
    hidden: np.ndarray | None = None,
    shown: Sequence[int] = (),
) -> np.ndarray:
    """Secondary suppression by linear dependency.

    ``vectors`` (cells x inner cells, 0/1 or small integers): what each published cell sums.
    ``primary``: cells already hidden. ``order``: the other cells, most wanted shown first.
    ``hidden``: vectors of unpublished groups that must not become derivable either (small atoms,
    differences between two releases). ``shown``: cells published already (by an earlier
    release): they are in the published span from the start, whatever they reveal.

    A cell is published when it is already derivable from the published ones (it adds nothing),
    or when publishing it makes derivable neither any nonzero combination of primary cells (a
    published range "1–2" plus a derivable sum or difference of ranges can pin the values) nor
    any ``hidden`` group. Otherwise it is hidden (returned True).
    """
    vectors = np.asarray(vectors, dtype=np.int64)
    width = vectors.shape[1]
    published = _Echelon(width)  # span of the cells published so far
    with_primary = _Echelon(width)  # span of those plus every primary cell
    for i in np.flatnonzero(np.asarray(primary, dtype=bool)):
        with_primary.add(vectors[i])
    hid = np.zeros((0, width), dtype=np.int64) if hidden is None else np.asarray(hidden, dtype=np.int64) % _P
    secondary = np.zeros(len(vectors), dtype=bool)
    for i in shown:
        new = published.add(vectors[i])
        with_primary.add(vectors[i])
        if new is not None and len(hid):
            j = published.pivots[-1]
            hid = (hid - np.outer(hid[:, j], new)) % _P
    for i in order:
        v = vectors[i]
        r = published.reduce(v)
        if not r.any():
            continue  # derivable already: showing it tells nothing new
        if with_primary.contains(v):
            secondary[i] = True
            continue
        if len(hid) and _spans_hidden(hid, r):
            secondary[i] = True
            continue
        new = published.add(v)
        with_primary.add(v)
        if len(hid):  # hidden rows stay reduced: only the new pivot needs clearing
            j = published.pivots[-1]
            hid = (hid - np.outer(hid[:, j], new)) % _P
    return secondary


def _spans_hidden(hid: np.ndarray, r: np.ndarray) -> bool:
    """Would adding residual ``r`` make some hidden row (already reduced) derivable, i.e. is a
    reduced hidden row a multiple of ``r``?"""
    j = int(np.flatnonzero(r)[0])
    cand = hid[hid[:, j] != 0]
    if not len(cand):
        return False
    rn = (r * pow(int(r[j]), _P - 2, _P)) % _P
    diff = (cand - np.outer(cand[:, j], rn)) % _P
    return bool((~diff.any(axis=1)).any())


# --- cells: which number of which table is what -----------------------------------------------


@dataclass
class Cell:
    """One published number: ``table`` row ``row`` (position), column ``column``.

    kind: ``count`` (persons; ``members`` the inner cells it sums), ``stat`` (a linear statistic
    such as a mean or share over the persons in ``members``; ``n`` its base), ``quantile`` (a
    non-linear statistic: only the small-n rule), ``derived`` (a function of ``sources``: hidden
    when any source is hidden), ``ratio`` (a share or rate whose numerator and denominator are
    the cells ``sources``; hidden when either is), ``units`` (a count of units practising, which
    bounds the person count ``sources`` from below; hidden when it is).
    ``space`` names the inner cells ``members`` index (``persons``, ``wait_sum``, ...).
    ``priority``: higher = rather shown (national totals, ranked rows).
    """

    table: str
    row: int
    column: str
    kind: str
    space: str = "persons"
    members: np.ndarray | None = None
    value: float = float("nan")
    n: int = 0
    sources: list[int] = field(default_factory=list)
    priority: int = 0
    key: object = None  # the same key in several spaces: one number, hidden everywhere or nowhere
    # an earlier release (issue 27): ``fixed`` 'shown' / 'hidden' for a cell as that release
    # published it (its persons then), 'forced' for a cell it hid (hidden again); ``twin`` on
    # such an earlier cell: the index of today's cell it is the earlier version of
    fixed: str = ""
    twin: int | None = None


def atoms(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Atom id per inner cell, and one inner cell per atom: inner cells in exactly the same
    published cells form one atom (the finest group of persons a reader can isolate)."""
    packed = np.packbits(np.asarray(vectors, dtype=bool), axis=0).T  # one byte row per inner cell
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    return inv.ravel(), first


def decide(cells: list[Cell], sizes: dict[str, np.ndarray], threshold: int) -> list[str]:
    """The protection of every cell: '' (shown), 'primary', 'small_n' or 'secondary'.

    ``sizes[space]``: persons per inner cell of each space (for the small-atom rule). Cells that
    share a ``key`` are one number: the spaces are solved again until every such number is
    hidden in all of them or in none (linked tables).
    """
    first = [""] * len(cells)
    for i, c in enumerate(cells):
        if c.fixed == "hidden":  # hidden by the earlier release: no combination may reveal it
            first[i] = "primary"
        elif c.fixed == "shown":  # published by the earlier release: known, whatever it is
            continue
        elif c.kind in ("count", "units") and 0 < c.value < threshold:
            first[i] = "primary"
        elif c.kind in ("stat", "quantile") and 0 < c.n < threshold:
            first[i] = "small_n"
        elif c.fixed == "forced":  # today's version of a cell the earlier release hid
            first[i] = "secondary"
    keys = [c.key if c.key is not None else i for i, c in enumerate(cells)]
    forced: set = set()
    for _ in range(10):
        status = list(first)
        for i in range(len(cells)):
            if not status[i] and keys[i] in forced:
                status[i] = "secondary"
        for space, size in sizes.items():
            _solve_space(cells, status, space, size, threshold)
        hidden = {keys[i] for i, s in enumerate(status) if s and cells[i].key is not None}
        if hidden <= forced:
            break
        forced |= hidden
    # shares, rates and derived numbers follow their sources
    changed = True
    while changed:
        changed = False
        for i, c in enumerate(cells):
            if c.kind in FOLLOWERS and not status[i] and any(status[s] for s in c.sources):
                status[i] = "secondary"
                changed = True
    return status


def _solve_space(cells: list[Cell], status: list[str], space: str, size: np.ndarray, threshold: int) -> None:
    """Secondary suppression among the linear cells of one space (``status`` updated in place)."""
    idx = [i for i, c in enumerate(cells) if c.space == space and c.kind in ("count", "stat")]
    if not idx:
        return
    vec = np.vstack([cells[i].members for i in idx]).astype(bool)
    # merge inner cells into atoms: the problem's true width, and the hidden groups
    group, first = atoms(vec)
    n_atoms = len(first)
    merged = vec[:, first].astype(np.int64)
    atom_size = np.bincount(group, weights=size, minlength=n_atoms)
    small = np.flatnonzero((atom_size > 0) & (atom_size < threshold))
    hidden = np.eye(n_atoms, dtype=np.int64)[small]
    # identical vectors are one published quantity: hidden together
    _, same = np.unique(merged, axis=0, return_inverse=True)
    same = same.ravel()
    # two releases: the persons a cell has gained since the earlier release are a group its two
    # versions give by difference; 1..threshold-1 of them must not become derivable either
    pos = {i: k for k, i in enumerate(idx)}
    diffs = [
        merged[pos[c.twin]] - merged[k]
        for k, c in ((k, cells[i]) for k, i in enumerate(idx))
        if c.twin is not None and c.twin in pos
    ]
    diffs = [d for d in diffs if 0 < d @ atom_size < threshold]
    if diffs:
        hidden = np.vstack([hidden, np.array(diffs, dtype=np.int64)])
    shown = np.array([cells[i].fixed == "shown" for i in idx])
    # primary (and small-n) cells: no combination of them may become derivable; cells already
    # hidden for other reasons (linked from another space) are simply not published
    prim = np.array([status[i] in ("primary", "small_n") for i in idx])
    out = np.array([status[i] != "" for i in idx])
    for g in np.unique(same[prim]):
        prim |= same == g
    for g in np.unique(same[out]):
        out |= same == g
    prio = np.array([cells[i].priority for i in idx])
    size_of = merged @ atom_size
    zero = size_of == 0  # a known zero reveals nothing and is always shown: taken first
    order = [
        k
        for k in np.lexsort((np.arange(len(idx)), -size_of, -prio, ~zero))
        if not (prim[k] or out[k] or shown[k])
    ]
    sec = gauss_secondary(merged, prim, order, hidden, shown=np.flatnonzero(shown & ~prim))
    for g in np.unique(same[sec]):
        sec |= same == g
    for k, i in enumerate(idx):
        if (prim[k] or sec[k]) and not status[i]:
            status[i] = "secondary"


def apply(tables: dict[str, pd.DataFrame], cells: list[Cell], status: list[str], threshold: int) -> dict:
    """Empty every protected cell of ``tables`` and write its label; return new tables."""
    out = {k: v.copy() for k, v in tables.items()}
    touched = {c.table for c in cells}
    for t in touched:
        if "protected" not in out[t].columns:
            out[t]["protected"] = ""
    for c, s in zip(cells, status):
        if not s:
            continue
        df = out[c.table]
        label_col = f"{c.column}_label"
        if label_col not in df.columns:
            df[label_col] = ""
        label = {
            "primary": range_label(threshold),
            "small_n": small_n_label(threshold),
            "secondary": SECONDARY_LABEL,
        }[s]
        pos = df.index[c.row]
        df.loc[pos, label_col] = label
        df.loc[pos, c.column] = pd.NA if str(df[c.column].dtype) == "Int64" else np.nan
        if c.column == "value" or not df.loc[pos, "protected"]:
            df.loc[pos, "protected"] = s
    return out


def apply_plan(tables: dict[str, pd.DataFrame], plan: pd.DataFrame, threshold: int) -> dict:
    """Apply a stored plan (``entry_id, row, column, status`` and the row's key columns, as
    written by the protection rule) to the tables it names; a key mismatch is an error, never a
    silently misplaced suppression."""
    out = {k: v.copy() for k, v in tables.items()}
    labels = {
        "primary": range_label(threshold),
        "small_n": small_n_label(threshold),
        "secondary": SECONDARY_LABEL,
    }
    for eid, rows in plan.groupby("entry_id", sort=False):
        if eid not in out:
            continue
        df = out[eid]
        df["protected"] = ""
        for r in rows.itertuples(index=False):
            pos = df.index[int(r.row)]
            for k in ("year", "series", "kommune", "group"):
                if str(df.at[pos, k]) != str(getattr(r, k)):
                    raise ValueError(f"protection plan does not fit {eid} row {r.row}: {k} differs")
            if not r.status:
                continue
            label_col = f"{r.column}_label"
            if label_col not in df.columns:
                df[label_col] = ""
            df.at[pos, label_col] = labels[r.status]
            if pd.api.types.is_integer_dtype(df[r.column].dtype):
                df[r.column] = df[r.column].astype("Int64")
                df.at[pos, r.column] = pd.NA
            else:
                df.at[pos, r.column] = np.nan
            if r.column == "value" or not df.at[pos, "protected"]:
                df.at[pos, "protected"] = r.status
    return out


def summary_table(plan: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``x_protection_summary``: per table (``item``) and rule (``category``: shown, primary,
    small_n, secondary) how many register-based numbers; ``item = all`` sums the tables. The
    method appendix reads its numbers from here."""
    from analysis.core.tidy import tidy

    status = plan["status"].replace("", "shown")
    counts = pd.crosstab(plan["entry_id"], status)
    rules = ["shown", "primary", "small_n", "secondary"]
    counts = counts.reindex(columns=rules, fill_value=0)
    recs = [
        {"item": eid, "category": rule, "value": int(counts.at[eid, rule]), "group": f"threshold {threshold}"}
        for eid in sorted(counts.index)
        for rule in rules
    ]
    recs += [
        {"item": "all", "category": rule, "value": int(counts[rule].sum()), "group": f"threshold {threshold}"}
        for rule in rules
    ]
    return tidy("x_protection_summary", pd.DataFrame(recs))


def protect_counts(
    df: pd.DataFrame, threshold: int, group_cols: list[str] | None = None, value_col: str = "value"
) -> pd.DataFrame:
    """A stand-alone table of person counts whose group totals are published: primary and
    secondary suppression by :func:`gauss_secondary` (each group's total is taken as shown)."""
    out = df.copy()
    v = pd.to_numeric(out[value_col]).fillna(0).to_numpy()
    groups = (
        out.groupby(group_cols, sort=False).ngroup().to_numpy() if group_cols else np.zeros(len(out), int)
    )
    n = len(out)
    cells = [
        Cell("t", i, value_col, "count", members=np.eye(n, dtype=np.int64)[i], value=v[i]) for i in range(n)
    ]
    for g in np.unique(groups):
        cells.append(
            Cell(
                "t",
                -1,
                "total",
                "count",
                members=(groups == g).astype(np.int64),
                value=v[groups == g].sum(),
                priority=1,
            )
        )
    status = decide(cells, {"persons": v}, threshold)[:n]
    primary = np.array([s == "primary" for s in status])
    secondary = np.array([s == "secondary" for s in status])
    out["protected"] = np.where(primary, "primary", np.where(secondary, "secondary", ""))
    labels = pd.Series(v, index=out.index).map(lambda x: f"{x:.0f}")
    labels[primary] = range_label(threshold)
    labels[secondary] = SECONDARY_LABEL
    out["value_label"] = labels
    out.loc[primary | secondary, value_col] = np.nan
    return out


# --- the values before protection, written once (docs/decisions/0170) ---------------------------
# With protection on, rule protection builds every value of the stages it plans for (scope and
# waiting) and writes them under data/processed/unprotected/<stage>/<name>.parquet; the stage
# rule reads them as its inputs ``unprotected_<name>``, applies the plan and publishes. They are
# internal files: never published, never hashed (docs/decisions/0100).
UNPROTECTED_INPUT = "unprotected_"


def write_unprotected(frames: dict[str, pd.DataFrame], paths) -> None:
    """Each frame to the path of ``paths`` named ``<name>.parquet``; a frame without a path or a
    path without a frame is an error (the rule's outputs and the stage's values must agree)."""
    from pathlib import Path

    from analysis.core.files import write_parquet

    by_name = {Path(p).name.removesuffix(".parquet"): p for p in paths}
    if set(by_name) != set(frames):
        raise ValueError(
            f"values before protection {sorted(frames)} do not match the rule's outputs {sorted(by_name)}"
        )
    for name, frame in frames.items():
        write_parquet(frame, by_name[name])


def read_unprotected(named_inputs) -> dict[str, pd.DataFrame]:
    """The values before protection among a rule's named inputs (``unprotected_<name>``), by name,
    each with the column types it was written with (:func:`_read_as_written`)."""
    return {
        name.removeprefix(UNPROTECTED_INPUT): _read_as_written(path)
        for name, path in named_inputs.items()
        if name.startswith(UNPROTECTED_INPUT)
    }


def _read_as_written(path) -> pd.DataFrame:
    """A Parquet file of :func:`write_unprotected` as the frame that was written: pandas reads a
    column of strings back as ``str`` and one of flags with gaps (``tie_at_cutoff``) as objects
    with None; the tables' object columns (tidy's key columns among them) come back as objects,
    gaps as NaN, so the stage publishes from exactly what the plan was made on."""
    import pyarrow.parquet as pq

    frame = pd.read_parquet(path)
    written = {c["name"]: c["numpy_type"] for c in pq.read_schema(path).pandas_metadata["columns"]}
    for col in frame.columns:
        if written.get(col) == "object":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), np.nan)
    return frame
