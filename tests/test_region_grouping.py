"""weighting.region_grouping (issue 18): both groupings build Tabell 9.1 and the weights, and the
sensitivity table shows the weighted estimates under both whatever the setting."""

from __future__ import annotations

import pandas as pd
import yaml
from conftest import copy_build, run_snakemake

TARGETS = [
    "reports/tables/tab_9_1.csv",
    "reports/tables/x_weighted_estimates.csv",
    "reports/tables/x_weighting_region_sensitivity.csv",
]


def _read(main, i):
    return pd.read_csv(main / TARGETS[i], keep_default_na=False, dtype=str).assign(
        value=lambda d: pd.to_numeric(d["value"])
    )


def test_both_region_groupings_build(demo_build, tmp_path):
    main = copy_build(demo_build, tmp_path)  # the demo's inputs; only the weighting stage reruns
    out = {}
    for grouping in ("report_derived", "ssb_landsdel"):
        cfg = tmp_path / f"{grouping}.yaml"
        cfg.write_text(yaml.safe_dump({"weighting": {"region_grouping": grouping}}), encoding="utf-8")
        run_snakemake(main, *TARGETS, "--configfile", str(cfg))
        out[grouping] = [_read(main, i) for i in range(3)]
    n = {g: t[0][t[0]["category"] == "n_municipalities"].set_index("item")["value"] for g, t in out.items()}
    # Møre og Romsdal's kommuner (2020) but Volda (Vestlandet in both) move to Vestlandet
    moved = n["ssb_landsdel"]["region_west"] - n["report_derived"]["region_west"]
    assert moved == n["report_derived"]["region_mid_north"] - n["ssb_landsdel"]["region_mid_north"] == 25
    assert n["ssb_landsdel"]["size_big4"] == n["report_derived"]["size_big4"]
    # the sensitivity table does not depend on the setting, and its rows equal the weighted
    # estimates of the configured grouping
    s0, s1 = out["report_derived"][2], out["ssb_landsdel"][2]
    pd.testing.assert_frame_equal(s0, s1)
    assert set(s0["group"]) == {"report_derived", "ssb_landsdel"}
    moved_units = s0[(s0["series"] == "units_in_another_region") & (s0["group"] == "ssb_landsdel")]
    assert moved_units["value"].iloc[0] == 25
    for g, t in out.items():
        w = t[1][t[1]["category"] == "weighted"].set_index("item")["value"]
        sg = s0[(s0["group"] == g) & (s0["category"] == "weighted")].set_index("item")["value"]
        assert len(w) >= 5
        pd.testing.assert_series_equal(w.sort_index(), sg.sort_index(), check_names=False)
    a = s0[(s0["group"] == "report_derived") & (s0["category"] == "weighted")]["value"].to_numpy()
    b = s0[(s0["group"] == "ssb_landsdel") & (s0["category"] == "weighted")]["value"].to_numpy()
    assert (a != b).any()  # the margins moved, so the estimates do
