"""Adapter: real public IMDi totals -> synthetic person-level register (demo only)."""

import logging

import pandas as pd

from analysis.core.files import write_csv
from analysis.core.kommune import build_code_map, read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.core.study import Study
from analysis.demo.register import generate_study

log = logging.getLogger("demo_register")


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    public = pd.read_parquet(smk.input.imdi_public)
    wide = read_crosswalk_wide(smk.input.crosswalk)
    # the calibration is on the 2020 kommuner, whatever structure the study harmonises to
    to2020 = build_code_map(wide, dict(s["split_to"])).set_index("code")["kommunenummer_2020"]
    public["kommunenummer_2020"] = public["code"].map(to2020).fillna(public["kommunenummer_2020"])
    reg = generate_study(public, wide, int(s["seed"]), study.register_end)
    write_csv(reg, smk.output[0])
    log.info("wrote %d synthetic persons", len(reg))


run(main, snakemake)  # noqa: F821
