"""Waiting time from the residence decision to settlement (kap. 2.2, 4.1, Tabell 4.1 and 4.2).

The register's waiting time is ``wait_months`` = days from ``vedtaksdato`` to
``bosettingsdato`` / (365.25/12). As in IMDi's reporting it is measured for refugees settled
from Norway (kategori ``mottak`` and ``privatboende``); resettlement refugees (``overforing``)
get their decision abroad and are left out. "Within 6 months" means ``wait_months <= 6``.
Household groups: ``families`` = persons in barnefamilier, ``single_adults`` = enslige voksne,
``total`` = everyone incl. couples without children and unaccompanied minors.
"""
from __future__ import annotations

import pandas as pd

from .imdi_annual import get as annual_get, rows as annual_rows
from .tidy import tidy

GROUPS = {"total": None, "families": "barnefamilie", "single_adults": "enslig_voksen"}


def waiting_population(reg: pd.DataFrame) -> pd.DataFrame:
    return reg[(reg["kategori"] != "overforing") & reg["wait_months"].notna()]


def _group(w: pd.DataFrame, group: str) -> pd.DataFrame:
    hh = GROUPS[group]
    return w if hh is None else w[w["husholdningstype"] == hh]


def _annual_rows(annual, measure, series, group="all"):
    if annual is None:
        return []
    return [{"year": r["year"], "series": series, "value": r["value"], "source": "imdi_annual",
             "note": r["source"]} for _, r in annual_rows(annual, measure, group).iterrows()]


def _order(recs: list[dict]) -> pd.DataFrame:
    """Register rows before annual-report rows for the same key (the scorecard reads the first)."""
    df = pd.DataFrame(recs)
    df["_src"] = (df["source"] != "register").astype(int)
    df = df.sort_values(["series", "year", "_src"], kind="stable").drop(columns="_src")
    return df


def settled_within(reg: pd.DataFrame, annual: pd.DataFrame | None, years=range(2016, 2021)) -> pd.DataFrame:
    """Tabell 4.1: share settled within 6 and 12 months of the decision."""
    w = waiting_population(reg)
    recs = []
    for year in years:
        y = w[w["year"] == year]
        if len(y):
            for series, limit in (("within_6m", 6), ("within_12m", 12)):
                recs.append({"year": year, "series": series, "value": 100 * (y["wait_months"] <= limit).mean(),
                             "n": len(y), "source": "register", "note": ""})
    recs += _annual_rows(annual, "within_6m", "within_6m") + _annual_rows(annual, "within_12m", "within_12m")
    return tidy("tab_4_1", _order(recs))


def mean_wait(reg: pd.DataFrame, annual: pd.DataFrame | None, years=range(2016, 2021)) -> pd.DataFrame:
    """Tabell 4.2: mean waiting time in months, total, families and single adults."""
    w = waiting_population(reg)
    recs = []
    for year in years:
        y = w[w["year"] == year]
        for series in GROUPS:
            g = _group(y, series)
            if len(g):
                recs.append({"year": year, "series": series, "value": g["wait_months"].mean(), "n": len(g),
                             "source": "register", "note": ""})
    for series in GROUPS:
        recs += _annual_rows(annual, "mean_wait_months", series, series)
    return tidy("tab_4_2", _order(recs))


def asb_waiting(reg: pd.DataFrame, annual: pd.DataFrame | None = None) -> pd.DataFrame:
    """kap. 4.1.1: agreed self-settlers vs ordinary settlement, from the register, every year."""
    w = waiting_population(reg)
    recs = []
    for year in sorted(reg["year"].unique()):
        y = reg[reg["year"] == year]
        asb = y[y["avtalt_selvbosetting"] == 1]
        wy = w[w["year"] == year]
        wa, wo = wy[wy["avtalt_selvbosetting"] == 1], wy[wy["avtalt_selvbosetting"] == 0]
        sa, so = wa[wa["husholdningstype"] == "enslig_voksen"], wo[wo["husholdningstype"] == "enslig_voksen"]
        rows = [("asb_persons", len(asb), None),
                ("asb_single_adults", int((asb["husholdningstype"] == "enslig_voksen").sum()), None),
                ("asb_mean_wait_months", wa["wait_months"].mean(), len(wa)),
                ("ordinary_mean_wait_months", wo["wait_months"].mean(), len(wo)),
                ("all_settled_mean_wait_months", wy["wait_months"].mean(), len(wy)),
                ("asb_single_adults_mean_wait_months", sa["wait_months"].mean(), len(sa)),
                ("ordinary_single_adults_mean_wait_months", so["wait_months"].mean(), len(so)),
                ("ordinary_minus_asb_single_adults_wait_months",
                 so["wait_months"].mean() - sa["wait_months"].mean(), None)]
        for series, value, n in rows:
            if value == value:
                recs.append({"year": int(year), "series": series, "value": value, "n": n, "source": "register"})
    return tidy("text_ch4_1_1_asb_waiting_time", pd.DataFrame(recs))


