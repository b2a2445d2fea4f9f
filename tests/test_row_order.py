"""Results do not depend on the row order of the inputs (issue 23): the same respondents and frame
units in another order give identical survey tables, to the last digit of every interval."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus.cases import code_map  # noqa: E402

from analysis.survey.codebook import load_codebook
from analysis.survey.ingest import assemble_wave, read_frame, read_survey, strip_open_text, validate_survey
from analysis.survey.tables import survey_tables

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "workflow" / "resources" / "codebook.yaml"
FRAME = Path(__file__).parent / "corpus" / "base" / "survey_frame_2021.csv"


def _answers(cb, year: int, units: list[str], rng) -> pd.DataFrame:
    """Random answers that follow the codebook's routing (an item only where its gate is met)."""
    items = cb.items_for(year)
    rows = []
    for u in units:
        row = {"unit_id": u}
        for item in items:
            g = cb.gate(item)
            if g is not None and (row.get(g["item"], "") == "" or int(row[g["item"]]) not in g["in"]):
                row[item] = ""
            elif cb.is_open(item):
                row[item] = ""
            else:
                row[item] = str(rng.choice(cb.codes(item)))
        rows.append(row)
    return pd.DataFrame(rows, columns=["unit_id", *items])


def _tables(tmp: Path, cb, s21: pd.DataFrame, s16: pd.DataFrame, frame: pd.DataFrame) -> dict:
    tmp.mkdir()
    for name, df in (("s21", s21), ("s16", s16), ("frame", frame)):
        df.to_csv(tmp / f"{name}.csv", index=False)
    cm = code_map()
    fr = read_frame(str(tmp / "frame.csv"))
    w21 = validate_survey(
        read_survey(str(tmp / "s21.csv"), cb, 2021), cb, 2021, "s21", valid_units=set(fr["unit_id"])
    )
    w16 = validate_survey(read_survey(str(tmp / "s16.csv"), cb, 2016), cb, 2016, "s16", code_map=cm)
    wave21 = assemble_wave(strip_open_text(w21, cb, 2021), cm, fr)
    wave16 = assemble_wave(strip_open_text(w16, cb, 2016), cm, None)
    waves, sizes = {2021: wave21, 2016: wave16}, {2021: len(wave21), 2016: None}
    return survey_tables(waves, cb, sizes, 0.95, 30, {2021: "text_ch9_response_rate"})


def test_tables_do_not_depend_on_the_row_order(tmp_path):
    cb = load_codebook(CODEBOOK)
    rng = np.random.default_rng(23)
    frame = pd.read_csv(FRAME, dtype=str, keep_default_na=False)
    resp21 = sorted(rng.choice(frame["unit_id"], size=140, replace=False))
    cm = code_map()
    valid16 = sorted(cm.loc[(cm["first_year"] <= 2016) & (cm["last_year"] >= 2016), "code"])
    resp16 = sorted(rng.choice(valid16, size=150, replace=False))
    s21, s16 = _answers(cb, 2021, resp21, rng), _answers(cb, 2016, resp16, rng)
    a = _tables(tmp_path / "a", cb, s21, s16, frame)
    shuffle = np.random.default_rng(7).permutation
    b = _tables(
        tmp_path / "b",
        cb,
        s21.iloc[shuffle(len(s21))],
        s16.iloc[shuffle(len(s16))],
        frame.iloc[shuffle(len(frame))],
    )
    assert a.keys() == b.keys()
    differ = [k for k in a if not a[k].equals(b[k])]
    assert differ == []
    assert len(a) > 20 and any(a[k]["ci_low"].notna().any() for k in a if "ci_low" in a[k].columns)
