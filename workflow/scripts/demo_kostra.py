"""Adapter: synthetic KOSTRA 12012 (JSON-stat2) for the demo, from the real kommune list."""
import pandas as pd

from analysis.demo_kostra import generate, write
from analysis.logsetup import run


def main(smk):
    kommuner = pd.read_csv(smk.input.kommuner, dtype={"kommunenummer": str})
    doc = generate(kommuner, smk.params.content_new, smk.params.content_rej, int(smk.params.seed))
    write(doc, smk.output[0])


run(main, snakemake)  # noqa: F821
