"""Register ingest: validation errors (file, line, column, value) and harmonisation."""

import polars as pl
import pytest
from conftest import REGISTER_END, SPLIT_TO

from analysis.core.errors import InputError
from analysis.core.kommune import load_code_map
from analysis.imdi.register import NEVER_SHOWN, read_register

HEADER = (
    "person_id,vedtaksdato,bosettingsdato,kommunenummer,bydelsnummer,avtalt_selvbosetting,"
    "kategori,husholdningstype"
)
GOOD = [
    "A1,2016-01-10,2016-05-01,1201,,1,mottak,enslig_voksen",  # Bergen (pre-2020 code)
    "A2,2017-02-01,2017-03-01,0301,030112,0,mottak,barnefamilie",  # Oslo, Alna
    "A3,,2018-06-01,1850,,0,overforing,barnefamilie",  # Tysfjord (split)
    "A4,2019-12-01,2020-02-01,3030,,1,privatboende,par_uten_barn",  # Lillestrøm
    "A5,2020-11-30,2021-03-31,0301,,0,mottak,enslig_mindrearig",  # Oslo without bydel
]


@pytest.fixture(scope="module")
def code_map(shared_dir):
    return load_code_map(
        shared_dir / "data" / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv", SPLIT_TO
    )


def write(tmp_path, rows, header=HEADER, name="reg.csv"):
    p = tmp_path / name
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(p)


def test_register_harmonises_codes_bydeler_and_splits(tmp_path, code_map):
    reg, ledger = read_register(write(tmp_path, GOOD), code_map, REGISTER_END)
    d = {r["person_id"]: r for r in reg.iter_rows(named=True)}
    assert d["A1"]["kommunenummer_2020"] == "4601" and d["A1"]["unit_id"] == "4601"
    assert d["A2"]["unit_id"] == "030112" and d["A2"]["kommunenummer_2020"] == "0301"
    assert d["A3"]["kommunenummer_2020"] == "1806" and d["A3"]["split_code"]  # Tysfjord -> Narvik
    assert d["A3"]["wait_months"] is None
    assert d["A5"]["unit_id"] == "0301" and d["A5"]["year"] == 2021
    assert d["A1"]["wait_months"] == pytest.approx(112 / (365.25 / 12))
    assert ledger["rows"].sum() == len(GOOD)
    assert set(ledger["disposition"]) == {"used"}


def test_register_reads_parquet_with_dates(tmp_path, code_map):
    reg, _ = read_register(write(tmp_path, GOOD), code_map, REGISTER_END)
    src = pl.read_csv(write(tmp_path, GOOD), infer_schema=False).with_columns(
        pl.col("bosettingsdato").str.to_date()
    )
    p = tmp_path / "reg.parquet"
    src.write_parquet(p)
    reg2, _ = read_register(str(p), code_map, REGISTER_END)
    assert reg2["unit_id"].to_list() == reg["unit_id"].to_list()


def test_register_split_rule_is_configurable(tmp_path, shared_dir):
    cm = load_code_map(
        shared_dir / "data" / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv",
        {"1613": "5059", "5012": "5059", "1850": "1875"},
    )
    reg, _ = read_register(write(tmp_path, GOOD), cm, REGISTER_END)
    assert reg.filter(pl.col("person_id") == "A3")["kommunenummer_2020"].item() == "1875"


