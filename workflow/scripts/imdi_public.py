"""Adapter: IMDi public files (1995-2023, and the 2024-2025 pages when the study reaches them) ->
harmonised persons table and row ledger."""

import logging

import pandas as pd

from analysis.core.files import write_csv, write_parquet
from analysis.core.kommune import study_code_map
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.study import Study
from analysis.imdi.public import (
    read_imdi_public,
    read_imdi_public_2024,
    select_persons,
    select_persons_2024,
)

log = logging.getLogger("imdi_public")


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    raw = read_imdi_public(smk.input.data)
    code_map = study_code_map(
        smk.input.crosswalk,
        dict(s["split_to"]),
        study.structure,
        optional_input(smk, "crosswalk_2024"),
        dict(s["split_to_2024"]),
    )
    years = (study.first_year, study.last_year)
    label = study.structure_label
    persons, ledger = select_persons(raw, years, code_map, smk.input.data, label)
    log.info("read %d rows, kept %d person rows", len(raw), len(persons))
    path_2024 = optional_input(smk, "data_2024")
    if path_2024:
        later = read_imdi_public_2024(path_2024)
        p24, l24 = select_persons_2024(later, years, code_map, path_2024, label)
        persons = persons[~persons["year"].isin(set(p24["year"]))]  # the 1995-2023 file's 2023 is partial
        persons = pd.concat([persons.assign(source="imdi_public"), p24.assign(source="imdi_public_2024")])
        persons = persons.reset_index(drop=True)
        ledger = pd.concat([ledger, l24], ignore_index=True)
    # the national totals are computed once, where they are used: Figur 2.1 (imdi.scope.build)
    log.info("%d person rows written", len(persons))
    write_parquet(persons, smk.output.persons)
    write_csv(ledger, smk.output.ledger)


run(main, snakemake)  # noqa: F821
