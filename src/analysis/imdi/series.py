"""IMDi's public settlement series beyond the report (follow-up studies; docs/decisions/0052).

Real public data only: IMDi's per-kommune requests, decisions and settlements per year (the
1995-2023 file and the 2024-2025 pages), harmonised to the study's kommune structure. Years after
the reproduced report's period carry ``etter_rapporten`` in ``note`` and are marked in figures.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.kommune import population_column
from analysis.core.study import Study
from analysis.core.tidy import tidy

SERIES = {"anmodning": "requested", "vedtak": "decided", "bosatt": "settled"}
AFTER_REPORT = "etter_rapporten"
NATIONAL = "Norge"


def _note(study: Study, year: int, extra: str = "") -> str:
    parts = [AFTER_REPORT] if study.is_after_report(year) else []
    return "; ".join(parts + ([extra] if extra else []))


def public_series(persons: pd.DataFrame, names: dict[str, str], study: Study) -> pd.DataFrame:
    """``x_imdi_public_series``: requested, decided and settled per kommune (study structure) and
    year, and the national sum (kommune ``Norge``, incl. 9999); ``suppressed_cells`` counts the
    ':' cells left out of a sum (the sum is then a lower bound); value empty when no cell has a number."""
    sel = persons[persons["measure"].isin(SERIES) & (persons["enhet"] == "Personer")].copy()
    sel["supp"] = (sel["status"] == "suppressed").astype(int)
    recs = []
    for (year, measure), g in sel.groupby(["year", "measure"], sort=True):
        year = int(year)
        per = g.groupby("kommunenummer_2020").agg(
            value=("antall", lambda s: s.sum(min_count=1)), supp=("supp", "sum")
        )
        for code, r in per.iterrows():
            if code == "9999":
                continue
            recs.append(
                {
                    "year": year,
                    "series": SERIES[measure],
                    "kommune": names.get(code, code),
                    "value": r["value"],
                    "kommunenummer": code,
                    "suppressed_cells": int(r["supp"]),
                    "note": _note(study, year),
                }
            )
        recs.append(
            {
                "year": year,
                "series": SERIES[measure],
                "kommune": NATIONAL,
                "value": g["antall"].sum(min_count=1),
                "kommunenummer": "",
                "suppressed_cells": int(g["supp"].sum()),
                "note": _note(study, year),
                "group": "national",
            }
        )
    return tidy("x_imdi_public_series", pd.DataFrame(recs))


def settled_per_1000(persons: pd.DataFrame, kommuner: pd.DataFrame, year: int) -> pd.DataFrame:
    """``x_settled_per_1000``: refugees settled in ``year`` per 1 000 inhabitants (SSB, 1 January of
    that year, or the nearest year the population file has), every kommune of the structure; a
    kommune whose public cell is suppressed has no value (note ``prikket``)."""
    pop = population_column(kommuner, year)
    sel = persons[
        (persons["measure"] == "bosatt") & (persons["year"] == year) & (persons["enhet"] == "Personer")
    ]
    settled = sel.groupby("kommunenummer_2020")["antall"].sum(min_count=1)
    suppressed = set(sel.loc[sel["status"] == "suppressed", "kommunenummer_2020"])
    k = kommuner[["kommunenummer", "kommunenavn", "fylkesnavn", pop]].copy()
    k["settled"] = k["kommunenummer"].map(settled)
    k.loc[k["kommunenummer"].isin(suppressed), "settled"] = float("nan")
    k["value"] = 1000 * k["settled"] / k[pop]
    k = k.sort_values(["value", "kommunenummer"], ascending=[False, True], kind="stable", na_position="last")
    return tidy(
        "x_settled_per_1000",
        pd.DataFrame(
            {
                "year": year,
                "series": "settled_per_1000",
                "group": k["fylkesnavn"],
                "kommune": k["kommunenavn"],
                "value": k["value"],
                "n": k[pop],
                "kommunenummer": k["kommunenummer"],
                "settled": k["settled"],
                "population": pop,
                "note": ["prikket" if c in suppressed else "" for c in k["kommunenummer"]],
            }
        ),
    )


def published_agreed(
    persons: pd.DataFrame, counts: pd.DataFrame | None, names: dict[str, str]
) -> pd.DataFrame:
    """``x_agreed_published``: every agreed self-settlement count IMDi published per kommune (only
    Oslo 2024: 105), cited, beside the register's count for the same kommune and year."""
    pub = persons[(persons["measure"] == "avtalt") & (persons["status"] == "value")]
    recs = []
    for _, r in pub.sort_values(["year", "kommunenummer_2020"]).iterrows():
        year, code = int(r["year"]), r["kommunenummer_2020"]
        recs.append(
            {
                "year": year,
                "series": "imdi_published",
                "kommune": names.get(code, code),
                "value": r["antall"],
                "kommunenummer": code,
                "source": "cited",
                "note": "IMDi, Nøkkeltall bosetting (imdi.no), bosettingstall per kommune",
            }
        )
        if counts is not None and year in set(counts["year"]):
            c = counts[(counts["year"] == year) & (counts["kommunenummer_2020"] == code)]
            recs.append(
                {
                    "year": year,
                    "series": "register",
                    "kommune": names.get(code, code),
                    "value": float(c.loc[c["avtalt_selvbosetting"] == 1, "n"].sum()),
                    "kommunenummer": code,
                    "source": "register",
                    "note": "",
                }
            )
    return tidy(
        "x_agreed_published",
        pd.DataFrame(recs, columns=["year", "series", "kommune", "value", "kommunenummer", "source", "note"]),
    )


def plot_national(table: pd.DataFrame, labels: dict, study: Study):
    """Bars of refugees settled per year (public, national), years after the report hatched."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    from analysis.core.figures import FIG_WIDTH, ORDINARY, SMALL_FONT, apply_style, thousands

    apply_style()
    rows = table[(table["group"] == "national") & (table["series"] == "settled")].copy()
    rows["y"] = rows["year"].astype(int)
    rows = rows.sort_values("y")
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.2))
    after = rows["y"].map(study.is_after_report).to_numpy()
    ax.bar(rows["y"][~after], rows["value"][~after], color=ORDINARY, width=0.65)
    ax.bar(
        rows["y"][after], rows["value"][after], color="#ffffff", edgecolor=ORDINARY, hatch="////", width=0.65
    )
    for x, v in zip(rows["y"], rows["value"]):
        if v == v:
            ax.annotate(
                thousands(v),
                (x, v),
                ha="center",
                va="bottom",
                fontsize=SMALL_FONT,
                xytext=(0, 2),
                textcoords="offset points",
            )
    if after.any():
        ax.axvline(study.report_period[1] + 0.5, color="#555555", linestyle="--", linewidth=0.8)
    ax.set_xticks(list(rows["y"]), [str(y) for y in rows["y"]], rotation=45)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(labels["persons"])
    ax.legend(
        handles=[
            Patch(color=ORDINARY, label=labels["in_report"].format(period=study.report_period_label)),
            Patch(facecolor="#ffffff", edgecolor=ORDINARY, hatch="////", label=labels["after_report"]),
        ],
        loc="upper left",
    )
    return fig
