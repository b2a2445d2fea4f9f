"""Adapter: reproduction scorecard reports/reproduction.csv."""

import logging
from pathlib import Path

import yaml

from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.tidy import read_tidy
from analysis.core.yamlio import YAML_LOADER
from analysis.report.reproduction import load_published, scorecard, summarise, summarise_basis

log = logging.getLogger("reproduction")


def main(smk):
    published = load_published(smk.input.published)
    tables = {Path(p).stem: read_tidy(p) for p in smk.input.tables}
    with open(smk.input.decisions, encoding="utf-8") as fh:
        decisions = (yaml.load(fh, Loader=YAML_LOADER) or {}).get("decisions") or []
    card = scorecard(published, tables, decisions, cited_roles=settings(smk)["cited"])
    write_csv(card, smk.output[0])
    log.info("verdicts: %s; matches by basis: %s", summarise(card), summarise_basis(card))


run(main, snakemake)  # noqa: F821
