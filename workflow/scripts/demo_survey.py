"""Adapter: the demo survey frame 2021 with its responding units (synthetic, calibrated to Tabell
9.1), then the synthetic answers of the report's survey waves, 2016 and 2021 (demo: true only).

Both waves are calibrated together (claims compare them); the run writes the waves it asks for.
One job for the two steps: they sit one after the other on the build's critical path
(decision 0131). The answers read the frame back from the files just written, as the stages do.
Their integer programmes were solved ahead by rule demo_survey_solve, beside the register rules
(decision 0137)."""

import json
import logging

import pandas as pd

from analysis.core.files import write_csv
from analysis.core.kommune import build_code_map, read_crosswalk_2024, read_crosswalk_wide
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.study import Study
from analysis.core.yamlio import load_yaml
from analysis.demo.frame import REGION_GROUPING, demo_frame
from analysis.demo.survey import (
    choose_yes_branch,
    remember_solved,
    report_waves,
    solved_problems,
    survey_claims,
    units_2016,
)
from analysis.survey.codebook import load_codebook
from analysis.survey.nonresponse import (
    attach_settlements,
    frame_population,
    read_unit_settlements,
    register_units_as_frame,
    settlement_totals,
)

log = logging.getLogger("demo_survey")
FRAME_STRUCTURE = 2020  # the calibrated frame (2021) lists the kommuner of 2020


def settled_per_unit(smk, s) -> pd.DataFrame:
    """Settlements (all, agreed) per frame unit in the calibrated frame's settlement window: the
    register's units in the frame's (2020) codes, whatever the study's kommune structure."""
    reg = read_unit_settlements(smk.input.register)
    cw24 = optional_input(smk, "crosswalk_2024")
    reg["unit_id"] = register_units_as_frame(
        reg["unit_id"].astype(str),
        int(s["structure"]),
        FRAME_STRUCTURE,
        None if cw24 is None else read_crosswalk_2024(cw24),
        s["split_to_2024"],
    )
    first, last = s["window"]
    return settlement_totals(reg, (int(first), int(last[:4])), last)


def write_frame(smk, s, settled: pd.DataFrame, published: dict) -> None:
    """The frame of the frame wave and its responding units (outputs ``frame``, ``respondents``)."""
    munis, _, units = frame_population(
        smk.input.population,
        smk.input.crosswalk,
        smk.input.geo_bydeler,
        s["region_overrides"],
        s["population_column"],
        REGION_GROUPING,
    )
    units, _ = attach_settlements(units, settled)
    frame, respondents = demo_frame(units, munis, published, int(s["seed"]))
    for df, path in ((frame, smk.output.frame), (respondents, smk.output.respondents)):
        write_csv(df, path)


def main(smk):
    s = settings(smk)
    settled = settled_per_unit(smk, s)
    published = load_yaml(smk.input.published)
    write_frame(smk, s, settled, published)
    cb = load_codebook(smk.input.codebook)
    seed = int(s["seed"])
    branches = cb.raw["demo"]["branches"]
    frame = pd.read_csv(smk.output.frame, dtype=str, keep_default_na=False)
    resp = pd.read_csv(smk.output.respondents, dtype=str, keep_default_na=False)["unit_id"].tolist()
    unknown = sorted(set(resp) - set(frame["unit_id"]))
    if unknown:
        raise ValueError(f"respondents not in the frame: {unknown[:5]}")
    # agreed self-settlements per unit
    asb = {k: int(v) for k, v in zip(settled["unit_id"], settled["asb"])}
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
    with open(smk.input.solutions, encoding="utf-8") as fh:
        ahead = remember_solved(json.load(fh))
    w21, w16, unmet = report_waves(cb, published, claims, (yes, no), u16, seed)
    # a problem not solved ahead (the frame with other numbers of units than the report's) is
    # solved here: the waves are the same either way, only slower
    log.info("calibration: %d problems solved ahead, %d here", ahead, len(solved_problems()) - ahead)
    log.info("%d survey claims calibrated; not met: %s", len(claims), unmet or "none")
    if unmet:
        log.warning("demo survey does not meet claims %s", unmet)
    study = Study.from_dict(s["study"])
    made = {2021: w21, 2016: w16}
    for year in s["waves"]:
        write_csv(made[int(year)], smk.output[study.wave(year).survey_role])


run(main, snakemake)  # noqa: F821
