"""Adapter: validate the survey files and the 2021 frame -> processed Parquet (no open text) + ledger."""

import logging

import pandas as pd

from analysis.core.codenames import reference_names
from analysis.core.files import write_csv, write_parquet
from analysis.core.kommune import BYDEL_NAMES, build_code_map, read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.survey.codebook import load_codebook
from analysis.survey.ingest import (
    assemble_waves,
    ledger_rows,
    read_frame,
    read_survey,
    strip_open_text,
    units_of_year,
    validate_survey,
)

log = logging.getLogger("survey_ingest")


def main(smk):
    s = settings(smk)
    cb = load_codebook(smk.input.codebook)
    code_map = build_code_map(read_crosswalk_wide(smk.input.crosswalk), dict(s["split_to"]))
    m = s["mapping"]
    names = reference_names(code_map, BYDEL_NAMES)
    frame = read_frame(smk.input.frame, m["survey_frame_2021"], reference=names)
    raw21 = read_survey(smk.input.survey_2021, cb, 2021, m["survey_2021"], reference=names)
    raw16 = read_survey(smk.input.survey_2016, cb, 2016, m["survey_2016"], reference=names)
    excluded = [
        (role, reason, n)
        for role, df in (("survey_2021", raw21), ("survey_2016", raw16))
        for reason, n in df.attrs["excluded"]
    ]
    s21 = validate_survey(
        raw21,
        cb,
        2021,
        smk.input.survey_2021,
        valid_units=set(frame["unit_id"]),
        unit_names=frame[["unit_id", "unit_name"]],
        checkbox_unticked=m["survey_2021"].get("checkbox_unticked"),
        checkbox_all_empty=m["survey_2021"].get("checkbox_all_empty"),
    )
    s16 = validate_survey(
        raw16,
        cb,
        2016,
        smk.input.survey_2016,
        code_map=code_map,
        unit_names=units_of_year(code_map, 2016),
        checkbox_unticked=m["survey_2016"].get("checkbox_unticked"),
        checkbox_all_empty=m["survey_2016"].get("checkbox_all_empty"),
    )
    n21, n16 = len(s21), len(s16)
    s21 = strip_open_text(s21, cb, 2021)
    s16 = strip_open_text(s16, cb, 2016)
    wave21, s16 = assemble_waves(frame, s21, s16, code_map)
    write_parquet(wave21, smk.output.survey_2021)
    write_parquet(s16, smk.output.survey_2016)
    # the frame's rows are counted by the non-response stage (data/processed/ledger/survey_frame_2021.csv)
    ledger = pd.DataFrame(
        [
            ledger_rows("survey_2021", n21),
            ledger_rows("survey_2016", n16),
            *({"input": r, "disposition": "excluded", "reason": why, "rows": n} for r, why, n in excluded),
        ]
    )
    write_csv(ledger, smk.output.ledger)
    log.info("frame %d units, 2021 %d responding, 2016 %d responding", len(frame), n21, n16)


run(main, snakemake)  # noqa: F821
