"""Adapter: demo survey frame 2021 and responding units (synthetic, calibrated to Tabell 9.1)."""

from analysis.core.files import write_csv
from analysis.core.kommune import read_crosswalk_2024
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.yamlio import load_yaml
from analysis.demo.frame import REGION_GROUPING, demo_frame
from analysis.survey.nonresponse import (
    attach_settlements,
    frame_population,
    read_unit_settlements,
    register_units_as_frame,
    settlement_totals,
)

FRAME_STRUCTURE = 2020  # the calibrated frame (2021) lists the kommuner of 2020


def main(smk):
    p = settings(smk)
    munis, _, units = frame_population(
        smk.input.population,
        smk.input.crosswalk,
        smk.input.geo_bydeler,
        p["region_overrides"],
        p["population_column"],
        REGION_GROUPING,
    )
    first, last = p["window"]
    register = read_unit_settlements(smk.input.register)
    # the register's units in the frame's (2020) codes, whatever the study's kommune structure
    cw24 = optional_input(smk, "crosswalk_2024")
    register["unit_id"] = register_units_as_frame(
        register["unit_id"].astype(str),
        int(p["structure"]),
        FRAME_STRUCTURE,
        None if cw24 is None else read_crosswalk_2024(cw24),
        p["split_to_2024"],
    )
    settled = settlement_totals(register, (int(first), int(last[:4])), last)
    units, _ = attach_settlements(units, settled)
    published = load_yaml(smk.input.published)
    frame, respondents = demo_frame(units, munis, published, int(p["seed"]))
    for df, path in ((frame, smk.output.frame), (respondents, smk.output.respondents)):
        write_csv(df, path)


run(main, snakemake)  # noqa: F821
