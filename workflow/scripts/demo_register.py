"""Adapter: real public IMDi totals -> synthetic person-level register (demo only)."""

import logging

import pandas as pd

from analysis.core.files import write_csv
from analysis.core.kommune import read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.demo.register import generate

log = logging.getLogger("demo_register")


def main(smk):
    s = settings(smk)
    public = pd.read_parquet(smk.input.imdi_public)
    wide = read_crosswalk_wide(smk.input.crosswalk)
    reg = generate(public, wide, int(s["seed"]), s["register_end"])
    write_csv(reg, smk.output[0])
    log.info("wrote %d synthetic persons", len(reg))


run(main, snakemake)  # noqa: F821
