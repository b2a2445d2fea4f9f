"""Waiting time from the residence decision to settlement (kap. 2.2, 4.1, Tabell 4.1 and 4.2).

The register's waiting time is ``wait_months`` = days from ``vedtaksdato`` to
``bosettingsdato`` / (365.25/12). As in IMDi's reporting it is measured for refugees settled
from Norway (kategori ``mottak`` and ``privatboende``); resettlement refugees (``overforing``)
get their decision abroad and are left out. "Within 6 months" means ``wait_months <= 6``.
Household groups: ``families`` = persons in barnefamilier, ``single_adults`` = enslige voksne,
``total`` = everyone incl. couples without children and unaccompanied minors.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core.study import Study
from analysis.core.tidy import tidy
from analysis.imdi.annual import get as annual_get
from analysis.imdi.annual import rows as annual_rows
from analysis.imdi.register import scan

GROUPS = {"total": None, "families": "barnefamilie", "single_adults": "enslig_voksen"}
# the waiting population's groups in :func:`wait_summary`: (avtalt_selvbosetting, husholdningstype),
# None = any; Tabell 4.2's household groups, then agreed vs ordinary settlement
WAIT_GROUPS = {
    **{group: (None, household) for group, household in GROUPS.items()},
    "avtalt": (1, None),
    "ordinaer": (0, None),
    "avtalt_single_adults": (1, "enslig_voksen"),
    "ordinaer_single_adults": (0, "enslig_voksen"),
}
QUARTILE_GROUPS = ("avtalt", "ordinaer")  # the distribution's groups (quartiles sort; only these)
LIMITS = (3, 6, 12)  # months: the shares "within 3/6/12 months"


def wait_summary(register) -> pd.DataFrame:
    """Per year: persons settled (groups ``settled``, ``settled_asb``, ``settled_asb_single_adults``,
    every kategori; column ``n``) and, per group of :data:`WAIT_GROUPS` of the waiting population,
    ``n``, ``mean``, quartiles and ``within_{3,6,12}m_pct``. Empty groups have no row.

    Polars reads the five columns needed and selects the waiting population; each group's
    statistics are pandas' own on its waiting times in register order (pandas sums in that
    order), so the tables are the same to the last bit as when pandas held the whole register."""
    import polars as pl

    c = pl.col
    frame = (
        scan(register)
        .select(
            c("year").cast(pl.Int64),
            c("avtalt_selvbosetting").cast(pl.Int8),
            c("husholdningstype"),
            (c("kategori").ne_missing("overforing") & c("wait_months").fill_nan(None).is_not_null()).alias(
                "_waiting"
            ),
            c("wait_months").cast(pl.Float64),
        )
        .collect()
    )
    single = c("husholdningstype") == "enslig_voksen"
    settled = (
        frame.group_by("year")
        .agg(
            pl.len().alias("settled"),
            (c("avtalt_selvbosetting") == 1).sum().alias("settled_asb"),
            ((c("avtalt_selvbosetting") == 1) & single).sum().alias("settled_asb_single_adults"),
        )
        .sort("year")
    )
    recs = [
        {"year": int(r["year"]), "group": g, "n": int(r[g])}
        for r in settled.iter_rows(named=True)
        for g in settled.columns[1:]
    ]
    waiting = frame.filter(c("_waiting")).drop("_waiting")
    del frame
    for year in sorted(waiting["year"].unique().to_list()):
        y = waiting.filter(c("year") == year)
        for group, (flag, household) in WAIT_GROUPS.items():
            mask = pl.lit(True)
            if flag is not None:
                mask = mask & (c("avtalt_selvbosetting") == flag)
            if household is not None:
                mask = mask & (c("husholdningstype") == household)
            wait = y.filter(mask).get_column("wait_months").to_numpy()
            if len(wait):
                recs.append(
                    {"year": int(year), "group": group, **_wait_stats(wait, group in QUARTILE_GROUPS)}
                )
    return pd.DataFrame(recs)


def _wait_stats(wait, quartiles: bool) -> dict:
    """n, mean, shares within the limits (and quartiles) of one group's waiting times, computed
    by pandas exactly as on a column of the register."""
    w = pd.Series(wait)
    out = {"n": len(w), "mean": w.mean(), **{f"within_{m}m_pct": 100 * (w <= m).mean() for m in LIMITS}}
    if quartiles:
        q = w.quantile([0.25, 0.5, 0.75])
        out.update(q1=q[0.25], median=q[0.5], q3=q[0.75])
    return out


def _cells(summary: pd.DataFrame) -> dict:
    """The summary's rows by (year, group)."""
    return {(int(r["year"]), r["group"]): {**r, "n": int(r["n"])} for r in summary.to_dict("records")}


def _cell(cells: dict, year, group: str) -> dict:
    """The statistics of (year, group); an empty group: n 0, every statistic NaN."""
    return cells.get((int(year), group), {"n": 0, "mean": float("nan")})


