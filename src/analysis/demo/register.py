"""Synthetic person-level IMDi settlement register for the demo (2016 to the first quarter of 2021).

Deterministic from ``seed``. The totals per kommune and year are IMDi's REAL public totals
(``Faktisk bosetting``, persons); everything else is synthetic and calibrated so that the register
numbers the report publishes are reproduced. The calibration targets live in this module as
constants (``ASB_PLAN``, ``RESETTLEMENT_SHARE``, ``WAIT_TARGETS``...) and are listed in the
report's method note. Choices (see also workflow/resources/reproduction_decisions.yaml):

* Suppressed public cells (``:``) are imputed inside their range: 1-4 persons in 2016-2019 and
  2021 (the file shows no count below 5, and ``.`` marks kommuner without settlement), 0-4 in
  2020, when IMDi also suppressed the zeros (no zero and no ``.`` appears that year). The 2020
  imputations add up to 31 so that the year's total is 2 790, "i underkant av 2800" (kap. 9).
* 2016: the report's total is 15 284 (IMDi statistics 2021), the public file (downloaded 2023)
  sums to 15 221 (plus its 6 imputed cells). The register follows the report: of the extra
  persons, 7 are in Oslo (so that
  106 agreed self-settlements are 11.5 % of Oslo's 920, kap. 4.1.3) and 56 spread over the
  other kommuner in proportion to their public totals (largest remainder; Bergen excluded,
  whose 205 of 636 give the report's 32 %).
* 2021: the register ends with the first quarter; each kommune's Q1 count is 24 % of its
  public 2021 total (largest remainder).
* Public 2017 counts carry the 2016 codes; they are written with the code valid in 2017.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# the constants alone, not analysis.imdi.register: that reader imports polars, which this job
# never uses (~0.25 s of its start; issue 28)
from analysis.core.kommune import OSLO
from analysis.core.kommune import OSLO_BYDELER as BYDELER
from analysis.core.study import DAYS_PER_MONTH

YEARS = [2016, 2017, 2018, 2019, 2020, 2021]
Q1_SHARE = 0.24
EXTRA_2016 = {"total": 15284, "oslo": 7}
TOTAL_2020 = 2790
NAMES = {
    "Bergen": "4601",
    "Oslo": "0301",
    "Tromsø": "5401",
    "Asker": "3025",
    "Lillestrøm": "3030",
    "Stavanger": "1103",
    "Lillehammer": "3405",
    "Strand": "1130",
    "Kristiansand": "4204",
    "Steinkjer": "5006",
    "Bærum": "3024",
    "Randaberg": "1127",
    "Ås": "3021",
    "Drammen": "3005",
    "Larvik": "3805",
    "Moss": "3002",
}
# Agreed self-settlements per year: total, units (kommuner + Oslo bydeler) with >= 1, of which Oslo
# bydeler, units with > 3, Oslo's total and how many of its bydeler have > 3, fixed kommuner
# (2020 codes; Tabell 12.1), the cap for other kommuner and the most for one "low" unit.
ASB_PLAN = {
    2016: dict(
        total=886,
        units=117,
        bydeler=13,
        over3=47,
        oslo=106,
        oslo_over3=10,
        cap=25,
        fixed={
            "Bergen": 205,
            "Tromsø": 40,
            "Asker": 34,
            "Lillestrøm": 33,
            "Stavanger": 31,
            "Lillehammer": 28,
            "Strand": 28,
            "Kristiansand": 27,
            "Steinkjer": 26,
        },
    ),
    2017: dict(
        total=325, units=86, bydeler=14, over3=22, oslo=108, oslo_over3=11, cap=20, fixed={"Bergen": 95}
    ),
    2018: dict(
        total=80, units=38, bydeler=10, over3=5, oslo=24, oslo_over3=2, cap=12, fixed={"Bergen": 14}
    ),  # kap. 10.1.1: IMDi's 14 and 6 for Bergen
    2019: dict(total=72, units=38, bydeler=9, over3=4, oslo=18, oslo_over3=1, cap=12, fixed={"Bergen": 6}),
    2020: dict(
        total=96,
        units=21,
        bydeler=7,
        over3=4,
        oslo=51,
        oslo_over3=2,
        cap=1,
        fixed={
            "Bærum": 19,
            "Asker": 4,
            "Stavanger": 3,
            "Randaberg": 3,
            "Ås": 3,
            "Bergen": 2,
            "Drammen": 2,
            "Larvik": 2,
            "Moss": 2,
        },
    ),
    2021: dict(total=16, units=9, bydeler=3, over3=1, oslo=5, oslo_over3=0, cap=8, fixed={}),
}
ASB_SINGLE_ADULTS_2016 = 604
RESETTLEMENT_SHARE = {2016: 0.20, 2017: 0.26, 2018: 0.47, 2019: 0.58, 2020: 0.54, 2021: 0.40}
PRIVATBOENDE = {2016: 250, 2017: 230, 2018: 260, 2019: 240, 2020: 273, 2021: 60}
# household type shares (enslig_voksen, barnefamilie, par_uten_barn, enslig_mindrearig)
HH = ["enslig_voksen", "barnefamilie", "par_uten_barn", "enslig_mindrearig"]
HH_ORDINARY = {
    2016: [0.40, 0.35, 0.08, 0.17],
    2017: [0.38, 0.40, 0.08, 0.14],
    2018: [0.35, 0.48, 0.08, 0.09],
    2019: [0.33, 0.52, 0.08, 0.07],
    2020: [0.32, 0.55, 0.08, 0.05],
    2021: [0.32, 0.55, 0.08, 0.05],
}
HH_RESETTLEMENT = [0.20, 0.65, 0.10, 0.05]
HH_ASB = [0.65, 0.30, 0.05, 0.0]
# Oslo bydeler: relative settlement weights (higher in bydeler with a high immigrant share).
BYDEL_WEIGHT = dict(zip(BYDELER, [8, 6, 4, 3, 3, 2, 2, 3, 8, 9, 10, 11, 6, 4, 11]))
# Waiting time targets (months) for persons not resettled: Tabell 4.1 (share within 6/12 months)
# and 4.2 (means), kap. 4.1 (2016 detail) and 4.1.1 (agreed vs ordinary); 2021 Q1 assumed.
WAIT_TARGETS = {
    2016: dict(
        p6=0.81,
        p12=0.95,
        total=4.8,
        families=4.3,
        single=5.6,
        p3_by={"barnefamilie": 0.31},
        p6_by={"enslig_voksen": 0.71},
        single_gap=2.6,
        asb=3.0,
    ),
    2017: dict(p6=0.76, p12=0.97, total=5.0, families=5.0, single=5.3, asb=4.0),
    2018: dict(p6=0.80, p12=0.96, total=4.9, families=4.9, single=4.9),
    2019: dict(p6=0.95, p12=0.99, total=3.3, families=3.2, single=3.8),
    2020: dict(
        p6=0.48,
        p12=0.94,
        total=8.5,
        families=9.6,
        single=8.0,
        p6_by={"barnefamilie": 0.40},
        p12_by={"barnefamilie": 0.91},
    ),
    2021: dict(p6=0.55, p12=0.93, total=7.0, families=7.5, single=6.8),
}
BINS = [(0.3, 2.95), (3.05, 5.95), (6.05, 11.95), (12.05, 30.0)]
COUNTRIES = (
    ["SYR"] * 10 + ["ERI"] * 5 + ["AFG"] * 3 + ["IRQ", "IRN", "SOM", "COD", "SDN", "ETH", "PSE", "TUR", "MMR"]
)


def _largest_remainder(weights, total: int, caps=None) -> np.ndarray:
    """Integer allocation of ``total`` in proportion to ``weights`` (ties by position), capped."""
    w = np.asarray(weights, dtype=float)
    big = 10**9
    caps = np.full(len(w), big) if caps is None else np.minimum(np.asarray(caps), big).astype(np.int64)
    out = np.zeros(len(w), dtype=np.int64)
    left = int(total)
    for _ in range(50):
        free = (out < caps) & (w > 0)
        if left <= 0 or not free.any():
            break
        share = np.where(free, w, 0) / np.where(free, w, 0).sum() * left
        add = np.floor(share).astype(int)
        rem = share - add
        k = left - add.sum()
        order = np.lexsort((np.arange(len(w)), -rem))
        add[order[:k]] += 1
        add = np.minimum(add, (caps - out).clip(0))
        out += add
        left = int(total - out.sum())
    if left:
        raise ValueError(f"cannot allocate {total} within the caps")
    return out


def settled_counts(public: pd.DataFrame, wide: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Persons settled per year and code (valid that year): public totals, imputed and adjusted."""
    rng = np.random.default_rng(seed + 1)
    sel = public[
        (public["measure"] == "bosatt") & public["year"].isin(YEARS) & (public["enhet"] == "Personer")
    ].copy()
    sel = sel.sort_values(["year", "code"]).reset_index(drop=True)
    n = sel["antall"].fillna(0).astype(int).to_numpy().copy()
    sup = (sel["status"] == "suppressed").to_numpy()
    yr = sel["year"].to_numpy()
    n[sup & (yr != 2020)] = rng.integers(1, 5, size=int((sup & (yr != 2020)).sum()))
    idx20 = np.flatnonzero(sup & (yr == 2020))
    base20 = int(n[(yr == 2020) & ~sup].sum())
    extra = TOTAL_2020 - base20
    if idx20.size and extra > 0:
        vals = np.zeros(idx20.size, dtype=int)
        while extra > 0:
            j = int(rng.integers(0, idx20.size))
            if vals[j] < 4:
                vals[j] += 1
                extra -= 1
        n[idx20] = vals
    sel["n"] = n
    # 2017 on 2017 codes
    m17 = (
        wide[["kommunenummer_2013", "kommunenummer_2017"]]
        .drop_duplicates("kommunenummer_2013")
        .set_index("kommunenummer_2013")["kommunenummer_2017"]
    )
    is17 = sel["year"] == 2017
    sel.loc[is17, "code"] = sel.loc[is17, "code"].map(m17).fillna(sel.loc[is17, "code"])
    sel = sel.groupby(["year", "code", "kommunenummer_2020"], as_index=False)["n"].sum()
    # 2016: the report's total
    s16 = sel["year"] == 2016
    add = EXTRA_2016["total"] - int(sel.loc[s16, "n"].sum())
    if add > 0:
        oslo = s16 & (sel["code"] == OSLO)
        sel.loc[oslo, "n"] += EXTRA_2016["oslo"]
        others = s16 & ~sel["code"].isin([OSLO, "4601", "1201"])
        sel.loc[others, "n"] += _largest_remainder(sel.loc[others, "n"], add - EXTRA_2016["oslo"])
    # 2021: first quarter only
    s21 = sel["year"] == 2021
    sel.loc[s21, "n"] = _largest_remainder(sel.loc[s21, "n"], round(sel.loc[s21, "n"].sum() * Q1_SHARE))
    return sel[sel["n"] > 0].reset_index(drop=True)


