"""The intake layer (issue 14): formats by content, the mapping, checkboxes, time zones, the
collecting mode behind `snakemake validate`. The format and bad-file cases of every input kind
are in the corpus (tests/corpus/cases.py); these are the rules themselves on hand-made data."""

from __future__ import annotations

import datetime as dt
import gzip
import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import REGISTER_END
from corpus.cases import BASE, PDF, code_map  # noqa: E402

from analysis.core.errors import InputError, collecting
from analysis.core.intake import LINE, read_table, sniff
from analysis.imdi.register import check_register, read_register

ROOT = Path(__file__).resolve().parents[1]
REG = BASE["register"].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b"a;b\r\n1;2\r\n", "csv"),
        (gzip.compress(b"a,b\n", mtime=0), "gzip"),
        (b"PAR1\x15\x04", "parquet"),
        (b"$FL2@(#) IBM SPSS", "sav"),
        (PDF, "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "xls"),
        ("a;b\n".encode("utf-16-le"), "utf16"),
        (b'{"version": "2.0"}', "json"),
        (b"<!DOCTYPE html><html>", "html"),
        (bytes(range(256)) * 4, "binary"),
        (b"", "empty"),
    ],
)
def test_sniff_recognises_formats_by_content(head, fmt):
    assert sniff(head) == fmt


def test_mapping_order_rename_keep_rows_drop_values_dates(tmp_path):
    """Norwegian export: renamed columns, a dropped column, Ja/Nei, dd.mm.yyyy dates, and a
    status filter on a SOURCE column whose excluded rows go to the ledger."""
    p = tmp_path / "export.csv"
    p.write_bytes(
        "Løpenr;Vedtak;Bosatt;Knr;Bydel;ASB;Kat;Hh;Status;Saksbehandler\r\n"
        "A1;02.12.2015;01.01.2016;0106;;Ja;Mottak;enslig_voksen;OK;Kari\r\n"
        "A2;;05.01.2016;0301;030101;Nei;Overføring;barnefamilie;OK;Per\r\n"
        "A3;01.01.2015;07.01.2016;0301;030102;Nei;Mottak;barnefamilie;Slettet;Per\r\n".encode("cp1252")
    )
    mapping = {
        "columns": {
            "Løpenr": "person_id",
            "Vedtak": "vedtaksdato",
            "Bosatt": "bosettingsdato",
            "Knr": "kommunenummer",
            "Bydel": "bydelsnummer",
            "ASB": "avtalt_selvbosetting",
            "Kat": "kategori",
            "Hh": "husholdningstype",
        },
        "keep_rows": {"Status": ["OK"]},
        "drop": ["Saksbehandler"],
        "values": {
            "avtalt_selvbosetting": {"Ja": 1, "Nei": 0},
            "kategori": {"Mottak": "mottak", "Overføring": "overforing"},
        },
        "date_format": "%d.%m.%Y",
    }
    reg, ledger = read_register(str(p), code_map(), REGISTER_END, mapping=mapping)
    assert reg["person_id"].to_list() == ["A1", "A2"]
    assert reg["avtalt_selvbosetting"].to_list() == [1, 0]
    assert reg["vedtaksdato"].to_list() == [dt.date(2015, 12, 2), None]
    assert reg["bosettingsdato"].to_list() == [dt.date(2016, 1, 1), dt.date(2016, 1, 5)]
    excluded = ledger[ledger["disposition"] == "excluded"]
    assert excluded["rows"].tolist() == [1] and "keep_rows: Status" in excluded["reason"].iloc[0]
    assert ledger["rows"].sum() == 3  # every data row of the file is accounted for
    # without drop, the extra column is an error that says how to map or drop it
    with pytest.raises(InputError, match="unexpected column 'Saksbehandler'.*mapping.register.drop"):
        read_register(
            str(p), code_map(), REGISTER_END, mapping={k: v for k, v in mapping.items() if k != "drop"}
        )
    # a date in another format than date_format is named with the format
    with pytest.raises(InputError, match="not a date in the format %Y-%m-%d") as e:
        read_register(str(p), code_map(), REGISTER_END, mapping={**mapping, "date_format": "%Y-%m-%d"})
    assert e.value.line == 2 and e.value.column == "bosettingsdato"
    # a mapping naming a column the file does not have is a config error, not silence
    with pytest.raises(InputError, match="columns names 'Lopenr'"):
        read_register(
            str(p), code_map(), REGISTER_END, mapping={**mapping, "columns": {"Lopenr": "person_id"}}
        )


