"""Synthetic KOSTRA 12012 in the real table's JSON-stat2 shape (demo only).

Shape as SSB's PxWebApi returns it: dimensions ``KOKkommuneregion0000`` (the 356 kommuner of
the 2020 structure, then ``EAK`` "Landet" and ``EAKUO`` "Landet uten Oslo"), ``ContentsCode``
(the two configured codes) and ``Tid`` (2015-2020), values with ``null`` and SSB symbols in
``status``: ``:`` for suppressed small kommuner, ``..`` for kommuner that did not report.
Simplification: all years use the 2020 kommune codes (the real table has the codes valid in
each year).

Counts: new applications about proportional to population; rejections calibrated so that the
ratio of sums over the *published* (unsuppressed) kommune rows is exactly the report's Tabell
10.3 where the report gives it (2016, 2020) and interpolated in between: 31, 30, 29, 28, 27, 26 %
outside Oslo and 58, 59, 60, 62, 63, 65 % in Oslo for 2015-2020. The aggregate rows are sums of
the true counts, including the suppressed cells, as SSB computes them.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analysis.official.kostra import CONTENT_DIM, COUNTRY, COUNTRY_EXCL_OSLO, OSLO, REGION_DIM, TIME_DIM

YEARS = list(range(2015, 2021))
TARGET_EXCL_OSLO = {2015: 31.0, 2016: 30.0, 2017: 29.0, 2018: 28.0, 2019: 27.0, 2020: 26.0}
TARGET_OSLO = {2015: 58.0, 2016: 59.0, 2017: 60.0, 2018: 62.0, 2019: 63.0, 2020: 65.0}
APPLICATIONS_PER_1000 = 6.0


def _calibrate(new: np.ndarray, rej: np.ndarray, use: np.ndarray, target_pct: float) -> np.ndarray:
    """Adjust rejections of the largest usable kommuner so that sum(rej)/sum(new) over ``use``
    equals ``target_pct`` to within one rejection (the exact integer nearest the target)."""
    rej = rej.copy()
    goal = int(round(target_pct / 100.0 * new[use].sum()))
    diff = goal - int(rej[use].sum())
    order = [i for i in np.argsort(-new, kind="stable") if use[i]]
    while diff != 0:
        moved = False
        for i in order:
            if diff > 0 and rej[i] < new[i]:
                rej[i] += 1
                diff -= 1
                moved = True
            elif diff < 0 and rej[i] > 0:
                rej[i] -= 1
                diff += 1
                moved = True
            if diff == 0:
                break
        if not moved:
            raise ValueError("cannot calibrate the demo KOSTRA rejections")
    return rej


def generate(kommuner: pd.DataFrame, content_new: str, content_rej: str, seed: int) -> dict:
    """The JSON-stat2 document (a dict) for the demo table 12012."""
    rng = np.random.default_rng(seed + 12012)
    codes = kommuner["kommunenummer"].astype(str).tolist()
    names = kommuner["kommunenavn"].astype(str).tolist()
    pop = kommuner["folkemengde_2020_01_01"].to_numpy(dtype=float)
    n_k = len(codes)
    oslo = np.array([c == OSLO for c in codes])
    level = rng.lognormal(mean=0.0, sigma=0.35, size=n_k)  # kommune's own demand level
    tilt = rng.normal(0.0, 0.08, size=n_k)  # kommune's own rejection tendency
    small = np.argsort(pop, kind="stable")[:90]  # candidates for suppression
    no_apps = set(np.argsort(pop, kind="stable")[:4].tolist())  # tiny kommuner without applicants
    values = {}  # (k, content, year) -> value or None
    status = {}
    agg = {}
    for t, year in enumerate(YEARS):
        mu = pop / 1000.0 * APPLICATIONS_PER_1000 * level * (1.0 + 0.02 * (t - 2))
        new = rng.poisson(mu).astype(int)
        for i in no_apps:
            if year == 2020:
                new[i] = 0
        base = np.where(oslo, TARGET_OSLO[year], TARGET_EXCL_OSLO[year]) / 100.0
        p = np.clip(base + tilt + rng.normal(0.0, 0.05, size=n_k), 0.02, 0.95)
        rej = rng.binomial(new, p).astype(int)
        # suppressed (":") small kommuner and non-reporting ("..") kommuner this year
        picks = rng.choice(small, size=14, replace=False)
        supp = set(int(i) for i in picks[:10]) - no_apps
        noreport = set(int(i) for i in picks[10:]) - no_apps
        use = np.array([i not in supp and i not in noreport for i in range(n_k)])
        excl = use & ~oslo
        rej = _calibrate(new, rej, excl, TARGET_EXCL_OSLO[year])
        rej = _calibrate(new, rej, oslo, TARGET_OSLO[year])
        for i in range(n_k):
            for content, v in ((content_new, new[i]), (content_rej, rej[i])):
                if i in supp:
                    values[(i, content, year)], status[(i, content, year)] = None, ":"
                elif i in noreport:
                    values[(i, content, year)], status[(i, content, year)] = None, ".."
                else:
                    values[(i, content, year)] = int(v)
        # SSB's aggregates: true totals, suppressed cells included; non-reporters are not
        rep = np.array([i not in noreport for i in range(n_k)])
        agg[(COUNTRY, content_new, year)] = int(new[rep].sum())
        agg[(COUNTRY, content_rej, year)] = int(rej[rep].sum())
        agg[(COUNTRY_EXCL_OSLO, content_new, year)] = int(new[rep & ~oslo].sum())
        agg[(COUNTRY_EXCL_OSLO, content_rej, year)] = int(rej[rep & ~oslo].sum())
    regions = codes + [COUNTRY, COUNTRY_EXCL_OSLO]
    labels = dict(zip(codes, names)) | {COUNTRY: "Landet", COUNTRY_EXCL_OSLO: "Landet uten Oslo"}
    contents = [content_new, content_rej]
    flat, st = [], {}
    for r_i, region in enumerate(regions):
        for content in contents:
            for year in YEARS:
                if r_i < n_k:
                    v = values[(r_i, content, year)]
                    s = status.get((r_i, content, year))
                else:
                    v, s = agg[(region, content, year)], None
                if s:
                    st[str(len(flat))] = s
                flat.append(v)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "12012: Søknad og avslag på boliger som kommunen disponerer (K) 2015 - 2020 "
        "(SYNTETISKE DEMODATA)",
        "source": "Statistisk sentralbyrå (syntetisk etterligning, ikke SSBs tall)",
        "updated": "2021-06-15T06:00:00Z",
        "note": [
            ".. = Tallgrunnlag mangler. Tall er ikke kommet inn i våre databaser eller er for "
            "usikre til å publiseres.",
            ": = Vises ikke av konfidensialitetshensyn. Tall publiseres ikke for å unngå å "
            "identifisere personer eller virksomheter.",
            "Syntetiske data generert av reproduksjonspipelinen (demo: true).",
        ],
        "role": {"time": [TIME_DIM], "metric": [CONTENT_DIM], "geo": [REGION_DIM]},
        "id": [REGION_DIM, CONTENT_DIM, TIME_DIM],
        "size": [len(regions), len(contents), len(YEARS)],
        "dimension": {
            REGION_DIM: {
                "label": "region",
                "category": {
                    "index": {c: i for i, c in enumerate(regions)},
                    "label": {c: labels[c] for c in regions},
                },
            },
            CONTENT_DIM: {
                "label": "statistikkvariabel",
                "category": {
                    "index": {c: i for i, c in enumerate(contents)},
                    "label": {
                        content_new: "Nye søknader om kommunal bolig",
                        content_rej: "Avslag på søknad om kommunal bolig",
                    },
                    "unit": {c: {"base": "antall", "decimals": 0} for c in contents},
                },
            },
            TIME_DIM: {
                "label": "år",
                "category": {
                    "index": {str(y): i for i, y in enumerate(YEARS)},
                    "label": {str(y): str(y) for y in YEARS},
                },
            },
        },
        "extension": {
            "px": {"tableid": "12012", "language": "no", "decimals": 0, "official-statistics": False},
            "synthetic": True,
        },
        "value": flat,
        "status": st,
    }


def write(doc: dict, path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
