"""Adapter: every configured input -> reports/validation.csv and reports/validation.html."""

import logging
from pathlib import Path

from analysis.core.logsetup import optional_input, run, settings
from analysis.validate.inputs import (
    causes,
    check_inputs_counted,
    write_validation_csv,
    write_validation_html,
)

log = logging.getLogger("validate")


def main(smk):
    for out in (smk.output.csv, smk.output.html):  # an earlier run's result never looks current
        Path(out).unlink(missing_ok=True)
    s = settings(smk)
    paths = {role: str(smk.input[role]) for role in s["roles"]}
    public = {k: smk.input[k] for k in ("crosswalk", "population", "geo_bydeler")}
    public["crosswalk_2024"] = optional_input(smk, "crosswalk_2024")
    rows, counts = check_inputs_counted(paths, s, public, smk.input.codebook)
    write_validation_csv(rows, smk.output.csv)
    write_validation_html(rows, paths, smk.output.html, counts)
    for role, c in counts.items():
        log.warning(
            "%s: %s rows read, %s kept, %s excluded by the mapping, %d with problems",
            role,
            c["rows"],
            c["kept"],
            c["excluded"],
            c["with_problems"],
        )
    if rows:
        for g in causes(rows):
            log.warning(
                "%s %s: %s (%d x, first lines %s)",
                g["input"],
                g["column"],
                g["problem"],
                g["count"],
                g["lines"],
            )
        log.warning(
            "%d input problem(s) from %d cause(s) in %s: see %s",
            len(rows),
            len(causes(rows)),
            sorted({r["input"] for r in rows}),
            smk.output.csv,
        )
    else:
        log.warning("every input passed its checks (%s)", ", ".join(paths))


run(main, snakemake)  # noqa: F821