def test_parquet_timestamps_with_a_time_zone_become_oslo_dates(tmp_path):
    ts = pl.Series(
        "bosettingsdato",
        [dt.datetime(2015, 12, 31, 23, 0), dt.datetime(2016, 6, 30, 22, 30)],  # Oslo: 1 Jan, 1 Jul
        dtype=pl.Datetime("us", "UTC"),
    )
    pl.DataFrame({"id": ["a", "b"], "bosettingsdato": ts}).write_parquet(tmp_path / "x.csv")  # misnamed
    t = read_table(tmp_path / "x.csv", "register", ["id", "bosettingsdato"], dates=("bosettingsdato",))
    assert t.fmt == "parquet"
    assert t.frame["bosettingsdato"].to_list() == [dt.date(2016, 1, 1), dt.date(2016, 7, 1)]
    assert t.frame["_line"].to_list() == [2, 3]


def test_cr_only_file_with_a_bad_header_gives_a_short_message(tmp_path):
    """Once a CR-only register became one 'line': the whole file went into the message."""
    p = tmp_path / "register.csv"
    body = REG.replace("husholdningstype", "hushold") * 200
    p.write_bytes(body.replace("\n", "\r").encode())
    with pytest.raises(InputError) as e:
        read_register(str(p), code_map(), REGISTER_END)
    assert e.value.line == 1 and e.value.column == "husholdningstype"
    assert len(str(e.value)) < 600 and "P000001" not in str(e.value)


def test_collecting_mode_lists_every_problem_normal_mode_stops_at_the_first(tmp_path):
    lines = REG.splitlines()
    head = lines[0].split(",")
    rows = [r.split(",") for r in lines[1:]]
    rows[0][head.index("kategori")] = "asyl"
    rows[2][head.index("bosettingsdato")] = "2016-02-30"
    rows[4][head.index("kommunenummer")] = "0000"  # an Oslo row: its bydel is then wrong too
    p = tmp_path / "register.csv"
    p.write_text("\n".join([",".join(head + ["navn"])] + [",".join(r + ["Ola"]) for r in rows]) + "\n")
    with pytest.raises(InputError, match="unexpected column 'navn'"):
        read_register(str(p), code_map(), REGISTER_END)
    with collecting() as problems:
        check_register(str(p), code_map(), REGISTER_END)
    found = {(e.line, e.column) for e in problems}
    assert found == {
        (1, "navn"),
        (2, "kategori"),
        (4, "bosettingsdato"),
        (6, "kommunenummer"),
        (6, "bydelsnummer"),
    }, found


def _validate_settings(**extra) -> dict:
    """The validate rule's settings for the default study (schema defaults), plus ``extra``."""
    from conftest import ROOT as _root

    from analysis.core.config import validate_config
    from analysis.core.study import study_from_config

    cfg = validate_config({"demo": True, "inputs": {}}, _root / "workflow" / "schemas" / "config.schema.yaml")
    h = cfg["harmonisation"]
    return {
        "split_to": h["split_to"],
        "split_to_2024": h["split_to_2024"],
        "study": study_from_config(cfg).as_dict(),
        "mapping": {},
        **extra,
    }


