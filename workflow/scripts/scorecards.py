"""Adapter: reports/reproduction.csv (every published number beside the computed one) and
reports/claims.csv (the report's statements checked on the built tables), from one read of the
tables (decision 0142)."""

import logging
from pathlib import Path

from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.core.tidy import read_tidy
from analysis.core.yamlio import load_yaml
from analysis.report import claims, reproduction

log = logging.getLogger("scorecards")


def main(smk):
    s = settings(smk)
    tables = {Path(p).stem: read_tidy(p) for p in smk.input.tables}
    decisions = (load_yaml(smk.input.decisions) or {}).get("decisions") or []
    published = reproduction.load_published(smk.input.published)
    card = reproduction.scorecard(published, tables, decisions, cited_roles=s["cited"])
    write_csv(card, smk.output.reproduction)
    log.info(
        "reproduction verdicts: %s; matches by basis: %s",
        reproduction.summarise(card),
        reproduction.summarise_basis(card),
    )
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    card = claims.claims_scorecard(load_yaml(smk.input.claims), tables, t, s["language"], s["cited"])
    write_csv(card, smk.output.claims)
    log.info("claim verdicts: %s", claims.summarise(card))


run(main, snakemake)  # noqa: F821
