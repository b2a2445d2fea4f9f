"""Adapter: scope of settlement (kap. 2) -> tidy tables and figures."""
from pathlib import Path

import pandas as pd

from analysis.imdi_public import national_totals
from analysis.figures import save_figure
from analysis.logsetup import run
from analysis.scope import plot_total_settled, total_settled_table
from analysis.tidy import write_tidy

LABELS = {
    "no": {"total_settled": "Bosatte flyktninger", "persons": "Personer"},
    "en": {"total_settled": "Refugees settled", "persons": "Persons"},
}


def main(smk):
    persons = pd.read_parquet(smk.input.imdi_public)
    totals = national_totals(persons)
    table = total_settled_table(totals, range(2014, 2022))
    out = {Path(p).stem: p for p in smk.output.tables}
    write_tidy(table, out["fig_2_1"])
    fig = plot_total_settled(table[table["year"].astype(int) >= 2015], LABELS[smk.params.language])
    save_figure(fig, Path(smk.output.figures[0]).with_suffix(""))


run(main, snakemake)  # noqa: F821
