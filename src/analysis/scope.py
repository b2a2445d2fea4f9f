"""Scope of refugee settlement (kap. 2): national totals per year and Figur 2.1."""
from __future__ import annotations

import pandas as pd

from .figures import ORDINARY, apply_style, thousands
from .tidy import tidy


def total_settled_table(totals: pd.DataFrame, years: range) -> pd.DataFrame:
    """Tidy rows ``fig_2_1 / total_settled`` from IMDi's public national totals per year.

    Extra columns say where each number comes from and how many kommune cells were
    suppressed (``:``) in the public file, since those make the sum a lower bound.
    """
    sel = totals[totals["year"].isin(list(years))].sort_values("year")
    return tidy("fig_2_1", pd.DataFrame({
        "year": sel["year"],
        "series": "total_settled",
        "value": sel["value"],
        "source": "imdi_public",
        "suppressed_cells": sel["suppressed_cells"],
    }))


def plot_total_settled(table: pd.DataFrame, labels: dict):
    """Bars of refugees settled per year (public IMDi file)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    apply_style()
    rows = table[table["series"] == "total_settled"]
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    x = rows["year"].astype(int)
    ax.bar(x, rows["value"], color=ORDINARY, width=0.65, label=labels["total_settled"])
    for xi, v in zip(x, rows["value"]):
        ax.annotate(thousands(v), (xi, v), ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                    textcoords="offset points")
    ax.set_xticks(list(x))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(labels["persons"])
    ax.legend(loc="upper right")
    return fig