BAD = [
    # (row replacing GOOD[1] (line 3), column, message fragment)
    (
        "A2,2017-03-02,2017-03-01,0301,030112,0,mottak,barnefamilie",
        "vedtaksdato",
        "before the residence decision",
    ),
    ("A2,2017-02-01,2017-03-01,9876,,0,mottak,barnefamilie", "kommunenummer", "valid in no year"),
    ("A2,2017-02-01,2017-03-01,301,,0,mottak,barnefamilie", "kommunenummer", "4-digit"),
    ("A1,2017-02-01,2017-03-01,0301,030112,0,mottak,barnefamilie", "person_id", "duplicate"),
    ("A2,2017-02-01,2017-03-01,0301,030112,0,asylmottak,barnefamilie", "kategori", "must be one of"),
    ("A2,2017-02-01,2017-03-01,0301,030112,0,mottak,familie", "husholdningstype", "must be one of"),
    ("A2,2017-02-01,2017-03-01,0301,030112,ja,mottak,barnefamilie", "avtalt_selvbosetting", "0 or 1"),
    (
        "A2,2014-02-01,2015-03-01,0301,030112,0,mottak,barnefamilie",
        "bosettingsdato",
        "outside the study period",
    ),
    (
        "A2,2021-02-01,2021-04-01,0301,030112,0,mottak,barnefamilie",
        "bosettingsdato",
        "outside the study period",
    ),
    (
        "A2,,2017-03-01,0301,030112,0,mottak,barnefamilie",
        "vedtaksdato",
        "only allowed for kategori = overforing",
    ),
    ("A2,2017-02-01,01.03.2017,0301,030112,0,mottak,barnefamilie", "bosettingsdato", "ISO date"),
    ("A2,2017-02-01,2017-02-30,0301,030112,0,mottak,barnefamilie", "bosettingsdato", "calendar date"),
    ("A2,2017-02-01,2017-03-01,0301,030116,0,mottak,barnefamilie", "bydelsnummer", "unknown Oslo bydel"),
    ("A2,2017-02-01,2017-03-01,1201,030112,0,mottak,barnefamilie", "bydelsnummer", "outside Oslo"),
    ("A2,,2017-03-01,0301,030112,1,overforing,barnefamilie", "avtalt_selvbosetting", "resettlement"),
]


@pytest.mark.parametrize("row, column, message", BAD)
def test_register_bad_input_names_file_line_column_value(tmp_path, code_map, row, column, message):
    path = write(tmp_path, [GOOD[0], row, *GOOD[2:]])
    with pytest.raises(InputError) as e:
        read_register(path, code_map, REGISTER_END)
    err = e.value
    assert err.file == path and err.column == column and message in err.message
    assert err.line == 3
    if column not in NEVER_SHOWN:  # codes and dates; an id or a word is never printed (issue 27)
        assert err.value is not None and str(err.value) in row
    else:
        field = row.split(",")[HEADER.split(",").index(column)]
        assert err.value is None and f"'{field}'" not in str(err)
    assert "line 3" in str(err)


def test_register_header_problems(tmp_path, code_map):
    with pytest.raises(InputError, match="missing column"):
        read_register(
            write(tmp_path, GOOD, header=HEADER.replace(",kategori", ",kat")), code_map, REGISTER_END
        )
    with pytest.raises(InputError, match="unexpected column"):
        read_register(
            write(tmp_path, [r + ",x" for r in GOOD], header=HEADER + ",extra"), code_map, REGISTER_END
        )


def _parquet(tmp_path, rows=GOOD, name="reg.parquet"):
    """The rows as a Parquet register with typed dates (as an extract from a database would be)."""
    p = tmp_path / name
    pl.read_csv(write(tmp_path, rows), infer_schema=False).with_columns(
        pl.col("vedtaksdato").str.to_date(), pl.col("bosettingsdato").str.to_date()
    ).write_parquet(p)
    return str(p)


def test_register_typed_parquet_dates_report_their_text(tmp_path, code_map):
    """Typed dates are checked as dates, but an error shows the date as its text would read."""
    with pytest.raises(InputError) as e:
        read_register(_parquet(tmp_path, [GOOD[0], BAD[0][0], *GOOD[2:]]), code_map, REGISTER_END)
    # record 2 is line 3: lines count as in a CSV export of the file (header = line 1)
    assert e.value.column == "vedtaksdato" and e.value.value == "2017-03-02" and e.value.line == 3
    src = pl.read_parquet(_parquet(tmp_path)).with_columns(
        pl.when(pl.col("person_id") == "A2")
        .then(None)
        .otherwise(pl.col("bosettingsdato"))
        .alias("bosettingsdato")
    )
    src.write_parquet(tmp_path / "null.parquet")
    with pytest.raises(InputError, match="not an ISO date") as e:  # as the empty text it was read as
        read_register(str(tmp_path / "null.parquet"), code_map, REGISTER_END)
    assert e.value.value == "" and e.value.line == 3


