"""Estimates for the municipal surveys, with design-based standard errors and intervals.

Design assumption (stated in the report's method notes): the responding units of a wave are a
simple random sample without replacement from the wave's frame (2021: the 370 units; non-response
is taken as ignorable given the frame, see Tabell 9.1). A percentage for an item is a domain
estimate over the units that were routed to the item and gave a valid answer, so its variance is
that of a ratio estimator (what R's ``survey`` package computes for ``svymean`` on a subset of a
``svydesign(ids = ~1, fpc = ~N)`` design):

    V(p) = (1 - n/N) * n / (n - 1) * sum_d (y_i - p)^2 / n_d^2

with n the wave's respondents, n_d the item base and N the frame size (no finite population
correction when N is unknown, as for the 2016 wave). Intervals for percentages are Wilson score
intervals on the effective base n_d (n - 1) / (n (1 - n/N)), which equals the Wald interval's
variance but stays inside 0-100 and has width at 0 % and 100 %. Changes between two consecutive
waves (2016 -> 2021, 2021 -> 2026 ...) treat the waves as independent samples from different
frames: difference, SE = sqrt(V0 + V1), normal interval and two-sided z test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

# The standard normal's quantile and cdf are the kernels scipy.stats.norm.ppf/sf evaluate (same
# values, bit for bit); importing scipy.special alone saves ~0.8 s of scipy.stats import per job.
from scipy.special import fdtrc, ndtr, ndtri

from analysis.survey.codebook import Codebook


def z_value(confidence: float) -> float:
    """The two-sided normal quantile for ``confidence`` (1.96 for 0.95)."""
    return ndtri(0.5 + confidence / 2)


def domain_stats(y: np.ndarray, n_total: int, frame_size: int | None) -> tuple[float, float, int]:
    """Mean of ``y`` (the domain's values) and its SE under SRSWOR of ``n_total`` from the frame."""
    y = np.asarray(y, dtype=float)
    n_d = int(y.size)
    if n_d == 0:
        return math.nan, math.nan, 0
    mean = float(y.mean())
    fpc = 1.0 - n_total / frame_size if frame_size else 1.0
    if n_total < 2:
        return mean, math.nan, n_d
    var = fpc * n_total / (n_total - 1) * float(((y - mean) ** 2).sum()) / n_d**2
    return mean, math.sqrt(max(var, 0.0)), n_d


def effective_base(n_d: int, n_total: int, frame_size: int | None) -> float:
    fpc = 1.0 - n_total / frame_size if frame_size else 1.0
    return n_d * (n_total - 1) / (n_total * fpc) if fpc > 0 else math.inf


def wilson(p: float, n_eff: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` (0-1) with effective base ``n_eff``."""
    if not n_eff or math.isnan(p):
        return math.nan, math.nan
    if math.isinf(n_eff):
        return p, p
    z = z_value(confidence)
    denom = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denom
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _codes(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def estimands(data: pd.DataFrame, cb: Codebook, fid: str, year: int):
    """(item key, category, kind, values) of a figure: values are the 0/1 indicator (percentages)
    or the score (means) for units in the item's domain, NaN outside it."""
    f = cb.figures[fid]
    exclude = set(f.get("exclude_from_base", []))
    for key, item in cb.figure_items(fid):
        if item not in data.columns or not cb.asked_in(cb.items[item]["years"], year):
            continue
        x = _codes(data[item])
        if f["kind"] == "mean":
            scores = {int(k): float(v) for k, v in f["scores"].items()}
            yield key, "", "mean", x.map(lambda v: scores.get(int(v)) if pd.notna(v) else None).astype(float)
            continue
        in_domain = x.notna() & ~x.isin(list(exclude))
        if f["kind"] == "multi":
            sets = {"": [1]}
        elif f["kind"] == "share":
            sets = {"": f["share"], **f.get("extra_categories", {})}
        else:
            sets = {c: d["codes"] for c, d in f["categories"].items()}
            sets.update(f.get("extra_categories", {}))
        for cat, codes in sets.items():
            yield key, cat, "percent", x.isin(list(codes)).astype(float).where(in_domain)
        for cat, codes in f.get("count_categories", {}).items():
            yield key, cat, "count", x.isin(list(codes)).astype(float).where(in_domain)


def figure_table(
    data: pd.DataFrame, cb: Codebook, fid: str, year: int, frame_size: int | None, confidence: float
) -> list[dict]:
    """Tidy records (value in percent or mean score) for one figure and one wave.

    ``data`` holds the wave's responding units (one row each) with item columns as numbers.
    """
    n_total = len(data)
    z = z_value(confidence)
    out = []
    for key, cat, kind, y in estimands(data, cb, fid, year):
        vals = y.dropna().to_numpy()
        if kind == "count":
            out.append({"year": year, "item": key, "category": cat, "value": float(vals.sum()), "n": None})
            continue
        est, se, n_d = domain_stats(vals, n_total, frame_size)
        if kind == "mean":
            out.append(
                {
                    "year": year,
                    "item": key,
                    "category": cat,
                    "value": est,
                    "n": n_d,
                    "se": se,
                    "ci_low": est - z * se,
                    "ci_high": est + z * se,
                }
            )
            continue
        lo, hi = wilson(est, effective_base(n_d, n_total, frame_size), confidence)
        out.append(
            {
                "year": year,
                "item": key,
                "category": cat,
                "value": 100 * est,
                "n": n_d,
                "se": 100 * se,
                "ci_low": 100 * lo,
                "ci_high": 100 * hi,
            }
        )
    return out


def newcombe(p0: float, ci0: tuple[float, float], p1: float, ci1: tuple[float, float]) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p1 - p0`` from each wave's score (Wilson) limits.

    Newcombe (1998), method 10: ``d - sqrt((p1 - l1)^2 + (u0 - p0)^2)`` to
    ``d + sqrt((u1 - p1)^2 + (p0 - l0)^2)``. A wave at 0 % or 100 % still contributes its
    (one-sided) score width, so the interval never collapses the way the Wald interval does.
    """
    (l0, u0), (l1, u1) = ci0, ci1
    d = p1 - p0
    return d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)


@dataclass(frozen=True)
class RaoScott:
    """Second-order Rao-Scott test of a wave x answer table (R: ``svychisq(statistic = "F")``)."""

    f: float  # Pearson X^2 divided by the mean generalised design effect sum
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    n: int


def rao_scott(waves: list[tuple[np.ndarray, int, int | None]]) -> RaoScott | None:
    """Test that the answer distribution is the same in every wave, corrected for the design.

    ``waves``: per wave, the answer category of each unit in the item's domain (units with a
    valid answer), the wave's number of responding units and its frame size (None: no finite
    population correction). The design is the one the estimates use: each wave a stratum,
    simple random sampling without replacement within it, equal weights, the item's base a
    domain. This is what R's ``svychisq(~wave + answer, subset(des, valid), statistic = "F")``
    computes for ``svydesign(ids = ~1, strata = ~wave, fpc = ~N, weights = ~1)`` (a test
    compares them): Pearson's X^2 of the table of counts divided by the trace of the
    generalised design-effect matrix Delta, referred to F with d0 = tr(Delta)^2 / tr(Delta^2)
    and d0 (n - waves) degrees of freedom. None when there is nothing to test: fewer than two
    waves or answers with data, a wave of one unit, or no sampling variance.
    """
    waves = [(np.asarray(c), n, N) for c, n, N in waves if len(c)]
    cats = sorted(set().union(*(set(c.tolist()) for c, _, _ in waves))) if waves else []
    nr, nc = len(waves), len(cats)
    if nr < 2 or nc < 2 or min(n for _, n, _ in waves) < 2:
        return None
    col = {c: j for j, c in enumerate(cats)}
    counts = np.zeros((nr, nc))
    for r, (c, _, _) in enumerate(waves):
        for j, m in zip(*np.unique([col[v] for v in c.tolist()], return_counts=True)):
            counts[r, j] = m
    n_dom = counts.sum()
    # cells in R's order: interaction(rows, cols), rows varying fastest
    p = counts.flatten(order="F") / n_dom
    cells = nr * nc
    V = np.zeros((cells, cells))
    for r, (_, n_r, N_r) in enumerate(waves):
        m = np.zeros(cells)
        m[r + nr * np.arange(nc)] = counts[r]
        n_dr = m.sum()
        # sum over the wave's domain units of (x_i - p)(x_i - p)^T, x_i the unit's cell indicator
        S = np.diag(m) - np.outer(m, p) - np.outer(p, m) + n_dr * np.outer(p, p)
        s = m - n_dr * p
        fpc = 1.0 - n_r / N_r if N_r else 1.0
        V += fpc * n_r / (n_r - 1) * (S - np.outer(s, s) / n_r) / n_dom**2
    # clusters (units) minus strata (waves) of the domain
    return rao_scott_from_covariance(counts, p, V, n_dom, nu=n_dom - nr)


def rao_scott_from_covariance(
    table: np.ndarray, p: np.ndarray, V: np.ndarray, n_dom: float, nu: float
) -> RaoScott | None:
    """The Rao–Scott second-order F test of independence in an r x c ``table`` (counts or
    estimated counts of the domain's ``n_dom`` units), given its cell proportions ``p`` and their
    design covariance ``V`` in R's cell order (rows fastest), with ``nu`` design degrees of
    freedom (clusters minus strata). None when the design has no sampling variance."""
    nr, nc = table.shape
    cells = nr * nc
    rows = np.tile(np.arange(nr), nc)
    colsx = np.repeat(np.arange(nc), nr)
    R = (rows[:, None] == np.arange(1, nr)[None, :]).astype(float)
    C = (colsx[:, None] == np.arange(1, nc)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(cells), R, C])
    inter = np.column_stack([R[:, i] * C[:, j] for j in range(nc - 1) for i in range(nr - 1)])
    beta, *_ = np.linalg.lstsq(X1, inter, rcond=None)
    Cmat = inter - X1 @ beta
    iD = np.diag(np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p)))
    denom = Cmat.T @ (iD / n_dom) @ Cmat
    numr = Cmat.T @ iD @ V @ iD @ Cmat
    delta = np.linalg.solve(denom, numr)
    tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    if not tr > 0:  # no sampling variance (every wave a census): nothing to test
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n_dom
    pearson = float(((table - expected) ** 2 / expected).sum())
    f = pearson / tr
    d0 = tr * tr / tr2
    return RaoScott(f, d0, d0 * nu, float(fdtrc(d0, d0 * nu, f)), pearson, int(n_dom))


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (R: ``p.adjust(p, "holm")``); NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m:
        order = ok[np.argsort(p[ok], kind="stable")]
        adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
        out[order] = np.minimum(adj, 1.0)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg step-up adjusted p-values (R: ``p.adjust(p, "BH")``); NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m:
        order = ok[np.argsort(p[ok], kind="stable")[::-1]]  # largest first
        adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order])
        out[order] = np.minimum(adj, 1.0)
    return out


def answer_groups(data: pd.DataFrame, cb: Codebook, fid: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(answer category per unit, in-domain mask) of one figure item, for the Rao-Scott test.

    Distribution items: the figure's (collapsed) categories, a code in the domain but in no
    category its own group; share and multi items: the reported share against the rest.
    """
    f = cb.figures[fid]
    x = _codes(data[f["items"][key]["item"]])
    in_domain = (x.notna() & ~x.isin(list(f.get("exclude_from_base", [])))).to_numpy()
    if f["kind"] == "distribution":
        label = {int(c): cat for cat, d in f["categories"].items() for c in d["codes"]}
        groups = np.array(
            [label.get(int(v), f"code {int(v)}") if pd.notna(v) else "" for v in x], dtype=object
        )
    else:
        positive = f["share"] if f["kind"] == "share" else [1]
        groups = np.where(x.isin(list(positive)), "share", "rest").astype(object)
    return groups, in_domain


def change_columns(y0: int, y1: int) -> list[str]:
    """Columns of the change table of waves ``y0`` -> ``y1`` (the waves' bases and values by year)."""
    return [
        "series",
        "item",
        "category",
        "value",
        "n",
        f"n_{y0}",
        f"n_{y1}",
        "small_base",
        "small_base_limit",
        f"value_{y0}",
        f"value_{y1}",
        *CHANGE_COLUMNS_REST,
    ]


CHANGE_COLUMNS_REST = [
    "se",
    "ci_low",
    "ci_high",
    "ci_method",
    "comparable",
    "test",
    "statistic",
    "df_num",
    "df_den",
    "p_value",
    "p_holm",
    "p_bh",
    "note",
    "note_en",
]


def change_table(
    resp: dict[int, pd.DataFrame],
    tables: dict[str, pd.DataFrame],
    cb: Codebook,
    frame_sizes: dict[int, int | None],
    confidence: float,
    small_base: int,
    years: tuple[int, int],
) -> pd.DataFrame:
    """Change from wave ``years[0]`` to wave ``years[1]`` for every figure row present in both
    waves (independent samples).

    Percentages: difference with Newcombe's hybrid score interval built from each wave's Wilson
    limits (which carry the wave's finite population correction). Means: difference with a
    normal interval and a z test. Tests: one Rao-Scott test per item (the whole answer
    distribution of a distribution item, the share against the rest of a share or checkbox
    item); the rows of a distribution item's categories carry intervals only, its test is the
    item row (category empty). A 2 x 2 item with an expected count below 5 gets Fisher's exact
    test instead (``test`` = ``fisher_exact``, no statistic), where the chi-square approximation
    behind Rao-Scott is unreliable (Fisher conditions on the margins and ignores the finite
    population correction: conservative). Items whose wording or answer options changed between the
    waves (:meth:`Codebook.wave_changes`) get no test and ``comparable`` false. Holm and
    Benjamini-Hochberg adjust over every test of the table. ``small_base``: a row is flagged
    when either wave's base is below it.
    """
    z = z_value(confidence)
    y0, y1 = years
    changed = cb.wave_changes(y0, y1)
    rows = []

    def test_of(fid: str, key: str) -> RaoScott | None:
        groups = []
        for y in years:
            g, d = answer_groups(resp[y], cb, fid, key)
            groups.append((g[d], len(resp[y]), frame_sizes.get(y)))
        return rao_scott(groups)

    def sparse_counts(fid: str, key: str) -> np.ndarray | None:
        """The wave x (share, rest) counts of a 2 x 2 item when an expected count is below 5."""
        from analysis.survey.inference import sparse_table

        counts = []
        for y in years:
            g, d = answer_groups(resp[y], cb, fid, key)
            counts.append([int((g[d] == "share").sum()), int((g[d] == "rest").sum())])
        return np.array(counts) if sparse_table(np.array(counts)) else None

    for fid, f in cb.figures.items():
        t = tables.get(fid)
        if t is None or "se" not in t.columns or y0 not in resp or y1 not in resp:
            continue
        t = t[t["n"].notna()]
        a = t[t["year"] == str(y0)].set_index(["item", "category"])
        b = t[t["year"] == str(y1)].set_index(["item", "category"])
        main = set(f.get("categories", {})) if f["kind"] == "distribution" else {""}
        tested_items = []
        for key in b.index:
            if key not in a.index:
                continue
            r0, r1 = a.loc[key], b.loc[key]
            change = changed.get((fid, key[0]))
            n0, n1 = int(r0["n"]), int(r1["n"])
            row = {
                "series": fid,
                "item": key[0],
                "category": key[1],
                "value": float(r1["value"] - r0["value"]),
                "n": n1,
                f"n_{y0}": n0,
                f"n_{y1}": n1,
                "small_base": min(n0, n1) < small_base,
                f"value_{y0}": float(r0["value"]),
                f"value_{y1}": float(r1["value"]),
                "se": math.sqrt(float(r0["se"]) ** 2 + float(r1["se"]) ** 2),
                "comparable": change is None,
                "test": "",
                "note": "" if change is None else f"ikke sammenlignbart: {change['what']}",
                "note_en": "" if change is None else f"not comparable: {change['what_en']}",
            }
            if f["kind"] == "mean":
                row["ci_method"] = "wald"
                row["ci_low"], row["ci_high"] = row["value"] - z * row["se"], row["value"] + z * row["se"]
                if change is None and row["se"] > 0:
                    stat = row["value"] / row["se"]
                    row.update(test="wald_z", statistic=stat, p_value=float(2 * ndtr(-abs(stat))))
            else:
                row["ci_method"] = "newcombe"
                lo, hi = newcombe(
                    float(r0["value"]) / 100,
                    (float(r0["ci_low"]) / 100, float(r0["ci_high"]) / 100),
                    float(r1["value"]) / 100,
                    (float(r1["ci_low"]) / 100, float(r1["ci_high"]) / 100),
                )
                row["ci_low"], row["ci_high"] = 100 * lo, 100 * hi
                if f["kind"] != "distribution" and key[1] == "" and change is None:
                    rs = test_of(fid, key[0])
                    sparse = sparse_counts(fid, key[0]) if rs is not None else None
                    if sparse is not None:  # the chi-square approximation fails: exact test
                        from analysis.survey.inference import fisher_exact_p

                        row.update(test="fisher_exact", p_value=fisher_exact_p(sparse))
                    elif rs is not None:
                        row.update(
                            test="rao_scott_f",
                            statistic=rs.f,
                            df_num=rs.ndf,
                            df_den=rs.ddf,
                            p_value=rs.p_value,
                        )
                if f["kind"] == "distribution" and key[1] in main and key[0] not in tested_items:
                    tested_items.append(key[0])
            rows.append(row)
        for item in tested_items:  # one test per distribution item, after its categories
            change = changed.get((fid, item))
            ns = [int(a.loc[(item, c), "n"]) for c in main if (item, c) in a.index][:1]
            ns += [int(b.loc[(item, c), "n"]) for c in main if (item, c) in b.index][:1]
            row = {
                "series": fid,
                "item": item,
                "category": "",
                "n": ns[1],
                f"n_{y0}": ns[0],
                f"n_{y1}": ns[1],
                "small_base": min(ns) < small_base,
                "comparable": change is None,
                "test": "",
                "note": "" if change is None else f"ikke sammenlignbart: {change['what']}",
                "note_en": "" if change is None else f"not comparable: {change['what_en']}",
            }
            rs = test_of(fid, item) if change is None else None
            if rs is not None:
                row.update(
                    test="rao_scott_f", statistic=rs.f, df_num=rs.ndf, df_den=rs.ddf, p_value=rs.p_value
                )
            last = max(i for i, r in enumerate(rows) if r["series"] == fid and r["item"] == item)
            rows.insert(last + 1, row)
    out = pd.DataFrame(rows, columns=change_columns(y0, y1)).assign(small_base_limit=small_base)
    p = out["p_value"].to_numpy(dtype=float)
    out["p_holm"] = holm(p)
    out["p_bh"] = benjamini_hochberg(p)
    return out