def _annual_rows(annual, measure, series, group="all"):
    if annual is None:
        return []
    return [
        {
            "year": r["year"],
            "series": series,
            "value": r["value"],
            "source": "imdi_annual",
            "note": r["source"],
        }
        for _, r in annual_rows(annual, measure, group).iterrows()
    ]


def _order(recs: list[dict]) -> pd.DataFrame:
    """Register rows before annual-report rows for the same key (the scorecard reads the first)."""
    df = pd.DataFrame(recs)
    df["_src"] = (df["source"] != "register").astype(int)
    df = df.sort_values(["series", "year", "_src"], kind="stable").drop(columns="_src")
    return df


def settled_within(summary: pd.DataFrame, annual: pd.DataFrame | None, years: range) -> pd.DataFrame:
    """Tabell 4.1: share settled within 6 and 12 months of the decision."""
    cells = _cells(summary)
    recs = []
    for year in years:
        y = _cell(cells, year, "total")
        if y["n"]:
            for series, limit in (("within_6m", 6), ("within_12m", 12)):
                recs.append(
                    {
                        "year": year,
                        "series": series,
                        "value": y[f"within_{limit}m_pct"],
                        "n": y["n"],
                        "source": "register",
                        "note": "",
                    }
                )
    recs += _annual_rows(annual, "within_6m", "within_6m") + _annual_rows(annual, "within_12m", "within_12m")
    return tidy("tab_4_1", _order(recs))


def mean_wait(summary: pd.DataFrame, annual: pd.DataFrame | None, years: range) -> pd.DataFrame:
    """Tabell 4.2: mean waiting time in months, total, families and single adults."""
    cells = _cells(summary)
    recs = []
    for year in years:
        for series in GROUPS:
            g = _cell(cells, year, series)
            if g["n"]:
                recs.append(
                    {
                        "year": year,
                        "series": series,
                        "value": g["mean"],
                        "n": g["n"],
                        "source": "register",
                        "note": "",
                    }
                )
    for series in GROUPS:
        recs += _annual_rows(annual, "mean_wait_months", series, series)
    return tidy("tab_4_2", _order(recs))


def asb_waiting(summary: pd.DataFrame, annual: pd.DataFrame | None = None) -> pd.DataFrame:
    """kap. 4.1.1: agreed self-settlers vs ordinary settlement, from the register, every year."""
    cells = _cells(summary)
    recs = []
    years = summary.loc[summary["group"] == "settled", "year"]
    for year in sorted(years.unique()):
        cell = {
            g: _cell(cells, year, g)
            for g in (
                "settled_asb",
                "settled_asb_single_adults",
                "avtalt",
                "ordinaer",
                "total",
                "avtalt_single_adults",
                "ordinaer_single_adults",
            )
        }
        wa, wo, wy = cell["avtalt"], cell["ordinaer"], cell["total"]
        sa, so = cell["avtalt_single_adults"], cell["ordinaer_single_adults"]
        rows = [
            ("asb_persons", cell["settled_asb"]["n"], None),
            ("asb_single_adults", cell["settled_asb_single_adults"]["n"], None),
            ("asb_mean_wait_months", wa["mean"], wa["n"]),
            ("ordinary_mean_wait_months", wo["mean"], wo["n"]),
            ("all_settled_mean_wait_months", wy["mean"], wy["n"]),
            ("asb_single_adults_mean_wait_months", sa["mean"], sa["n"]),
            ("ordinary_single_adults_mean_wait_months", so["mean"], so["n"]),
            ("ordinary_minus_asb_single_adults_wait_months", so["mean"] - sa["mean"], None),
        ]
        for series, value, n in rows:
            if value == value:
                recs.append(
                    {"year": int(year), "series": series, "value": value, "n": n, "source": "register"}
                )
    return tidy("text_ch4_1_1_asb_waiting_time", pd.DataFrame(recs))


def waiting_detail(summary: pd.DataFrame, annual: pd.DataFrame | None) -> pd.DataFrame:
    """kap. 4.1: 2016 shares within the targets (register) and the cited allocation times."""
    cells = _cells(summary)
    recs = []
    y = _cell(cells, 2016, "total")
    fam, single = _cell(cells, 2016, "families"), _cell(cells, 2016, "single_adults")
    if fam["n"]:
        recs.append(
            {
                "year": 2016,
                "series": "families_settled_within_3_months_pct",
                "value": fam["within_3m_pct"],
                "n": fam["n"],
                "source": "register",
            }
        )
    if single["n"]:
        recs.append(
            {
                "year": 2016,
                "series": "single_adults_settled_within_6_months_pct",
                "value": single["within_6m_pct"],
                "n": single["n"],
                "source": "register",
            }
        )
    m15 = annual_get(annual, "mean_wait_months", 2015, "total") if annual is not None else None
    if m15 is not None and y["n"]:
        recs.append(
            {
                "year": 2016,
                "series": "decrease_in_mean_wait_vs_2015_months",
                "value": m15 - y["mean"],
                "source": "register",
                "note": "IMDi 2015 mean (annual report) minus the register's 2016 mean",
            }
        )
    for measure in (
        "decision_to_municipality_allocation_months",
        "allocation_to_settlement_months",
        "target_decision_to_allocation_months",
        "target_families_months",
        "target_single_adults_months",
    ):
        recs += _annual_rows(annual, measure, measure)
    return tidy("text_ch4_1_waiting_time_detail", pd.DataFrame(recs))


