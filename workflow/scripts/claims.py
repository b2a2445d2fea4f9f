"""Adapter: claims scorecard reports/claims.csv (the report's statements checked on the built tables)."""

import logging
from pathlib import Path

from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.core.tidy import read_tidy
from analysis.core.yamlio import load_yaml
from analysis.report.claims import claims_scorecard, summarise

log = logging.getLogger("claims")


def main(smk):
    tables = {Path(p).stem: read_tidy(p) for p in smk.input.tables}
    cfg = settings(smk)
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    card = claims_scorecard(load_yaml(smk.input.claims), tables, t, cfg["language"], cfg["cited"])
    write_csv(card, smk.output[0])
    log.info("verdicts: %s", summarise(card))


run(main, snakemake)  # noqa: F821
