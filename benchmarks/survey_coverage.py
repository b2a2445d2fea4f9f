"""Coverage of the survey intervals the report prints (issue 25): a simulation, not a test.

A known finite population shaped like the 2021 frame (370 units: size group x region counts of
the frame, the report's response rates by size group and region, Tabell 9.1) holds a 0/1 item
whose prevalence varies by size group and region, and a domain (the item's base) of a chosen
expected size among the respondents (24-138, the report's bases). Each replicate draws the
respondents, computes every interval the report prints at nominal 95 % and checks whether it
covers the population value:

- ``wilson_fpc``: Wilson on the effective base with the finite population correction (kapittel 11
  with ``survey.fpc: frame``); ``wilson``: without it (``survey.fpc: none``, 2016);
  ``wilson_fpc_kg``: with the Korn-Graubard degrees-of-freedom adjustment (df = base - 1);
- ``weighted_fpc`` / ``weighted``: the raked (size group, region) share with the calibrated
  variance and Wilson on its effective sample size (kapittel 9, Tabell X11.2);
- ``newcombe``: the change interval of Tabell X11.1 (first wave without, second with the
  correction); ``newcombe_overlap``: with the design correlation of units answering both waves.

Response scenarios: ``srs`` = 138 respondents drawn at random (the correction's assumption);
``nonresponse`` = each unit answers with its size group's and region's propensity (the report's
rates), so responding and prevalence are related through size and region (missing at random
given them). Changes: ``independent`` waves, or ``overlap`` (a responding unit of wave 1 answers
wave 2 with probability 0.8, and keeps its answer with probability 0.7).

Run: ``.venv/bin/python benchmarks/survey_coverage.py [--reps 4000] [--seed 25]`` (about a
minute on one core). It prints the markdown tables that benchmarks/RESULTS.md holds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.special import ndtri, stdtrit

# The 2021 frame: units per size group (rows) and region (columns), Oslo's 15 bydeler in big4/east.
SIZES = ["big4", "30k_plus", "10k_30k", "under_10k"]
REGIONS = ["east", "tva", "west", "mid_north"]
FRAME = np.array(
    [
        [15, 0, 2, 1],
        [16, 7, 4, 4],
        [22, 12, 21, 22],
        [59, 29, 40, 116],
    ]
)
# Tabell 9.1's response rates (percent) by size group and by region (units of the frame).
SIZE_RATE = np.array([67, 55, 43, 31]) / 100
REGION_RATE = np.array([48, 31, 37, 31]) / 100
N = int(FRAME.sum())
N_RESP = 138
Z = float(ndtri(0.975))


def cell_propensities() -> np.ndarray:
    """Response probability per size x region cell whose expected respondents reproduce both
    sets of rates (iterative proportional fitting of the expected respondent counts)."""
    e = FRAME * 0.37
    for _ in range(200):
        e *= (SIZE_RATE * FRAME.sum(1) / e.sum(1))[:, None]
        e *= REGION_RATE * FRAME.sum(0) / e.sum(0)
    return np.divide(e, FRAME, out=np.zeros_like(e), where=FRAME > 0)


def population(rng, prevalence: float, base: int):
    """Unit arrays: size, region, response propensity, item value y, domain membership."""
    size = np.repeat(np.repeat(np.arange(4), 4), FRAME.ravel())
    region = np.repeat(np.tile(np.arange(4), 4), FRAME.ravel())
    prop = cell_propensities()[size, region]
    # prevalence higher in big units and in the east (so unweighted estimates are biased)
    logit = np.log(prevalence / (1 - prevalence)) + 0.8 * (size < 2) - 0.4 * (size == 3) + 0.4 * (region == 0)
    y = rng.random(N) < 1 / (1 + np.exp(-logit))
    domain = rng.random(N) < min(1.0, base / N_RESP)
    if base >= N_RESP:
        domain[:] = True
    return size, region, prop, y.astype(float), domain


def respond(rng, reps: int, scenario: str, prop: np.ndarray) -> np.ndarray:
    if scenario == "srs":
        keys = rng.random((reps, N))
        return keys < np.sort(keys, axis=1)[:, [N_RESP - 1]] + 1e-15
    return rng.random((reps, N)) < prop


def wilson(p, n_eff):
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + Z * Z / n_eff
        centre = (p + Z * Z / (2 * n_eff)) / denom
        half = Z * np.sqrt(p * (1 - p) / n_eff + Z * Z / (4 * n_eff * n_eff)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def unweighted(R, y, dom, fpc: bool, kg: bool = False):
    """(p, lower, upper) per replicate: domain share, Wilson on the effective base."""
    n = R.sum(1)
    d = R & dom
    nd = d.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (d * y).sum(1) / nd
        f = 1 - n / N if fpc else 1.0
        n_eff = nd * (n - 1) / (n * f)
        if kg:
            n_eff = n_eff * (Z / stdtrit(np.maximum(nd - 1, 1), 0.975)) ** 2
    lo, hi = wilson(p, n_eff)
    return p, lo, hi, nd, n_eff


def rake(R, size, region):
    """Raking weights per replicate (0 for non-respondents); NaN rows where a category is empty."""
    Xs, Xr = np.eye(4)[size], np.eye(4)[region]
    ts, tr = Xs.sum(0), Xr.sum(0)
    w = R * (N / R.sum(1, keepdims=True))
    for _ in range(60):
        with np.errstate(divide="ignore", invalid="ignore"):
            w = w * (ts / (w @ Xs))[:, size]
            w = w * (tr / (w @ Xr))[:, region]
    return np.where(np.isfinite(w), w, np.nan), np.hstack([Xs, Xr])


def weighted(R, y, dom, w, X, fpc: bool, fallback_neff):
    """Raked share and Wilson on the calibrated variance's effective size (kapittel 9)."""
    d = (R & dom).astype(float)
    wd = w * d
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (wd * y).sum(1) / wd.sum(1)
        u = d * (y - p[:, None]) / wd.sum(1, keepdims=True)
    Rf = R.astype(float)
    A = np.einsum("ij,rj,jk->rik", X.T, Rf, X)
    b = np.einsum("ij,rj->ri", X.T, Rf * u)
    beta = np.einsum("rik,rk->ri", np.linalg.pinv(A), b)
    e = (u - beta @ X.T) * Rf
    z = w * e
    n = R.sum(1)
    zbar = z.sum(1) / n
    var = n / (n - 1) * (((z - zbar[:, None]) ** 2) * Rf).sum(1)
    if fpc:
        var = var * (1 - n / N)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(var > 0, p * (1 - p) / var, fallback_neff)
    lo, hi = wilson(p, n_eff)
    return p, lo, hi