def waiting_detail(reg: pd.DataFrame, annual: pd.DataFrame | None) -> pd.DataFrame:
    """kap. 4.1: 2016 shares within the targets (register) and the cited allocation times."""
    w = waiting_population(reg)
    recs = []
    y = w[w["year"] == 2016]
    fam, single = _group(y, "families"), _group(y, "single_adults")
    if len(fam):
        recs.append({"year": 2016, "series": "families_settled_within_3_months_pct",
                     "value": 100 * (fam["wait_months"] <= 3).mean(), "n": len(fam), "source": "register"})
    if len(single):
        recs.append({"year": 2016, "series": "single_adults_settled_within_6_months_pct",
                     "value": 100 * (single["wait_months"] <= 6).mean(), "n": len(single), "source": "register"})
    m15 = annual_get(annual, "mean_wait_months", 2015, "total") if annual is not None else None
    if m15 is not None and len(y):
        recs.append({"year": 2016, "series": "decrease_in_mean_wait_vs_2015_months",
                     "value": m15 - y["wait_months"].mean(), "source": "register",
                     "note": "IMDi 2015 mean (annual report) minus the register's 2016 mean"})
    for measure in ("decision_to_municipality_allocation_months", "allocation_to_settlement_months",
                    "target_decision_to_allocation_months", "target_families_months",
                    "target_single_adults_months"):
        recs += _annual_rows(annual, measure, measure)
    return tidy("text_ch4_1_waiting_time_detail", pd.DataFrame(recs))


def processing_times(annual: pd.DataFrame) -> pd.DataFrame:
    """kap. 2.2: the cited processing times (annual reports, IMDi interview, earlier studies)."""
    recs = []
    for measure, group in (("decision_to_settlement_months", "ar2018"),
                           ("decision_to_municipality_allocation_months", "all"),
                           ("decision_to_municipality_allocation_days", "all"),
                           ("municipality_time_to_find_housing_months", "all"),
                           ("decision_to_settlement_interview_max_months", "all")):
        for r in _annual_rows(annual, measure, measure, group):
            if measure == "decision_to_municipality_allocation_months" and r["year"] == "2016":
                continue
            recs.append(r)
    return tidy("text_ch2_2_processing_times", pd.DataFrame(recs))


def distribution(reg: pd.DataFrame) -> pd.DataFrame:
    """Beyond the report: waiting-time distribution, agreed vs ordinary settlement, every year."""
    w = waiting_population(reg)
    recs = []
    for year in sorted(w["year"].unique()):
        y = w[w["year"] == year]
        for group, g in (("avtalt", y[y["avtalt_selvbosetting"] == 1]),
                         ("ordinaer", y[y["avtalt_selvbosetting"] == 0])):
            if g.empty:
                continue
            q = g["wait_months"].quantile([0.25, 0.5, 0.75])
            for series, value in (("mean", g["wait_months"].mean()), ("q1", q[0.25]), ("median", q[0.5]),
                                  ("q3", q[0.75]), ("within_6m_pct", 100 * (g["wait_months"] <= 6).mean())):
                recs.append({"year": int(year), "series": series, "group": group, "value": value, "n": len(g)})
    return tidy("x_waiting_distribution", pd.DataFrame(recs))


def plot_distribution(table: pd.DataFrame, labels: dict):
    """Median with interquartile range per year, agreed vs ordinary."""
    import matplotlib.pyplot as plt

    from .figures import AGREED, ORDINARY, apply_style

    apply_style()
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    years = sorted(set(table["year"]))
    for k, (group, color) in enumerate((("ordinaer", ORDINARY), ("avtalt", AGREED))):
        xs, med, lo, hi = [], [], [], []
        for i, y in enumerate(years):
            g = table[(table["year"] == y) & (table["group"] == group)].set_index("series")["value"]
            if len(g):
                xs.append(i + (k - 0.5) * 0.3)
                med.append(g["median"]); lo.append(g["median"] - g["q1"]); hi.append(g["q3"] - g["median"])
        ax.errorbar(xs, med, yerr=[lo, hi], fmt="o", color=color, capsize=3, label=labels[group])
    ax.set_xticks(range(len(years)), [labels["q1"] if y == "2021" else y for y in years])
    ax.set_ylabel(labels["months"])
    ax.legend(loc="upper left")
    return fig
