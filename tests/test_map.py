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


def test_layout_only_redraws_skips_geopandas_render_and_keeps_the_files(tmp_path, monkeypatch):
    """geopandas' plot() ends with canvas.draw_idle(), a full Agg render of the map: inside
    layout_only_redraws it only lays the figure out, and the saved SVG and PNG are the same."""
    from contextlib import nullcontext

    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from shapely.geometry import box

    from analysis.core.figures import layout_only_redraws, save_figure

    renders = []
    agg_draw = FigureCanvasAgg.draw

    def counted(self, *args, **kwargs):
        if "draw" not in vars(self.figure):  # not matplotlib's renderer probe (it stubs fig.draw)
            renders.append(1)
        return agg_draw(self, *args, **kwargs)

    monkeypatch.setattr(FigureCanvasAgg, "draw", counted)
    geo = gpd.GeoDataFrame(
        {"v": [1.0, 2.0, 4.0]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)]
    )
    files, counts = [], []
    for quiet in (False, True):
        fig, ax = plt.subplots(figsize=(3, 3), layout="constrained")
        renders.clear()
        with layout_only_redraws(fig) if quiet else nullcontext():
            geo.plot(ax=ax, column="v", legend=True, edgecolor="#808080")
        counts.append(len(renders))
        svg, png = save_figure(fig, tmp_path / str(quiet), synthetic=False)
        files.append((svg.read_bytes(), png.read_bytes()))
    assert counts == [1, 0]
    assert files[0] == files[1]
