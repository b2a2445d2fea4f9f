"""Kapittel 11 under other defensible assumptions (Tabell X11.2, ``x_survey_sensitivity``).

The chapter's estimates assume that the responding units of a wave are a simple random sample
of its frame (finite population correction as ``survey.fpc`` says) and its changes that the
waves are independent samples. This module prints, beside each estimate as the chapter gives it:

- level rows (``group`` = ``level``): the interval under the other finite population correction
  choice (``ci_low_alt``/``ci_high_alt``; only where the wave has a known frame) and the estimate
  and interval weighted for non-response with the raking weights of kapittel 9 (waves with a
  frame; calibrated variance, :func:`analysis.survey.weighting.calibrated_share`);
- change rows (``group`` = ``change``): the interval and test that account for units answering
  both waves (the 2020 kommune as a cluster across the stacked waves: correlated Newcombe
  interval from the design correlation ``rho``, Rao-Scott test of the clustered design, Holm over
  the table), and the test with the non-response weights (``p_weighted``).

``differs`` marks the rows the report prints: a weighted estimate outside the chapter's interval
or at least ``survey.sensitivity_points`` percentage points from it, a change whose Holm verdict
or whose interval's exclusion of 0 differs between the independent and the overlap-aware
analysis.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis.survey.codebook import Codebook
from analysis.survey.inference import design_rao_scott, newcombe_correlated, stacked_covariance
from analysis.survey.stats import (
    answer_groups,
    domain_stats,
    effective_base,
    estimands,
    holm,
    wilson,
    z_value,
)
from analysis.survey.waves import pairs, respondents
from analysis.survey.weighting import calibrated_share, design_matrix

# A unit across the waves: the 2020 kommune (2016's kommuner are mapped to the 2020 structure at
# ingest; merged kommuner and Oslo's bydeler are one cluster, the conservative choice).
OVERLAP_CLUSTER = "kommunenummer_2020"


def wave_estimands(resp: dict[int, pd.DataFrame], cb: Codebook) -> dict[tuple[str, int], list[tuple]]:
    """``(figure, year)`` -> the figure's ``estimands`` on that wave's respondents, each
    ``(item key, category, kind, values)`` with the values as an array: computed once for the
    level rows and every pair's change rows (issue 26)."""
    return {
        (fid, year): [
            (k, c, kind, y.to_numpy(dtype=float)) for k, c, kind, y in estimands(data, cb, fid, year)
        ]
        for fid in cb.figures
        for year, data in resp.items()
    }


