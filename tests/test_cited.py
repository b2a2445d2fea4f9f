import pytest

from analysis.core.errors import InputError
from analysis.official.cited import cited_table, read_cited

M = {"rental_dwellings_granted", "share_earmarked_refugees_pct"}


def test_reads_the_curated_husbanken_file():
    df = read_cited("data/external/husbanken_utleieboliger.csv", M)
    t = cited_table("text_ch12_3_husbanken", df).set_index(["year", "series"])["value"]
    assert t[("2016", "rental_dwellings_granted")] == 2638 and t[("2021", "rental_dwellings_granted")] == 249


@pytest.mark.parametrize(
    "row, column",
    [
        ("2016,rental_dwellings_granted,12,", "source"),
        ("16,rental_dwellings_granted,12,x", "year"),
        ("2016,dwellings,12,x", "measure"),
        ("2016,rental_dwellings_granted,tolv,x", "value"),
    ],
)
def test_bad_rows_are_named(tmp_path, row, column):
    p = tmp_path / "h.csv"
    p.write_text("year,measure,value,source\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_cited(str(p), M)
    assert e.value.line == 2 and e.value.column == column
