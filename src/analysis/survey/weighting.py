"""Non-response weights for a survey wave with a frame (2021 in the report): raking (iterative proportional fitting).

The respondents (kommuner and Oslo bydeler) are weighted so that their weighted counts equal
the frame's counts in every category of each raking variable (size group and region by
default, optionally a settlement-volume band). Starting weights are N/n (the inverse response
rate); each iteration multiplies the weights of one variable's categories by target/current,
variable after variable, until every weighted margin is within ``tol`` of its target. This is
the algorithm of R's ``survey::rake`` (Deming-Stephan), which a test compares against.

Estimates and intervals. A weighted share is a ratio ``sum w d y / sum w d`` over the units
with a valid answer (d = 1). Its variance is the with-replacement linearisation of the
calibrated estimator: the linearised variable ``d (y - p) / sum w d`` is replaced by its
residual from the least-squares regression on the raking dummies, weighted by the (equal)
starting weights (the calibration residual), which removes the variance explained by the
margins the weights were calibrated to. This is what R's ``survey`` package computes for
``svymean`` on a ``rake()`` design (its backfitting converges to this projection); a test
compares them with the unequal demo weights to 1e-8. The finite population correction ``1 - n/N`` for the
370 frame units is applied, as for every other survey interval (kapittel 11). Both unweighted
and weighted intervals are Wilson score intervals; the weighted one uses the effective sample
size ``p (1 - p) / var`` (Korn-Graubard style), so the two are comparable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# ndtri is the kernel of scipy.stats.norm.ppf (same values) without importing scipy.stats (~0.8 s)
from scipy.special import ndtri

from analysis.survey.stats import domain_stats, effective_base

log = logging.getLogger("weighting")


@dataclass
class RakeResult:
    weights: pd.Series
    iterations: int
    converged: bool
    max_margin_error: float
    history: list[float] = field(default_factory=list)


def margins_of(frame: pd.DataFrame, variables: list[str]) -> dict[str, pd.Series]:
    """Frame counts per category of each raking variable (the population margins)."""
    return {v: frame[v].value_counts().sort_index().astype(float) for v in variables}


def weighted_margins(sample: pd.DataFrame, weights: pd.Series, variables: list[str]) -> dict[str, pd.Series]:
    return {v: weights.groupby(sample[v].to_numpy()).sum().sort_index() for v in variables}


class TooFewRespondents(ValueError):
    """Raking is impossible because a margin's category has no respondent (or there are none)."""


def rake(
    sample: pd.DataFrame,
    margins: dict[str, pd.Series],
    base_weights: pd.Series | None = None,
    *,
    tol: float,
    max_iter: int,
) -> RakeResult:
    """Rake ``sample`` to ``margins`` ({variable: Series category -> population count}).

    ``base_weights`` (starting weights; None: N/n) must be equal (:func:`check_equal_start`).
    A result with ``converged`` false holds provisional weights: callers report it as such.

    Every category with a population count must have respondents, and every respondent's
    category must have a population count; otherwise raking is impossible (ValueError).
    """
    n = len(sample)
    if n == 0:
        raise TooFewRespondents("no respondents to weight")
    for v, m in margins.items():
        cats = set(sample[v].unique())
        empty = sorted(str(c) for c in m.index if m[c] > 0 and c not in cats)
        if empty:
            raise TooFewRespondents(f"raking variable {v}: no respondents in {empty}; collapse categories")
        extra = sorted(str(c) for c in cats - set(m.index))
        if extra:
            raise ValueError(
                f"raking variable {v}: respondents in categories without a population count {extra}"
            )
    total = float(next(iter(margins.values())).sum())
    for v, m in margins.items():
        if not np.isclose(m.sum(), total, rtol=0, atol=1e-9 * max(1.0, total)):
            raise ValueError(
                f"margins disagree on the population total: {v} sums to {m.sum()}, expected {total}"
            )
    if base_weights is not None:
        check_equal_start(base_weights)
    w = (
        pd.Series(total / n, index=sample.index, dtype=float)
        if base_weights is None
        else base_weights.astype(float).copy()
    )
    codes = {v: sample[v].to_numpy() for v in margins}
    history = []
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        for v, m in margins.items():
            cur = w.groupby(codes[v]).sum()
            factor = (m / cur).reindex(codes[v]).to_numpy()
            w = w * factor
        err = max(float((w.groupby(codes[v]).sum() - m).abs().max()) for v, m in margins.items())
        history.append(err)
        if err <= tol * max(1.0, total):
            converged = True
            break
    return RakeResult(
        weights=w.rename("weight"),
        iterations=it,
        converged=converged,
        max_margin_error=history[-1],
        history=history,
    )


