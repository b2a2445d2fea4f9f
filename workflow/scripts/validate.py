"""Adapter: every configured input -> reports/validation.csv and reports/validation.html."""

import logging

from analysis.core.logsetup import run, settings
from analysis.report.validation import check_inputs, write_validation_csv, write_validation_html

log = logging.getLogger("validate")


def main(smk):
    s = settings(smk)
    paths = {role: str(smk.input[role]) for role in s["roles"]}
    public = {k: smk.input[k] for k in ("crosswalk", "population", "geo_bydeler")}
    rows = check_inputs(paths, s, public, smk.input.codebook)
    write_validation_csv(rows, smk.output.csv)
    write_validation_html(rows, paths, smk.output.html)
    if rows:
        log.warning(
            "%d input problem(s) in %s: see %s",
            len(rows),
            sorted({r["input"] for r in rows}),
            smk.output.csv,
        )
    else:
        log.warning("every input passed its checks (%s)", ", ".join(paths))


run(main, snakemake)  # noqa: F821