def _bydel_counts(total: int, asb: pd.Series | None = None) -> pd.Series:
    """Oslo's settlements per bydel: its agreed self-settlements plus the rest by weight."""
    w = pd.Series(BYDEL_WEIGHT)
    a = pd.Series(0, index=w.index) if asb is None else asb.reindex(w.index, fill_value=0)
    return a + pd.Series(_largest_remainder(w.to_numpy(), total - int(a.sum())), index=w.index)


def _spread(rng, total: int, n_high: int, n_low: int, caps_high, caps_low=None) -> tuple:
    """Values for ``n_high`` units with > 3 (4..cap) and ``n_low`` units with 1..3 summing to total."""
    caps_low = np.full(n_low, 3) if caps_low is None else np.minimum(caps_low, 3)
    high = np.full(n_high, 4)
    low = np.ones(n_low, dtype=int)
    left = total - high.sum() - low.sum()
    if left < 0:
        raise ValueError(f"ASB plan infeasible: total {total} < minimum {high.sum() + low.sum()}")
    # low units: a random 1-3 while something is left (most of the rest goes to the high units)
    for j in rng.permutation(n_low):
        if left <= 0:
            break
        k = int(min(rng.integers(0, 3), caps_low[j] - 1, left))
        low[j] += k
        left -= k
    if n_high:
        caps = np.asarray(caps_high) - 4
        w = rng.gamma(1.2, 1.0, size=n_high)
        high += _largest_remainder(w, left, caps)
    elif left:
        cap = caps_low - low
        low += _largest_remainder(np.ones(n_low), left, cap)
    return high, low