def test_validation_csv_lists_all_problems_without_values(tmp_path):
    from analysis.core.kommune import read_crosswalk_wide  # noqa: F401  (public files below)
    from analysis.validate.inputs import check_inputs, write_validation_csv, write_validation_html

    public = ROOT.parent / "shared" / "data"
    lines = REG.splitlines()
    secret = "PHEMMELIG1"
    bad = [lines[0], lines[1].replace("P000001", secret, 1), *lines[2:]]
    bad[1] = bad[1].replace(",mottak,", ",Mottak,")
    bad[3] = bad[3].replace("2016-01-01", "01.01.2016")
    reg = tmp_path / "register.csv"
    reg.write_text("\n".join([bad[0], *bad[1:], bad[1]]) + "\n")  # + a duplicate of the secret id
    survey = tmp_path / "survey_2021.csv"
    survey.write_bytes(PDF)
    s = _validate_settings(register_end="2021-03-31")
    paths = {"register": str(reg), "survey_2021": str(survey)}
    rows = check_inputs(
        paths,
        s,
        {
            "crosswalk": str(public / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv"),
            "population": str(public / "kommuner/kommuner_2020_folkemengde.csv"),
            "geo_bydeler": str(public / "geo/oslo_bydeler_2020.geojson"),
        },
        str(ROOT / "workflow" / "resources" / "codebook.yaml"),
    )
    got = {(r["input"], r["line"], r["column"]) for r in rows}
    n = len(bad) + 1
    assert got == {
        ("register", n, "person_id"),
        ("register", 2, "kategori"),
        ("register", n, "kategori"),
        ("register", 4, "bosettingsdato"),
        ("survey_2021", 1, "unit_id"),
    }, got
    write_validation_csv(rows, tmp_path / "validation.csv")
    write_validation_html(rows, paths, tmp_path / "validation.html")
    text = (tmp_path / "validation.csv").read_text() + (tmp_path / "validation.html").read_text()
    assert secret not in text and "Mottak" not in text and "01.01.2016" not in text
    assert (tmp_path / "validation.csv").read_text().startswith("input,line,column,problem\n")
    assert "this is a PDF" in text


def test_validate_groups_by_cause_counts_rows_and_names_the_real_cause(tmp_path):
    """A frame whose codes lost their leading zeros: one cause per check (not a cascade of 'not a
    kommunenummer' and '370 missing' for every row), the missing-units line names the format as
    the cause, and the rows read/kept are counted."""
    import pandas as pd

    from analysis.validate.inputs import check_inputs_counted, write_validation_html

    public = ROOT.parent / "shared" / "data"
    frame = pd.read_csv(BASE["survey_frame_2021"], dtype=str, keep_default_na=False)
    frame.loc[:49, "unit_id"] = frame.loc[:49, "unit_id"].str.lstrip("0")  # 50 codes lose their zero
    p = tmp_path / "frame.csv"
    frame.to_csv(p, index=False)
    s = _validate_settings()
    paths = {"survey_frame_2021": str(p)}
    rows, counts = check_inputs_counted(
        paths,
        s,
        {
            "crosswalk": str(public / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv"),
            "population": str(public / "kommuner/kommuner_2020_folkemengde.csv"),
            "geo_bydeler": str(public / "geo/oslo_bydeler_2020.geojson"),
        },
        str(ROOT / "workflow" / "resources" / "codebook.yaml"),
    )
    lost = frame.loc[:49, "unit_id"].str.len().isin([3, 5]).sum()
    per_cell = [r for r in rows if r["line"] != ""]
    assert len({(r["line"], r["column"]) for r in per_cell}) == len(per_cell)  # one problem per cell
    assert {r["problem"] for r in per_cell if r["column"] == "unit_id"} == {
        next(r["problem"] for r in per_cell if r["column"] == "unit_id")
    }
    assert "keep leading zeros" in per_cell[0]["problem"]
    whole = [r["problem"] for r in rows if r["line"] == ""]
    assert len(whole) == 1 and "that is the cause" in whole[0], whole
    assert counts["survey_frame_2021"]["rows"] == 370
    assert counts["survey_frame_2021"]["with_problems"] >= lost
    write_validation_html(rows, paths, tmp_path / "v.html", counts)
    html = (tmp_path / "v.html").read_text()
    assert "Problems by cause" in html and "rows read" in html


def _survey_2016(tmp_path, rows):
    import pandas as pd

    from analysis.survey.codebook import load_codebook

    cb = load_codebook(ROOT / "workflow" / "resources" / "codebook.yaml")
    cols = ["unit_id", *cb.items_for(2016)]
    p = tmp_path / "s16.csv"
    pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows], columns=cols).to_csv(p, index=False)
    return cb, p


REASONS = ["NB_REASON_NO_REQUESTS", "NB_REASON_OWN_EXPERIENCE", "NB_REASON_OTHERS_EXPERIENCE"]


