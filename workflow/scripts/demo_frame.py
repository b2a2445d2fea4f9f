"""Adapter: demo survey frame 2021 and responding units (synthetic, calibrated to Tabell 9.1)."""

from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.yamlio import load_yaml
from analysis.demo.frame import REGION_GROUPING, demo_frame
from analysis.survey.nonresponse import (
    attach_settlements,
    frame_population,
    read_unit_settlements,
    settlement_totals,
)


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
    settled = settlement_totals(read_unit_settlements(smk.input.register), tuple(p["years"]))
    units, _ = attach_settlements(units, settled)
    published = load_yaml(smk.input.published)
    frame, respondents = demo_frame(units, munis, published, int(p["seed"]))
    for df, path in ((frame, smk.output.frame), (respondents, smk.output.respondents)):
        write_csv(df, path)


run(main, snakemake)  # noqa: F821
