"""Which number of which register table counts which persons: the input of the protection layer.

Every register-based number of the scope and waiting tables becomes a :class:`Cell`: a person
count (``persons`` space: the inner cells are persons per year, 2020 kommune, agreed flag,
resettlement, household and waiting population), a linear statistic on a group of the waiting
population (``wait_mean`` and ``within_{3,6,12}`` spaces: inner cells per year, flag and
household), a quantile, a share/rate (hidden with its numerator or denominator) or a derived
difference. :func:`plan` runs :func:`analysis.core.protection.decide` over all of them at once,
so a number hidden in one table cannot be recovered from another.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.protection import Cell, decide, is_period

# ``new``: settled after the earlier release's register_end (all False without one, issue 27)
PERSON_DIMS = ["year", "kommune", "flag", "ovf", "hh", "waiting", "new"]
WAIT_DIMS = ["year", "flag", "hh", "new"]
HH = {"enslig_voksen": "single", "barnefamilie": "family"}
# waiting groups (imdi.waiting.WAIT_GROUPS) as predicates on flag and household
GROUP_PRED = {
    "total": {},
    "families": {"hh": "family"},
    "single_adults": {"hh": "single"},
    "avtalt": {"flag": 1},
    "ordinaer": {"flag": 0},
    "avtalt_single_adults": {"flag": 1, "hh": "single"},
    "ordinaer_single_adults": {"flag": 0, "hh": "single"},
}
WAIT_SERIES = {  # text_ch4_1_1 series -> waiting group
    "asb_mean_wait_months": "avtalt",
    "ordinary_mean_wait_months": "ordinaer",
    "all_settled_mean_wait_months": "total",
    "asb_single_adults_mean_wait_months": "avtalt_single_adults",
    "ordinary_single_adults_mean_wait_months": "ordinaer_single_adults",
}
OSLO = "0301"


def person_frame(register: pd.DataFrame, previous_end: str | None = None) -> pd.DataFrame:
    """Persons reduced to the dimensions the register tables use; ``new``: settled after
    ``previous_end`` (the earlier release's register_end), so not in that release."""
    kat = register["kategori"].astype(str)
    if previous_end and "bosettingsdato" in register.columns:
        new = pd.to_datetime(register["bosettingsdato"]) > pd.Timestamp(previous_end)
    else:
        new = pd.Series(False, index=register.index)
    return pd.DataFrame(
        {
            "year": pd.to_numeric(register["year"]).astype(int),
            "kommune": register["kommunenummer_2020"].astype(str),
            "flag": pd.to_numeric(register["avtalt_selvbosetting"]).astype(int),
            "ovf": kat == "overforing",
            "hh": register["husholdningstype"].map(HH).fillna("other"),
            "waiting": (kat != "overforing") & pd.to_numeric(register["wait_months"]).notna(),
            "new": new.to_numpy(),
        }
    )


class _Builder:
    """Collects cells; :meth:`finish` gives them their vectors.

    Person counts live in two linked spaces, so that the problem stays small: ``persons_n``
    (national cells: inner cells per year, flag, resettlement, household, waiting) and
    ``persons_k`` (kommune cells: per kommune, flag and year where some table shows that
    kommune's year, else the whole period). The national period totals are in both; a cell
    hidden in one space is hidden in the other (``key``), see :func:`decide`.
    """

    def __init__(self, persons: pd.DataFrame):
        self.persons = persons
        self.inner = persons.groupby(PERSON_DIMS, sort=True).size().rename("n").reset_index()
        w = persons[persons["waiting"]]
        self.winner = w.groupby(WAIT_DIMS, sort=True).size().rename("n").reset_index()
        self.cells: list[Cell] = []
        self.preds: list[list[dict] | None] = []

    _columns: dict = {}

    @classmethod
    def _mask(cls, frame: pd.DataFrame, pred: dict) -> np.ndarray:
        cols = cls._columns.get(id(frame))
        if cols is None or cols[0] is not frame:
            cols = (frame, {c: frame[c].to_numpy() for c in frame.columns})
            cls._columns[id(frame)] = cols
        arrays = cols[1]
        m = np.ones(len(frame), dtype=bool)
        for k, v in pred.items():
            if k == "year" and is_period(v):
                continue
            col = "bucket" if (k == "year" and "bucket" in arrays) else k
            want = str(int(v)) if col == "bucket" else (int(v) if k == "year" else v)
            m &= arrays[col] == want
        return m

    def count(self, table, row, column, pred, priority=0) -> int:
        preds = pred if isinstance(pred, list) else [pred]
        m = np.zeros(len(self.inner), dtype=bool)
        for p in preds:
            m |= self._mask(self.inner, p)
        value = float(self.inner["n"].to_numpy()[m].sum())
        key = ("persons", frozenset(frozenset((k, str(v)) for k, v in p.items()) for p in preds))
        self.cells.append(Cell(table, row, column, "count", value=value, priority=priority, key=key))
        self.preds.append(preds)
        return len(self.cells) - 1

    def stat(self, table, row, space, year, group, kind="stat") -> int:
        pred = {"year": year, **GROUP_PRED[group]}
        m = self._mask(self.winner, pred)
        n = int(self.winner.loc[m, "n"].sum())
        self.cells.append(Cell(table, row, "value", kind, space=space, members=m.astype(np.int64), n=n))
        self.preds.append(None)
        return len(self.cells) - 1

    def follow(self, table, row, column, sources, kind="ratio") -> int:
        self.cells.append(Cell(table, row, column, kind, sources=list(sources)))
        self.preds.append(None)
        return len(self.cells) - 1

    def finish(self) -> tuple[list[Cell], dict]:
        """Split the person counts into the national and the kommune space."""
        shown_years = {
            (p["kommune"], str(int(p["year"])))
            for preds in self.preds
            if preds
            for p in preds
            if "kommune" in p and "year" in p and not is_period(p["year"])
        }
        per = self.persons
        year = per["year"].astype(str)
        keep = [(k, y) in shown_years for k, y in zip(per["kommune"], year)]
        kp = per.assign(bucket=np.where(keep, year, "rest"))
        inner_k = kp.groupby(["kommune", "bucket", "flag", "new"], sort=True).size().rename("n").reset_index()
        inner_n = (
            per.groupby(["year", "flag", "ovf", "hh", "waiting", "new"], sort=True)
            .size()
            .rename("n")
            .reset_index()
        )
        out: list[Cell] = []
        where: dict[tuple[int, str], int] = {}  # (collected index, space) -> index in out
        for i, (c, preds) in enumerate(zip(self.cells, self.preds)):
            if preds is None:
                where[(i, c.space)] = len(out)
                out.append(c)
                continue
            local = any("kommune" in p for p in preds)
            both = not local and all(set(p) <= {"year", "flag"} and is_period(p.get("year")) for p in preds)
            spaces = (["persons_k"] if local else ["persons_n"]) + (["persons_k"] if both else [])
            for space in spaces:
                frame = inner_k if space == "persons_k" else inner_n
                m = np.zeros(len(frame), dtype=bool)
                for p in preds:
                    m |= self._mask(frame, p)
                where[(i, space)] = len(out)
                out.append(
                    Cell(
                        c.table,
                        c.row,
                        c.column,
                        "count",
                        space=space,
                        members=m.astype(np.int64),
                        value=c.value,
                        priority=c.priority,
                        key=c.key,
                        fixed=c.fixed,
                        twin=c.twin,
                    )
                )
        # sources index the cells as collected: re-point them (a split cell: its first copy)
        first = {}
        pos = 0
        for i, preds in enumerate(self.preds):
            first[i] = pos
            if preds is None:
                pos += 1
            else:
                local = any("kommune" in p for p in preds)
                both = not local and all(
                    set(p) <= {"year", "flag"} and is_period(p.get("year")) for p in preds
                )
                pos += 2 if both else 1
        for c in out:
            c.sources = [first[s] for s in c.sources]
            if c.twin is not None:
                c.twin = where.get((c.twin, c.space))
        sizes = {"persons_k": inner_k["n"].to_numpy(), "persons_n": inner_n["n"].to_numpy()}
        for space in ("wait_mean", "within_3", "within_6", "within_12"):
            sizes[space] = self.winner["n"].to_numpy()
        return out, sizes


def _register_rows(df: pd.DataFrame):
    src = df["source"] if "source" in df.columns else pd.Series("register", index=df.index)
    for pos, (_, r) in enumerate(df.iterrows()):
        if src.iloc[pos] == "register":
            yield pos, r


def build_cells(register: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> tuple[list[Cell], dict]:
    """The cells of every register-based table present in ``tables`` (scope and waiting)."""
    return collect(register, tables).finish()


def collect(
    register: pd.DataFrame, tables: dict[str, pd.DataFrame], previous_end: str | None = None
) -> _Builder:
    """The cells as collected (``.cells`` with their person predicates in ``.preds``), before
    they are split into spaces: what the attacker tests read to know what each number counts."""
    b = _Builder(person_frame(register, previous_end))
    mean_cell: dict[tuple, int] = {}

    t = tables.get("fig_2_1")
    if t is not None:
        for pos, r in _register_rows(t):
            y, s = r["year"], r["series"]
            if s == "total_settled":
                b.count("fig_2_1", pos, "value", {"year": y}, priority=3)
            elif s == "asb":
                b.count("fig_2_1", pos, "value", {"year": y, "flag": 1}, priority=3)
            elif s == "ordinary":
                b.count("fig_2_1", pos, "value", {"year": y, "flag": 0}, priority=3)
            elif s == "asb_pct":
                num = b.count("", -1, "", {"year": y, "flag": 1}, priority=3)
                den = b.count("fig_2_1", pos, "n", {"year": y}, priority=3)
                b.follow("fig_2_1", pos, "value", [num, den])
    t = tables.get("fig_2_2_resettlement")
    if t is not None:
        for pos, r in _register_rows(t):
            y, s = r["year"], r["series"]
            if s == "ordinary":
                b.count(t["entry_id"].iloc[0], pos, "value", {"year": y, "ovf": False}, priority=2)
            elif s == "resettlement":
                b.count("fig_2_2_resettlement", pos, "value", {"year": y, "ovf": True}, priority=2)
            elif s == "resettlement_pct":
                num = b.count("", -1, "", {"year": y, "ovf": True}, priority=2)
                den = b.count("fig_2_2_resettlement", pos, "n", {"year": y}, priority=2)
                b.follow("fig_2_2_resettlement", pos, "value", [num, den])
    t = tables.get("tab_12_1")
    if t is not None:
        for pos, r in enumerate(t.itertuples(index=False)):
            if r.rank != "":
                b.count("tab_12_1", pos, "value", {"year": r.year, "kommune": r.kommunenummer, "flag": 1}, 2)
        for pos, r in enumerate(t.itertuples(index=False)):
            if r.kommune == "sum of top ten":
                # a year with no tie at the cut-off (or no ranked kommune at all) has no such column
                tied = t["tie_at_cutoff"].astype(bool) if "tie_at_cutoff" in t.columns else False
                rows = t[(t["year"] == r.year) & (t["rank"] != "") & ~tied]
                preds = [{"year": r.year, "kommune": code, "flag": 1} for code in rows["kommunenummer"]]
                b.count("tab_12_1", pos, "value", preds, 2)
    t = tables.get("tab_2_1")
    if t is not None:
        # unit counts (issue 27): k units practising means at least k persons, so a unit count
        # is published only with the person count it bounds. That count is modelled as published
        # (an invisible cell: the national agreed count of the year for kommuner and bydeler
        # practising and those with more than three, Oslo's agreed count of the year for the
        # bydeler) and the unit count follows its protection: hidden ("x") when it is hidden.
        for pos, r in _register_rows(t):
            y, s = r["year"], r["series"]
            if s in ("units_practising", "units_more_than_3"):
                src = b.count("", -1, "", {"year": y, "flag": 1}, priority=3)
            elif s == "oslo_bydeler_practising":
                src = b.count("", -1, "", {"year": y, "kommune": OSLO, "flag": 1}, priority=1)
            else:
                continue
            b.follow("tab_2_1", pos, "value", [src], kind="units")
            b.cells[-1].value = float(r["value"])  # 1..threshold-1 units: a range, like persons
    t = tables.get("text_ch4_1_3_bergen_oslo_asb_share")
    if t is not None:
        eid = "text_ch4_1_3_bergen_oslo_asb_share"
        for pos, r in enumerate(t.itertuples(index=False)):
            num = b.count("", -1, "", {"year": r.year, "kommune": r.kommunenummer, "flag": 1}, 1)
            den = b.count(eid, pos, "n", {"year": r.year, "kommune": r.kommunenummer}, 1)
            b.follow(eid, pos, "value", [num, den])
    t = tables.get("text_ch10_1_1_bergen_2018_2019")
    if t is not None:
        eid = "text_ch10_1_1_bergen_2018_2019"
        for pos, r in _register_rows(t):
            pred = {"year": r["year"], "kommune": "4601"}
            if r["series"] == "bergen_imdi_register":
                pred["flag"] = 1
            b.count(eid, pos, "value", pred, 1)
    t = tables.get("x_asb_per_1000")
    if t is not None:
        for pos, r in enumerate(t.itertuples(index=False)):
            a = b.count("x_asb_per_1000", pos, "asb", {"kommune": r.kommunenummer, "flag": 1})
            b.count("x_asb_per_1000", pos, "settled", {"kommune": r.kommunenummer})
            b.follow("x_asb_per_1000", pos, "value", [a])
    t = tables.get("x_agreed_published")
    if t is not None:
        # a follow-up's register count beside the count IMDi published for the kommune and year
        # (docs/decisions/0175): the same persons as the plan's count of that kommune's agreed
        # self-settlements in that year (Tabell 2.1's Oslo bydeler, Tabell 12.1), so one number
        for pos, r in _register_rows(t):
            pred = {"year": r["year"], "kommune": r["kommunenummer"], "flag": 1}
            b.count("x_agreed_published", pos, "value", pred, 1)

    # waiting: the n of every statistic is a count of the waiting population
    def waiting_n(eid, pos, year, group):
        b.count(eid, pos, "n", {"year": year, "waiting": True, **GROUP_PRED[group]}, 1)

    t = tables.get("tab_4_2")
    if t is not None:
        for pos, r in _register_rows(t):
            mean_cell[(int(r["year"]), r["series"])] = b.stat(
                "tab_4_2", pos, "wait_mean", r["year"], r["series"]
            )
            waiting_n("tab_4_2", pos, r["year"], r["series"])
    t = tables.get("tab_4_1")
    if t is not None:
        for pos, r in _register_rows(t):
            space = "within_6" if r["series"] == "within_6m" else "within_12"
            b.stat("tab_4_1", pos, space, r["year"], "total")
            waiting_n("tab_4_1", pos, r["year"], "total")
    t = tables.get("text_ch4_1_1_asb_waiting_time")
    if t is not None:
        eid = "text_ch4_1_1_asb_waiting_time"
        this: dict[tuple, int] = {}
        for pos, r in _register_rows(t):
            y, s = r["year"], r["series"]
            if s == "asb_persons":
                b.count(eid, pos, "value", {"year": y, "flag": 1}, 3)
            elif s == "asb_single_adults":
                b.count(eid, pos, "value", {"year": y, "flag": 1, "hh": "single"}, 1)
            elif s in WAIT_SERIES:
                this[(y, s)] = b.stat(eid, pos, "wait_mean", y, WAIT_SERIES[s])
                waiting_n(eid, pos, y, WAIT_SERIES[s])
            elif s == "ordinary_minus_asb_single_adults_wait_months":
                src = [
                    this[k]
                    for k in (
                        (y, "asb_single_adults_mean_wait_months"),
                        (y, "ordinary_single_adults_mean_wait_months"),
                    )
                    if k in this
                ]
                b.follow(eid, pos, "value", src, "derived")
    t = tables.get("text_ch4_1_waiting_time_detail")
    if t is not None:
        eid = "text_ch4_1_waiting_time_detail"
        for pos, r in _register_rows(t):
            s = r["series"]
            if s == "families_settled_within_3_months_pct":
                b.stat(eid, pos, "within_3", 2016, "families")
                waiting_n(eid, pos, 2016, "families")
            elif s == "single_adults_settled_within_6_months_pct":
                b.stat(eid, pos, "within_6", 2016, "single_adults")
                waiting_n(eid, pos, 2016, "single_adults")
            elif s == "decrease_in_mean_wait_vs_2015_months":
                src = [mean_cell[(2016, "total")]] if (2016, "total") in mean_cell else []
                if not src:  # no visible 2016 mean to follow: judge the 2016 total mean itself
                    src = [b.stat("", -1, "wait_mean", 2016, "total")]
                b.follow(eid, pos, "value", src, "derived")
    t = tables.get("x_waiting_distribution")
    if t is not None:
        eid = "x_waiting_distribution"
        for pos, r in enumerate(t.itertuples(index=False)):
            if r.series == "mean":
                b.stat(eid, pos, "wait_mean", r.year, r.group)
            elif r.series == "within_6m_pct":
                b.stat(eid, pos, "within_6", r.year, r.group)
            else:
                b.stat(eid, pos, "quantile", r.year, r.group, kind="quantile")
            waiting_n(eid, pos, r.year, r.group)

    return b


# --- an earlier release over the same years (protection.previous_release, issue 27) -----------


def _row_key(table: str, row) -> tuple:
    """What identifies a published row across releases (positions move, keys do not)."""
    if table == "x_asb_per_1000":
        return (str(row["kommunenummer"]),)
    if table == "tab_12_1" and str(row["rank"]) != "":
        return ("ranked", str(row["year"]), str(row["kommunenummer"]))
    return tuple(str(row[k]) for k in ("year", "series", "kommune", "group"))


def previous_index(previous: dict[str, pd.DataFrame]) -> dict[tuple, dict]:
    """The earlier release's register-based rows, by table and :func:`_row_key`."""
    out = {}
    for eid, t in previous.items():
        for r in t.to_dict("records"):
            if str(r.get("source", "register")) not in ("register", "", "nan"):
                continue
            out.setdefault((eid, _row_key(eid, r)), r)
    return out


def _previous_status(row: dict, column: str) -> str | None:
    """'hidden' (a label), 'shown' (a number) or None (not published there)."""
    label = str(row.get(f"{column}_label", "") or "")
    if label and label != "nan":
        return "hidden"
    value = str(row.get(column, "") or "")
    return "shown" if value and value != "nan" else None


def link_previous(b: _Builder, tables: dict[str, pd.DataFrame], previous: dict[str, pd.DataFrame]) -> dict:
    """Tie today's cells to the earlier release's, in the manner of GaussSuppression's
    previously suppressed cells (docs/decisions/0102):

    - a cell the earlier release hid is hidden again (``fixed = 'forced'``), and its earlier
      version (the same group restricted to the persons settled by the earlier register_end)
      is a primary cell: no combination of today's numbers may reveal it;
    - a cell the earlier release showed has its earlier version published from the start, so
      that the difference of the two versions (the persons settled since) is part of the
      problem: :func:`analysis.core.protection.decide` hides whatever would give 1..threshold-1
      of them (``twin``).

    Returns counts of what was linked (for the log)."""
    idx = previous_index(previous)
    done: set[int] = set()
    new_w = b.winner["new"].to_numpy()
    counts = {"forced": 0, "shown": 0, "absent": 0}

    def twin(i: int, fixed: str) -> None:
        if i in done or b.cells[i].kind not in ("count", "stat"):
            return
        done.add(i)
        c, preds = b.cells[i], b.preds[i]
        if preds is not None:
            j = b.count("", -1, "", [{**p, "new": False} for p in preds])
        else:
            m = c.members.astype(bool) & ~new_w
            n = int(b.winner["n"].to_numpy()[m].sum())
            b.cells.append(Cell("", -1, "value", c.kind, space=c.space, members=m.astype(np.int64), n=n))
            b.preds.append(None)
            j = len(b.cells) - 1
        b.cells[j].fixed, b.cells[j].twin = fixed, i

    for i in range(len(b.cells)):
        c = b.cells[i]
        if not c.table or c.table not in previous:
            continue
        old = idx.get((c.table, _row_key(c.table, tables[c.table].iloc[c.row])))
        status = None if old is None else _previous_status(old, c.column)
        if status is None:
            counts["absent"] += 1
        elif status == "hidden":
            c.fixed = "forced"
            counts["forced"] += 1
            twin(i, "hidden")
        else:
            counts["shown"] += 1
            twin(i, "shown")
            for src in c.sources:
                twin(src, "shown")
    return counts


def read_previous_release(folder, entries) -> tuple[dict[str, pd.DataFrame], str]:
    """The earlier release's published tables (those of ``entries`` it has) and its
    register_end, from its provenance.json; a folder that is not a protected release is an
    error naming what is missing."""
    import json
    from pathlib import Path

    from analysis.core.errors import InputError

    root = Path(folder)
    prov = root / "provenance.json"
    if not prov.is_file():
        raise InputError(
            str(prov), "protection.previous_release: no provenance.json in the earlier release's folder"
        )
    config = json.loads(prov.read_text(encoding="utf-8")).get("config", {})
    end = config.get("register_end")
    if not end:
        raise InputError(str(prov), "protection.previous_release: the earlier release names no register_end")
    if not (config.get("protection") or {}).get("enabled", not config.get("demo", True)):
        raise InputError(
            str(prov), "protection.previous_release: the earlier release was built without protection"
        )
    tables = {}
    for eid in entries:
        path = root / "tables" / f"{eid}.csv"
        if path.is_file():
            tables[eid] = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not tables:
        raise InputError(str(root / "tables"), "protection.previous_release: no register table found")
    return tables, str(end)


def plan(
    register: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    threshold: int,
    previous: tuple[dict[str, pd.DataFrame], str] | None = None,
) -> pd.DataFrame:
    """Every register-based cell's protection: ``entry_id, row, column, status`` (row = position
    in the table as built), plus the row's key columns so that applying it can check them.
    ``previous``: the earlier release's tables and register_end (:func:`read_previous_release`)."""
    b = collect(register, tables, previous[1] if previous else None)
    if previous:
        link_previous(b, tables, previous[0])
    cells, sizes = b.finish()
    status = decide(cells, sizes, threshold)
    recs = []
    for c, s in zip(cells, status):
        if not c.table:
            continue
        r = tables[c.table].iloc[c.row]
        recs.append(
            {
                "entry_id": c.table,
                "row": c.row,
                "year": r["year"],
                "series": r["series"],
                "kommune": r["kommune"],
                "group": r["group"],
                "column": c.column,
                "kind": c.kind,
                "status": s,
            }
        )
    return pd.DataFrame(recs)


REGISTER_COLUMNS = [
    "year",
    "bosettingsdato",
    "kommunenummer_2020",
    "avtalt_selvbosetting",
    "kategori",
    "husholdningstype",
    "wait_months",
]
