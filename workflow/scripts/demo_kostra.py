"""Adapter: synthetic KOSTRA 12012 (JSON-stat2) for the demo, from the real kommune list."""

import pandas as pd

from analysis.core.logsetup import run, settings
from analysis.demo.kostra import generate, write


def main(smk):
    s = settings(smk)
    kommuner = pd.read_csv(smk.input.kommuner, dtype={"kommunenummer": str})
    doc = generate(kommuner, s["content_new"], s["content_rej"], int(s["seed"]))
    write(doc, smk.output[0])


run(main, snakemake)  # noqa: F821
