"""Design-based inference beyond the one-wave simple random sample of :mod:`analysis.survey.stats`.

Pure functions, each checked against R's ``survey`` package (tests/test_survey_r.py):

- :func:`design_rao_scott`: the second-order Rao-Scott test of an r x c table under a general
  design (weights, strata, clusters, finite population correction per stratum), what R's
  ``svychisq(~rows + cols, design, statistic = "F")`` computes. With one stratum per wave and
  equal weights it is :func:`analysis.survey.stats.rao_scott`; with unequal weights it is the
  weighted test (R's ``apistrat``); with the units as clusters over the stacked waves it is the
  test that accounts for units answering both waves (``svydesign(ids = ~unit_id, ...)``).
- :func:`stacked_covariance`: the 2 x 2 covariance matrix of two waves' domain estimates when
  the same units can answer both (units as clusters), R's ``svyby(..., covmat = TRUE)``.
- :func:`newcombe_correlated`: Newcombe's hybrid score interval with the correlation between the
  waves (MOVER, Zou & Donner 2008); correlation 0 gives :func:`analysis.survey.stats.newcombe`.
- :func:`sparse_table` and :func:`fisher_exact_p`: the expected-count rule and the exact test
  used for sparse 2 x 2 tables (R's ``fisher.test``).
- :func:`korn_graubard_base`: the degrees-of-freedom adjusted effective base of Korn & Graubard
  (1998) (Franco et al. 2019), for the coverage study and the method notes.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln, ndtri, stdtrit

from analysis.survey.stats import RaoScott, rao_scott_from_covariance

# the rule of thumb for the chi-square approximation (Cochran 1954): every expected count >= 5
SPARSE_EXPECTED = 5.0


def _onehot(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    levels, codes = np.unique(labels, return_inverse=True)
    return levels, codes


def _psu_variance(
    U: np.ndarray, strata: np.ndarray, clusters: np.ndarray, popsize: np.ndarray, domain: np.ndarray
) -> np.ndarray | None:
    """Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_c (Z_hc - Z̄_h)(Z_hc - Z̄_h)ᵀ, Z_hc the cluster totals of
    the linearised values ``U`` (rows of the domain; zero outside), n_h the clusters of stratum h
    in the whole design (R's onestage variance with the domain's rows dropped, zeros padded).
    None when a stratum with domain rows has a single cluster (R: lonely PSU)."""
    k = U.shape[1]
    V = np.zeros((k, k))
    for h in np.unique(strata):
        in_h = strata == h
        n_h = len(np.unique(clusters[in_h]))
        rows = in_h & domain
        if not rows.any():
            continue
        if n_h < 2:
            return None
        _, cl = np.unique(clusters[rows], return_inverse=True)
        Z = np.zeros((cl.max() + 1, k))
        np.add.at(Z, cl, U[rows])
        mean = Z.sum(axis=0) / n_h
        D = Z - mean
        S = D.T @ D + (n_h - len(Z)) * np.outer(mean, mean)
        N_h = float(popsize[in_h][0])
        f = n_h / N_h if math.isfinite(N_h) else 0.0
        V += (1.0 - f) * n_h / (n_h - 1) * S
    return V


def design_rao_scott(
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    strata: np.ndarray,
    clusters: np.ndarray,
    popsize: np.ndarray,
    domain: np.ndarray,
) -> RaoScott | None:
    """Second-order Rao-Scott F test of independence of ``rows`` and ``cols`` (R's
    ``svychisq(~rows + cols, subset(design, domain), statistic = "F")``).

    Every argument is one value per row of the whole design (the domain's rows are those with
    ``domain`` true; the others only count for the number of clusters per stratum). ``popsize``:
    the stratum's population count of clusters (inf: no finite population correction).
    Pearson's X² is taken on the weighted table scaled to the domain's row count, divided by the
    trace of the generalised design-effect matrix, referred to F(d0, d0 ν) with
    d0 = tr(Δ)² / tr(Δ²) and ν = clusters - strata of the domain. None when there is nothing
    to test (fewer than two rows or columns, a lonely cluster, no sampling variance).
    """
    domain = np.asarray(domain, dtype=bool)
    strata, clusters = np.asarray(strata), np.asarray(clusters)
    popsize = np.asarray(popsize, dtype=float)
    r_lev, r = _onehot(np.asarray(rows)[domain])
    c_lev, c = _onehot(np.asarray(cols)[domain])
    nr, nc = len(r_lev), len(c_lev)
    if nr < 2 or nc < 2:
        return None
    w = np.asarray(weights, dtype=float)[domain]
    n_dom = int(domain.sum())
    cells = nr * nc
    X = np.zeros((n_dom, cells))
    X[np.arange(n_dom), r + nr * c] = 1.0  # R's order: interaction(rows, cols), rows fastest
    W = w.sum()
    p = (w[:, None] * X).sum(axis=0) / W
    U = np.zeros((len(domain), cells))
    U[domain] = w[:, None] * (X - p) / W
    V = _psu_variance(U, strata, clusters, popsize, domain)
    if V is None:
        return None
    table = (n_dom * p).reshape((nr, nc), order="F")
    nu = len(np.unique(clusters[domain])) - len(np.unique(strata[domain]))
    return rao_scott_from_covariance(table, p, V, n_dom, nu)


def stacked_covariance(
    values: list[np.ndarray],
    ids: list[np.ndarray],
    weights: list[np.ndarray],
    frame_size: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Domain means of k waves and their k x k covariance matrix when units can answer several
    waves: the waves stacked, each unit one cluster (its rows in every wave), with-replacement
    linearisation with the correction ``1 - n/N`` (n distinct units of the stacked waves, N
    ``frame_size``; None: no correction). R: ``svyby(~y, ~wave, subset(svydesign(ids =
    ~unit_id, weights = ~w, fpc = ~N, data = stacked), !is.na(y)), svymean, covmat = TRUE)``.

    ``values[k]``: the item's value for each responding unit of wave k (NaN outside the domain),
    ``ids[k]`` their unit ids, ``weights[k]`` their weights.
    """
    all_ids, inv = np.unique(np.concatenate([np.asarray(i).astype(str) for i in ids]), return_inverse=True)
    n = len(all_ids)
    Z = np.zeros((n, len(values)))
    means = np.full(len(values), np.nan)
    start = 0
    for k, (y, w) in enumerate(zip(values, weights)):
        y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
        d = ~np.isnan(y)
        cl = inv[start : start + len(y)]
        start += len(y)
        if not d.any():
            continue
        W = w[d].sum()
        means[k] = float((w[d] * y[d]).sum() / W)
        np.add.at(Z[:, k], cl[d], w[d] * (y[d] - means[k]) / W)
    D = Z - Z.mean(axis=0)
    f = n / frame_size if frame_size else 0.0
    cov = (1.0 - f) * n / (n - 1) * (D.T @ D) if n > 1 else np.full((len(values),) * 2, np.nan)
    return means, cov


