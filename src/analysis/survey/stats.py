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
variance but stays inside 0-100 and has width at 0 % and 100 %. Changes 2016 -> 2021 treat the
waves as independent samples from different frames: difference, SE = sqrt(V16 + V21), normal
interval and two-sided z test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# The standard normal's quantile and cdf are the kernels scipy.stats.norm.ppf/sf evaluate (same
# values, bit for bit); importing scipy.special alone saves ~0.8 s of scipy.stats import per job.
from scipy.special import ndtr, ndtri

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
        if item not in data.columns or int(year) not in cb.items[item]["years"]:
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


def change_table(
    tables: dict[str, pd.DataFrame], cb: Codebook, confidence: float, years=(2016, 2021)
) -> pd.DataFrame:
    """2016 -> 2021 change for every figure row present in both waves (independent samples)."""
    z = z_value(confidence)
    y0, y1 = (str(y) for y in years)
    rows = []
    for fid in cb.figures:
        t = tables.get(fid)
        if t is None or "se" not in t.columns:
            continue
        t = t[t["n"].notna()]
        a = t[t["year"] == y0].set_index(["item", "category"])
        b = t[t["year"] == y1].set_index(["item", "category"])
        for key in b.index:
            if key not in a.index:
                continue
            r0, r1 = a.loc[key], b.loc[key]
            diff = float(r1["value"] - r0["value"])
            se = math.sqrt(float(r0["se"]) ** 2 + float(r1["se"]) ** 2)
            zstat = diff / se if se > 0 else math.nan
            pval = 2 * ndtr(-abs(zstat)) if se > 0 else math.nan
            rows.append(
                {
                    "series": fid,
                    "item": key[0],
                    "category": key[1],
                    "value": diff,
                    "n": int(r1["n"]),
                    "n_2016": int(r0["n"]),
                    "value_2016": float(r0["value"]),
                    "value_2021": float(r1["value"]),
                    "se": se,
                    "ci_low": diff - z * se,
                    "ci_high": diff + z * se,
                    "z": zstat,
                    "p_value": pval,
                }
            )
    return pd.DataFrame(rows)
