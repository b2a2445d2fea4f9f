"""Bad-input corpus (issue 8): every input kind, malformed by a named mutation of a small valid file.

Each case starts from a valid base file in ``tests/corpus/base/`` and applies one mutation
(``tests/corpus/cases.py``); the stage's own reader (the code the ingest rule runs) must stop
with an :class:`InputError` naming the file, the line (or the JSON key), the column and the
value, in one line. The messy-but-valid variants that are normal in the field (SSB/IMDi Latin-1
``;`` exports, UTF-8 with BOM, CRLF, a trailing blank line) must be accepted.

The workflow-level cases (one per input kind through Snakemake, ``-m e2e``) are in
``tests/test_corpus_workflow.py``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import REGISTER_END
from corpus.cases import ACCEPTED, CASES, READERS, materialise  # noqa: E402

from analysis.core.errors import InputError
from analysis.imdi.register import NEVER_SHOWN


def test_corpus_size_and_coverage():
    """At least 40 malformed inputs, covering every input kind."""
    kinds = Counter(c.kind for c in CASES)
    print(f"\n{len(CASES)} malformed corpus cases: {dict(sorted(kinds.items()))}")
    assert len(CASES) >= 40
    assert set(kinds) == set(READERS), set(READERS) - set(kinds)
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_malformed_input_is_rejected(case, tmp_path):
    path = materialise(case.kind, case.mutate, tmp_path)
    with pytest.raises(InputError) as info:
        READERS[case.kind](path)
    e = info.value
    text = str(e)
    assert e.file == str(path), text
    assert case.message in e.message, text
    if case.kind == "kostra_12012" and e.line is None:
        assert e.column, f"a JSON error must name the key: {text}"
    else:
        assert e.line is not None and e.line >= 1, f"no line: {text}"
    if case.column.endswith("*"):
        assert str(e.column).startswith(case.column[:-1]), text
    else:
        assert e.column == case.column, text
    judged = ("duplicate", "must be one of")  # the register's own checks of those columns
    if (
        case.kind.startswith("register")
        and case.column in NEVER_SHOWN
        and any(j in case.message for j in judged)
    ):
        # an id, or words where a code belongs (a surname mapped to kategori): never printed (issue 27)
        assert e.value is None, f"value printed: {text}"
    else:
        assert e.value is not None, f"no value: {text}"
    assert "\n" not in text and "\r" not in text, f"message must be one line: {text!r}"
    assert text.startswith(str(path)), text
    if case.kind.startswith("survey_20"):  # open-text answers never reach a message (or a log)
        from corpus.cases import open_texts

        assert not any(t in text for t in open_texts(path)), text


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.id for c in ACCEPTED])
def test_corpus_field_variant_is_accepted(case, tmp_path):
    """A Latin-1 ';' export, a BOM, CRLF or a trailing blank line reads like the base file."""
    base = READERS[case.kind](materialise(case.kind, lambda raw, kind: raw, tmp_path / "base"))
    variant = READERS[case.kind](materialise(case.kind, case.mutate, tmp_path))
    assert case.same(base, variant)


# ------------------------------------------------------------------------------------- ledger
def _ledger_rows(kind: str, path: Path) -> int:
    """Rows the stage's ledger accounts for when it reads ``path`` (what its rule writes)."""
    from corpus import cases

    from analysis.core.kommune import read_crosswalk_wide
    from analysis.imdi import public as imdi_public
    from analysis.imdi import register
    from analysis.official import cited, kostra, udi
    from analysis.official.jsonstat import read_jsonstat
    from analysis.survey import ingest as survey

    p = str(path)
    if kind == "imdi_public":
        raw = imdi_public.read_imdi_public(p)
        return int(imdi_public.select_persons(raw, (2014, 2021), cases.code_map(), p)[1]["rows"].sum())
    if kind == "register":
        return int(register.read_register(p, cases.code_map(), REGISTER_END)[1]["rows"].sum())
    if kind in ("survey_2016", "survey_2021"):
        return survey.ledger_rows(kind, len(READERS[kind](path)))["rows"]
    if kind == "survey_frame_2021":
        return len(READERS[kind](path))  # workflow/scripts/weighting.py: one row per unit
    if kind == "kostra_12012":
        ds = read_jsonstat(p)
        return int(kostra.ledger(kostra.cells(ds, "NyeSoknader", "Avslag"))["rows"].sum())
    if kind == "udi_privatboende":
        return int(udi.ledger(udi.read_udi(p, (2016, 2020)))["rows"].sum())
    if kind == "husbanken":
        return int(cited.ledger(READERS[kind](path), "husbanken")["rows"].sum())
    if kind == "imdi_annual":
        return len(READERS[kind](path))  # workflow/scripts/cited.py
    if kind == "crosswalk":
        return len(read_crosswalk_wide(p))  # workflow/scripts/row_ledger.py (public_reference)
    raise AssertionError(kind)


def _input_rows(kind: str, path: Path) -> int:
    """Data rows of the file itself: lines after the header, or region x year of a JSON-stat table."""
    from analysis.core.ledger import data_rows

    if kind == "kostra_12012":
        import json

        doc = json.loads(path.read_text(encoding="utf-8"))
        size = dict(zip(doc["id"], doc["size"]))
        return size["KOKkommuneregion0000"] * size["Tid"]
    return data_rows(str(path))


LEDGER_KINDS = [
    "imdi_public",
    "register",
    "survey_2016",
    "survey_2021",
    "survey_frame_2021",
    "kostra_12012",
    "udi_privatboende",
    "imdi_annual",
    "husbanken",
    "crosswalk",
]


@pytest.mark.parametrize("kind", LEDGER_KINDS)
@pytest.mark.parametrize("variant", ["base", "trailing_blank_line"])
def test_corpus_ledger_accounts_for_every_row(kind, variant, tmp_path):
    """used + excluded rows in the stage's ledger = the data rows of its input file."""
    if variant == "base":
        mutate = lambda raw, k: raw  # noqa: E731
    else:
        mutate = lambda raw, k: raw + (b"\n" if k != "kostra_12012" else b"\n\n")  # noqa: E731
    path = materialise(kind, mutate, tmp_path)
    assert _ledger_rows(kind, path) == _input_rows(kind, path) > 0
