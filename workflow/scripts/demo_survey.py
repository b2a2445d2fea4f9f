"""Adapter: synthetic 2016 and 2021 survey responses (demo: true only)."""

import logging

import pandas as pd
import yaml

from analysis.core.files import write_csv
from analysis.core.kommune import build_code_map, read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.core.yamlio import YAML_LOADER, load_yaml
from analysis.demo.survey import choose_yes_branch, generate_waves, survey_claims, units_2016
from analysis.survey.codebook import load_codebook

log = logging.getLogger("demo_survey")


def asb_per_unit(path) -> dict[str, int]:
    """Agreed self-settlements per unit (2016 onwards) from the processed register, if any."""
    reg = pd.read_parquet(path)
    col = "unit_id" if "unit_id" in reg.columns else "kommunenummer"
    if "avtalt_selvbosetting" not in reg.columns:
        return {}
    if "year" in reg.columns:
        reg = reg[pd.to_numeric(reg["year"]) >= 2016]
    s = pd.to_numeric(reg["avtalt_selvbosetting"]).groupby(reg[col].astype(str)).sum()
    return {k: int(v) for k, v in s.items()}


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    with open(smk.input.published, encoding="utf-8") as fh:
        published = yaml.load(fh, Loader=YAML_LOADER)
    seed = int(s["seed"])
    branches = cb.raw["demo"]["branches"]
    frame = pd.read_csv(smk.input.frame, dtype=str, keep_default_na=False)
    resp = pd.read_csv(smk.input.respondents, dtype=str, keep_default_na=False)["unit_id"].tolist()
    unknown = sorted(set(resp) - set(frame["unit_id"]))
    if unknown:
        raise ValueError(f"respondents not in the frame: {unknown[:5]}")
    asb = asb_per_unit(smk.input.register)
    n_yes = branches[2021]["yes_branch"]
    yes = choose_yes_branch(resp, asb, n_yes, seed + 41)
    no = sorted(set(resp) - set(yes))
    log.info(
        "2021: %d respondents, %d yes-branch (%d with agreed self-settlement in the register)",
        len(resp),
        len(yes),
        sum(asb.get(u, 0) > 0 for u in yes),
    )
    claims = survey_claims(cb, load_yaml(smk.input.claims))
    code_map = build_code_map(read_crosswalk_wide(smk.input.crosswalk), dict(s["split_to"]))
    b16 = branches[2016]
    u16 = units_2016(code_map, b16["yes_branch"] + b16["no_branch"], seed + 43)
    w21, w16, unmet = generate_waves(
        cb,
        published,
        claims,
        (yes, no, seed + 42),
        (u16[: b16["yes_branch"]], u16[b16["yes_branch"] :], seed + 44),
    )
    log.info("%d survey claims calibrated; not met: %s", len(claims), unmet or "none")
    if unmet:
        log.warning("demo survey does not meet claims %s", unmet)
    for df, path in ((w21, smk.output.survey_2021), (w16, smk.output.survey_2016)):
        write_csv(df, path)


run(main, snakemake)  # noqa: F821
