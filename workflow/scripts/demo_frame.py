"""Adapter: demo survey frame 2021 and responding units (synthetic, calibrated to Tabell 9.1)."""
import logging
from pathlib import Path

import pandas as pd
import yaml

from analysis.yamlio import YAML_LOADER

from analysis.demo_frame import demo_frame
from analysis.kommune import load_kommuner_2020, read_crosswalk_wide
from analysis.logsetup import run, settings
from analysis.nonresponse import (attach_settlements, frame_units, municipalities, read_bydeler,
                                  region_table, settlement_totals)


def read_register(smk):
    """Settlements per unit from the register stage, or none yet (see nonresponse.smk)."""
    if not smk.input.get("register"):
        logging.getLogger("nonresponse").warning("no register yet: settlement rows left out")
        return pd.DataFrame({"unit_id": [], "year": [], "avtalt_selvbosetting": []})
    return pd.read_parquet(smk.input.register, columns=["unit_id", "year", "avtalt_selvbosetting"])


def main(smk):
    p = settings(smk)
    kommuner = load_kommuner_2020(p["public_dir"])
    munis = municipalities(kommuner, region_table(read_crosswalk_wide(smk.input.crosswalk),
                                                  p["region_overrides"]), p["population_column"])
    units = frame_units(munis, read_bydeler(smk.input.geo_bydeler))
    units, _ = attach_settlements(units, settlement_totals(read_register(smk), tuple(p["years"])))
    with open(smk.input.published, encoding="utf-8") as fh:
        published = yaml.load(fh, Loader=YAML_LOADER)
    frame, respondents = demo_frame(units, munis, published, int(p["seed"]))
    for df, path in ((frame, smk.output.frame), (respondents, smk.output.respondents)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, lineterminator="\n")


run(main, snakemake)  # noqa: F821
