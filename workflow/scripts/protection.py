"""Adapter: register + the scope and waiting tables as built -> the protection plan and summary."""

import logging
from pathlib import Path

import pandas as pd

from analysis.core.logsetup import run, settings
from analysis.core.protection import summary_table
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.imdi import disclosure

log = logging.getLogger("protection")


def main(smk):
    s = settings(smk)
    threshold = int(s["threshold"])
    i = smk.input
    study = Study.from_dict(s["study"])
    tables = disclosure.register_tables(i.register, i.imdi_annual, i.population, i.imdi_public, study)
    register = pd.read_parquet(i.register, columns=disclosure.REGISTER_COLUMNS)
    previous = None
    if s["previous_release"]:  # an earlier release over the same years (issue 27)
        previous = disclosure.read_previous_release(Path(i.previous_provenance).parent, list(tables))
        log.info("earlier release %s: register_end %s", s["previous_release"], previous[1])
    plan = disclosure.plan(register, tables, threshold, previous)
    Path(smk.output.plan).parent.mkdir(parents=True, exist_ok=True)
    plan.to_csv(smk.output.plan, index=False, lineterminator="\n")
    write_tidy(summary_table(plan, threshold), smk.output.summary, synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
