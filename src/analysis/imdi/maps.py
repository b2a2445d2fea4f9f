"""Figur 2.2 (the map): kommuner by when they practised agreed self-settlement, Oslo by bydel.

Classes (reconstructed from kap. 2.1; the legend did not survive): practised only in
2016-2017, only from 2018 to the register's last year (2021 in the report), in both periods (at
least one year in each), never. Kommuner are those of the study's structure (the report's 356 of
2020; Oslo as one kommune in the main map); the inset shows Oslo's 15 bydeler.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.figures import (
    FIG_WIDTH,
    SMALL_FONT,
    apply_style,
    full_range_norm,
    layout_only_redraws,
    sequential_cmap,
)
from analysis.core.tidy import tidy

CLASSES = ["only_2016_2017", "only_2018_2021", "whole_period", "never"]
COLORS = {
    "only_2016_2017": "#5b9bd5",
    "only_2018_2021": "#f4b183",
    "whole_period": "#1f4e79",
    "never": "#eeeeee",
    "protected": "#bdbdbd",  # a kommune whose count is hidden (disclosure control)
}
EARLY = (2016, 2017)  # the report's early period; the late one runs from 2018 to the register's end


def classify(counts: pd.DataFrame, units: list[str], column: str) -> pd.DataFrame:
    """``unit_id, early, late, asb, category`` for every unit in ``units``, from the register's
    person counts (``register.register_counts``: ``n`` per year, unit, flag, ...)."""
    asb = counts[counts["avtalt_selvbosetting"] == 1]
    early = set(asb.loc[asb["year"].between(*EARLY), column])
    late = set(asb.loc[asb["year"] > EARLY[1], column])  # to the register's last year
    n = asb.groupby(column)["n"].sum()
    out = pd.DataFrame({"unit_id": units})
    out["early"] = out["unit_id"].isin(early)
    out["late"] = out["unit_id"].isin(late)
    out["asb"] = out["unit_id"].map(n).fillna(0).astype(int)
    out["category"] = "never"
    out.loc[out["early"] & ~out["late"], "category"] = "only_2016_2017"
    out.loc[~out["early"] & out["late"], "category"] = "only_2018_2021"
    out.loc[out["early"] & out["late"], "category"] = "whole_period"
    return out


def map_table(kommuner: pd.DataFrame, bydeler: pd.DataFrame) -> pd.DataFrame:
    """Tidy ``fig_2_2_map``: kommuner per class (and Oslo bydeler per class, group=oslo_bydeler)."""
    recs = []
    for group, df in (("", kommuner), ("oslo_bydeler", bydeler)):
        classes = CLASSES + (["protected"] if (df["category"] == "protected").any() else [])
        for c in classes:
            recs.append(
                {"category": c, "group": group, "value": int((df["category"] == c).sum()), "n": len(df)}
            )
    return tidy("fig_2_2_map", pd.DataFrame(recs))


def plot_map(
    geo_k,
    geo_b,
    k_classes: pd.DataFrame,
    b_classes: pd.DataFrame,
    labels: dict,
    value_col: str = "category",
    cmap=None,
    legend_title: str = "",
):
    """Choropleth of the kommuner with an Oslo inset by bydel.

    ``value_col = 'category'`` draws the classes; otherwise a numeric column with ``cmap``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    apply_style()
    # drawn in a fixed order, by code, whatever the data (the SVG's drawing order says nothing)
    gk = (
        geo_k.to_crs(25833)
        .merge(k_classes, left_on="kommunenummer", right_on="unit_id", how="left")
        .sort_values("kommunenummer", kind="stable")
    )
    fig, ax = plt.subplots(figsize=(FIG_WIDTH * 0.95, 7.6))
    ax.set_axis_off()
    if b_classes is not None:
        gb = (
            geo_b[geo_b["er_bydel"]]
            .to_crs(25833)
            .merge(b_classes, left_on="bydelsnummer", right_on="unit_id", how="left")
            .sort_values("bydelsnummer", kind="stable")
        )
        inset = fig.add_axes([0.05, 0.50, 0.36, 0.36])
        inset.set_axis_off()
        pairs = ((ax, gk), (inset, gb))
    else:
        gb, inset, pairs = None, None, ((ax, gk),)
    if value_col == "category":
        with layout_only_redraws(fig):  # geopandas' plot() would render the whole figure
            for target, g in pairs:
                g.plot(
                    ax=target,
                    color=g["category"].map(COLORS).fillna("#ffffff"),
                    edgecolor="#808080",
                    linewidth=0.15 if target is ax else 0.4,
                )
        shown = CLASSES + (["protected"] if (k_classes["category"] == "protected").any() else [])
        handles = [Patch(facecolor=COLORS[c], edgecolor="#808080", label=labels[c]) for c in shown]
        ax.legend(handles=handles, loc="lower right", fontsize=SMALL_FONT, title=legend_title or None)
    else:
        # the scale reaches the largest value (no silent cap) on a square-root scale, and starts
        # at a pale tint, not white, so that 0 is not mistaken for the background
        colours = sequential_cmap(cmap or "Blues")
        values = [gk[value_col]] + ([gb[value_col]] if gb is not None and value_col in gb else [])
        norm = full_range_norm(pd.concat(values), gamma=0.5)
        with layout_only_redraws(fig):
            for target, g in pairs:
                g.plot(
                    ax=target,
                    column=value_col,
                    cmap=colours,
                    norm=norm,
                    edgecolor="#808080",
                    linewidth=0.15 if target is ax else 0.4,
                    missing_kwds={
                        "color": "#d9d9d9",
                        "hatch": "///",
                        "edgecolor": "#808080",
                        "linewidth": 0.15,
                    },
                )
        sm = plt.cm.ScalarMappable(cmap=colours, norm=norm)
        cb = fig.colorbar(sm, ax=ax, fraction=0.03, pad=0.01, shrink=0.5)
        cb.set_label(legend_title)
        top = norm.vmax
        # round ticks below the top (apart on the square-root scale), and the top itself
        ticks = [t for t in (0, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50) if norm(t) < 0.92] + [top]
        cb.set_ticks(ticks, labels=[_tick(t, labels) for t in ticks])
    if inset is not None:
        inset.set_title(labels["oslo_inset"], fontsize=8)
    return fig


def _tick(value: float, labels: dict) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", labels["decimal_mark"])