def processing_times(annual: pd.DataFrame) -> pd.DataFrame:
    """kap. 2.2: the cited processing times (annual reports, IMDi interview, earlier studies)."""
    recs = []
    for measure, group in (
        ("decision_to_settlement_months", "ar2018"),
        ("decision_to_municipality_allocation_months", "all"),
        ("decision_to_municipality_allocation_days", "all"),
        ("municipality_time_to_find_housing_months", "all"),
        ("decision_to_settlement_interview_max_months", "all"),
    ):
        for r in _annual_rows(annual, measure, measure, group):
            if measure == "decision_to_municipality_allocation_months" and r["year"] == "2016":
                continue
            recs.append(r)
    return tidy("text_ch2_2_processing_times", pd.DataFrame(recs))


def distribution(summary: pd.DataFrame) -> pd.DataFrame:
    """Beyond the report: waiting-time distribution, agreed vs ordinary settlement, every year."""
    cells = _cells(summary)
    recs = []
    years = summary.loc[summary["group"] == "total", "year"]
    for year in sorted(years.unique()):
        for group in ("avtalt", "ordinaer"):
            g = _cell(cells, year, group)
            if not g["n"]:
                continue
            for series in ("mean", "q1", "median", "q3", "within_6m_pct"):
                recs.append(
                    {"year": int(year), "series": series, "group": group, "value": g[series], "n": g["n"]}
                )
    return tidy("x_waiting_distribution", pd.DataFrame(recs))


def full_years(summary: pd.DataFrame, study: Study) -> range:
    """The register's years it covers completely: its first year to the study's last full year."""
    first = int(summary["year"].astype(int).min()) if len(summary) else study.first_year
    return range(first, study.last_full_year + 1)


def build_tables(summary: pd.DataFrame, annual: pd.DataFrame | None, study: Study) -> dict[str, pd.DataFrame]:
    """Every waiting-time table, unprotected (:func:`build` reads the inputs and calls this)."""
    years = full_years(summary, study)
    return {
        "tab_4_1": settled_within(summary, annual, years),
        "tab_4_2": mean_wait(summary, annual, years),
        "text_ch4_1_1_asb_waiting_time": asb_waiting(summary, annual),
        "text_ch4_1_waiting_time_detail": waiting_detail(summary, annual),
        "text_ch2_2_processing_times": processing_times(annual),
        "x_waiting_distribution": distribution(summary),
    }


@dataclass(frozen=True)
class Unprotected:
    """The waiting stage's values before protection: every table and the register's years (the
    figure's note of a partial year). Built once, by :func:`build`, like
    :class:`analysis.imdi.scope.Unprotected`: in rule waiting with protection off, in rule
    protection with it on (written under ``data/processed/unprotected/waiting/``)."""

    tables: dict[str, pd.DataFrame]
    years: list[int]

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every value as a frame, by name: the tables by entry id and ``register_years``."""
        return {**self.tables, "register_years": pd.DataFrame({"year": pd.Series(self.years, dtype="int64")})}

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> Unprotected:
        """The values back from :meth:`frames` (as written and read again)."""
        rest = dict(frames)
        years = rest.pop("register_years")
        return cls(rest, [int(y) for y in years["year"]])


def build(register, imdi_annual, study: Study) -> Unprotected:
    """Every waiting value before protection, from the processed register and IMDi's annual
    aggregates (validated by rule cited)."""
    summary = wait_summary(register)  # small: statistics per year and group
    tables = build_tables(summary, pd.read_parquet(imdi_annual), study)
    return Unprotected(tables, sorted(int(y) for y in summary["year"].unique()))


def plot_distribution(table: pd.DataFrame, labels: dict, partial: dict):
    """Median with interquartile range per year, agreed vs ordinary."""
    import matplotlib.pyplot as plt

    from analysis.core.figures import AGREED, ORDINARY, apply_style

    apply_style()
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    years = sorted(set(table["year"]))
    for k, (group, color) in enumerate((("ordinaer", ORDINARY), ("avtalt", AGREED))):
        xs, med, lo, hi = [], [], [], []
        for i, y in enumerate(years):
            g = table[(table["year"] == y) & (table["group"] == group)].set_index("series")["value"]
            if len(g):
                xs.append(i + (k - 0.5) * 0.3)
                med.append(g["median"])
                lo.append(g["median"] - g["q1"])
                hi.append(g["q3"] - g["median"])
        ax.errorbar(xs, med, yerr=[lo, hi], fmt="o", color=color, capsize=3, label=labels[group])
    ax.set_xticks(
        range(len(years)), [labels["q1"].format(year=y) if partial.get(int(y)) == "Q1" else y for y in years]
    )
    ax.set_ylabel(labels["months"])
    ax.legend(loc="upper left")
    return fig