def covered(lo, hi, truth):
    ok = np.isfinite(lo) & np.isfinite(hi)
    return (lo[ok] <= truth + 1e-12) & (truth - 1e-12 <= hi[ok]), ok.mean()


def level_coverage(rng, reps, scenario, prevalence, base):
    size, region, prop, y, dom = population(rng, prevalence, base)
    truth = y[dom].mean()
    R = respond(rng, reps, scenario, prop)
    out = {}
    for name, fpc, kg in (
        ("wilson_fpc", True, False),
        ("wilson", False, False),
        ("wilson_fpc_kg", True, True),
    ):
        _, lo, hi, nd, n_eff = unweighted(R, y, dom, fpc, kg)
        out[name] = covered(lo, hi, truth)[0].mean()
    w, X = rake(R, size, region)
    ok = np.isfinite(w).all(1)
    for name, fpc in (("weighted_fpc", True), ("weighted", False)):
        _, _, _, _, neff_u = unweighted(R[ok], y, dom, fpc)
        _, lo, hi = weighted(R[ok], y, dom, w[ok], X, fpc, neff_u)
        out[name] = covered(lo, hi, truth)[0].mean()
    out["mean_base"] = float((R & dom).sum(1).mean())
    return out


def change_coverage(rng, reps, scenario, prevalence, base, overlap: bool):
    size, region, prop, y0, dom = population(rng, prevalence, base)
    shift = rng.random(N) < (0.3 if overlap else 1.0)  # answers redrawn in wave 2
    y1 = np.where(shift, (rng.random(N) < min(0.95, prevalence + 0.1)).astype(float), y0)
    truth = y1[dom].mean() - y0[dom].mean()
    R0 = respond(rng, reps, scenario, prop)
    R1 = respond(rng, reps, scenario, prop)
    if overlap:  # a wave-1 respondent answers wave 2 with probability 0.8
        keep = rng.random((reps, N)) < 0.8
        R1 = np.where(R0, keep, R1 & (rng.random((reps, N)) < 0.5))
    p0, l0, u0, _, _ = unweighted(R0, y0, dom, fpc=False)
    p1, l1, u1, _, _ = unweighted(R1, y1, dom, fpc=True)
    d = p1 - p0
    a, b = p1 - l1, u0 - p0
    c, e = u1 - p1, p0 - l0
    out = {"newcombe": covered(d - np.hypot(a, b), d + np.hypot(c, e), truth)[0].mean()}
    # the correlation of the two estimates, units as clusters over both waves (no correction)
    D0, D1 = (R0 & dom), (R1 & dom)
    with np.errstate(divide="ignore", invalid="ignore"):
        z0 = D0 * (y0 - p0[:, None]) / D0.sum(1, keepdims=True)
        z1 = D1 * (y1 - p1[:, None]) / D1.sum(1, keepdims=True)
        U = R0 | R1
        n = U.sum(1, keepdims=True)
        c0, c1 = z0 - z0.sum(1, keepdims=True) / n, z1 - z1.sum(1, keepdims=True) / n
        cov = (c0 * c1 * U).sum(1)
        rho = np.nan_to_num(cov / np.sqrt((c0 * c0 * U).sum(1) * (c1 * c1 * U).sum(1)))
    lo = d - np.sqrt(np.maximum(a * a + b * b - 2 * rho * a * b, 0))
    hi = d + np.sqrt(np.maximum(c * c + e * e - 2 * rho * c * e, 0))
    out["newcombe_overlap"] = covered(lo, hi, truth)[0].mean()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=25)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    prevalences = [0.03, 0.1, 0.3, 0.5]
    bases = [24, 40, 64, 100, 138]
    level_names = ["wilson_fpc", "wilson", "wilson_fpc_kg", "weighted_fpc", "weighted"]
    print(
        f"replicates per cell: {args.reps}; Monte Carlo SE of a 95 % coverage: "
        f"{100 * np.sqrt(0.95 * 0.05 / args.reps):.2f} points; seed {args.seed}\n"
    )
    print("### Levels: actual coverage (%) of nominal 95 % intervals\n")
    print("| response | prevalence | base | " + " | ".join(level_names) + " |")
    print("|---|---:|---:|" + "---:|" * len(level_names))
    worst = {}
    for scenario in ("srs", "nonresponse"):
        for p in prevalences:
            for base in bases:
                cov = level_coverage(rng, args.reps, scenario, p, base)
                cells = []
                for k in level_names:
                    cells.append(f"{100 * cov[k]:.1f}")
                    key = (scenario, k)
                    if key not in worst or cov[k] < worst[key][0]:
                        worst[key] = (cov[k], p, base)
                print(
                    f"| {scenario} | {p:.2f} | {base} ({cov['mean_base']:.0f}) | " + " | ".join(cells) + " |"
                )
    print("\n### Changes between two waves: actual coverage (%)\n")
    print("| response | waves | prevalence | base | newcombe | newcombe_overlap |")
    print("|---|---|---:|---:|---:|---:|")
    for scenario in ("srs", "nonresponse"):
        for overlap in (False, True):
            for p in prevalences:
                for base in (24, 64, 138):
                    cov = change_coverage(rng, args.reps, scenario, p, base, overlap)
                    for k in ("newcombe", "newcombe_overlap"):
                        key = (scenario, k + ("/overlap" if overlap else "/independent"))
                        if key not in worst or cov[k] < worst[key][0]:
                            worst[key] = (cov[k], p, base)
                    print(
                        f"| {scenario} | {'overlap' if overlap else 'independent'} | {p:.2f} | {base} | "
                        f"{100 * cov['newcombe']:.1f} | {100 * cov['newcombe_overlap']:.1f} |"
                    )
    print("\n### Lowest coverage per interval and scenario\n")
    print("| response | interval | lowest coverage (%) | at prevalence | at base | below 93 % |")
    print("|---|---|---:|---:|---:|---|")
    for (scenario, k), (c, p, base) in worst.items():
        print(f"| {scenario} | {k} | {100 * c:.1f} | {p:.2f} | {base} | {'yes' if c < 0.93 else 'no'} |")
    print(f"\nelapsed: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
