"""Scope of agreed self-settlement from the register (kap. 2, 4.1.3, 12): the tables and figures of
the scope rule, built from the register's person counts per year, unit, category and flag."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core.figures import ORDINARY, apply_style, thousands
from analysis.core.kommune import population_column
from analysis.core.study import Study
from analysis.core.tidy import tidy
from analysis.imdi.annual import get as annual_get
from analysis.imdi.register import read_counts

# --- Register-based scope (kap. 2, 4.1.3, 12) -------------------------------------------------
# ``counts`` is :func:`analysis.imdi.register.register_counts` of the processed register: persons (``n``) per year,
# kommunenummer_2020, unit_id (4-digit 2020 kommune, or 0301NN Oslo bydel), kategori and the
# agreed self-settlement flag. Every register number below is a sum of these cells.


@dataclass(frozen=True)
class RegisterPeriod:
    """How the register tables label the period: ``label`` the key of period rows ("2016-2021":
    the register's first year to the year of register_end), ``partial`` the note of a year the register covers
    only in part ({2021: "Q1"}), ``note`` the note of the period rows."""

    label: str
    partial: dict
    note: str
    last_full_year: int
    report_end: int  # the reproduced report's last year: later years are etter_rapporten

    def year_note(self, year) -> str:
        after = ["etter_rapporten"] if int(year) > self.report_end else []
        return "; ".join([p for p in [self.partial.get(int(year), "")] if p] + after)


def register_period(counts: pd.DataFrame, study: Study) -> RegisterPeriod:
    """The register period: from the first year in ``counts`` to the study's ``register_end``."""
    years = sorted(int(y) for y in counts["year"].unique()) or [study.first_year]
    end = study.register_end_date
    partial, note = {}, ""
    if study.is_partial_year(end.year) and end.year in years:
        q1 = (end.month, end.day) == (3, 31)
        partial[end.year] = "Q1" if q1 else f"to {study.register_end}"
        what = "first quarter only" if q1 else f"until {study.register_end} only"
        note = f"{end.year}: {what} (the register ends {study.register_end})"
    last = min(study.register_end_year, study.last_year)
    return RegisterPeriod(f"{years[0]}-{last}", partial, note, study.last_full_year, study.report_period[1])


def _persons(cells: pd.DataFrame) -> int:
    return int(cells["n"].sum())


def _agreed(cells: pd.DataFrame) -> int:
    """Persons with agreed self-settlement among ``cells``."""
    return int(cells.loc[cells["avtalt_selvbosetting"] == 1, "n"].sum())


def annual_records(annual: pd.DataFrame | None, series: str, year) -> list[dict]:
    """The annual-report value of ``series`` in ``year`` as tidy records ([] when it is absent):
    the years before the register come from IMDi's annual reports."""
    value = annual_get(annual, series, year) if annual is not None else None
    return (
        [] if value is None else [{"year": year, "series": series, "value": value, "source": "imdi_annual"}]
    )


def _register_years(counts: pd.DataFrame) -> set[int]:
    return {int(y) for y in counts["year"].unique()}


def _before(counts: pd.DataFrame, records: list[dict]) -> list[dict]:
    """The annual-report records of years the register does not cover (a register from 2014 or 2015
    gives its own numbers for those years: one row per year and series)."""
    covered = _register_years(counts)
    return [r for r in records if int(r["year"]) not in covered]


def units_practising(
    counts: pd.DataFrame, annual: pd.DataFrame | None, period: RegisterPeriod
) -> pd.DataFrame:
    """Tabell 2.1: units (kommuner and Oslo bydeler) with >= 1 and > 3 agreed self-settlements."""
    asb = counts[counts["avtalt_selvbosetting"] == 1]
    per_unit = asb.groupby(["year", "unit_id"])["n"].sum().rename("asb").reset_index()
    recs = _before(counts, annual_records(annual, "units_practising", 2015))
    for year in sorted(counts["year"].unique()):
        u = per_unit[per_unit["year"] == year]
        is_bydel = u["unit_id"].str.len() == 6
        for series, value in (
            ("units_practising", len(u)),
            ("oslo_bydeler_practising", int(is_bydel.sum())),
            ("units_more_than_3", int((u["asb"] > 3).sum())),
        ):
            recs.append(
                {
                    "year": int(year),
                    "series": series,
                    "value": value,
                    "source": "register",
                    "note": period.year_note(year),
                }
            )
    return tidy("tab_2_1", pd.DataFrame(recs))


def kommune_names(kommuner: pd.DataFrame) -> dict[str, str]:
    return dict(zip(kommuner["kommunenummer"], kommuner["kommunenavn"]))


def top_ten(counts: pd.DataFrame, names: dict[str, str], years, k: int = 10) -> pd.DataFrame:
    """Tabell 12.1: the kommuner (2020 boundaries, Oslo as one) with most agreed self-settlements.

    Ranks are 1..n in order of count (ties broken by name, so tied kommuner get consecutive
    ranks; the scorecard compares tied ranks as sets). Kommuner tied with rank ``k`` are kept.
    """
    asb = counts[counts["avtalt_selvbosetting"] == 1]
    recs, sets = [], {}
    for year in years:
        c = asb[asb["year"] == year].groupby("kommunenummer_2020")["n"].sum().rename("value").reset_index()
        c["kommune"] = c["kommunenummer_2020"].map(names).fillna(c["kommunenummer_2020"])
        c = c.sort_values(["value", "kommune"], ascending=[False, True], kind="stable").reset_index(drop=True)
        c["rank"] = range(1, len(c) + 1)
        if len(c) > k:
            c = c[c["value"] >= c["value"].iloc[k - 1]]
        c["tie_at_cutoff"] = c["rank"] > k
        sets[year] = set(c.loc[c["rank"] <= k, "kommune"])
        for _, r in c.iterrows():
            recs.append(
                {
                    "year": year,
                    "rank": int(r["rank"]),
                    "kommune": r["kommune"],
                    "value": r["value"],
                    "kommunenummer": r["kommunenummer_2020"],
                    "tie_at_cutoff": bool(r["tie_at_cutoff"]),
                }
            )
        recs.append(
            {"year": year, "kommune": "sum of top ten", "value": float(c.loc[c["rank"] <= k, "value"].sum())}
        )
    if len(years) == 2:
        both = sets[years[0]] & sets[years[1]]
        recs.append(
            {
                "kommune": "municipalities in the top ten in both years",
                "value": len(both),
                "kommunenummer": ";".join(sorted(both)),
            }
        )
    return tidy("tab_12_1", pd.DataFrame(recs))


def settlement_overview(
    counts: pd.DataFrame,
    annual: pd.DataFrame | None,
    public_totals: pd.DataFrame | None,
    period: RegisterPeriod,
) -> pd.DataFrame:
    """Figur 2.1: ordinary vs agreed self-settlement per year, the share, and the period sums."""
    recs = []

    def add(year, series, value, n=None, source="register", note=""):
        recs.append({"year": year, "series": series, "value": value, "n": n, "source": source, "note": note})

    if public_totals is not None:
        for _, r in public_totals.sort_values("year").iterrows():
            add(
                int(r["year"]),
                "total_settled_public",
                r["value"],
                source="imdi_public",
                note=f"{int(r['suppressed_cells'])} suppressed cells left out",
            )
        t14 = public_totals[public_totals["year"] == 2014]
        if not t14.empty and 2014 not in _register_years(counts):
            add(2014, "total_settled", float(t14["value"].iloc[0]), source="imdi_public")
    if annual is not None:
        tot, asb = annual_get(annual, "total_settled", 2015), annual_get(annual, "asb", 2015)
        if tot is not None and asb is not None and 2015 not in _register_years(counts):
            add(2015, "total_settled", tot, source="imdi_annual")
            add(2015, "asb", asb, source="imdi_annual")
            add(2015, "ordinary", tot - asb, source="imdi_annual")
            add(2015, "asb_pct", 100 * asb / tot, n=int(tot), source="imdi_annual")
        for series in ("asb_pct", "total_settled"):
            v = annual_get(annual, series, "2021 (pr. november)")
            if v is not None:
                add(
                    "2021 (pr. november)",
                    series,
                    v,
                    source="imdi_annual",
                    note="IMDi web statistics; the register ends with 2021 Q1",
                )
    for year in sorted(counts["year"].unique()):
        y = counts[counts["year"] == year]
        n, a = _persons(y), _agreed(y)
        add(int(year), "total_settled", n, note=period.year_note(year))
        add(int(year), "asb", a, note=period.year_note(year))
        add(int(year), "ordinary", n - a, note=period.year_note(year))
        add(int(year), "asb_pct", 100 * a / n, n=n, note=period.year_note(year))
    n, a = _persons(counts), _agreed(counts)
    add(period.label, "total_settled", n, note=period.note)
    add(period.label, "asb", a, note=period.note)
    add(period.label, "asb_pct", 100 * a / n, n=n, note=period.note)
    return tidy("fig_2_1", pd.DataFrame(recs))


def resettlement_overview(
    counts: pd.DataFrame, annual: pd.DataFrame | None, period: RegisterPeriod
) -> pd.DataFrame:
    """The second Figur 2.2: ordinary settlement vs resettlement refugees, and their share.

    2015 (before the register) comes from IMDi's annual report, as in Figur 2.1: the total
    settled and the share of resettlement refugees; the report gives no count to split the bar."""
    recs = _before(
        counts,
        annual_records(annual, "total_settled", 2015) + annual_records(annual, "resettlement_pct", 2015),
    )
    for year in sorted(counts["year"].unique()):
        y = counts[counts["year"] == year]
        n, r = _persons(y), _persons(y[y["kategori"] == "overforing"])
        for series, value, base in (
            ("ordinary", n - r, None),
            ("resettlement", r, None),
            ("resettlement_pct", 100 * r / n, n),
        ):
            recs.append(
                {
                    "year": int(year),
                    "series": series,
                    "value": value,
                    "n": base,
                    "source": "register",
                    "note": period.year_note(year),
                }
            )
    return tidy("fig_2_2_resettlement", pd.DataFrame(recs))


def asb_share(
    counts: pd.DataFrame, names: dict[str, str], kommuner=("4601", "0301"), years=(2016, 2017)
) -> pd.DataFrame:
    """kap. 4.1.3: share of newly settled refugees in a kommune who used agreed self-settlement."""
    recs = []
    for code in kommuner:
        for year in years:
            y = counts[(counts["year"] == year) & (counts["kommunenummer_2020"] == code)]
            n = _persons(y)
            if n:
                recs.append(
                    {
                        "year": year,
                        "kommune": names.get(code, code),
                        "value": 100 * _agreed(y) / n,
                        "n": n,
                        "kommunenummer": code,
                    }
                )
    return tidy("text_ch4_1_3_bergen_oslo_asb_share", pd.DataFrame(recs))


def bergen_counts(counts: pd.DataFrame, annual: pd.DataFrame | None, years=(2018, 2019)) -> pd.DataFrame:
    """kap. 10.1.1: Bergen's agreed self-settlements and settled refugees per IMDi's register,
    beside the municipality's own counts (cited from the report, ``group = bergen_kommune``)."""
    recs = []
    for year in years:
        y = counts[(counts["year"] == year) & (counts["kommunenummer_2020"] == "4601")]
        if _persons(y):
            recs.append(
                {"year": year, "series": "bergen_imdi_register", "value": _agreed(y), "source": "register"}
            )
            recs.append(
                {"year": year, "series": "bergen_total_settled", "value": _persons(y), "source": "register"}
            )
    if annual is not None:
        for series in ("bergen_own_count_persons", "bergen_own_count_contracts"):
            sel = annual[(annual["measure"] == series) & (annual["group"] == "bergen_kommune")]
            recs += [
                {
                    "year": r["year"],
                    "series": series,
                    "value": r["value"],
                    "source": "cited",
                    "note": r["source"],
                }
                for _, r in sel.iterrows()
            ]
    return tidy("text_ch10_1_1_bergen_2018_2019", pd.DataFrame(recs))


def asb_per_1000(
    counts: pd.DataFrame,
    kommuner: pd.DataFrame,
    classes: pd.DataFrame,
    period: RegisterPeriod,
    structure: int,
) -> pd.DataFrame:
    """Agreed self-settlements in the register period per 1 000 inhabitants (SSB, 1 January of the
    kommune structure's year: 1.1.2020 for the 2020 kommuner, 1.1.2024 for 2024), every kommune."""
    pop = population_column(kommuner, structure)
    asb = counts[counts["avtalt_selvbosetting"] == 1].groupby("kommunenummer_2020")["n"].sum()
    settled = counts.groupby("kommunenummer_2020")["n"].sum()
    k = kommuner.copy()
    k["asb"] = k["kommunenummer"].map(asb).fillna(0).astype(int)
    k["settled"] = k["kommunenummer"].map(settled).fillna(0).astype(int)
    k["value"] = 1000 * k["asb"] / k[pop]
    k["category"] = k["kommunenummer"].map(classes.set_index("unit_id")["category"])
    k = k.sort_values(["value", "kommunenummer"], ascending=[False, True], kind="stable")
    return tidy(
        "x_asb_per_1000",
        pd.DataFrame(
            {
                "year": period.label,
                "category": k["category"],
                "group": k["fylkesnavn"],
                "kommune": k["kommunenavn"],
                "value": k["value"],
                "n": k[pop],
                "kommunenummer": k["kommunenummer"],
                "asb": k["asb"],
                "settled": k["settled"],
            }
        ),
    )


def plot_overview(table: pd.DataFrame, labels: dict, series=("ordinary", "asb"), pct="asb_pct"):
    """Stacked bars (ordinary, agreed or resettlement) per year with the share on a second axis.

    A year with only a total (2015 in the second Figur 2.2: IMDi's annual report gives the total
    and the share, not the counts) gets one hatched bar of the total. Share labels sit on a white
    ground above their point, so they stay legible over the dark bars.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from analysis.core.figures import ACCENT, AGREED, FIG_WIDTH, SMALL_FONT

    apply_style()
    shares = table[(table["series"] == pct) & table["year"].astype(str).str.fullmatch(r"\d{4}")]
    years = sorted(set(shares["year"].astype(str)))
    q1 = set(shares.loc[shares["note"].astype(str).str.startswith("Q1"), "year"].astype(str))
    xlab = [labels["q1"].format(year=y).replace(" (", "\n(") if y in q1 else y for y in years]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    x = range(len(years))

    def val(y, s):
        r = table[(table["year"] == y) & (table["series"] == s)]
        return float(r["value"].iloc[0]) if len(r) else float("nan")

    low = [val(y, series[0]) for y in years]
    top = [val(y, series[1]) for y in years]
    ax.bar(x, low, color=ORDINARY, width=0.65, label=labels[series[0]])
    ax.bar(x, top, bottom=low, color=AGREED, width=0.65, label=labels[series[1]])
    only_total = [
        (i, val(y, "total_settled")) for i, y in enumerate(years) if low[i] != low[i] and top[i] != top[i]
    ]
    only_total = [(i, v) for i, v in only_total if v == v]
    if only_total:
        ax.bar(
            [i for i, _ in only_total],
            [v for _, v in only_total],
            width=0.65,
            color="#ffffff",
            edgecolor=ORDINARY,
            hatch="////",
            linewidth=0.8,
            label=labels["total_only"],
        )
    after = set(table.loc[table["note"].astype(str).str.contains("etter_rapporten"), "year"].astype(str))
    if after & set(years):  # years after the reproduced report: a dashed line and a label
        first_after = min(i for i, y in enumerate(years) if y in after)
        ax.axvline(first_after - 0.5, color="#555555", linestyle="--", linewidth=0.8)
        ax.annotate(
            labels["after_report"],
            (first_after - 0.4, 1.0),
            xycoords=("data", "axes fraction"),
            ha="left",
            va="top",
            fontsize=SMALL_FONT,
        )
    ax.set_xticks(list(x), xlab)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(labels["persons"])
    ax2 = ax.twinx()
    share = [val(y, pct) for y in years]
    ax2.plot(list(x), share, color=ACCENT, marker="o", label=labels[pct])
    for xi, v in zip(x, share):
        if v == v:
            ax2.annotate(
                f"{v:.1f}".replace(".", labels["decimal_mark"]),
                (xi, v),
                ha="center",
                va="bottom",
                fontsize=SMALL_FONT,
                color="#111111",
                xytext=(0, 5),
                textcoords="offset points",
                bbox=dict(boxstyle="round,pad=0.15", fc="#ffffff", ec="none", alpha=0.9),
            )
    ax2.set_ylim(0, max(s for s in share if s == s) * 1.35)
    ax2.set_ylabel(labels["percent"])
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return fig


def build_tables(counts, annual, kommuner, totals, k_cls, b_cls, study: Study) -> dict[str, pd.DataFrame]:
    """Every scope table, unprotected (:func:`build` reads the inputs and calls this)."""
    names = kommune_names(kommuner)
    from analysis.imdi import maps

    period = register_period(counts, study)
    first = int(counts["year"].min()) if len(counts) else study.first_year
    return {
        "tab_2_1": units_practising(counts, annual, period),
        "tab_12_1": top_ten(counts, names, (first, period.last_full_year)),
        "fig_2_1": settlement_overview(counts, annual, totals, period),
        "fig_2_2_resettlement": resettlement_overview(counts, annual, period),
        "fig_2_2_map": maps.map_table(k_cls, b_cls),
        "text_ch4_1_3_bergen_oslo_asb_share": asb_share(counts, names),
        "x_asb_per_1000": asb_per_1000(counts, kommuner, k_cls, period, study.structure),
        "text_ch10_1_1_bergen_2018_2019": bergen_counts(counts, annual),
    }


@dataclass(frozen=True)
class Unprotected:
    """The scope stage's values before protection: every table, the map classes of the kommuner
    (``k_cls``) and of Oslo's bydeler (``b_cls``), and the register's years (the figures' labels).

    Built once, by :func:`build`: in rule scope with protection off; with it on in rule
    protection, which plans on these tables and writes :meth:`frames` under
    ``data/processed/unprotected/scope/`` for rule scope to read (:meth:`from_frames`), apply the
    plan to and publish (docs/decisions/0170)."""

    tables: dict[str, pd.DataFrame]
    k_cls: pd.DataFrame
    b_cls: pd.DataFrame
    years: list[int]

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every value as a frame, by name: the tables by entry id, ``map_classes`` (column
        ``level``: kommune or bydel) and ``register_years``."""
        classes = pd.concat(
            [self.k_cls.assign(level="kommune"), self.b_cls.assign(level="bydel")], ignore_index=True
        )
        years = pd.DataFrame({"year": pd.Series(self.years, dtype="int64")})
        return {**self.tables, "map_classes": classes, "register_years": years}

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> Unprotected:
        """The values back from :meth:`frames` (as written and read again)."""
        rest = dict(frames)
        classes, years = rest.pop("map_classes"), rest.pop("register_years")

        def level(name):
            return classes[classes["level"] == name].drop(columns="level").reset_index(drop=True)

        return cls(rest, level("kommune"), level("bydel"), [int(y) for y in years["year"]])


def build(counts_path, imdi_annual, population, imdi_public, study: Study) -> Unprotected:
    """Every scope value before protection, from the input files: the register's counts (rule
    register's ``register_counts.parquet``), IMDi's annual aggregates (validated by rule cited), the population file (the study's kommuner
    and names) and IMDi's public file (the national totals of the study's years)."""
    from analysis.core.kommune import load_kommuner
    from analysis.imdi import maps
    from analysis.imdi.public import national_totals
    from analysis.imdi.register import BYDELER

    counts = read_counts(counts_path)  # small: persons per year, unit, kategori and flag
    annual = pd.read_parquet(imdi_annual)
    kommuner = load_kommuner(population, study.structure)
    totals = national_totals(pd.read_parquet(imdi_public))
    totals = totals[totals["year"].between(study.first_year, study.last_year)]
    k_cls = maps.classify(counts, list(kommuner["kommunenummer"]), "kommunenummer_2020")
    b_cls = maps.classify(counts, list(BYDELER), "unit_id")
    tables = build_tables(counts, annual, kommuner, totals, k_cls, b_cls, study)
    return Unprotected(tables, k_cls, b_cls, sorted(int(y) for y in counts["year"].unique()))


PROTECTED_CLASS = "protected"
OSLO = "0301"


def place_protected(tables: dict[str, pd.DataFrame], k_cls: pd.DataFrame, b_cls: pd.DataFrame, k: int = 10):
    """After the protection plan is applied: ranked and sorted tables put hidden rows where their
    position says nothing, and the map shows no class for a kommune whose count is hidden.

    - Tabell 12.1 lists only kommuner whose count is shown, ranked 1..m among themselves; a
      hidden count is not listed at all (a listed "1–2" at a cut-off would be pinned by it), the
      sum of the top ten is hidden when a row is missing, and "in both years" counts listed rows.
    - ``x_asb_per_1000``: shown rows by rate, then every hidden row by kommunenummer, rate empty.
    - the maps: a kommune with a hidden count gets class ``protected`` (when it practised says
      more about a count of 1–2: both periods means at least 2).
    - the Oslo inset: every bydel shows Oslo's class. Per-bydel classes bound per-bydel counts
      no table protects (a bydel practising in one year only, next to the bydeler practising that
      year, pins one person; issue 27), so the inset tells nothing the main map does not.
    Returns ``(tables, k_cls, b_cls)``.
    """
    out = dict(tables)
    t = tables["tab_12_1"].copy()
    if "value_label" not in t.columns:
        t["value_label"] = ""
    ranked = t["rank"] != ""
    keep, sets = [], {}
    for year, g in t[ranked].groupby("year", sort=False):
        shown = g[g["protected"] == ""].copy()
        shown["rank"] = [str(i) for i in range(1, len(shown) + 1)]
        shown["tie_at_cutoff"] = shown["rank"].astype(int) > k
        keep.append(shown)
        sets[year] = (set(shown.loc[~shown["tie_at_cutoff"], "kommunenummer"]), len(shown) < len(g))
    rest = t[~ranked].copy()
    for pos in rest.index:
        r = rest.loc[pos]
        if r["kommune"] == "sum of top ten" and sets.get(r["year"], (None, False))[1]:
            rest.loc[pos, ["value", "protected", "value_label"]] = [float("nan"), "secondary", "x"]
        elif r["kommune"] == "municipalities in the top ten in both years" and len(sets) == 2:
            (a, _), (b, _) = sets.values()
            both = sorted(a & b)
            rest.loc[pos, ["value", "kommunenummer"]] = [float(len(both)), ";".join(both)]
    order = {y: i for i, y in enumerate(dict.fromkeys(t["year"]))}
    parts = []
    for y in order:
        parts += [p for p in keep if len(p) and p["year"].iloc[0] == y]
        parts.append(rest[rest["year"] == y])
    out["tab_12_1"] = pd.concat(parts, ignore_index=True)
    x = tables["x_asb_per_1000"]
    hidden = x["asb_label"] != "" if "asb_label" in x.columns else pd.Series(False, index=x.index)
    hidden_codes = set(x.loc[hidden, "kommunenummer"])
    x = x.copy()
    x.loc[hidden, "value"] = float("nan")
    x.loc[hidden, "category"] = PROTECTED_CLASS
    out["x_asb_per_1000"] = pd.concat(
        [x[~hidden], x[hidden].sort_values("kommunenummer", kind="stable")], ignore_index=True
    )
    k_cls = k_cls.copy()
    k_cls.loc[k_cls["unit_id"].isin(hidden_codes), "category"] = PROTECTED_CLASS
    b_cls = b_cls.copy()
    oslo = k_cls.loc[k_cls["unit_id"] == OSLO, "category"]
    b_cls["category"] = oslo.iloc[0] if len(oslo) else PROTECTED_CLASS
    from analysis.imdi import maps

    out["fig_2_2_map"] = maps.map_table(k_cls, b_cls)
    return out, k_cls, b_cls