def test_register_row_order_and_padding_do_not_change_the_result(tmp_path, code_map):
    """Shuffled ids (the general sort), ids in order (a stable sort by date) and padded values
    (the cleaning path) give the same processed register."""
    ref, _ = read_register(write(tmp_path, GOOD), code_map, REGISTER_END)
    shuffled, _ = read_register(
        write(tmp_path, [GOOD[i] for i in (3, 0, 4, 2, 1)], name="s.csv"), code_map, REGISTER_END
    )
    renamed = [f"Z{i}" + r[2:] for i, r in enumerate(GOOD[::-1], 1)]  # ids rising, dates falling
    by_date, _ = read_register(write(tmp_path, renamed, name="d.csv"), code_map, REGISTER_END)
    padded = [" " + r.replace(",mottak,", ", mottak ,") for r in GOOD]
    cleaned, _ = read_register(write(tmp_path, padded, name="p.csv"), code_map, REGISTER_END)
    assert shuffled.equals(ref) and cleaned.equals(ref)
    assert by_date["person_id"].to_list() == [f"Z{i}" for i in range(5, 0, -1)]
    assert by_date.drop("person_id").equals(ref.drop("person_id"))


def test_register_quoted_csv_field_counts(tmp_path, code_map):
    """Quoted empty fields ("" as some exports write) take the fast field count; a truncated row
    in a quoted file is still named by csv.reader's line."""
    quoted = [r.replace(",,", ',"",') for r in GOOD]
    ref, _ = read_register(write(tmp_path, GOOD), code_map, REGISTER_END)
    got, _ = read_register(write(tmp_path, quoted, name="q.csv"), code_map, REGISTER_END)
    assert got.equals(ref)
    with pytest.raises(InputError, match="row has 5 fields") as e:
        read_register(
            write(tmp_path, [*quoted[:2], quoted[2].rsplit(",", 3)[0], *quoted[3:]], name="t.csv"),
            code_map,
            REGISTER_END,
        )
    assert e.value.line == 4


# --- intake hardening (issue 27) --------------------------------------------------------------

FNR = "01019912345"  # shaped like a national identity number


def test_a_headerless_register_leaks_none_of_its_first_record(tmp_path, code_map):
    """Exported without its header line: the first record is read as the header. The problem is
    reported once, naming none of its cells, in a normal build and in validate's collecting mode."""
    from analysis.core.errors import collecting

    first = f"{FNR},2016-01-10,2016-05-01,1201,,1,mottak,enslig_voksen"
    path = write(tmp_path, [GOOD[1], GOOD[2]], header=first)
    with pytest.raises(InputError) as e:
        read_register(path, code_map, REGISTER_END)
    assert "matches no contract column" in str(e.value) and e.value.column is None
    cells = [c for c in first.split(",") if len(c) > 1]
    assert not [c for c in cells if c in str(e.value)]
    with collecting() as problems:
        try:
            read_register(path, code_map, REGISTER_END)
        except InputError as err:
            problems.add(err)
    texts = [str(p) + str(p.column) + str(p.value) for p in problems]
    assert texts and not [c for c in cells for t in texts if c in t.replace(path, "")]


def test_a_label_reversed_spss_register_stops_naming_the_column(tmp_path, code_map):
    import pandas as pd
    import pyreadstat

    rows = [r.split(",") for r in GOOD]
    df = pd.DataFrame(rows, columns=HEADER.split(","))
    df["avtalt_selvbosetting"] = df["avtalt_selvbosetting"].astype(float)
    good, bad = tmp_path / "good.sav", tmp_path / "reversed.sav"
    pyreadstat.write_sav(
        df, str(good), variable_value_labels={"avtalt_selvbosetting": {0.0: "Nei", 1.0: "Ja"}}
    )
    reg, _ = read_register(str(good), code_map, REGISTER_END)
    assert reg.height == len(GOOD)
    pyreadstat.write_sav(
        df, str(bad), variable_value_labels={"avtalt_selvbosetting": {0.0: "Ja", 1.0: "Nei"}}
    )
    with pytest.raises(InputError) as e:
        read_register(str(bad), code_map, REGISTER_END)
    assert e.value.column == "avtalt_selvbosetting" and "contradict the contract" in e.value.message


def test_kommune_9999_is_an_error_not_a_national_count(tmp_path, code_map):
    path = write(tmp_path, [GOOD[0], "A9,2017-02-01,2017-03-01,9999,,0,mottak,barnefamilie"])
    with pytest.raises(InputError) as e:
        read_register(path, code_map, REGISTER_END)
    assert e.value.column == "kommunenummer" and "unknown kommune" in e.value.message and e.value.line == 3
