"""Adapter: validate every survey wave and its frame -> processed Parquet per wave (no open text) + ledger.

A wave with a frame is validated against it (every respondent a frame unit) and written as the whole
frame, respondents flagged; the frame is read and checked here only, and the non-response stage reads
it from this output. A wave without a frame is checked against the kommune codes valid in its year.
"""

import logging

import pandas as pd

from analysis.core.codenames import reference_names
from analysis.core.files import write_csv, write_parquet
from analysis.core.kommune import BYDEL_NAMES, study_code_map
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.study import Study
from analysis.survey.codebook import load_codebook
from analysis.survey.frame_sizes import frame_size_table
from analysis.survey.ingest import (
    assemble_wave,
    check_frame,
    ledger_rows,
    read_survey,
    strip_open_text,
    units_of_year,
    validate_survey,
)

log = logging.getLogger("survey_ingest")
FRAME_USE = "frame unit: Tabell 9.1 and the raking margins"


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    cb = load_codebook(smk.input.codebook)
    cw24 = optional_input(smk, "crosswalk_2024")
    code_map = study_code_map(
        smk.input.crosswalk, dict(s["split_to"]), study.structure, cw24, dict(s["split_to_2024"])
    )
    m = s["mapping"]
    names = reference_names(code_map, BYDEL_NAMES)
    frame_years = {int(y) for y in s["frame_waves"]}
    waves = [study.wave(y) for y in s["waves"]]
    # read every file first (collecting mode lists the problems of all of them), latest wave first
    frames, raw = {}, {}
    for w in reversed(waves):
        if w.year in frame_years:
            frames[w.year] = check_frame(
                smk.input[w.frame_role], m[w.frame_role], w.frame_role, code_map, w.year, names
            )
        raw[w.year] = read_survey(smk.input[w.survey_role], cb, w.year, m[w.survey_role], reference=names)
    ledger, counts, rows = [], [], {}
    for w in reversed(waves):
        df, path, mp = raw[w.year], smk.input[w.survey_role], m[w.survey_role]
        frame = frames.get(w.year)
        checked = dict(
            checkbox_unticked=mp.get("checkbox_unticked"),
            checkbox_all_empty=mp.get("checkbox_all_empty"),
        )
        if frame is not None:
            valid = validate_survey(
                df,
                cb,
                w.year,
                path,
                valid_units=set(frame["unit_id"]),
                unit_names=frame[["unit_id", "unit_name"]],
                **checked,
            )
        else:
            valid = validate_survey(
                df, cb, w.year, path, code_map=code_map, unit_names=units_of_year(code_map, w.year), **checked
            )
        n = len(valid)
        out = assemble_wave(strip_open_text(valid, cb, w.year), code_map, frame)
        write_parquet(out, smk.output[w.survey_role])
        rows[w.year] = len(out)
        if frame is not None:
            ledger.append(
                {"input": w.frame_role, "disposition": "used", "reason": FRAME_USE, "rows": len(frame)}
            )
            ledger += [
                {"input": w.frame_role, "disposition": "excluded", "reason": why, "rows": k}
                for why, k in frame.attrs["excluded"]
            ]
        ledger.append(ledger_rows(w.survey_role, n))
        ledger += [
            {"input": w.survey_role, "disposition": "excluded", "reason": why, "rows": k}
            for why, k in df.attrs["excluded"]
        ]
        counts.append(
            f"{w.year}: {n} responding" + (f" of {len(out)} in the frame" if frame is not None else "")
        )
    write_csv(pd.DataFrame(ledger, columns=["input", "disposition", "reason", "rows"]), smk.output.ledger)
    # every wave's frame size and the one its finite population correction uses, once (0177)
    write_csv(frame_size_table(rows, s["frame_sizes"], frame_years, s["fpc"]), smk.output.frame_sizes)
    log.info("%s", "; ".join(counts))


run(main, snakemake)  # noqa: F821
