"""Figur 2.2 map: classes per unit, all 356 kommuner drawn plus the Oslo inset by bydel."""

import geopandas as gpd
import pandas as pd

from analysis.imdi.maps import classify, map_table, plot_map
from analysis.imdi.register import BYDELER, register_counts

LABELS = {
    "only_2016_2017": "a",
    "only_2018_2021": "b",
    "whole_period": "c",
    "never": "d",
    "oslo_inset": "Oslo",
}


def reg():
    rows = [
        ("4601", "4601", 2016),
        ("4601", "4601", 2020),
        ("1103", "1103", 2017),
        ("3024", "3024", 2019),
        ("0301", "030101", 2016),
        ("0301", "030112", 2021),
    ]
    return register_counts(
        pd.DataFrame(
            [
                {
                    "kommunenummer_2020": k,
                    "unit_id": u,
                    "year": y,
                    "kategori": "mottak",
                    "avtalt_selvbosetting": 1,
                }
                for k, u, y in rows
            ]
        )
    )


def test_map_classes():
    k = classify(reg(), ["4601", "1103", "3024", "0301", "5401"], "kommunenummer_2020").set_index("unit_id")
    assert k["category"].to_dict() == {
        "4601": "whole_period",
        "1103": "only_2016_2017",
        "3024": "only_2018_2021",
        "0301": "whole_period",
        "5401": "never",
    }
    b = classify(reg(), list(BYDELER), "unit_id").set_index("unit_id")["category"]
    assert b["030101"] == "only_2016_2017" and b["030112"] == "only_2018_2021" and (b == "never").sum() == 13
    t = map_table(k.reset_index(), b.reset_index())
    assert t[t["group"] == ""]["value"].sum() == 5 and t[t["group"] == "oslo_bydeler"]["value"].sum() == 15


def test_map_renders_356_kommuner_and_oslo_inset(shared_dir):
    geo_k = gpd.read_file(shared_dir / "data/geo/kommuner_2020.geojson")
    geo_b = gpd.read_file(shared_dir / "data/geo/oslo_bydeler_2020.geojson")
    k = classify(reg(), list(geo_k["kommunenummer"]), "kommunenummer_2020")
    b = classify(reg(), list(BYDELER), "unit_id")
    fig = plot_map(geo_k, geo_b, k, b, LABELS)
    main, inset = fig.axes[0], fig.axes[1]
    assert len(main.collections[0].get_paths()) >= 356  # multipolygons: >= one path each
    assert len(inset.collections[0].get_paths()) >= 15
    assert inset.get_title() == "Oslo"
    assert (
        len(k) == 356
        and k["category"].isin(["whole_period", "only_2016_2017", "only_2018_2021", "never"]).all()
    )
