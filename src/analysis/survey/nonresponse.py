"""Non-response analysis of the 2021 municipal survey (Tabell 9.1; the response rate of kap. 9.1.3 is
the survey stage's `text_ch9_response_rate`, survey/tables.py).

Units. The survey frame has 370 units: 355 kommuner (Oslo excluded) and Oslo's 15 bydeler.
Tabell 9.1 uses two unit definitions (INC33): the settlement rows count kommuner *and* bydeler
(a settlement in a non-responding bydel is a settlement in a non-responding unit), while the
size and region rows use the 356 kommuner of 2020 with Oslo counted once and as responding
("Oslo regnes her som besvart").

Size groups (population 1 January 2021, SSB 07459; this date gives exactly the report's
4/31/77/244 kommuner and 25/33/26/16 % of the population, 1.1.2020 gives 4/31/78/243):
``big4`` Oslo, Bergen, Trondheim, Stavanger; ``30k_plus`` 30 000 or more outside them;
``10k_30k`` 10 000-29 999; ``under_10k`` below 10 000.

Regions. The report names four regions but not their fylker. We group the pre-2020 fylker:
Østlandet = Østfold, Akershus, Oslo, Hedmark, Oppland, Buskerud; Telemark, Vestfold, Agder =
Vestfold, Telemark, Aust-Agder, Vest-Agder; Vestlandet = Rogaland, Hordaland, Sogn og Fjordane;
Midt-Norge, Nord-Norge = Møre og Romsdal, Trøndelag (Sør- and Nord-), Nordland, Troms,
Finnmark. A 2020 kommune's pre-2020 fylke is the fylke of its predecessor codes valid in 2019
(SSB code history in the crosswalk). Two 2020 kommuner have predecessors in two regions:
Drammen (Drammen, Buskerud + Svelvik, Vestfold) goes to Østlandet, the region of its 2020
fylke Viken and of its administrative centre; Volda (Volda, Møre og Romsdal + Hornindal, Sogn
og Fjordane) goes to Vestlandet by an explicit override (``weighting.region_overrides``).

Both open choices are forced by the report's own numbers, not by taste:
- Møre og Romsdal in Vestlandet (SSB's landsdel) makes the four published rates 47/31/37/31
  need 131-132 responding kommuner, but 138 respondents - 9 bydeler + Oslo = 130; with Møre og
  Romsdal in Midt-Norge the rates are attainable with exactly 130 (46+15+25+44 of 98/48/67/143).
- With Volda in Midt-Norge Vestlandet has 66 kommuner, and no k/66 rounds to 37 %; with Volda
  in Vestlandet (67 kommuner) 25/67 = 37.3 % does.
Otherwise the regions coincide with a grouping of the 2020 fylker (Oslo, Viken, Innlandet;
Vestfold og Telemark, Agder; Rogaland, Vestland; Møre og Romsdal, Trøndelag, Nordland, Troms og
Finnmark), which a test checks. 16 of the 31 kommuner over 30 000 (outside the big four) lie in
Østlandet, as the text says ("Vel halvparten ... ligger i region øst").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, first_bad
from analysis.core.kommune import OSLO
from analysis.core.protection import SECONDARY_LABEL, is_period, range_label
from analysis.core.study import FIRST_YEAR_2024
from analysis.survey.ingest import FRAME_COLUMNS, validate_frame

BIG4 = {"0301": "Oslo", "4601": "Bergen", "5001": "Trondheim", "1103": "Stavanger"}
SIZE_GROUPS = ["big4", "30k_plus", "10k_30k", "under_10k"]
REGIONS = ["east", "tva", "west", "mid_north"]
SIZE_THRESHOLDS = (10_000, 30_000)

# Pre-2020 fylke (first two digits of the kommune code valid in 2019; 16/17 before 2018) -> region.
PRE2020_FYLKE_REGION = {
    "01": "east",
    "02": "east",
    "03": "east",
    "04": "east",
    "05": "east",
    "06": "east",
    "07": "tva",
    "08": "tva",
    "09": "tva",
    "10": "tva",
    "11": "west",
    "12": "west",
    "14": "west",
    "15": "mid_north",
    "16": "mid_north",
    "17": "mid_north",
    "50": "mid_north",
    "18": "mid_north",
    "19": "mid_north",
    "20": "mid_north",
}
# 2020 fylke -> region: used for kommuner whose predecessors lie in two regions, and as a check.
FYLKE_2020_REGION = {
    "03": "east",
    "30": "east",
    "34": "east",
    "38": "tva",
    "42": "tva",
    "11": "west",
    "15": "mid_north",
    "46": "west",
    "50": "mid_north",
    "18": "mid_north",
    "54": "mid_north",
}
# The two region groupings of Tabell 9.1 (config ``weighting.region_grouping``): the one derived
# from the report's numbers (Møre og Romsdal in Midt-Norge, see the module docstring) and SSB's
# traditional landsdel grouping (Møre og Romsdal in Vestlandet). They differ only in fylke 15.
REGION_GROUPINGS = {
    "report_derived": (PRE2020_FYLKE_REGION, FYLKE_2020_REGION),
    "ssb_landsdel": ({**PRE2020_FYLKE_REGION, "15": "west"}, {**FYLKE_2020_REGION, "15": "west"}),
}


# --------------------------------------------------------------------------- classification


def size_group(
    population: pd.Series, kommunenummer: pd.Series, thresholds: tuple[int, int] = SIZE_THRESHOLDS
) -> pd.Series:
    """Size group per kommune: the big four, then by population (lower bound inclusive)."""
    lo, hi = thresholds
    pop = pd.to_numeric(population).to_numpy()
    out = np.where(pop >= hi, "30k_plus", np.where(pop >= lo, "10k_30k", "under_10k")).astype(object)
    out[np.asarray(kommunenummer.isin(list(BIG4)))] = "big4"
    return pd.Series(out, index=population.index, name="size_group")


def region_table(crosswalk_wide: pd.DataFrame, overrides: dict[str, str], *, grouping: str) -> pd.DataFrame:
    """Region of every 2020 kommune from the pre-2020 fylke of its predecessors (see module doc),
    under one of the ``REGION_GROUPINGS``.

    Returns ``kommunenummer, fylke_pre2020, fylke_2020, region, region_rule``.
    """
    if grouping not in REGION_GROUPINGS:
        raise ValueError(f"unknown region grouping {grouping!r}; use one of {sorted(REGION_GROUPINGS)}")
    pre2020, fylke2020 = REGION_GROUPINGS[grouping]
    bad = {k: v for k, v in overrides.items() if v not in REGIONS}
    if bad:
        raise ValueError(f"region_overrides: unknown region(s) {bad}; use one of {REGIONS}")
    # the pre-2020 fylker of each 2020 kommune's predecessors (plain lists: 356 small groups)
    predecessors: dict[str, set[str]] = {}
    for k19, k20 in zip(crosswalk_wide["kommunenummer_2019"], crosswalk_wide["kommunenummer_2020"]):
        if k19 != "" and k20 != "9999":  # 9999 is SSB's "unknown kommune" code, not a kommune
            predecessors.setdefault(k20, set()).add(k19[:2])
    rows = []
    for k20 in sorted(predecessors):
        fylker = sorted(predecessors[k20])
        unknown = [f for f in fylker if f not in pre2020]
        if unknown:
            raise ValueError(f"kommune {k20}: pre-2020 fylke {unknown} has no region")
        regions = sorted({pre2020[f] for f in fylker})
        f20 = k20[:2]
        if k20 in overrides:
            region, rule = overrides[k20], f"override (predecessors in {'+'.join(fylker)})"
        elif len(regions) == 1:
            region, rule = regions[0], "pre-2020 fylke"
        else:
            region, rule = fylke2020[f20], f"predecessors in {'+'.join(fylker)}: 2020 fylke"
        rows.append((k20, "+".join(fylker), f20, region, rule))
    out = pd.DataFrame(
        rows, columns=["kommunenummer", "fylke_pre2020", "fylke_2020", "region", "region_rule"]
    )
    unknown = sorted(set(overrides) - set(out["kommunenummer"]))
    if unknown:
        raise ValueError(f"region_overrides names codes that are no 2020 kommune: {unknown}")
    return out


def municipalities(
    kommuner: pd.DataFrame,
    regions: pd.DataFrame,
    population_column: str,
    thresholds: tuple[int, int] = SIZE_THRESHOLDS,
) -> pd.DataFrame:
    """The 356 kommuner with population, size group and region."""
    if population_column not in kommuner.columns:
        raise ValueError(f"population file lacks column {population_column!r}")
    df = (
        kommuner[["kommunenummer", "kommunenavn", "fylkesnummer", population_column]]
        .rename(columns={population_column: "population"})
        .copy()
    )
    df["population"] = pd.to_numeric(df["population"]).astype("int64")
    df["size_group"] = size_group(df["population"], df["kommunenummer"], thresholds)
    df = df.merge(
        regions[["kommunenummer", "fylke_pre2020", "region", "region_rule"]],
        on="kommunenummer",
        how="left",
        validate="1:1",
    )
    if df["region"].isna().any():
        missing = df.loc[df["region"].isna(), "kommunenummer"].tolist()
        raise ValueError(f"kommuner without a region (not in the crosswalk): {missing}")
    return df.sort_values("kommunenummer").reset_index(drop=True)


def read_bydeler(path: str | Path) -> pd.DataFrame:
    """Oslo's 15 bydeler (``bydelsnummer, bydelsnavn``) from the bydel GeoJSON (Marka excluded)."""
    with open(path, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    rows = [
        (f["properties"]["bydelsnummer"], f["properties"]["bydelsnavn"])
        for f in feats
        if f["properties"].get("er_bydel", True)
    ]
    df = pd.DataFrame(rows, columns=["bydelsnummer", "bydelsnavn"]).sort_values("bydelsnummer")
    if len(df) != 15:
        raise InputError(str(path), f"expected 15 Oslo bydeler, found {len(df)}")
    return df.reset_index(drop=True)


def frame_units(munis: pd.DataFrame, bydeler: pd.DataFrame) -> pd.DataFrame:
    """The 370 frame units with size group and region (bydeler inherit Oslo's)."""
    k = munis[munis["kommunenummer"] != OSLO]
    oslo = munis[munis["kommunenummer"] == OSLO].iloc[0]
    a = pd.DataFrame(
        {
            "unit_id": k["kommunenummer"],
            "unit_name": k["kommunenavn"],
            "unit_type": "kommune",
            "kommunenummer": k["kommunenummer"],
            "size_group": k["size_group"],
            "region": k["region"],
        }
    )
    b = pd.DataFrame(
        {
            "unit_id": bydeler["bydelsnummer"],
            "unit_name": bydeler["bydelsnavn"],
            "unit_type": "bydel",
            "kommunenummer": OSLO,
            "size_group": oslo["size_group"],
            "region": oslo["region"],
        }
    )
    return pd.concat([a, b], ignore_index=True).sort_values("unit_id").reset_index(drop=True)


# --------------------------------------------------------------------------- frame validation


def read_frame(
    path: str,
    kommuner_2020: set[str],
    bydeler: set[str],
    mapping: dict | None = None,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The frame in any format (``mapping``: the config's ``mapping.survey_frame_2021``), checked
    ("code name" unit ids against ``reference``, :mod:`analysis.core.codenames`)."""
    from analysis.core.intake import read_pandas  # polars: imported by the jobs that read a file (issue 28)

    df, t = read_pandas(path, "survey_frame_2021", FRAME_COLUMNS, mapping=mapping, codes=("unit_id",))
    if reference is not None:
        from analysis.core.codenames import check_code_names

        check_code_names(t.code_names, reference, path)
    out = validate_frame(df, path, kommuner_2020, bydeler, structure="2020")
    out.attrs["excluded"] = list(t.excluded)  # ledger rows of mapping keep_rows
    return out


def response_status(frame: pd.DataFrame, respondents: pd.Series, path: str) -> pd.Series:
    """Boolean per frame unit: responded. Respondents must be unique frame units."""
    r = respondents.astype(str)
    dup = r[r.duplicated()]
    if len(dup):
        i = int(dup.index[0])
        raise InputError(
            path,
            "unit_id occurs twice among the respondents",
            line=i + 1,
            column="unit_id",
            value=dup.iloc[0],
        )
    unknown = ~r.isin(frame["unit_id"])
    first_bad(
        unknown,
        r.to_frame("unit_id"),
        path,
        "unit_id",
        "respondent unit_id is not in the survey frame",
        header_lines=0,
    )
    return frame["unit_id"].isin(set(r)).rename("responded")


# --------------------------------------------------------------------------- settlements


def settlement_totals(
    register: pd.DataFrame, years: tuple[int, int], until: str | None = None
) -> pd.DataFrame:
    """Settlements (all, agreed self-settlement) per ``unit_id`` in the years (inclusive), and
    with ``until`` (ISO date) settled on that day at the latest."""
    need = ["unit_id", "year", "avtalt_selvbosetting"] + (["bosettingsdato"] if until else [])
    missing = [c for c in need if c not in register.columns]
    if missing:
        raise ValueError(f"register lacks columns {missing}")
    y = pd.to_numeric(register["year"])
    keep = (y >= years[0]) & (y <= years[1])
    if until:
        keep &= register["bosettingsdato"].astype(str).str[:10] <= until
    sel = register[keep]
    asb = pd.to_numeric(sel["avtalt_selvbosetting"]).fillna(0).astype(int)
    out = (
        pd.DataFrame({"unit_id": sel["unit_id"].astype(str), "all": 1, "asb": asb})
        .groupby("unit_id", sort=True)[["all", "asb"]]
        .sum()
        .reset_index()
    )
    return out


def attach_settlements(units: pd.DataFrame, totals: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``all``/``asb`` to the frame units; settlements in no frame unit are returned apart.

    Register rows carrying Oslo without a bydel (``0301``) or a unit outside the frame cannot be
    assigned to a responding or non-responding unit; they are returned for the ledger and left
    out of both numerator and denominator.
    """
    t = totals.set_index("unit_id")
    out = units.copy()
    out["all"] = out["unit_id"].map(t["all"]).fillna(0).astype(int)
    out["asb"] = out["unit_id"].map(t["asb"]).fillna(0).astype(int)
    outside = totals[~totals["unit_id"].isin(units["unit_id"])].reset_index(drop=True)
    return out, outside


def register_units_as_frame(
    units: pd.Series,
    register_structure: int,
    frame_structure: int,
    crosswalk_2024: pd.DataFrame | None,
    split_to_2024: dict[str, str],
) -> pd.Series:
    """The register's units (kommuner of the study's structure, Oslo bydeler) in the codes of a
    frame of another structure, so that a unit's settlements are its own whatever the structure.

    A 2024 register on a 2020-2023 frame: each 2024 kommune lies in one 2020 kommune (Ålesund and
    Haram in 2020 Ålesund). A 2020 register on a 2024 frame: a 2020 kommune split on 1.1.2024 goes
    whole to its ``split_to_2024`` kommune (Ålesund to Ålesund), as the register's own rule."""
    if register_structure == frame_structure:
        return units
    if crosswalk_2024 is None:
        raise ValueError(
            "a frame in another kommune structure than the register's needs the 2020->2024 crosswalk"
        )
    cw = crosswalk_2024
    if register_structure == 2024:
        m = dict(zip(cw["kommunenummer_2024"], cw["kommunenummer_2020"]))
    else:
        fwd = cw.groupby("kommunenummer_2020")["kommunenummer_2024"].agg(lambda x: sorted(set(x)))
        m = {k: (t[0] if len(t) == 1 else split_to_2024[k]) for k, t in fwd.items()}
    return units.map(lambda u: m.get(u, u))


# --------------------------------------------------------------------------- Tabell 9.1


def kommune_status(units: pd.DataFrame) -> pd.DataFrame:
    """The 356 kommuner with response status: Oslo counted once and as responding."""
    k = units[units["unit_type"] == "kommune"][["kommunenummer", "size_group", "region", "responded"]]
    oslo = units[units["unit_type"] == "bydel"].iloc[0]
    o = pd.DataFrame(
        [
            {
                "kommunenummer": OSLO,
                "size_group": oslo["size_group"],
                "region": oslo["region"],
                "responded": True,
            }
        ]
    )
    return pd.concat([k, o], ignore_index=True).sort_values("kommunenummer").reset_index(drop=True)


def tab_9_1_records(units: pd.DataFrame, munis: pd.DataFrame) -> list[dict]:
    """Records of Tabell 9.1 (tidy keys item/category) from frame units with ``responded``,
    ``all``, ``asb``, ``size_group``, ``region``; ``munis`` gives population per kommune."""
    recs = []
    for item, col in (("all_settlements", "all"), ("asb_settlements", "asb")):
        total = int(units[col].sum())
        if total == 0:  # no settlements known (no register): the row is left out, not 0/0
            continue
        resp = int(units.loc[units["responded"], col].sum())
        share = 100 * resp / total
        recs += [
            {"item": item, "category": "responded", "value": share, "n": total},
            {"item": item, "category": "not_responded", "value": 100 - share, "n": total},
            {"item": item, "category": "count_responded", "value": resp},
            {"item": item, "category": "count_total", "value": total},
        ]
    ks = kommune_status(units)
    n_all = len(ks)
    pop = munis.set_index("kommunenummer")["population"]
    ks["population"] = ks["kommunenummer"].map(pop)
    for var, levels, prefix in (("size_group", SIZE_GROUPS, "size_"), ("region", REGIONS, "region_")):
        for g in levels:
            sub = ks[ks[var] == g]
            n, k = len(sub), int(sub["responded"].sum())
            rate = 100 * k / n if n else float("nan")
            item = prefix + g
            recs += [
                {"item": item, "category": "responded", "value": rate, "n": n},
                {"item": item, "category": "not_responded", "value": 100 - rate, "n": n},
                {"item": item, "category": "n_municipalities", "value": n},
                {"item": item, "category": "n_responded", "value": k},
                {
                    "item": item,
                    "category": "share_of_municipalities_pct",
                    "value": 100 * n / n_all,
                    "n": n_all,
                },
                {
                    "item": item,
                    "category": "population_share_pct",
                    "value": 100 * sub["population"].sum() / ks["population"].sum(),
                    "n": int(ks["population"].sum()),
                },
            ]
    recs.append({"item": "all_municipalities", "category": "n_municipalities", "value": n_all})
    recs.append(
        {"item": "all_municipalities", "category": "n_responded", "value": int(ks["responded"].sum())}
    )
    return recs


def frame_population(
    population_path: str,
    crosswalk_path: str,
    geo_bydeler_path: str,
    region_overrides: dict[str, str],
    population_column: str,
    region_grouping: str,
):
    """The 356 kommuner with size group and region, the Oslo bydeler, and the 370 frame units.

    ``region`` follows ``region_grouping``; the units also carry ``region_<grouping>`` for every
    grouping (the sensitivity table of the weights). Shared by the demo frame generator and the
    Tabell 9.1 stage so both group units alike.
    """
    from analysis.core.kommune import load_kommuner_2020

    return structure_population(
        load_kommuner_2020(population_path),
        crosswalk_path,
        geo_bydeler_path,
        region_overrides,
        population_column,
        region_grouping,
    )


def structure_population(
    kommuner: pd.DataFrame,
    crosswalk_path: str,
    geo_bydeler_path: str,
    region_overrides: dict[str, str],
    population_column: str,
    region_grouping: str,
):
    """As :func:`frame_population` for the kommuner of any structure: ``kommuner`` has
    ``kommunenummer, kommunenavn, fylkesnummer``, the population column and, for a structure
    after 2020, ``kommunenummer_2020`` (the 2020 kommune each one lies in, which gives its
    region; 2024 Haram lies in 2020 Ålesund)."""
    from analysis.core.kommune import read_crosswalk_wide

    cw = read_crosswalk_wide(crosswalk_path)
    to_2020 = (
        kommuner.set_index("kommunenummer")["kommunenummer_2020"]
        if "kommunenummer_2020" in kommuner.columns
        else None
    )

    def regions(grouping: str) -> pd.DataFrame:
        r = region_table(cw, region_overrides, grouping=grouping)
        if to_2020 is None:
            return r
        r = r.rename(columns={"kommunenummer": "kommunenummer_2020"})
        k = to_2020.rename("kommunenummer_2020").reset_index()
        return k.merge(r, on="kommunenummer_2020", how="left").drop(columns="kommunenummer_2020")

    munis = municipalities(kommuner, regions(region_grouping), population_column)
    bydeler = read_bydeler(geo_bydeler_path)
    units = frame_units(munis, bydeler)
    for g in REGION_GROUPINGS:
        region = regions(g).set_index("kommunenummer")["region"]
        units[f"region_{g}"] = units["kommunenummer"].map(region)
    return munis, bydeler, units


def read_unit_settlements(register_path: str) -> pd.DataFrame:
    """The register stage's persons: unit, year and the agreed-self-settlement flag."""
    return pd.read_parquet(
        register_path, columns=["unit_id", "year", "bosettingsdato", "avtalt_selvbosetting"]
    )


# Disclosure control of Tabell 9.1's settlement rows: the register's persons 2016-2021 in responding and
# other units. Their total is the period count of fig_2_1, so they follow its protection.
SETTLEMENT_ITEMS = {"all_settlements": "total_settled", "asb_settlements": "asb"}


def protect_settlement_rows(table: pd.DataFrame, plan: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide every row of a Tabell 9.1 settlement item (counts, shares and their base) when the
    plan hides the same period count in fig_2_1, or when responded, not responded or outside the
    frame is 1..threshold-1 persons (each is a difference of the others and the total)."""
    out = table.copy()
    for col in ("protected", "value_label", "n_label"):
        out[col] = ""
    hidden_period = set(
        plan.loc[
            (plan["entry_id"] == "fig_2_1")
            & plan["year"].map(is_period)
            & (plan["column"] == "value")
            & (plan["status"] != ""),
            "series",
        ]
    )
    for item, series in SETTLEMENT_ITEMS.items():
        rows = out["item"] == item
        if not rows.any():
            continue
        count = out[rows].set_index("category")["value"]
        total, resp = count.get("count_total", 0.0), count.get("count_responded", 0.0)
        parts = {
            "count_responded": resp,
            "not_responded": total - resp,
            "count_outside_frame": count.get("count_outside_frame", 0.0),
        }
        small = {k for k, v in parts.items() if 0 < v < threshold}
        if series not in hidden_period and not small:
            continue
        for pos in out.index[rows]:
            cat = out.at[pos, "category"]
            primary = cat in small
            out.at[pos, "protected"] = "primary" if primary else "secondary"
            out.at[pos, "value_label"] = range_label(threshold) if primary else SECONDARY_LABEL
            out.at[pos, "value"] = float("nan")
            if pd.notna(out.at[pos, "n"]):
                out.at[pos, "n"] = pd.NA
                out.at[pos, "n_label"] = SECONDARY_LABEL
    return out


# --------------------------------------------------------------------------- one frame wave

STRUCTURE_2020 = 2020  # a frame of a wave before 2024 lists the kommuner of 2020-2023


def wave_population(
    year: int,
    report_wave: bool,
    files: dict[str, str | None],
    region_overrides: dict[str, str],
    report_column: str,
    region_grouping: str,
):
    """(kommuner with size group and region, bydeler, frame units) for a frame wave of ``year``.

    A frame in the kommuner of 2020-2023 is grouped on the 2020 kommuner, one from 2024 on the 2024
    kommuner (each in the region of its 2020 kommune); sizes by the population of 1 January of the
    wave year, or the nearest year the population file has (the report's wave: ``report_column``,
    config weighting.population_column). ``files``: the paths of ``population``, ``population_2024``
    (None without a wave from 2024 on), ``crosswalk`` and ``geo_bydeler``."""
    from analysis.core.kommune import load_kommuner, load_kommuner_2020, population_column

    args = (files["crosswalk"], files["geo_bydeler"], region_overrides)
    if year >= FIRST_YEAR_2024:
        k24 = load_kommuner(files["population_2024"], FIRST_YEAR_2024)
        return structure_population(k24, *args, population_column(k24, year), region_grouping)
    if report_wave:
        col = report_column
    else:
        col = population_column(load_kommuner_2020(files["population"]), year)
    return frame_population(files["population"], *args, col, region_grouping)


def wave_nonresponse(
    wave: pd.DataFrame,
    wave_path: str,
    munis: pd.DataFrame,
    units: pd.DataFrame,
    register: pd.DataFrame,
    *,
    year: int,
    register_structure: int,
    crosswalk_2024: pd.DataFrame | None,
    split_to_2024: dict[str, str],
    window: list,
) -> tuple[list[dict], pd.DataFrame, pd.DataFrame]:
    """Tabell 9.1 of one frame wave: (its records, the frame units with response status and
    settlements, the register's settlements in units outside the frame).

    ``wave``: the wave's answers as survey_ingest wrote them (read from ``wave_path``, named in an
    error), ``munis``/``units``: :func:`wave_population`, ``register``: :func:`read_unit_settlements`
    in the study's kommune structure ``register_structure``, ``window``: [first year, last date]
    of the settlements counted. The frame's own unit names are kept; size group and region come
    from the code."""
    units = units.drop(columns="unit_name").merge(wave[["unit_id", "unit_name"]], on="unit_id")
    if len(units) != len(wave):
        missing = sorted(set(wave["unit_id"]) - set(units["unit_id"]))[:5]
        raise ValueError(f"frame {year}: units not in the kommuner of its year: {missing}")
    respondents = wave.loc[pd.to_numeric(wave["responded"]) == 1, "unit_id"].reset_index(drop=True)
    units["responded"] = response_status(units, respondents, wave_path).to_numpy()
    # the register's units in the frame's codes (a frame of another structure than the study's)
    frame_structure = FIRST_YEAR_2024 if year >= FIRST_YEAR_2024 else STRUCTURE_2020
    reg = register.assign(
        unit_id=register_units_as_frame(
            register["unit_id"].astype(str),
            register_structure,
            frame_structure,
            crosswalk_2024,
            split_to_2024,
        )
    )
    first, last = window
    totals = settlement_totals(reg, (int(first), int(last[:4])), last)
    units, outside = attach_settlements(units, totals)
    recs = tab_9_1_records(units, munis)
    if units["all"].sum():
        for item, col in (("all_settlements", "all"), ("asb_settlements", "asb")):
            recs.append(
                {
                    "item": item,
                    "category": "count_outside_frame",
                    "value": int(outside[col].sum()) if len(outside) else 0,
                }
            )
    return recs, units, outside
