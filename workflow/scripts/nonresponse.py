"""Adapter: each frame wave (validated by survey_ingest) + register -> Tabell 9.1 (and units for the weights).

The report's frame wave writes tab_9_1; every other frame wave the same table as x_tab_9_1_<YYYY>.
A frame in the kommuner of 2020-2023 is grouped on the 2020 kommuner, one from 2024 on the 2024
kommuner (each in the region of its 2020 kommune); sizes by the population of 1 January of the wave
year, or the nearest year the population file has (the report's wave: weighting.population_column).
"""

import logging
from pathlib import Path

import pandas as pd

from analysis.core.files import write_parquet
from analysis.core.kommune import (
    FIRST_YEAR_2024,
    load_kommuner,
    load_kommuner_2020,
    population_column,
    read_crosswalk_2024,
)
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.study import Study
from analysis.core.tidy import tidy, write_tidy
from analysis.survey.nonresponse import (
    attach_settlements,
    frame_population,
    protect_settlement_rows,
    read_unit_settlements,
    register_units_as_frame,
    response_status,
    settlement_totals,
    structure_population,
    tab_9_1_records,
)

log = logging.getLogger("nonresponse")
FIRST_2024_WAVE = FIRST_YEAR_2024  # a frame of a wave from 2024 on lists the kommuner of 1.1.2024
STRUCTURE_2020 = 2020  # before: the kommuner of 2020-2023


def wave_population(smk, p, year: int, report_wave: bool):
    """(kommuner with size group and region, bydeler, frame units) for a frame wave of ``year``."""
    args = (smk.input.crosswalk, smk.input.geo_bydeler, p["region_overrides"])
    if year >= FIRST_2024_WAVE:
        k24 = load_kommuner(optional_input(smk, "population_2024"), FIRST_2024_WAVE)
        return structure_population(k24, *args, population_column(k24, year), p["region_grouping"])
    if report_wave:
        col = p["population_column"]
    else:
        col = population_column(load_kommuner_2020(smk.input.population), year)
    return frame_population(smk.input.population, *args, col, p["region_grouping"])


def main(smk):
    p = settings(smk)
    study = Study.from_dict(p["study"])
    register = read_unit_settlements(smk.input.register)
    cw24 = optional_input(smk, "crosswalk_2024")
    cw24 = None if cw24 is None else read_crosswalk_2024(cw24)
    out = {Path(t).stem: t for t in smk.output.tables}
    plan = None
    for key, w in p["waves"].items():
        year = int(key)
        wave = pd.read_parquet(smk.input[study.wave(year).survey_role])
        munis, _, units = wave_population(smk, p, year, w["report_wave"])
        # the frame's own names are kept; size group and region come from the code
        units = units.drop(columns="unit_name").merge(wave[["unit_id", "unit_name"]], on="unit_id")
        if len(units) != len(wave):
            missing = sorted(set(wave["unit_id"]) - set(units["unit_id"]))[:5]
            raise ValueError(f"frame {year}: units not in the kommuner of its year: {missing}")
        respondents = wave.loc[pd.to_numeric(wave["responded"]) == 1, "unit_id"].reset_index(drop=True)
        units["responded"] = response_status(
            units, respondents, smk.input[study.wave(year).survey_role]
        ).to_numpy()
        # the register's units in the frame's codes (a frame of another structure than the study's)
        frame_structure = FIRST_2024_WAVE if year >= FIRST_2024_WAVE else STRUCTURE_2020
        reg = register.assign(
            unit_id=register_units_as_frame(
                register["unit_id"].astype(str), study.structure, frame_structure, cw24, p["split_to_2024"]
            )
        )
        first, last = w["settlement_window"]
        totals = settlement_totals(reg, (int(first), int(last[:4])), last)
        units, outside = attach_settlements(units, totals)
        if len(outside):
            # units only, never their person counts: the log is not protected (issue 27)
            log.warning(
                "%d: settlements in %d unit(s) outside the frame (left out of the settlement rows; their "
                "count is the row count_outside_frame of Tabell 9.1): %s",
                year,
                len(outside),
                ", ".join(sorted(outside["unit_id"].astype(str))[:20]),
            )
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
        eid = w["tab_9_1"]
        tab = tidy(eid, recs)
        if p["protect"]:  # the settlement rows follow the register tables' protection
            if plan is None:
                plan = pd.read_csv(smk.input.plan[0], dtype=str, keep_default_na=False)
            tab = protect_settlement_rows(tab, plan, int(p["threshold"]))
        write_tidy(tab, out[eid], synthetic=p["synthetic"])
        write_parquet(units, smk.output[f"units_{year}"])


run(main, snakemake)  # noqa: F821
