"""KOSTRA table 12012 (SSB): applications for and rejections of municipally managed dwellings.

The input is the JSON-stat 2.0 body of SSB's PxWebApi (see :mod:`analysis.official.jsonstat`) with the
region dimension ``KOKkommuneregion0000`` (4-digit kommune codes plus SSB's aggregates ``EAK``
"Landet" and ``EAKUO`` "Landet uten Oslo"), ``ContentsCode`` and ``Tid`` (year). Which content
codes mean "new applications" and "rejections" is configuration (``kostra:`` in config.yaml).

Tabell 10.3 (the share of new applicants who were refused) is computed from the kommune rows as a
ratio of sums: rejections / new applications over all kommuner except Oslo (0301), and for Oslo.
A kommune-year enters only when both of its cells carry a number; cells that SSB suppressed
(``:``) or did not publish (``..``, ``.``) are left out of numerator and denominator alike, and
counted. SSB's own aggregate rows, when present, are compared with the sums (they include the
suppressed cells, so small differences are expected where cells are suppressed).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.kommune import OSLO
from analysis.core.tidy import tidy
from analysis.official.jsonstat import MISSING_SYMBOLS, Dataset, cell_meaning

log = logging.getLogger("kostra")

REGION_DIM = "KOKkommuneregion0000"
CONTENT_DIM = "ContentsCode"
TIME_DIM = "Tid"
COUNTRY = "EAK"  # "Landet"
COUNTRY_EXCL_OSLO = "EAKUO"  # "Landet uten Oslo"
TABLE_ID = "12012"

SERIES = {"norway_excl_oslo": COUNTRY_EXCL_OSLO, "norway": COUNTRY}
# new applications for a municipal dwelling in a year: tens of thousands nationally at most
MAX_COUNT = 1_000_000


def cells(ds: Dataset, content_new: str, content_rej: str) -> pd.DataFrame:
    """The table's cells for the two configured contents, one row per region x year.

    Columns: ``region, year, new, rej`` (float, NaN where no number), ``status_new, status_rej``
    (SSB symbol or ''), ``kind`` ('kommune', 'EAK', 'EAKUO' or 'other').
    """
    extra = ds.check_dimensions([REGION_DIM, CONTENT_DIM, TIME_DIM])
    for e in extra:
        log.info("single-category dimension %s = %s ignored", e, ds.dimension(e).codes[0])
    content_new = content_code(ds, content_new, "kostra.content_new_applications")
    content_rej = content_code(ds, content_rej, "kostra.content_rejections")
    if content_new == content_rej:
        raise InputError(
            ds.path,
            "kostra.content_new_applications and kostra.content_rejections name the same content code",
            value=content_new,
        )
    years = ds.dimension(TIME_DIM).codes
    bad = [y for y in years if not (len(y) == 4 and y.isdigit())]
    if bad:
        raise InputError(
            ds.path,
            "Tid categories must be years (YYYY)",
            column=f"dimension.{TIME_DIM}.category.index",
            value=bad[0],
        )
    frame = ds.to_frame()
    frame = frame[frame[CONTENT_DIM].isin([content_new, content_rej])]
    # an SSB symbol that means "no number" wins over a stray value
    frame.loc[frame["status"].isin(MISSING_SYMBOLS), "value"] = np.nan
    absurd = frame["value"] > MAX_COUNT
    if absurd.any():
        r = frame[absurd].iloc[0]
        raise InputError(
            ds.path,
            f"implausible count (more than {MAX_COUNT:,}) for region {r[REGION_DIM]}, year {r[TIME_DIM]}",
            column=f"value[{int(r['cell'])}]",
            value=r["value"],
        )
    neg = frame["value"] < 0
    if neg.any():
        r = frame[neg].iloc[0]
        raise InputError(
            ds.path,
            f"negative count for region {r[REGION_DIM]}, year {r[TIME_DIM]}",
            column=f"value[{int(r['cell'])}]",
            value=r["value"],
        )
    frac = frame["value"].notna() & (frame["value"] % 1 != 0)
    if frac.any():
        r = frame[frac].iloc[0]
        raise InputError(
            ds.path,
            f"fractional count for region {r[REGION_DIM]}, year {r[TIME_DIM]}: applications and "
            "rejections are whole numbers (was a share, a rate or a rounded average exported?)",
            column=f"value[{int(r['cell'])}]",
            value=r["value"],
        )
    frame["what"] = np.where(frame[CONTENT_DIM] == content_new, "new", "rej")
    wide = frame.pivot_table(
        index=[REGION_DIM, TIME_DIM],
        columns="what",
        values=["value", "status"],
        aggfunc="first",
        dropna=False,
    )
    out = pd.DataFrame(
        {
            "region": wide.index.get_level_values(0).astype(str),
            "year": wide.index.get_level_values(1).astype(int),
            "new": pd.to_numeric(wide[("value", "new")], errors="coerce").to_numpy(dtype="float64"),
            "rej": pd.to_numeric(wide[("value", "rej")], errors="coerce").to_numpy(dtype="float64"),
            "status_new": wide[("status", "new")].fillna("").to_numpy(),
            "status_rej": wide[("status", "rej")].fillna("").to_numpy(),
        }
    )
    out["kind"] = np.select(
        [out["region"].str.fullmatch(r"\d{4}"), out["region"] == COUNTRY, out["region"] == COUNTRY_EXCL_OSLO],
        ["kommune", COUNTRY, COUNTRY_EXCL_OSLO],
        "other",
    )
    over = out["rej"] > out["new"]
    if over.any():
        r = out[over].iloc[0]
        raise InputError(
            ds.path,
            f"more rejections ({r['rej']:.0f}) than new applications "
            f"({r['new']:.0f}) for region {r['region']}, year {r['year']}: are the content "
            f"codes in config (kostra:) the right way round?",
            column=f"dimension.{REGION_DIM}.category.index",
            value=r["region"],
        )
    names = ds.dimension(REGION_DIM).labels
    out["region_label"] = [names.get(r, "") for r in out["region"]]
    return out.sort_values(["region", "year"]).reset_index(drop=True)


def read_kostra(path) -> Dataset:
    """Table 12012 as PxWebApi's JSON-stat2 body, or as SSB's statbank download (CSV
    "semikolonseparert med overskrift" or .xlsx, :mod:`analysis.official.statbank`), told apart
    by content; provenance records the file as given."""
    from analysis.core.intake import sniff
    from analysis.official.jsonstat import read_jsonstat
    from analysis.official.statbank import is_statbank, read_statbank

    path = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    fmt = sniff(head.lstrip(b"\xef\xbb\xbf"), path)
    if is_statbank(fmt):
        return read_statbank(path, fmt)
    return read_jsonstat(path)


def content_code(ds: Dataset, wanted: str, key: str) -> str:
    """The content code the config names, by its code or by SSB's label text (case and spacing
    ignored: a statbank download has the labels only)."""
    dim = ds.dimension(CONTENT_DIM)
    if wanted in dim.codes:
        return wanted
    norm = _spaceless(wanted)
    hits = [c for c in dim.codes if _spaceless(dim.labels.get(c, c)) == norm or _spaceless(c) == norm]
    if len(hits) == 1:
        return hits[0]
    shown = "; ".join(
        f"{c} «{dim.labels.get(c, c)[:70]}»" if dim.labels.get(c, c) != c else f"«{c[:70]}»"
        for c in dim.codes[:8]
    )
    raise InputError(
        ds.path,
        f"content code {wanted!r} (config {key}) is not in the table, neither as a code nor as a label; "
        f"its contents are: {shown} (name one by its code or its label text under kostra:)",
        column=f"dimension.{CONTENT_DIM}.category.index",
        value=wanted,
    )


def _spaceless(text: str) -> str:
    import re

    return re.sub(r"\s+", "", str(text)).casefold()


def check_region_names(ds: Dataset, code_map: pd.DataFrame) -> None:
    """A statbank download's region names ("K-3001 Halden") must be their codes' names."""
    from analysis.core.codenames import check_code_names, reference_names
    from analysis.core.kommune import BYDEL_NAMES

    written = ds.extension.get("code_names")
    if written is not None:
        check_code_names(written, reference_names(code_map, BYDEL_NAMES), ds.path)


def validate_codes(c: pd.DataFrame, known_codes: set[str], path: str) -> None:
    """A 4-digit region code that carries a number but is valid in no year 2013-2020 is an error,
    not a silent drop. (SSB's region list may hold later codes whose cells are all ``.``.)"""
    has_number = c["new"].notna() | c["rej"].notna()
    bad = sorted(set(c.loc[(c["kind"] == "kommune") & has_number & ~c["region"].isin(known_codes), "region"]))
    if bad:
        raise InputError(
            path,
            f"kommune code valid in no year 2013-2020 (SSB crosswalk): {bad[:5]}",
            column=f"dimension.{REGION_DIM}.category.index",
            value=bad[0],
        )


def check_codes_by_year(c: pd.DataFrame, code_map: pd.DataFrame, path: str) -> None:
    """Each kommune counted once per year, under a code that can carry that year's number.

    SSB's region list for 12012 holds old and new codes side by side; a year's numbers stand either
    under the codes valid that year or, re-keyed, under the 2020 codes. Two things would be summed
    twice into Tabell 10.3 and are errors: a number under a code after it ceased to exist (1201
    Bergen in 2020, beside 4601), and in one year a number under a 2020 code used before it
    existed (4601 in 2019) beside one under an old code it replaced (1201 in 2019). ``code_map``
    is :func:`analysis.core.kommune.build_code_map` (code, kommunenummer_2020, first/last year).
    """
    where = f"dimension.{REGION_DIM}.category.index"
    k = c[(c["kind"] == "kommune") & (c["new"].notna() | c["rej"].notna())]
    k = k.merge(
        code_map[["code", "kommunenummer_2020", "first_year", "last_year"]], left_on="region", right_on="code"
    )
    late = k[k["year"] > k["last_year"]].sort_values(["year", "region"])
    if not late.empty:
        r = late.iloc[0]
        raise InputError(
            path,
            f"kommune code {r['region']} carries a number for {r['year']}, but it was valid only "
            f"{r['first_year']}-{r['last_year']} (its 2020 successor is {r['kommunenummer_2020']}): a "
            f"number under an expired code would be counted beside its successor's; "
            f"{late['region'].nunique()} code(s) affected",
            column=where,
            value=r["region"],
        )
    # a 2020 code used for a year before it existed: the year's numbers are re-keyed to 2020 codes
    rekeyed = {
        (y, t) for y, t, r in zip(k["year"], k["kommunenummer_2020"], k["year"] < k["first_year"]) if r
    }
    codes_per = k.groupby(["year", "kommunenummer_2020"])["region"].transform("nunique")
    in_rekeyed = np.array([(y, t) in rekeyed for y, t in zip(k["year"], k["kommunenummer_2020"])], dtype=bool)
    clash = k[(codes_per > 1) & in_rekeyed].sort_values(["year", "kommunenummer_2020", "region"])
    if not clash.empty:
        first = clash.iloc[0]
        same = clash[
            (clash["year"] == first["year"]) & (clash["kommunenummer_2020"] == first["kommunenummer_2020"])
        ]
        codes = sorted(same["region"])
        raise InputError(
            path,
            f"kommune {first['kommunenummer_2020']} has numbers under several codes in {first['year']} "
            f"({', '.join(codes)}): the old code and its successor (re-keyed) describe the same "
            "applicants and would be counted twice; keep one region structure per year",
            column=where,
            value=codes[0],
        )


def check_years(c: pd.DataFrame, years, path: str) -> None:
    """Every year the report shows (Tabell 10.3: 2016 and 2020, the map: 2020) must be in the
    table with at least one kommune whose new applications are a number above zero; otherwise the
    year's share is empty or 0/0 and the table or map would be built on nothing."""
    have = set(c["year"])
    missing = [int(y) for y in years if int(y) not in have]
    if missing:
        raise InputError(
            path,
            f"year(s) {missing} missing from the table (Tid has {sorted(int(y) for y in have)}); "
            f"Tabell 10.3 and the map need {sorted(int(y) for y in years)}",
            column=f"dimension.{TIME_DIM}.category.index",
            value=missing[0],
        )
    k = c[c["kind"] == "kommune"]
    for y in sorted(int(y) for y in years):
        ky = k[k["year"] == y]
        use = ky[_usable(ky)]
        if use.empty or use["new"].sum() <= 0:
            what = "no kommune has a number" if use.empty else "every kommune's number is 0"
            raise InputError(
                path,
                f"{what} for new applications and rejections in {y} ({len(ky)} kommune cells): "
                "the rejection share cannot be computed; check the download and the content codes "
                "(kostra: in the config)",
                column=f"dimension.{TIME_DIM}.category.index",
                value=y,
            )


def _usable(c: pd.DataFrame) -> pd.Series:
    return c["new"].notna() & c["rej"].notna()


def _reason(row) -> str:
    """Why a kommune-year cannot be used: the SSB symbol on either cell."""
    for st in (row["status_new"], row["status_rej"]):
        if st in MISSING_SYMBOLS:
            return cell_meaning(st)
    return "no value"


def rejection_shares(c: pd.DataFrame) -> pd.DataFrame:
    """Tidy ``tab_10_3``: rejections / new applications (percent), summed over kommune rows.

    Series ``norway_excl_oslo`` (every kommune except 0301), ``oslo`` and ``norway``; ``n`` is
    the number of new applications summed; extra columns give the counts and the kommuner left
    out because a cell was suppressed or missing.
    """
    k = c[c["kind"] == "kommune"].copy()
    k["usable"] = _usable(k)
    k["suppressed"] = ~k["usable"] & ((k["status_new"] == ":") | (k["status_rej"] == ":"))
    groups = {"norway_excl_oslo": k[k["region"] != OSLO], "oslo": k[k["region"] == OSLO], "norway": k}
    rows = []
    for series, g in groups.items():
        for year, gy in g.groupby("year", sort=True):
            use = gy[gy["usable"]]
            new, rej = use["new"].sum(), use["rej"].sum()
            rows.append(
                {
                    "year": year,
                    "series": series,
                    "value": 100.0 * rej / new if new > 0 else np.nan,
                    "n": int(new),
                    "rejections": int(rej),
                    "new_applications": int(new),
                    "kommuner_used": int(len(use)),
                    "kommuner_suppressed": int(gy["suppressed"].sum()),
                    "kommuner_missing": int((~gy["usable"] & ~gy["suppressed"]).sum()),
                }
            )
    return tidy("tab_10_3", pd.DataFrame(rows))


def aggregate_check(c: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Tidy ``x_kostra_aggregate_check``: the kommune sums beside SSB's EAK / EAKUO rows.

    ``value`` is the sum over kommune rows (or the share from it), ``ssb_aggregate`` SSB's own
    aggregate, ``difference`` value - ssb_aggregate. Empty when the table has no aggregate rows.
    """
    rows = []
    for series, code in SERIES.items():
        agg = c[c["region"] == code].set_index("year")
        if agg.empty:
            continue
        mine = shares[shares["series"] == series].set_index("year")
        for year in sorted(agg.index):
            a = agg.loc[year]
            m = mine.loc[str(year)] if str(year) in mine.index else None
            if m is None:
                continue
            ssb_share = 100.0 * a["rej"] / a["new"] if a["new"] and not np.isnan(a["new"]) else np.nan
            for item, val, ssb in (
                ("new_applications", m["new_applications"], a["new"]),
                ("rejections", m["rejections"], a["rej"]),
                ("rejection_share", m["value"], ssb_share),
            ):
                rows.append(
                    {
                        "year": year,
                        "series": series,
                        "item": item,
                        "value": float(val),
                        "ssb_aggregate": ssb,
                        "difference": float(val) - ssb if not pd.isna(ssb) else np.nan,
                        "kommuner_suppressed": int(m["kommuner_suppressed"]),
                        "ssb_status": a["status_new"] if item == "new_applications" else a["status_rej"],
                    }
                )
    cols = [
        "year",
        "series",
        "item",
        "value",
        "ssb_aggregate",
        "difference",
        "kommuner_suppressed",
        "ssb_status",
    ]
    return tidy("x_kostra_aggregate_check", pd.DataFrame(rows, columns=cols))


def log_aggregate_check(check: pd.DataFrame, tolerance_pp: float = 1.0) -> list[str]:
    """Log the comparison; return warnings where the shares differ by more than ``tolerance_pp``."""
    warnings = []
    if check.empty:
        log.warning("the table has no SSB aggregate rows (EAK/EAKUO): the sums are not checked")
        return warnings
    for _, r in check.iterrows():
        fmt = "{:.2f}" if r["item"] == "rejection_share" else "{:.0f}"
        msg = (
            f"{r['year']} {r['series']} {r['item']}: kommune sum {fmt.format(r['value'])}, SSB "
            f"{fmt.format(r['ssb_aggregate'])} (difference {fmt.format(r['difference'])}; "
            f"{r['kommuner_suppressed']} kommuner suppressed)"
        )
        if r["item"] == "rejection_share" and abs(r["difference"]) > tolerance_pp:
            warnings.append(msg)
            log.warning("aggregate check: %s", msg)
        else:
            log.info("aggregate check: %s", msg)
    return warnings


def kommune_shares(c: pd.DataFrame, kommuner: pd.DataFrame, year: int) -> pd.DataFrame:
    """Tidy ``x_kostra_rejection_share_<year>``: the rejection share per kommune (2020 structure).

    Every kommune in ``kommuner`` (kommunenummer, kommunenavn) gets a row; ``value`` is empty
    (missing, not 0) where a cell was suppressed or missing or there were no new applications,
    and ``status`` says which.
    """
    k = c[(c["kind"] == "kommune") & (c["year"] == year)].set_index("region")
    rows = []
    for code, name in zip(kommuner["kommunenummer"], kommuner["kommunenavn"]):
        if code not in k.index:
            rows.append(
                {
                    "kommune": code,
                    "kommunenavn": name,
                    "value": np.nan,
                    "n": pd.NA,
                    "rejections": pd.NA,
                    "status": "not_in_table",
                }
            )
            continue
        r = k.loc[code]
        if pd.isna(r["new"]) or pd.isna(r["rej"]):
            st = _reason(r)
            rows.append(
                {
                    "kommune": code,
                    "kommunenavn": name,
                    "value": np.nan,
                    "n": pd.NA,
                    "rejections": pd.NA,
                    "status": st,
                }
            )
        elif r["new"] == 0:
            rows.append(
                {
                    "kommune": code,
                    "kommunenavn": name,
                    "value": np.nan,
                    "n": 0,
                    "rejections": int(r["rej"]),
                    "status": "no_new_applications",
                }
            )
        else:
            rows.append(
                {
                    "kommune": code,
                    "kommunenavn": name,
                    "value": 100.0 * r["rej"] / r["new"],
                    "n": int(r["new"]),
                    "rejections": int(r["rej"]),
                    "status": "value",
                }
            )
    df = pd.DataFrame(rows)
    df.insert(0, "year", year)
    df["rejections"] = df["rejections"].astype("Int64")
    return tidy(f"x_kostra_rejection_share_{year}", df)


def ledger(c: pd.DataFrame, role: str = "kostra_12012") -> pd.DataFrame:
    """Row ledger for the table: one 'row' = one region x year with the two configured contents."""
    k = c.copy()
    usable = _usable(k)
    reason = np.where(
        k["kind"] == "kommune",
        np.where(usable, "kommune-year with both counts: Tabell 10.3 (2020 also the map)", ""),
        np.where(
            k["kind"] == "other",
            "other KOSTRA aggregate (not used)",
            "SSB aggregate row: check of the kommune sums only",
        ),
    )
    disp = np.where(
        (k["kind"] == "kommune") & ~usable, "excluded", np.where(k["kind"] == "other", "excluded", "used")
    )
    miss = (k["kind"] == "kommune") & ~usable
    reason = np.where(miss, "kommune-year without both counts: " + k.apply(_reason, axis=1), reason)
    out = pd.DataFrame({"input": role, "disposition": disp, "reason": reason})
    return out.groupby(["input", "disposition", "reason"], sort=True).size().rename("rows").reset_index()


def plot_map(shares: pd.DataFrame, geo, labels: dict):
    """Choropleth of the rejection share per kommune; missing shares hatched grey (not 0).

    The scale runs from 0 to the largest share (rounded up to 10, never capped) and starts at a
    pale tint, so a kommune with 0 % is not mistaken for the page's background."""
    import matplotlib.pyplot as plt

    from analysis.core.figures import (
        FIG_WIDTH,
        apply_style,
        full_range_norm,
        layout_only_redraws,
        sequential_cmap,
    )

    apply_style()
    g = geo.merge(shares[["kommune", "value"]], left_on="kommunenummer", right_on="kommune", how="left")
    g = g.to_crs(25833)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH * 0.9, 7.2))
    missing = g[g["value"].isna()]
    have = g[g["value"].notna()]
    norm = full_range_norm(have["value"], step=10)
    with layout_only_redraws(fig):  # geopandas' plot() would render the whole figure each time
        have.plot(
            column="value",
            ax=ax,
            cmap=sequential_cmap("Blues"),
            norm=norm,
            linewidth=0.1,
            edgecolor="#808080",
            legend=True,
            legend_kwds={"label": labels["share"], "shrink": 0.6, "orientation": "vertical"},
        )
        if len(missing):
            missing.plot(ax=ax, color="#e6e6e6", hatch="///", edgecolor="#b0b0b0", linewidth=0.1)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(facecolor="#e6e6e6", edgecolor="#b0b0b0", hatch="///", label=labels["missing"])],
        loc="lower right",
        fontsize=7.5,
    )
    ax.set_axis_off()
    ax.grid(False)
    return fig