def level_rows(
    resp: dict[int, pd.DataFrame],
    cb: Codebook,
    estimates: dict[tuple[str, int], list[tuple]],
    frame_sizes: dict[int, int | None],
    known_sizes: dict[int, int | None],
    weights: dict[int, tuple[np.ndarray, np.ndarray]],
    confidence: float,
    points: float,
) -> list[dict]:
    """One record per percentage or mean of every figure and wave.

    ``estimates``: :func:`wave_estimands` of ``resp``;
    ``frame_sizes``: the frame size the chapter's correction uses per wave (``survey.fpc``);
    ``known_sizes``: the frame size where known (the alternative choice uses it or none);
    ``weights``: per wave with a frame, (raking weight, raking dummies) of each responding unit
    in the order of ``resp[year]``; ``points``: a weighted percentage at least this many points
    from the unweighted one ``differs`` (as does a weighted estimate outside the chapter's
    interval).
    """
    z = z_value(confidence)
    out = []
    for fid in cb.figures:
        for year in sorted(resp, reverse=True):
            data = resp[year]
            n_total = len(data)
            used, known = frame_sizes.get(year), known_sizes.get(year)
            alt = None if used else known  # the other choice: off if on, on if a frame is known
            for key, cat, kind, vals in estimates[(fid, year)]:
                if kind == "count":
                    continue
                dom = ~np.isnan(vals)
                est, se, n_d = domain_stats(vals[dom], n_total, used)
                if n_d == 0:
                    continue
                rec = {"year": year, "series": fid, "item": key, "category": cat, "kind": kind, "n": n_d}
                rec["fpc"] = "frame" if used else "none"
                if kind == "mean":
                    rec.update(value=est, ci_low=est - z * se, ci_high=est + z * se)
                    if alt is not None or (used and known):
                        _, se_a, _ = domain_stats(vals[dom], n_total, alt)
                        rec.update(ci_low_alt=est - z * se_a, ci_high_alt=est + z * se_a)
                else:
                    lo, hi = wilson(est, effective_base(n_d, n_total, used), confidence)
                    rec.update(value=100 * est, ci_low=100 * lo, ci_high=100 * hi)
                    if used or known:
                        lo_a, hi_a = wilson(est, effective_base(n_d, n_total, alt), confidence)
                        rec.update(ci_low_alt=100 * lo_a, ci_high_alt=100 * hi_a)
                if year in weights:
                    w, X = weights[year]
                    p_w, var_w = calibrated_share(np.nan_to_num(vals), dom.astype(float), w, X, used)
                    if kind == "mean":
                        s = math.sqrt(var_w)
                        rec.update(
                            value_weighted=p_w, ci_low_weighted=p_w - z * s, ci_high_weighted=p_w + z * s
                        )
                    else:
                        n_eff = p_w * (1 - p_w) / var_w if var_w > 0 else effective_base(n_d, n_total, used)
                        lo_w, hi_w = wilson(p_w, n_eff, confidence)
                        rec.update(
                            value_weighted=100 * p_w, ci_low_weighted=100 * lo_w, ci_high_weighted=100 * hi_w
                        )
                    gap = abs(rec["value_weighted"] - rec["value"])
                    outside = not rec["ci_low"] - 1e-9 <= rec["value_weighted"] <= rec["ci_high"] + 1e-9
                    rec["differs"] = bool(outside or (kind == "percent" and gap >= points))
                else:
                    rec["differs"] = False
                out.append(rec)
    return out


