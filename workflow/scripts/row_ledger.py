"""Adapter: combine the per-input row ledgers into reports/tables/x_row_ledger.csv, with the public
reference files that have rows (SSB code crosswalk, population), used in full (decision 0132)."""

import pandas as pd

from analysis.core.kommune import read_crosswalk_wide
from analysis.core.ledger import combine, data_rows, protect, used_in_full
from analysis.core.logsetup import run, settings
from analysis.core.protection import is_period
from analysis.core.tidy import write_tidy


def public_reference(smk) -> pd.DataFrame:
    """The public reference files with a row structure: every row used."""
    return pd.concat(
        [
            used_in_full(
                "crosswalk",
                len(read_crosswalk_wide(smk.input.crosswalk)),
                "public reference: SSB code history, used in full for harmonisation",
            ),
            used_in_full(
                "population",
                data_rows(smk.input.population),
                "public reference: 2020 kommuner with population, used in full",
            ),
        ]
    )


def main(smk):
    parts = [pd.read_csv(p, dtype={"input": str, "disposition": str, "reason": str}) for p in smk.input.parts]
    parts.append(public_reference(smk))
    s = settings(smk)
    kinds = s["synthetic"]  # confidential input role -> synthetic?
    table = combine(parts)
    if s["protect"] and smk.input.plan:  # the register's row counts are person counts (issue 27)
        plan = pd.read_csv(smk.input.plan[0], dtype=str, keep_default_na=False)
        period = plan[
            (plan["entry_id"] == "fig_2_1")
            & plan["year"].map(is_period)
            & (plan["series"] == "total_settled")
            & (plan["column"] == "value")
        ]
        table = protect(table, int(s["threshold"]), bool((period["status"] != "").any()))
    table["synthetic"] = table["series"].map(lambda role: kinds.get(role, False))
    write_tidy(table, smk.output[0], synthetic=kinds)


run(main, snakemake)  # noqa: F821