def check_equal_start(weights: pd.Series | np.ndarray) -> None:
    """Starting weights must be finite, positive and equal: the raking starts from N/n for every
    respondent, and the calibrated variance (:func:`calibrated_share`) takes its residual from
    the ordinary least-squares fit, which is the design-weighted fit only for equal starting
    weights. Unequal design weights would need the weighted fit (not implemented): stop."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.isfinite(w).all() or (w <= 0).any():
        raise ValueError("starting weights must be finite and positive for every respondent")
    if float(w.max() - w.min()) > 1e-9 * float(w.max()):
        raise ValueError(
            f"starting weights are unequal (from {w.min():.4g} to {w.max():.4g}); the raking and its "
            "variance assume equal starting weights N/n (decision 0043)"
        )


def kish_deff(w: pd.Series | np.ndarray) -> float:
    """Kish's design effect from unequal weights: n sum(w^2) / (sum w)^2."""
    w = np.asarray(w, dtype=float)
    return float(len(w) * (w**2).sum() / w.sum() ** 2)


def diagnostics(result: RakeResult, sample: pd.DataFrame, margins: dict[str, pd.Series]) -> list[dict]:
    """Records for the diagnostics table: weights summary, convergence and margin checks."""
    w = result.weights
    deff = kish_deff(w)
    recs = [
        {"series": "n_respondents", "value": len(w)},
        {"series": "population_total", "value": float(next(iter(margins.values())).sum())},
        {"series": "iterations", "value": result.iterations},
        {"series": "converged", "value": int(result.converged)},
        {"series": "max_margin_error", "value": result.max_margin_error},
        {"series": "weight_min", "value": float(w.min())},
        {"series": "weight_max", "value": float(w.max())},
        {"series": "weight_mean", "value": float(w.mean())},
        {"series": "weight_ratio_max_min", "value": float(w.max() / w.min())},
        {"series": "weight_cv", "value": float(w.std(ddof=0) / w.mean())},
        {"series": "kish_deff", "value": deff},
        {"series": "effective_n", "value": len(w) / deff},
    ]
    wm = weighted_margins(sample, w, list(margins))
    for v, m in margins.items():
        unw = sample[v].value_counts()
        for cat in m.index:
            common = {"group": v, "item": str(cat)}
            recs += [
                {"series": "margin_frame", **common, "value": float(m[cat])},
                {"series": "margin_weighted", **common, "value": float(wm[v].get(cat, 0.0))},
                {"series": "margin_respondents", **common, "value": int(unw.get(cat, 0))},
                {
                    "series": "margin_abs_error",
                    **common,
                    "value": abs(float(wm[v].get(cat, 0.0)) - float(m[cat])),
                },
            ]
    return recs


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` with (effective) sample size ``n``."""
    if n <= 0 or np.isnan(p):
        return float("nan"), float("nan")
    if np.isinf(n):  # a census: no sampling error
        return p, p
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def calibrated_share(
    y: np.ndarray, d: np.ndarray, w: np.ndarray, X: np.ndarray, frame_size: float | None = None
) -> tuple[float, float]:
    """Weighted share of ``y`` (0/1) among ``d`` and its linearisation variance (see module),
    with the finite population correction ``1 - n / frame_size`` when the frame size is given."""
    wd = w * d
    if wd.sum() == 0:
        return float("nan"), float("nan")
    p = float((wd * y).sum() / wd.sum())
    u = d * (y - p) / wd.sum()
    # calibration residual: u minus its least-squares fit on the raking dummies (the starting
    # weights are equal, so the design-weighted fit is the ordinary one; R's survey::rake
    # backfits to the same projection)
    beta, *_ = np.linalg.lstsq(X, u, rcond=None)
    e = u - X @ beta
    z = w * e
    n = len(z)
    var = float(n / (n - 1) * ((z - z.mean()) ** 2).sum()) if n > 1 else float("nan")
    if frame_size:
        var *= max(0.0, 1.0 - n / frame_size)
    return p, var


def design_matrix(sample: pd.DataFrame, variables: list[str]) -> np.ndarray:
    """Dummies of every category of every raking variable (rank-deficient; lstsq handles it)."""
    cols = [pd.get_dummies(sample[v].astype(str), dtype=float) for v in variables]
    return pd.concat(cols, axis=1).to_numpy()


def compare_estimates(
    survey: pd.DataFrame,
    weights: pd.Series,
    sample: pd.DataFrame,
    variables: list[str],
    estimates: list[dict],
    confidence: float,
    frame_size: int | None,
) -> list[dict]:
    """Weighted vs unweighted shares (percent) with Wilson intervals for each estimate spec.

    Both carry the finite population correction for ``frame_size`` units (the 370 of the
    frame), as every survey interval does: the unweighted one is the interval of kapittel 11
    (:func:`analysis.survey.stats.domain_stats`, Wilson on the effective base), the weighted
    one Wilson on the effective sample size ``p (1 - p) / var`` of the calibrated variance.

    A spec: ``item`` (survey column), ``positive`` (codes counted), ``exclude`` (codes left out
    of the base, e.g. 9 = vet ikke), ``id`` (row label). The base is the units with a valid
    (non-empty, not excluded) answer.
    """
    z = float(ndtri(0.5 + confidence / 2))
    X = design_matrix(sample, variables)
    w = weights.to_numpy(dtype=float)
    recs = []
    for spec in estimates:
        col = pd.to_numeric(survey[spec["item"]], errors="coerce").to_numpy()
        valid = ~np.isnan(col) & ~np.isin(col, spec.get("exclude", []))
        y = np.isin(col, spec["positive"]).astype(float)
        d = valid.astype(float)
        n = int(valid.sum())
        if n == 0:
            continue
        p_u, _, _ = domain_stats(y[valid], len(y), frame_size)
        n_eff_u = effective_base(n, len(y), frame_size)
        lo_u, hi_u = wilson(p_u, n_eff_u, z)
        p_w, var_w = calibrated_share(y, d, w, X, frame_size)
        # no estimated variance (0 % or 100 %): the unweighted effective base, so that the
        # interval keeps its width and the finite population correction, as the unweighted one
        n_eff = p_w * (1 - p_w) / var_w if var_w > 0 else n_eff_u
        lo_w, hi_w = wilson(p_w, n_eff, z)
        for kind, p, lo, hi, ne in (
            ("unweighted", p_u, lo_u, hi_u, n_eff_u),
            ("weighted", p_w, lo_w, hi_w, n_eff),
        ):
            recs.append(
                {
                    "item": spec["id"],
                    "category": kind,
                    "value": 100 * p,
                    "n": n,
                    "ci_low": 100 * lo,
                    "ci_high": 100 * hi,
                    "effective_n": ne,
                    "survey_item": spec["item"],
                    "label_no": spec.get("label_no", spec["id"]),
                    "label_en": spec.get("label_en", spec["id"]),
                }
            )
    return recs


def region_sensitivity(
    units: pd.DataFrame,
    survey: pd.DataFrame,
    variables: list[str],
    estimates: list[dict],
    groupings: list[str],
    confidence: float,
    tol: float,
    max_iter: int,
    frame_size: int | None,
) -> list[dict]:
    """The weighted estimates under every region grouping (columns ``region_<grouping>`` of the
    frame ``units``): the respondents are raked again with that grouping as the region margin.

    ``survey``: the respondents' answers in the order of the responding units. Records: one per
    grouping and estimate (``group`` = grouping, the weighted share with its interval), and per
    grouping the number of frame units whose region differs from the first grouping's (and a
    ``not_converged`` record when the raking under that grouping did not converge).
    ``frame_size``: for the finite population correction (None: none; ``survey.fpc``).
    """
    recs = []
    first = units[f"region_{groupings[0]}"]
    for g in groupings:
        u = units.assign(region=units[f"region_{g}"])
        sample = u[u["responded"]].reset_index(drop=True)
        margins = margins_of(u, variables)
        res = rake(sample, margins, tol=tol, max_iter=max_iter)
        if not res.converged:  # reported, not hidden: the report marks these weights provisional
            recs.append({"series": "not_converged", "group": g, "value": res.iterations})
        est = compare_estimates(survey, res.weights, sample, variables, estimates, confidence, frame_size)
        recs += [{**r, "group": g} for r in est if r["category"] == "weighted"]
        recs.append(
            {
                "series": "units_in_another_region",
                "group": g,
                "value": int((u["region"] != first).sum()),
                "n": len(u),
            }
        )
        recs.append({"series": "kish_deff", "group": g, "value": kish_deff(res.weights)})
    return recs


def settlement_band(settled: pd.Series, breaks: list[int]) -> pd.Series:
    """Settlement-volume band per unit: ``[0, b1)``, ``[b1, b2)``, ..., ``[bk, inf)``."""
    edges = sorted(int(b) for b in breaks)
    labels = []
    lo = 0
    for b in edges:
        labels.append(f"{lo}-{b - 1}")
        lo = b
    labels.append(f"{lo}+")
    idx = np.searchsorted(edges, settled.to_numpy(), side="right")
    return pd.Series(np.asarray(labels, dtype=object)[idx], index=settled.index, name="settlement_band")


def estimates_for(specs: list[dict], period: str) -> list[dict]:
    """The estimate specs (config ``weighting.estimates``) with ``{period}`` in their labels
    filled in: the years the wave's filter question asks about."""
    return [
        {k: v.replace("{period}", period) if k.startswith("label_") else v for k, v in spec.items()}
        for spec in specs
    ]


def plot_estimates(table: pd.DataFrame, t, language: str, confidence: float):
    """Dot-and-interval plot: each estimate unweighted and weighted, with its ``confidence``
    interval (the level the table's intervals were computed at). ``t``: the language's message
    catalogue (analysis.core.messages.Messages), group ``figure``."""
    import matplotlib.pyplot as plt

    from analysis.core.figures import PALETTE, apply_style

    apply_style()
    items = list(dict.fromkeys(table["item"]))
    labels = {r["item"]: r[f"label_{language}"] for _, r in table.iterrows()}
    fig, ax = plt.subplots(figsize=(6.3, 0.55 * len(items) + 1.0))
    for kind, colour, off in (("unweighted", PALETTE[1], -0.15), ("weighted", PALETTE[0], 0.15)):
        sub = table[table["category"] == kind].set_index("item").reindex(items)
        y = np.arange(len(items)) + off
        ax.errorbar(
            sub["value"],
            y,
            xerr=[sub["value"] - sub["ci_low"], sub["ci_high"] - sub["value"]],
            fmt="o",
            color=colour,
            ms=4,
            capsize=2,
            lw=1,
            label=t(f"figure.weighted_estimates_{kind}"),
        )
    ax.set_yticks(np.arange(len(items)))
    ax.set_yticklabels([labels[i] for i in items])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#dddddd")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(t("figure.weighted_estimates_axis", level=f"{100 * confidence:g}"))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return fig


@dataclass
class WaveWeights:
    """One frame wave's weighting: tidy records per base entry id (``WEIGHTING_ENTRIES`` of
    analysis.survey.waves), each respondent's weight (``unit_id``, ``unit_type``, the raking
    variables, ``weight``), and why there are no weights (a survey too small to rake) or None."""

    records: dict[str, list[dict]]
    weights: pd.DataFrame
    not_weighted: str | None


def weight_wave(
    units: pd.DataFrame,
    survey: pd.DataFrame,
    *,
    margins: list[str],
    settlement_breaks: list[int],
    tolerance: float,
    max_iter: int,
    estimates: list[dict],
    confidence: float,
    frame_size: int | None,
    name: str,
) -> WaveWeights:
    """Weights, diagnostics and weighted estimates of one frame wave.

    ``units``: the frame units of Tabell 9.1 (response status, settlements, ``region_<grouping>``
    for every region grouping), ``survey``: the wave's answers, whose design weights (N/n) are the
    starting weights, ``estimates``: the specs of config weighting.estimates with their labels
    filled in (:func:`estimates_for`), ``frame_size``: the frame size its finite population
    correction uses (None: none), ``name``: the wave's input role, for the log."""
    units = units.copy()
    variables = list(margins)
    if "settlement_band" in variables:
        units["settlement_band"] = settlement_band(units["all"], settlement_breaks)
    sample = units[units["responded"]].reset_index(drop=True)
    target = margins_of(units, variables)
    survey = survey.assign(unit_id=survey["unit_id"].astype(str))
    # the survey file's design weights are the starting weights: checked equal (N/n)
    start = sample[["unit_id"]].merge(survey[["unit_id", "weight"]], on="unit_id", how="left", validate="1:1")
    start = pd.Series(start["weight"].to_numpy(dtype=float), index=sample.index)
    keep = sample[["unit_id", "unit_type", *variables]]
    try:
        res = rake(sample, target, base_weights=start, tol=tolerance, max_iter=max_iter)
    except TooFewRespondents as exc:  # a degenerate but valid survey: the report says so
        records = {
            "x_weighting_diagnostics": [{"series": "not_weighted", "value": len(sample), "reason": str(exc)}],
            "x_weighted_estimates": [],
            "x_weighting_region_sensitivity": [],
        }
        return WaveWeights(records, keep.assign(weight=float("nan")), str(exc))
    if not res.converged:
        log.warning(
            "%s: raking did not converge in %d iterations (max margin error %.3g)",
            name,
            res.iterations,
            res.max_margin_error,
        )
    survey = survey.drop(columns=[c for c in ("responded", "weight", "unit_type") if c in survey.columns])
    merged = sample[["unit_id"]].merge(survey, on="unit_id", how="left", validate="1:1")
    specs = [s for s in estimates if s["item"] in merged.columns]
    for s in estimates:
        if s["item"] not in merged.columns:
            log.warning("%s has no column %s: estimate %s left out", name, s["item"], s["id"])
    if "region" in variables:
        groupings = [c.removeprefix("region_") for c in units.columns if c.startswith("region_")]
        sens = region_sensitivity(
            units, merged, variables, specs, groupings, confidence, tolerance, max_iter, frame_size
        )
    else:  # no region margin: nothing to be sensitive to
        sens = []
    records = {
        "x_weighting_diagnostics": diagnostics(res, sample, target),
        "x_weighted_estimates": compare_estimates(
            merged, res.weights, sample, variables, specs, confidence, frame_size
        ),
        "x_weighting_region_sensitivity": sens,
    }
    return WaveWeights(records, keep.assign(weight=res.weights.to_numpy()), None)