def newcombe_correlated(
    p0: float, ci0: tuple[float, float], p1: float, ci1: tuple[float, float], rho: float
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p1 - p0`` with the correlation ``rho`` between the
    two estimates (MOVER, Zou & Donner 2008; Newcombe 1998 method 10 for paired data when rho
    is the design correlation): ``d ∓ sqrt(a² + b² - 2 rho a b)`` with a, b the one-sided Wilson
    widths of each wave. rho = 0 is the independent-samples interval."""
    (l0, u0), (l1, u1) = ci0, ci1
    d = p1 - p0
    a, b = p1 - l1, u0 - p0
    lo = d - math.sqrt(max(a * a + b * b - 2 * rho * a * b, 0.0))
    a, b = u1 - p1, p0 - l0
    hi = d + math.sqrt(max(a * a + b * b - 2 * rho * a * b, 0.0))
    return lo, hi


def expected_counts(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    return np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()


def sparse_table(counts: np.ndarray) -> bool:
    """A 2 x 2 table of counts with an expected count below 5 (where the chi-square
    approximation, Rao-Scott's included, is unreliable)."""
    counts = np.asarray(counts, dtype=float)
    return (
        counts.shape == (2, 2) and counts.sum() > 0 and float(expected_counts(counts).min()) < SPARSE_EXPECTED
    )


def fisher_exact_p(counts: np.ndarray) -> float:
    """Two-sided p-value of Fisher's exact test of a 2 x 2 table of counts: the probability,
    under the hypergeometric distribution of the first cell given the margins, of every table
    at most as probable as the observed one (relative tolerance 1e-7), as R's ``fisher.test``
    and ``scipy.stats.fisher_exact`` compute it (a test compares both). Written on
    ``scipy.special.gammaln`` because importing scipy.stats costs the job ~1-2 s."""
    (a, b), (c, d) = np.asarray(counts, dtype=np.int64).tolist()
    r1, c1, n = a + b, a + c, a + b + c + d
    x = np.arange(max(0, c1 - (n - r1)), min(r1, c1) + 1)
    logp = (
        gammaln(r1 + 1)
        - gammaln(x + 1)
        - gammaln(r1 - x + 1)
        + gammaln(n - r1 + 1)
        - gammaln(c1 - x + 1)
        - gammaln(n - r1 - c1 + x + 1)
    )
    dens = np.exp(logp - logp.max())
    dens /= dens.sum()
    observed = dens[a - x[0]]
    return float(min(1.0, dens[dens <= observed * (1 + 1e-7)].sum()))


def korn_graubard_base(n_eff: float, df: float, confidence: float) -> float:
    """The effective base shrunk for the design's degrees of freedom, ``n_eff (z / t_df)²``
    (Korn & Graubard 1998; Franco et al. 2019), to use in a Wilson interval."""
    if not df > 0:
        return math.nan
    q = 0.5 + confidence / 2
    return n_eff * (float(ndtri(q)) / float(stdtrit(df, q))) ** 2