def asb_plan(counts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Agreed self-settlements per year and unit (2020 kommune, or Oslo bydel)."""
    rng = np.random.default_rng(seed + 2)
    rows = []
    for year, plan in ASB_PLAN.items():
        c = counts[counts["year"] == year].groupby("kommunenummer_2020")["n"].sum()
        # Oslo bydeler
        w = pd.Series(BYDEL_WEIGHT) * rng.uniform(0.6, 1.4, size=15)
        chosen = list(w.sort_values(ascending=False).index[: plan["bydeler"]])
        n_hi = plan["oslo_over3"]
        hi, lo = _spread(rng, plan["oslo"], n_hi, plan["bydeler"] - n_hi, np.full(n_hi, plan["oslo"]))
        rows += [(year, u, int(v)) for u, v in zip(chosen, list(hi) + list(lo))]
        # fixed kommuner
        fixed = {NAMES[k]: v for k, v in plan["fixed"].items()}
        rows += [(year, u, v) for u, v in fixed.items()]
        # the rest
        k_rest = plan["units"] - plan["bydeler"] - len(fixed)
        h_rest = plan["over3"] - plan["oslo_over3"] - sum(v > 3 for v in fixed.values())
        t_rest = plan["total"] - plan["oslo"] - sum(fixed.values())
        pool = c.drop([OSLO, *fixed], errors="ignore")
        cap_rest = plan["cap"]
        big = pool[pool >= 20]
        p = (big / big.sum()).to_numpy()
        hi_units = list(rng.choice(big.index.to_numpy(), size=h_rest, replace=False, p=p)) if h_rest else []
        small = pool.drop(hi_units)
        small = small[small >= 3]
        p = (np.sqrt(small) / np.sqrt(small).sum()).to_numpy()
        lo_units = list(rng.choice(small.index.to_numpy(), size=k_rest - h_rest, replace=False, p=p))
        caps_hi = np.minimum((pool[hi_units] * 0.5).astype(int).to_numpy(), max(cap_rest, 4))
        caps_lo = np.minimum(
            np.minimum((pool[lo_units] * 0.5).astype(int).clip(lower=1).to_numpy(), 3), cap_rest
        )
        hi, lo = _spread(rng, t_rest, h_rest, k_rest - h_rest, caps_hi, caps_lo)
        rows += [(year, u, int(v)) for u, v in zip(hi_units + lo_units, list(hi) + list(lo))]
    out = pd.DataFrame(rows, columns=["year", "unit_id", "asb"])
    return out.sort_values(["year", "unit_id"]).reset_index(drop=True)


def _person_cells(counts: pd.DataFrame, plan: pd.DataFrame) -> list[tuple]:
    """Persons per (year, code, bydel, ASB flag): Oslo by bydel, the ASB of a 2020 unit spread
    over its codes of that year in proportion to their counts (ties by code order)."""
    cells = []
    for year in YEARS:
        py = plan[plan["year"] == year].groupby("unit_id")["asb"].sum()
        cy = counts[counts["year"] == year].groupby(["code", "kommunenummer_2020"], as_index=False)["n"].sum()
        for n in cy.loc[cy["code"] == OSLO, "n"]:
            byd = _bydel_counts(int(n), py[py.index.isin(BYDELER)])
            for b, nb in byd.items():
                a = int(py.get(b, 0))
                cells += [(year, OSLO, b, 1, a), (year, OSLO, b, 0, int(nb) - a)]
        rest = cy[cy["code"] != OSLO].sort_values(["kommunenummer_2020", "code"])
        codes, k20s, n = rest["code"].tolist(), rest["kommunenummer_2020"].to_numpy(), rest["n"].to_numpy()
        alloc = np.zeros(len(rest), dtype=np.int64)
        for k20, a in py[py > 0].items():
            idx = np.flatnonzero(k20s == k20)
            if idx.size:
                alloc[idx] = _largest_remainder(n[idx], int(a), n[idx])
        cells += [(year, c, "", 1, int(ai)) for c, ai in zip(codes, alloc)]
        cells += [(year, c, "", 0, int(ni - ai)) for c, ni, ai in zip(codes, n, alloc)]
    return cells


def _persons(counts: pd.DataFrame, plan: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per person with year, code, bydel and the ASB flag, sorted by them, and a uniform ``u``.

    Persons of one cell are identical, so the frame is the cells' rows repeated in sorted order.
    """
    rng = np.random.default_rng(seed + 3)
    cells = sorted(_person_cells(counts, plan))
    size = np.array([c[4] for c in cells], dtype=np.int64)
    if (size < 0).any():
        raise ValueError("more agreed self-settlements than settled persons in a unit")
    df = pd.DataFrame(
        {
            "year": np.repeat(np.array([c[0] for c in cells], dtype=np.int64), size),
            "kommunenummer": pd.array([c[1] for c in cells], dtype="str").repeat(size),
            "bydelsnummer": pd.array([c[2] for c in cells], dtype="str").repeat(size),
            "asb": np.repeat(np.array([c[3] for c in cells], dtype=np.int64), size),
        }
    )
    df["u"] = rng.uniform(size=len(df))
    return df


def _assign_categories(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 4)
    # numpy arrays while assigning (a `.loc` write into a string column cost ~0.2 s), the
    # columns set once at the end: the same draws in the same order, the same values (issue 28)
    year_of, asb = df["year"].to_numpy(), df["asb"].to_numpy()
    kategori = np.full(len(df), "mottak", dtype=object)
    hh = np.full(len(df), "", dtype=object)
    for year in YEARS:
        y = year_of == year
        ordinary = np.flatnonzero(y & (asb == 0))
        k_res = round(RESETTLEMENT_SHARE[year] * int(y.sum()))
        res = rng.choice(ordinary, size=k_res, replace=False)
        kategori[res] = "overforing"
        rest = np.setdiff1d(ordinary, res)
        priv = rng.choice(rest, size=min(PRIVATBOENDE[year], rest.size), replace=False)
        kategori[priv] = "privatboende"
        for mask, probs in (
            ((y & (kategori == "overforing")), HH_RESETTLEMENT),
            ((y & (kategori != "overforing") & (asb == 0)), HH_ORDINARY[year]),
        ):
            idx = np.flatnonzero(mask)
            hh[idx] = rng.choice(HH, size=idx.size, p=probs)
        idx = np.flatnonzero(y & (asb == 1))
        if year == 2016:
            k = ASB_SINGLE_ADULTS_2016
            perm = rng.permutation(idx)
            hh[perm[:k]] = "enslig_voksen"
            hh[perm[k:]] = rng.choice(["barnefamilie", "par_uten_barn"], size=perm.size - k, p=[0.85, 0.15])
        else:
            hh[idx] = rng.choice(HH, size=idx.size, p=HH_ASB)
    df["kategori"] = kategori
    df["husholdningstype"] = hh
    return df


def _fit_mean(lo, hi, v, target) -> np.ndarray:
    """Values lo + (hi-lo) * v**exp(t) with t chosen so that their mean is ``target`` (clamped)."""

    def vals(t):
        return lo + (hi - lo) * v ** np.exp(t)

    a, b = -8.0, 8.0
    if vals(a).mean() <= target:
        return vals(a)
    if vals(b).mean() >= target:
        return vals(b)
    for _ in range(80):
        mid = (a + b) / 2
        if vals(mid).mean() > target:
            a = mid
        else:
            b = mid
    return vals((a + b) / 2)


def _group_shares(total: float, fixed: dict, sizes: dict) -> dict:
    """Shares per household group: ``fixed`` ones as given, the others equal, overall = total."""
    n = sum(sizes.values())
    rest = n - sum(sizes[g] for g in fixed)
    other = (total * n - sum(fixed[g] * sizes[g] for g in fixed)) / rest if rest else total
    return {g: fixed.get(g, other) for g in HH}


def _assign_waits(df: pd.DataFrame, seed: int) -> np.ndarray:
    """Waiting time in months for persons not resettled (NaN for resettlement refugees)."""
    rng = np.random.default_rng(seed + 5)
    wait = np.full(len(df), np.nan)
    for year in YEARS:
        t = WAIT_TARGETS[year]
        sel = df[(df["year"] == year) & (df["kategori"] != "overforing")]
        N = len(sel)
        k6_total, k12_total = round(t["p6"] * N), round(t["p12"] * N)
        sizes = {g: int((sel["husholdningstype"] == g).sum()) for g in HH}
        p6 = _group_shares(t["p6"], t.get("p6_by", {}), sizes)
        p12 = _group_shares(t["p12"], t.get("p12_by", {}), sizes)
        p3 = {g: 0.45 * p6[g] for g in HH}
        p3.update(t.get("p3_by", {}))
        bins = pd.Series(-1, index=sel.index)
        for g in HH:
            s = sel[sel["husholdningstype"] == g]
            if s.empty:
                continue
            key = s["u"] - 0.15 * (s["asb"] == 1)  # agreed self-settlers tend to wait less
            order = key.sort_values(kind="stable").index
            n = len(s)
            c3, c6, c12 = round(p3[g] * n), round(p6[g] * n), round(p12[g] * n)
            b = np.repeat([0, 1, 2, 3], [c3, c6 - c3, c12 - c6, n - c12])
            bins[order] = b
        # exact national counts within 6 and 12 months: move the last persons across the edges
        for edge, k_target in ((1, k6_total), (2, k12_total)):
            diff = int((bins <= edge).sum()) - k_target
            if diff > 0:
                cand = bins[(bins == edge) & (sel["asb"] == 0)].index[-diff:]
                bins[cand] = edge + 1
            elif diff < 0:
                cand = bins[(bins == edge + 1) & (sel["asb"] == 0)].index[:(-diff)]
                bins[cand] = edge
        lo = np.array([BINS[b][0] for b in bins])
        hi = np.array([BINS[b][1] for b in bins])
        v = rng.uniform(size=N)
        vals = pd.Series(lo + (hi - lo) * v, index=sel.index)
        hh = sel["husholdningstype"]
        asb = sel["asb"] == 1

        def fit(mask, target):
            idx = np.flatnonzero(mask.to_numpy())
            if idx.size:
                vals.iloc[idx] = _fit_mean(lo[idx], hi[idx], v[idx], target)

        targets = {"enslig_voksen": t["single"], "barnefamilie": t["families"]}
        for g, tg in targets.items():
            m = hh == g
            n_asb, n_g = int((m & asb).sum()), int(m.sum())
            if year == 2016 and g == "enslig_voksen":
                asb_target = tg - t["single_gap"] * (n_g - n_asb) / n_g
            else:
                asb_target = t.get("asb", 0.75 * tg)
            fit(m & asb, asb_target)
            fit(m & ~asb, (tg * n_g - vals[m & asb].sum()) / max(n_g - n_asb, 1))
        rest = ~hh.isin(list(targets))
        fit(rest & asb, t.get("asb", 0.75 * t["total"]))
        done = vals[~rest].sum() + vals[rest & asb].sum()
        fit(rest & ~asb, (t["total"] * N - done) / max(int((rest & ~asb).sum()), 1))
        wait[df.index.get_indexer(sel.index)] = vals.to_numpy()
    return wait


def generate(public: pd.DataFrame, wide: pd.DataFrame, seed: int, register_end: str) -> pd.DataFrame:
    """The synthetic register in the contract's shape (strings, ISO dates)."""
    counts = settled_counts(public, wide, seed)
    plan = asb_plan(counts, seed)
    df = _persons(counts, plan, seed)
    df = _assign_categories(df, seed)
    wait = _assign_waits(df, seed)
    rng = np.random.default_rng(seed + 6)
    start = pd.to_datetime(df["year"].astype(str) + "-01-01")
    end = np.where(
        df["year"] == 2021, pd.Timestamp(register_end), pd.to_datetime(df["year"].astype(str) + "-12-31")
    )
    span = (pd.to_datetime(end) - start).dt.days.to_numpy() + 1
    bos = start + pd.to_timedelta(np.floor(rng.uniform(size=len(df)) * span).astype(int), unit="D")
    days = np.rint(wait * DAYS_PER_MONTH)
    ved = bos - pd.to_timedelta(np.nan_to_num(days, nan=0).astype(int), unit="D")
    ved_s = ved.dt.strftime("%Y-%m-%d").where(~np.isnan(wait), "")
    age = np.where(
        df["husholdningstype"] == "enslig_mindrearig",
        rng.integers(15, 18, len(df)),
        rng.integers(0, 60, len(df)),
    )
    out = pd.DataFrame(
        {
            "vedtaksdato": ved_s,
            "bosettingsdato": bos.dt.strftime("%Y-%m-%d"),
            "kommunenummer": df["kommunenummer"],
            "bydelsnummer": df["bydelsnummer"],
            "avtalt_selvbosetting": df["asb"].astype(int).astype(str),
            "kategori": df["kategori"],
            "husholdningstype": df["husholdningstype"],
            "kjonn": rng.choice(["M", "K"], size=len(df), p=[0.56, 0.44]),
            "fodselsaar": (df["year"] - age).astype(str),
            "landbakgrunn": rng.choice(COUNTRIES, size=len(df)),
        }
    )
    out = out.sort_values(["bosettingsdato", "kommunenummer", "bydelsnummer"], kind="stable")
    out.insert(0, "person_id", [f"P{i:06d}" for i in range(1, len(out) + 1)])
    return out.reset_index(drop=True)


# --- Follow-up demo: the register beyond the report (docs/decisions/0052) ----------------------
# The report's register ends with the first quarter of 2021; a follow-up study (study_years reaching
# past it) gets the same rows for those years - the calibrated register above, unchanged - and,
# after it, persons whose totals per kommune and year are IMDi's REAL public counts (the 1995-2023
# file for the rest of 2021 to 2023, the 2024-2025 pages from 2024, each on the codes valid that
# year), suppressed cells imputed as 1-4. Everything else about them is synthetic and NOT calibrated
# to anything except Oslo's published 105 agreed self-settlements in 2024.
REPORT_REGISTER_END = "2021-03-31"
FOLLOWUP_ASB_SHARE = 0.04  # agreed self-settlements among persons settled from reception/private
FOLLOWUP_RESETTLEMENT_SHARE = 0.15
FOLLOWUP_PRIVATE_SHARE = 0.05
PUBLISHED_ASB = {(2024, OSLO): 105}  # IMDi, nokkeltall-bosetting-2024 (the only published count)


def _public_totals_by_code(public: pd.DataFrame, years: list[int], rng) -> pd.DataFrame:
    """Settled persons per year and code (valid that year) from the public rows: values as they
    are, suppressed cells 1-4, missing 0; 9999 (no kommune) left out."""
    sel = public[(public["measure"] == "bosatt") & public["year"].isin(years) & (public["code"] != "9999")]
    sel = sel[sel["enhet"] == "Personer"].sort_values(["year", "code"]).reset_index(drop=True)
    n = sel["antall"].fillna(0).astype(int).to_numpy().copy()
    sup = (sel["status"] == "suppressed").to_numpy()
    n[sup] = rng.integers(1, 5, size=int(sup.sum()))
    return pd.DataFrame({"year": sel["year"].astype(int), "code": sel["code"], "n": n})


def extension(base: pd.DataFrame, public: pd.DataFrame, seed: int, register_end: str) -> pd.DataFrame:
    """Persons settled after the report's register (REPORT_REGISTER_END) up to ``register_end``,
    in the contract's shape, person ids continuing the base's."""
    end = pd.Timestamp(register_end)
    start = pd.Timestamp(REPORT_REGISTER_END) + pd.Timedelta(days=1)
    if end < start:
        return base.iloc[0:0]
    rng = np.random.default_rng(seed + 22)
    years = list(range(start.year, end.year + 1))
    tot = _public_totals_by_code(public, years, rng)
    # the report's year: its first quarter is in the base; the rest of the public total follows
    first = base[base["bosettingsdato"].str.startswith(str(start.year))].groupby("kommunenummer").size()
    y0 = tot["year"] == start.year
    tot.loc[y0, "n"] = (tot.loc[y0, "n"] - tot.loc[y0, "code"].map(first).fillna(0).astype(int)).clip(lower=0)
    tot = tot[tot["n"] > 0].reset_index(drop=True)
    size = tot["n"].to_numpy()
    df = pd.DataFrame(
        {
            "year": np.repeat(tot["year"].to_numpy(), size),
            "kommunenummer": np.repeat(tot["code"].to_numpy(), size),
        }
    )
    m = len(df)
    df["bydelsnummer"] = ""
    oslo = (df["kommunenummer"] == OSLO).to_numpy()
    w = np.array(list(BYDEL_WEIGHT.values()), dtype=float)
    df.loc[oslo, "bydelsnummer"] = rng.choice(list(BYDEL_WEIGHT), size=int(oslo.sum()), p=w / w.sum())
    u = rng.uniform(size=m)
    kat = np.where(
        u < FOLLOWUP_RESETTLEMENT_SHARE,
        "overforing",
        np.where(u < FOLLOWUP_RESETTLEMENT_SHARE + FOLLOWUP_PRIVATE_SHARE, "privatboende", "mottak"),
    )
    asb = (kat != "overforing") & (rng.uniform(size=m) < FOLLOWUP_ASB_SHARE)
    for (year, code), k in PUBLISHED_ASB.items():  # the published count, exactly
        cell = np.flatnonzero(
            ((df["year"] == year) & (df["kommunenummer"] == code)).to_numpy() & (kat != "overforing")
        )
        asb[cell] = False
        asb[rng.choice(cell, size=min(k, cell.size), replace=False)] = True
    hh = np.where(
        asb,
        rng.choice(HH, size=m, p=HH_ASB),
        np.where(
            kat == "overforing",
            rng.choice(HH, size=m, p=HH_RESETTLEMENT),
            rng.choice(HH, size=m, p=HH_ORDINARY[2021]),
        ),
    )
    lo = pd.to_datetime(df["year"].astype(str) + "-01-01").where(df["year"] != start.year, start)
    hi = pd.to_datetime(df["year"].astype(str) + "-12-31").where(df["year"] != end.year, end)
    span = (hi - lo).dt.days.to_numpy() + 1
    bos = lo + pd.to_timedelta(np.floor(rng.uniform(size=m) * span).astype(int), unit="D")
    wait = np.where(kat == "overforing", np.nan, rng.gamma(4.0, 1.6, size=m))
    ved = bos - pd.to_timedelta(np.rint(np.nan_to_num(wait, nan=0) * DAYS_PER_MONTH).astype(int), unit="D")
    age = np.where(hh == "enslig_mindrearig", rng.integers(15, 18, m), rng.integers(0, 60, m))
    out = pd.DataFrame(
        {
            "vedtaksdato": ved.dt.strftime("%Y-%m-%d").where(~np.isnan(wait), ""),
            "bosettingsdato": bos.dt.strftime("%Y-%m-%d"),
            "kommunenummer": df["kommunenummer"],
            "bydelsnummer": df["bydelsnummer"],
            "avtalt_selvbosetting": asb.astype(int).astype(str),
            "kategori": kat,
            "husholdningstype": hh,
            "kjonn": rng.choice(["M", "K"], size=m, p=[0.5, 0.5]),
            "fodselsaar": (df["year"] - age).astype(str),
            "landbakgrunn": rng.choice([*COUNTRIES, "UKR"], size=m),
        }
    )
    out = out.sort_values(["bosettingsdato", "kommunenummer", "bydelsnummer"], kind="stable")
    out.insert(0, "person_id", [f"P{i:06d}" for i in range(len(base) + 1, len(base) + m + 1)])
    return out.reset_index(drop=True)


def generate_study(public: pd.DataFrame, wide: pd.DataFrame, seed: int, register_end: str) -> pd.DataFrame:
    """The demo register for any register_end: the report's calibrated register (exactly
    :func:`generate` up to REPORT_REGISTER_END), then :func:`extension` to ``register_end``.
    ``public`` is harmonised to the 2020 kommuner (the calibration's structure)."""
    if register_end <= REPORT_REGISTER_END:
        return generate(public, wide, seed, register_end)
    base = generate(public, wide, seed, REPORT_REGISTER_END)
    return pd.concat([base, extension(base, public, seed, register_end)], ignore_index=True)
