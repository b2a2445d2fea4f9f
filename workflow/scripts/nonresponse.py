"""Adapter: frame + respondents + register -> Tabell 9.1 (and the kap. 9.1.3 counts)."""

import logging
from pathlib import Path

import pandas as pd

from analysis.core.files import write_csv, write_parquet
from analysis.core.ledger import used_in_full
from analysis.core.logsetup import run, settings
from analysis.core.tidy import tidy, write_tidy
from analysis.imdi.disclosure import protect_settlement_rows
from analysis.survey.nonresponse import (
    attach_settlements,
    frame_population,
    read_frame,
    read_unit_settlements,
    response_status,
    settlement_totals,
    tab_9_1_records,
)

log = logging.getLogger("nonresponse")


def main(smk):
    p = settings(smk)
    munis, bydeler, units = frame_population(
        smk.input.population,
        smk.input.crosswalk,
        smk.input.geo_bydeler,
        p["region_overrides"],
        p["population_column"],
        p["region_grouping"],
    )
    frame = read_frame(
        smk.input.frame, set(munis["kommunenummer"]), set(bydeler["bydelsnummer"]), p["mapping"]
    )
    # the user's names are kept; size group and region come from the code
    units = units.drop(columns="unit_name").merge(frame[["unit_id", "unit_name"]], on="unit_id")
    survey = pd.read_parquet(smk.input.survey)
    if "responded" in survey.columns:  # the survey stage may keep the whole frame, flagged
        survey = survey[pd.to_numeric(survey["responded"]) == 1].reset_index(drop=True)
    units["responded"] = response_status(units, survey["unit_id"], smk.input.survey).to_numpy()
    units, outside = attach_settlements(
        units, settlement_totals(read_unit_settlements(smk.input.register), tuple(p["years"]))
    )
    if len(outside):
        # units only, never their person counts: the log is not protected (issue 27)
        log.warning(
            "settlements in %d unit(s) outside the frame (left out of the settlement rows; their "
            "count is the row count_outside_frame of Tabell 9.1): %s",
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
    out = {Path(t).stem: t for t in smk.output.tables}
    tab = tidy("tab_9_1", recs)
    if p["protect"]:  # the settlement rows follow the register tables' protection
        plan = pd.read_csv(smk.input.plan[0], dtype=str, keep_default_na=False)
        tab = protect_settlement_rows(tab, plan, int(p["threshold"]))
    write_tidy(tab, out["tab_9_1"], synthetic=p["synthetic"])
    write_parquet(units, smk.output.units)
    ledger = used_in_full("survey_frame_2021", len(frame), "frame unit: Tabell 9.1 and the raking margins")
    excluded = [("survey_frame_2021", "excluded", why, n) for why, n in frame.attrs.get("excluded", [])]
    if excluded:
        ledger = pd.concat([ledger, pd.DataFrame(excluded, columns=ledger.columns)], ignore_index=True)
    write_csv(ledger, smk.output.ledger)


run(main, snakemake)  # noqa: F821