def test_unticked_checkboxes_exported_empty(tmp_path):
    """Ticked = 1, unticked = empty: without the mapping key an error (it would make every option
    100 %); with checkbox_unticked: "" the empty options of routed units are 0, and units not
    asked the question stay empty."""
    from analysis.survey.ingest import read_survey, validate_survey

    rows = [
        {"unit_id": "1101", "Q_FILTER": "2", "NB_REASON_NO_REQUESTS": "1"},
        {"unit_id": "1103", "Q_FILTER": "2", "NB_REASON_OWN_EXPERIENCE": "1"},
        {"unit_id": "1106", "Q_FILTER": "2"},  # asked, ticked none
        {"unit_id": "1108", "Q_FILTER": "1"},  # not asked
    ]
    cb, p = _survey_2016(tmp_path, rows)
    with pytest.raises(InputError, match="empty checkbox of a routed unit") as e:
        validate_survey(read_survey(str(p), cb, 2016), cb, 2016, str(p))
    assert (e.value.line, e.value.column) == (3, "NB_REASON_NO_REQUESTS")
    out = validate_survey(
        read_survey(str(p), cb, 2016),
        cb,
        2016,
        str(p),
        checkbox_unticked="",
        checkbox_all_empty="none_ticked",
    )
    assert out[REASONS].astype("Float64").fillna(-1).values.tolist() == [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
        [-1, -1, -1],
    ]
    assert out["NB_REASON_NO_REQUESTS"].mean() == pytest.approx(1 / 3)  # not 100 %
    # unanswered: the routed unit whose boxes are all empty is out of the base
    out = validate_survey(
        read_survey(str(p), cb, 2016), cb, 2016, str(p), checkbox_unticked="", checkbox_all_empty="unanswered"
    )
    assert out[REASONS].astype("Float64").fillna(-1).values.tolist() == [
        [1, 0, 0],
        [0, 1, 0],
        [-1, -1, -1],
        [-1, -1, -1],
    ]
    assert out["NB_REASON_NO_REQUESTS"].mean() == pytest.approx(1 / 2)
    # neither: the run stops naming the missing key
    with pytest.raises(InputError, match="checkbox_all_empty is not set"):
        validate_survey(read_survey(str(p), cb, 2016), cb, 2016, str(p), checkbox_unticked="")


def test_omitted_checkbox_all_empty_stops_the_config():
    from analysis.core.config import value_problems

    problems = value_problems({"mapping": {"survey_2021": {"checkbox_unticked": ""}, "survey_2016": {}}})
    assert len(problems) == 1 and "mapping.survey_2021.checkbox_all_empty" in problems[0]
    ok = {"mapping": {"survey_2021": {"checkbox_unticked": "", "checkbox_all_empty": "unanswered"}}}
    assert value_problems(ok) == []
    assert value_problems({"mapping": {"survey_2021": {"checkbox_unticked": "Nei"}}}) == []


def test_header_row_skips_title_rows_in_csv_and_excel(tmp_path):
    """Title rows above the header: read from header_row on; lines stay the file's own."""
    import openpyxl

    csv = tmp_path / "t.csv"
    csv.write_bytes(
        "Kommuneundersøkelsen 2021;;\r\n\r\nid;knr;x\r\na;0301;1\r\nb;1101;2\r\n".encode("cp1252")
    )
    t = read_table(
        csv,
        "register",
        ["person_id", "kommunenummer", "x"],
        mapping={"header_row": 3, "columns": {"id": "person_id", "knr": "kommunenummer"}},
    )
    assert t.frame["kommunenummer"].to_list() == ["0301", "1101"]
    assert t.frame[LINE].to_list() == [4, 5]
    with pytest.raises(InputError, match="header_row"):  # the title read as header: the hint
        read_table(csv, "register", ["person_id", "kommunenummer", "x"])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Eksport fra SurveyXact"])
    ws.append(["Kommuneundersøkelsen 2016"])
    ws.append([])
    ws.append(["person_id", "kommunenummer"])
    ws.append(["a", 301])
    ws.append(["b", 1101])
    wb.save(tmp_path / "t.xlsx")
    t = read_table(
        tmp_path / "t.xlsx",
        "register",
        ["person_id", "kommunenummer"],
        mapping={"header_row": 4},
        codes=("kommunenummer",),
    )
    assert t.frame["kommunenummer"].to_list() == ["0301", "1101"]
    assert t.frame[LINE].to_list() == [5, 6]


