"""Waiting-time statistics: Tabell 4.1/4.2 from the register, agreed vs ordinary, distribution."""

import pandas as pd
import pytest

from analysis.imdi.waiting import asb_waiting, distribution, mean_wait, settled_within, wait_summary


def reg():
    rows = []
    waits = [  # household, asb, wait
        ("enslig_voksen", 1, 2.0),
        ("enslig_voksen", 0, 6.0),
        ("enslig_voksen", 0, 13.0),
        ("barnefamilie", 0, 4.0),
        ("barnefamilie", 1, 2.0),
        ("enslig_mindrearig", 0, 3.0),
    ]
    for i, (hh, a, w) in enumerate(waits):
        rows.append(
            {
                "person_id": f"P{i}",
                "year": 2016,
                "kategori": "mottak",
                "husholdningstype": hh,
                "avtalt_selvbosetting": a,
                "wait_months": w,
                "kommunenummer_2020": "4601",
            }
        )
    rows.append(
        {
            "person_id": "R",
            "year": 2016,
            "kategori": "overforing",
            "husholdningstype": "barnefamilie",
            "avtalt_selvbosetting": 0,
            "wait_months": None,
            "kommunenummer_2020": "4601",
        }
    )
    return wait_summary(pd.DataFrame(rows))  # what the tables take: statistics per year and group


def test_waiting_tables_exclude_resettlement_and_put_register_first():
    annual = pd.DataFrame(
        {
            "year": ["2016"],
            "measure": ["mean_wait_months"],
            "group": ["total"],
            "value": [4.8],
            "source": ["IMDi"],
        }
    )
    t = mean_wait(reg(), annual, years=[2016])
    tot = t[(t["year"] == "2016") & (t["series"] == "total")]
    assert tot["source"].tolist() == ["register", "imdi_annual"]  # the scorecard reads the first
    assert tot["value"].iloc[0] == pytest.approx(30 / 6) and tot["n"].iloc[0] == 6
    fam = t[(t["series"] == "families")]["value"].iloc[0]
    assert fam == pytest.approx(3.0)
    w = settled_within(reg(), None, years=[2016]).set_index("series")["value"]
    assert w["within_6m"] == pytest.approx(100 * 5 / 6)  # 6.0 counts as within 6
    assert w["within_12m"] == pytest.approx(100 * 5 / 6)


def test_waiting_agreed_vs_ordinary_and_distribution():
    a = asb_waiting(reg()).set_index("series")["value"]
    assert a["asb_persons"] == 2 and a["asb_single_adults"] == 1
    assert a["asb_single_adults_mean_wait_months"] == pytest.approx(2.0)
    assert a["ordinary_minus_asb_single_adults_wait_months"] == pytest.approx(9.5 - 2.0)
    d = distribution(reg())
    o = d[d["group"] == "ordinaer"].set_index("series")["value"]
    assert o["median"] == pytest.approx(5.0) and o["q1"] == pytest.approx(3.75)


def test_summary_statistics_are_pandas_own_on_the_person_level_register():
    """The summary (Polars selects, pandas computes per group) gives the very numbers pandas
    gives on the whole person-level register: means to the last bit (same summation order)."""
    import numpy as np

    rng = np.random.default_rng(7)
    n = 5000
    reg = pd.DataFrame(
        {
            "year": rng.integers(2016, 2022, n),
            "avtalt_selvbosetting": rng.integers(0, 2, n),
            "kategori": rng.choice(["mottak", "privatboende", "overforing"], n),
            "husholdningstype": rng.choice(["enslig_voksen", "barnefamilie", "par_uten_barn"], n),
            "wait_months": rng.gamma(2.0, 2.5, n),
        }
    )
    reg.loc[reg["kategori"] == "overforing", "avtalt_selvbosetting"] = 0
    reg.loc[rng.random(n) < 0.05, "wait_months"] = np.nan
    s = wait_summary(reg)
    w = reg[(reg["kategori"] != "overforing") & reg["wait_months"].notna()]
    for year in range(2016, 2022):
        y = w[w["year"] == year]
        fam, ordinary = y[y["husholdningstype"] == "barnefamilie"], y[y["avtalt_selvbosetting"] == 0]
        cell = s.set_index(["year", "group"]).loc
        assert cell[(year, "total"), "mean"] == y["wait_months"].mean()
        assert cell[(year, "families"), "mean"] == fam["wait_months"].mean()
        assert cell[(year, "ordinaer"), "median"] == ordinary["wait_months"].median()
        assert cell[(year, "total"), "within_6m_pct"] == 100 * (y["wait_months"] <= 6).mean()
        assert cell[(year, "settled"), "n"] == (reg["year"] == year).sum()
