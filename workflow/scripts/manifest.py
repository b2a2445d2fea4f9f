"""Adapter: reports/manifest.json, the sha256 of the rendered report and of provenance.json
(made after provenance.json, so not in it; docs/decisions/0035)."""

import json

from analysis.core.logsetup import run
from analysis.report.provenance import describe_output, publishable


def main(smk):
    doc = {
        "note": "Outputs made after provenance.json; every other output's sha256 is in provenance.json.",
        "outputs": {
            str(p): describe_output(p)
            # the print sizes under data/processed/ are an internal file: never hashed (decision 0100)
            for p in publishable((smk.input.html, smk.input.pdf, smk.input.print_sizes, smk.input.provenance))
        },
    }
    with open(smk.output[0], "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")


run(main, snakemake)  # noqa: F821