def change_rows(
    resp: dict[int, pd.DataFrame],
    cb: Codebook,
    estimates: dict[tuple[str, int], list[tuple]],
    change: pd.DataFrame,
    frame_sizes: dict[int, int | None],
    weights: dict[int, tuple[np.ndarray, np.ndarray]],
    confidence: float,
    cluster: str,
    years: tuple[int, int],
) -> list[dict]:
    """The change table's rows with the overlap-aware interval and tests beside them.

    ``estimates``: :func:`wave_estimands` of ``resp``; ``change``: the chapter's change table (:func:`analysis.survey.stats.change_table`);
    ``cluster``: the column identifying a unit across the waves (the 2020 kommune). The clustered
    design's finite population correction applies only when both waves have one (N: the larger
    frame, n: the distinct units of the pair).
    """
    y0, y1 = years
    d0, d1 = resp[y0], resp[y1]
    ids = [d0[cluster].astype(str).to_numpy(), d1[cluster].astype(str).to_numpy()]
    sizes = [frame_sizes.get(y0), frame_sizes.get(y1)]
    pair_size = max(sizes) if all(sizes) else None
    unit_w = [np.ones(len(d0)), np.ones(len(d1))]
    z = z_value(confidence)
    values = {
        (fid, key, cat, year): vals
        for fid in cb.figures
        for year in (y0, y1)
        for key, cat, _, vals in estimates[(fid, year)]
    }
    out = []
    for _, r in change.iterrows():
        rec = {
            "year": f"{y0}-{y1}",
            "series": r["series"],
            "item": r["item"],
            "category": r["category"],
            "kind": "change",
            "n": r["n"],
            "value": r["value"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "test": r["test"],
            "p_value": r["p_value"],
            "p_holm": r["p_holm"],
            "comparable": r["comparable"],
        }
        k0, k1 = (r["series"], r["item"], r["category"], y0), (r["series"], r["item"], r["category"], y1)
        if pd.notna(r["value"]) and k0 in values and k1 in values:
            means, cov = stacked_covariance([values[k0], values[k1]], ids, unit_w, pair_size)
            rho = cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1]) if cov[0, 0] > 0 and cov[1, 1] > 0 else 0.0
            rec["rho"] = rho
            if r["ci_method"] == "newcombe":
                p0, p1 = r[f"value_{y0}"] / 100, r[f"value_{y1}"] / 100
                w0 = _wave_ci(values[k0], len(d0), frame_sizes.get(y0), confidence)
                w1 = _wave_ci(values[k1], len(d1), frame_sizes.get(y1), confidence)
                lo, hi = newcombe_correlated(p0, w0, p1, w1, rho)
                rec.update(ci_low_overlap=100 * lo, ci_high_overlap=100 * hi)
            else:
                se = math.sqrt(
                    max(
                        r["se"] ** 2
                        - 2
                        * rho
                        * _se(values[k0], d0, frame_sizes.get(y0))
                        * _se(values[k1], d1, frame_sizes.get(y1)),
                        0.0,
                    )
                )
                rec.update(ci_low_overlap=r["value"] - z * se, ci_high_overlap=r["value"] + z * se)
                if r["test"] == "wald_z" and se > 0:
                    rec["p_overlap"] = float(2 * ndtr(-abs(r["value"] / se)))
                if r["test"] == "wald_z" and y1 in weights:  # weighted: z test of the weighted mean
                    w, X = weights[y1]
                    v1 = values[k1]
                    m_w, var_w = calibrated_share(
                        np.nan_to_num(v1), (~np.isnan(v1)).astype(float), w, X, frame_sizes.get(y1)
                    )
                    se_w = math.sqrt(var_w + _se(values[k0], d0, frame_sizes.get(y0)) ** 2)
                    if se_w > 0:
                        rec["p_weighted"] = float(2 * ndtr(-abs((m_w - r[f"value_{y0}"]) / se_w)))
        if r["test"] in ("rao_scott_f", "fisher_exact"):
            rec.update(_tests(resp, cb, r["series"], r["item"], years, ids, pair_size, frame_sizes, weights))
        if r["test"] == "fisher_exact":  # sparse: the exact test stands in every variant
            rec["p_overlap"] = rec["p_weighted"] = r["p_value"]
        out.append(rec)
    p = np.array([rec.get("p_overlap", np.nan) for rec in out], dtype=float)
    pw = np.array([rec.get("p_weighted", np.nan) for rec in out], dtype=float)
    for rec, ph, phw in zip(out, holm(p), holm(pw)):
        rec["p_holm_overlap"] = ph
        rec["p_holm_weighted"] = phw
        sig = rec["p_holm"] < 0.05 if pd.notna(rec["p_holm"]) else None
        sig_o = ph < 0.05 if not math.isnan(ph) else None
        excl = _excludes0(rec.get("ci_low"), rec.get("ci_high"))
        excl_o = _excludes0(rec.get("ci_low_overlap"), rec.get("ci_high_overlap"))
        rec["differs"] = bool(
            (sig is not None and sig_o is not None and sig != sig_o)
            or (excl is not None and excl_o is not None and excl != excl_o)
        )
    return out


def _excludes0(lo, hi) -> bool | None:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return None
    return bool(lo > 0 or hi < 0)


def _wave_ci(y: np.ndarray, n_total: int, frame_size: int | None, confidence: float) -> tuple[float, float]:
    vals = y[~np.isnan(y)]
    est, _, n_d = domain_stats(vals, n_total, frame_size)
    return wilson(est, effective_base(n_d, n_total, frame_size), confidence)


def _se(y: np.ndarray, data: pd.DataFrame, frame_size: int | None) -> float:
    return domain_stats(y[~np.isnan(y)], len(data), frame_size)[1]