def test_labels_codebook_reads_option_labels(tmp_path):
    """Label-text cells (case and spacing ignored) become the codebook's codes; a checkbox's own
    option text is 'ticked'; unknown labels are listed per item, all at once."""
    from analysis.core.errors import collecting
    from analysis.survey.ingest import read_survey, validate_survey

    rows = [
        {
            "unit_id": "1101",
            "Q_FILTER": "nei",
            "NB_REASON_NO_REQUESTS": "Kommunen har ikke fått henvendelser fra flyktninger eller andre om avtalt selvbosetting",
        },
        {"unit_id": "1103", "Q_FILTER": " VET  IKKE", "NB_REASON_OWN_EXPERIENCE": "Krysset av"},
        {"unit_id": "1108", "Q_FILTER": "Ja"},
    ]
    cb, p = _survey_2016(tmp_path, rows)
    m = {"labels": "codebook", "checkbox_unticked": "", "checkbox_all_empty": "unanswered"}
    out = validate_survey(
        read_survey(str(p), cb, 2016, m),
        cb,
        2016,
        str(p),
        checkbox_unticked="",
        checkbox_all_empty="unanswered",
    )
    assert out["Q_FILTER"].tolist() == [2, 9, 1]
    assert out[REASONS].astype("Float64").fillna(-1).values.tolist() == [[1, 0, 0], [0, 1, 0], [-1, -1, -1]]
    rows[0]["Q_FILTER"] = "Nja"
    rows[1]["Q_FILTER"] = "Kanskje"
    rows[2]["Q_FILTER"] = "Nja"
    rows[1]["NB_REASON_OWN_EXPERIENCE"] = "Tja"
    cb, p = _survey_2016(tmp_path, rows)
    with collecting() as problems:
        read_survey(str(p), cb, 2016, m)
    by_item = {e.column: e for e in problems}
    assert set(by_item) == {"Q_FILTER", "NB_REASON_OWN_EXPERIENCE"}
    assert "2 label(s)" in by_item["Q_FILTER"].message and "«Nja», «Kanskje»" in by_item["Q_FILTER"].message
    assert by_item["Q_FILTER"].line == 2


def test_unticked_checkbox_marker_other_than_empty(tmp_path):
    from analysis.survey.ingest import read_survey, validate_survey

    rows = [
        {"unit_id": "1101", "Q_FILTER": "2", **dict.fromkeys(REASONS, "Nei"), "NB_REASON_NO_REQUESTS": "1"},
        {"unit_id": "1108", "Q_FILTER": "1", **dict.fromkeys(REASONS, "Nei")},  # not asked: empty
    ]
    cb, p = _survey_2016(tmp_path, rows)
    out = validate_survey(read_survey(str(p), cb, 2016), cb, 2016, str(p), checkbox_unticked="Nei")
    assert out[REASONS].astype("Float64").fillna(-1).values.tolist() == [[1, 0, 0], [-1, -1, -1]]


def test_codes_stored_as_numbers_get_their_leading_zeros_back(tmp_path):
    """Excel, SPSS and Parquet store 0301 as the number 301: restored for code columns only;
    a CSV's text '301' is still an error (corpus: register-code_without_leading_zero)."""
    df = pl.DataFrame({"id": ["a", "b", "c"], "knr": [301, 1101, 301], "bydel": [30101, None, 30115]})
    df.write_parquet(tmp_path / "x.parquet")
    t = read_table(
        tmp_path / "x.parquet",
        "register",
        ["person_id", "kommunenummer", "bydelsnummer"],
        mapping={"columns": {"id": "person_id", "knr": "kommunenummer", "bydel": "bydelsnummer"}},
        codes=("kommunenummer", "bydelsnummer"),
    )
    assert t.frame["kommunenummer"].to_list() == ["0301", "1101", "0301"]
    assert t.frame["bydelsnummer"].to_list() == ["030101", "", "030115"]
    (tmp_path / "x.csv").write_text("person_id,kommunenummer,bydelsnummer\na,301,\n")
    t = read_table(
        tmp_path / "x.csv",
        "register",
        ["person_id", "kommunenummer", "bydelsnummer"],
        codes=("kommunenummer",),
    )
    assert t.frame["kommunenummer"].to_list() == ["301"]


def test_a_gzip_bomb_and_a_huge_line_stop_with_a_message(tmp_path):
    """Limits (issue 27): a gzip input that expands past the limit, and a line longer than the
    limit, stop with a message naming the limit; below them the bytes come through."""
    import gzip

    from analysis.core.errors import InputError
    from analysis.core.intake import check_line_length, gunzip_limited

    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"0" * (3 << 20), mtime=0))
    assert len(gunzip_limited(bomb, str(bomb), limit=4 << 20)) == 3 << 20
    with pytest.raises(InputError) as e:
        gunzip_limited(bomb, str(bomb), limit=2 << 20)
    assert "expands to more than 2 MiB" in e.value.message
    text = b"a,b\n1,2\r\n" + b"x" * 50 + b"\n3,4"
    check_line_length(text, "t.csv", limit=50)
    with pytest.raises(InputError) as e:
        check_line_length(text, "t.csv", limit=49)
    assert e.value.line == 3 and "longer than" in e.value.message
    with pytest.raises(InputError) as e:  # no line end at all
        check_line_length(b"y" * 100, "t.csv", limit=60)
    assert e.value.line == 1
