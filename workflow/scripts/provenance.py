"""Adapter: reports/provenance.json (inputs with sha256, code version, packages, config, lineage,
and the sha256 of every output made before it)."""

import json

from analysis.core.logsetup import run, settings
from analysis.report.provenance import describe_input, output_lineage, package_versions


def main(smk):
    s = settings(smk)
    kinds = s["kinds"]
    inputs = [
        describe_input(role, path, kinds[role])
        for role, path in smk.input.items()
        if role not in ("code", "settings", "outputs")
    ]
    doc = {
        "inputs": inputs,
        "code_version": dict(s["code_version"]),
        "packages": package_versions(),
        "config": s["config"],
        "outputs": output_lineage(s["lineage"], list(smk.input.outputs), inputs, s["after_provenance"]),
    }
    with open(smk.output[0], "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False, sort_keys=False, default=str)
        fh.write("\n")


run(main, snakemake)  # noqa: F821