def _tests(resp, cb, fid, item, years, ids, pair_size, frame_sizes, weights) -> dict:
    """The item's Rao-Scott test with the units as clusters over the stacked waves (p_overlap)
    and with the non-response weights of the waves that have them (p_weighted; each wave's
    weights scaled to mean 1, independent waves as strata)."""
    groups, dom, wave, w = [], [], [], []
    for k, y in enumerate(years):
        g, d = answer_groups(resp[y], cb, fid, item)
        groups.append(g)
        dom.append(d)
        wave.append(np.full(len(g), str(y)))
        ww = weights[y][0] if y in weights else np.ones(len(g))
        w.append(ww / ww.mean())
    rows, cols, domain = np.concatenate(wave), np.concatenate(groups), np.concatenate(dom)
    cl = np.concatenate(ids)
    rec = {}
    rs = design_rao_scott(
        rows,
        cols,
        np.ones(len(rows)),
        np.zeros(len(rows)),
        cl,
        np.full(len(rows), pair_size or np.inf),
        domain,
    )
    if rs is not None:
        rec["p_overlap"] = rs.p_value
    pops = np.concatenate([np.full(len(g), frame_sizes.get(y) or np.inf) for g, y in zip(groups, years)])
    units = np.char.add(rows.astype(str), np.concatenate([np.arange(len(g)) for g in groups]).astype(str))
    if any(y in weights for y in years):
        rw = design_rao_scott(rows, cols, np.concatenate(w), rows, units, pops, domain)
        if rw is not None:
            rec["p_weighted"] = rw.p_value
    return rec


def read_change(path: str) -> pd.DataFrame:
    """A change table of kapittel 11 (``x_survey_change_<FROM>_<TO>``) as survey_tables wrote it,
    with empty keys as ""."""
    change = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"test": str})
    change[["item", "category", "test"]] = change[["item", "category", "test"]].fillna("")
    return change


def sensitivity_records(
    waves: dict[int, pd.DataFrame],
    cb: Codebook,
    frame_sizes: dict[int, int | None],
    known_sizes: dict[int, int | None],
    weights: dict[int, pd.DataFrame],
    changes: dict[tuple[int, int], pd.DataFrame],
    margins: list[str],
    confidence: float,
    points: float,
) -> list[dict]:
    """The records of Tabell X11.2: every wave's levels, every pair of consecutive waves' changes
    and their overlap (``group`` level, change, overlap).

    ``waves``: every wave's answers; ``frame_sizes``/``known_sizes``: as :func:`level_rows`;
    ``weights``: per wave with a frame, its weights file (``unit_id``, the raking ``margins``,
    ``weight``; a survey too small to rake has none); ``changes``: per pair, :func:`read_change`."""
    resp = {year: respondents(w) for year, w in waves.items()}
    estimates = wave_estimands(resp, cb)  # once, for the levels and every pair's changes
    raked = {}
    for year, wt in weights.items():
        m = resp[year][["unit_id"]].astype(str).merge(wt, on="unit_id", how="left", validate="1:1")
        if len(m) and m["weight"].notna().all():  # raked (a survey too small to rake has no weights)
            raked[year] = (m["weight"].to_numpy(dtype=float), design_matrix(m, list(margins)))
    recs = [
        {**r, "group": "level"}
        for r in level_rows(resp, cb, estimates, frame_sizes, known_sizes, raked, confidence, points)
    ]
    overlap = []
    for y0, y1 in pairs(waves):
        recs += [
            {**r, "group": "change"}
            for r in change_rows(
                resp,
                cb,
                estimates,
                changes[(y0, y1)],
                frame_sizes,
                raked,
                confidence,
                OVERLAP_CLUSTER,
                (y0, y1),
            )
        ]
        both = [set(resp[y][OVERLAP_CLUSTER].astype(str)) for y in (y0, y1)]
        overlap.append(
            {
                "group": "overlap",
                "year": f"{y0}-{y1}",
                "series": "clusters_in_both_waves",
                "value": len(both[0] & both[1]),
                "n": len(both[0] | both[1]),
            }
        )
    return recs + overlap
