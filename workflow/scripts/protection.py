"""Adapter: register + the inputs of the scope and waiting tables -> those tables before protection
(built once here, written for rules scope and waiting), the protection plan and its summary."""

import logging
from pathlib import Path

import pandas as pd

from analysis.core.kommune import load_kommuner
from analysis.core.logsetup import run, settings
from analysis.core.protection import summary_table, write_unprotected
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.imdi import disclosure, scope, series, waiting
from analysis.imdi.register import read_counts
from analysis.imdi.scope import kommune_names

log = logging.getLogger("protection")


def main(smk):
    s = settings(smk)
    threshold = int(s["threshold"])
    i = smk.input
    study = Study.from_dict(s["study"])
    built_scope = scope.build(i.register_counts, i.imdi_annual, i.population, i.imdi_public, study)
    built_waiting = waiting.build(i.register, i.imdi_annual, study)
    write_unprotected(built_scope.frames(), smk.output.scope)
    write_unprotected(built_waiting.frames(), smk.output.waiting)
    tables = built_scope.tables | built_waiting.tables
    if "agreed" in smk.output.keys():  # a follow-up: the register's count beside IMDi's (0175)
        names = kommune_names(load_kommuner(i.population, study.structure))
        agreed = series.published_agreed(
            pd.read_parquet(i.imdi_public), read_counts(i.register_counts), names
        )
        write_unprotected({"x_agreed_published": agreed}, [smk.output.agreed])
        tables["x_agreed_published"] = agreed
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
