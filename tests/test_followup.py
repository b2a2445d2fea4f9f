"""Follow-up studies: a register 2014-2025 with the codes valid at each settlement date (2024 codes
included), the 2024 kommuner (Ålesund/Haram), IMDi's 2024-2025 pages, and the follow-up demo."""

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, copy_build, run_snakemake, study_of

from analysis.core.config import validate_config
from analysis.core.errors import InputError
from analysis.core.kommune import build_code_map, read_crosswalk_2024, read_crosswalk_wide, structure_code_map
from analysis.imdi import scope
from analysis.imdi.public import read_imdi_public_2024
from analysis.imdi.register import read_register, register_counts

HEADER = (
    "person_id,vedtaksdato,bosettingsdato,kommunenummer,bydelsnummer,avtalt_selvbosetting,"
    "kategori,husholdningstype"
)
# every code valid at its settlement date
ROWS = [
    "B01,2013-11-01,2014-02-01,1534,,1,mottak,enslig_voksen",  # Haram before 2020
    "B02,2019-01-10,2019-05-01,1534,,1,mottak,enslig_voksen",  # Haram before 2020
    "B03,2019-02-01,2019-06-01,1504,,1,mottak,barnefamilie",  # Ålesund before 2020
    "B04,2021-01-01,2021-06-01,1507,,1,mottak,barnefamilie",  # Ålesund 2020-2023 (Haram in it)
    "B05,2022-01-01,2022-03-01,3025,,1,privatboende,par_uten_barn",  # Asker 2020-2023
    "B06,2023-10-01,2024-02-01,1580,,1,mottak,enslig_voksen",  # Haram from 2024
    "B07,2024-01-01,2024-03-01,1508,,0,mottak,barnefamilie",  # Ålesund from 2024
    "B08,2024-05-01,2025-06-01,3203,,1,mottak,enslig_voksen",  # Asker from 2024
    "B09,2025-01-01,2025-12-31,0301,030101,1,mottak,enslig_voksen",  # Oslo, Gamle Oslo
]
SPLIT_TO = {"1613": "5059", "5012": "5059", "1850": "1806"}


def _code_map(shared_dir, structure, split_to_2024=None):
    data = shared_dir / "data" / "crosswalk"
    cm20 = build_code_map(read_crosswalk_wide(data / "alle_kommunenummer_fra2013_til2020_wide.csv"), SPLIT_TO)
    cfg = validate_config({"demo": True, "inputs": {}}, ROOT / "workflow/schemas/config.schema.yaml")
    rule = cfg["harmonisation"]["split_to_2024"] if split_to_2024 is None else split_to_2024  # the schema's
    return structure_code_map(cm20, structure, read_crosswalk_2024(data / "kommune_2020_to_2024.csv"), rule)


def _register(tmp_path, shared_dir, structure, rows=ROWS):
    p = tmp_path / "reg.csv"
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    study = study_of(study_years=[2014, 2025], register_end="2025-12-31", kommune_structure=structure)
    cm = _code_map(shared_dir, structure)
    reg, ledger = read_register(str(p), cm, study.register_end, start=study.register_start, mapping={})
    return reg, ledger, study


def test_register_2014_2025_harmonised_to_the_2024_kommuner(tmp_path, shared_dir):
    reg, ledger, study = _register(tmp_path, shared_dir, 2024)
    k = dict(zip(reg["person_id"], reg["kommunenummer_2020"]))
    # pre-2020 Haram is 2024 Haram; Ålesund before 2024 (1504, 1507) goes whole to 2024 Ålesund
    assert k == {
        "B01": "1580",
        "B02": "1580",
        "B03": "1508",
        "B04": "1508",
        "B05": "3203",
        "B06": "1580",
        "B07": "1508",
        "B08": "3203",
        "B09": "0301",
    }
    assert ledger["rows"].sum() == len(ROWS)
    assert "harmonised to 2024 kommuner" in " ".join(ledger["reason"])
    counts = register_counts(reg)
    t = scope.units_practising(counts, None, scope.register_period(counts, study))
    units = {int(y): v for y, s, v in zip(t["year"], t["series"], t["value"]) if s == "units_practising"}
    assert units == {2014: 1, 2019: 2, 2021: 1, 2022: 1, 2024: 1, 2025: 2}
    # a register from 2014: its own 2014 and 2015 rows, not the annual report's or the public file's
    annual = pd.DataFrame(
        {
            "year": ["2015"],
            "measure": ["units_practising"],
            "group": ["all"],
            "value": [97.0],
            "source": ["x"],
        }
    )
    reg15, _, _ = _register(
        tmp_path, shared_dir, 2024, ROWS + ["B10,2015-01-01,2015-02-01,0301,030101,1,mottak,enslig_voksen"]
    )
    c15 = register_counts(reg15)
    t15 = scope.units_practising(c15, annual, scope.register_period(c15, study))
    assert t15.loc[(t15["year"] == "2015") & (t15["series"] == "units_practising"), "value"].tolist() == [1.0]
    f = scope.settlement_overview(counts, None, None, scope.register_period(counts, study))
    asb = {y: v for y, s, v in zip(f["year"], f["series"], f["value"]) if s == "asb"}
    assert asb["2019"] == 2 and asb["2024"] == 1 and asb["2014-2025"] == 8
    # register_end 31 December: no partial year; the years after the report's period are marked
    notes = {y: n for y, n in zip(f["year"], f["note"]) if y.isdigit()}
    assert notes == {
        "2014": "",
        "2019": "",
        "2021": "",
        "2022": "etter_rapporten",
        "2024": "etter_rapporten",
        "2025": "etter_rapporten",
    }


def test_register_2014_2025_on_the_2020_kommuner(tmp_path, shared_dir):
    reg, _, _ = _register(tmp_path, shared_dir, 2020)
    k = dict(zip(reg["person_id"], reg["kommunenummer_2020"]))
    assert {k[p] for p in ("B01", "B02", "B03", "B04", "B06", "B07")} == {"1507"}
    assert k["B05"] == k["B08"] == "3025"


def test_register_rejects_settlement_before_the_first_study_year_and_unknown_codes(tmp_path, shared_dir):
    with pytest.raises(InputError, match="outside the study period 2014-01-01..2025-12-31"):
        _register(
            tmp_path,
            shared_dir,
            2024,
            ROWS + ["B10,2013-01-01,2013-12-31,0301,030101,0,mottak,enslig_voksen"],
        )
    with pytest.raises(InputError, match="valid in no year"):
        _register(
            tmp_path, shared_dir, 2024, ROWS + ["B10,2024-01-01,2024-02-01,3099,,0,mottak,enslig_voksen"]
        )


def test_split_2024_rule_must_name_a_successor(shared_dir):
    with pytest.raises(ValueError, match="split_to_2024 must name one of"):
        _code_map(shared_dir, 2024, split_to_2024={"1507": "1508"})  # 1534 etc. left unassigned
    with pytest.raises(ValueError, match="not one of"):
        _code_map(
            shared_dir,
            2024,
            split_to_2024={**dict.fromkeys(["1504", "1523", "1529", "1546", "1534"], "1508"), "1507": "1520"},
        )


def test_imdi_2024_2025_pages_read_as_published(shared_dir):
    raw = read_imdi_public_2024(
        str(shared_dir / "data" / "imdi" / "imdi_bosettingstall_kommune_2024-2025.csv")
    )
    cell = raw.set_index(["year", "code", "measure"])
    assert cell.loc[(2024, "0301", "avtalt"), "antall"] == 105
    assert cell.loc[(2024, "0301", "bosatt"), "antall"] == 1539
    sums = raw[raw["status"] == "value"].groupby(["year", "measure"])["antall"].sum()
    # PROVENANCE.md: the kommune rows sum to IMDi's national requests and decisions
    assert sums[(2024, "anmodning")] == 37000 and sums[(2024, "vedtak")] == 28340
    assert sums[(2025, "anmodning")] == 12640 and sums[(2025, "vedtak")] == 15631
    assert (raw.loc[raw["status"] == "suppressed", "antall"].isna()).all()


@pytest.mark.e2e
def test_followup_demo_equals_the_default_build_for_the_reports_years(demo_build, tmp_path):
    """The follow-up demo (examples/followup.yaml) built to its register tables: its register is
    the default demo's up to 2021-03-31, its totals after that IMDi's real public counts, and its
    numbers for the report's own full years equal the default build's."""
    main = copy_build(demo_build, tmp_path)  # the follow-up run beside a copy of the shared build
    targets = [
        f"reports/runs/followup/tables/{t}.csv"
        for t in (
            "tab_2_1",
            "fig_2_1",
            "tab_12_1",
            "x_agreed_published",
            "x_tab_9_1_2026",  # the third wave's non-response on the 2024 kommuner
            "x_survey_change_2021_2026",
        )
    ]
    run_snakemake(
        main, *targets, "--configfile", "examples/followup.yaml"
    )  # targets first: --configfile takes many
    fu = main / "reports" / "runs" / "followup" / "tables"
    default = main / "reports" / "tables"
    change = pd.read_csv(fu / "x_survey_change_2021_2026.csv", dtype=str, keep_default_na=False)
    assert len(change) > 20 and {"value_2021", "value_2026"} <= set(change.columns)
    assert (pd.read_csv(fu / "x_tab_9_1_2026.csv")["n"].dropna() > 0).any()

    def rows(path, entry):
        df = pd.read_csv(path / f"{entry}.csv", dtype=str, keep_default_na=False)
        return df[df["year"].isin([str(y) for y in range(2016, 2021)])].drop(
            columns=["note"], errors="ignore"
        )

    a, b = rows(default, "fig_2_1"), rows(fu, "fig_2_1")  # national counts: any structure
    a = a[a["source"] == "register"].reset_index(drop=True)
    b = b[b["source"] == "register"].reset_index(drop=True)
    assert len(a) > 10
    pd.testing.assert_frame_equal(a, b)
    # units: the 2024 kommuner split 2020 Ålesund into Ålesund and Haram, so a year in which both
    # practised has one unit more; every other unit is the same
    reg = pd.read_parquet(main / "data/processed/runs/followup/register.parquet")
    asb = reg[(reg["avtalt_selvbosetting"] == 1) & reg["kommunenummer_2020"].isin(["1508", "1580"])]
    extra = asb.groupby("year")["kommunenummer_2020"].nunique().sub(1).clip(lower=0)
    a, b = rows(default, "tab_2_1"), rows(fu, "tab_2_1")
    key = ["year", "series"]
    a = a[a["source"] == "register"].set_index(key)["value"].astype(float)
    b = b[b["source"] == "register"].set_index(key)["value"].astype(float)
    assert len(a) == 15 and list(a.index) == list(b.index)
    for (year, series), v in a.items():
        if series == "units_practising":
            assert b[(year, series)] == v + extra.get(int(year), 0), (year, series)
        elif series == "oslo_bydeler_practising":
            assert b[(year, series)] == v, (year, series)
    t12 = pd.read_csv(fu / "tab_12_1.csv", dtype=str, keep_default_na=False)
    d12 = pd.read_csv(default / "tab_12_1.csv", dtype=str, keep_default_na=False)
    assert sorted(set(t12["year"]) - {""}) == ["2016", "2025"]
    first = ["rank", "value"]
    assert (
        t12.loc[t12["year"] == "2016", first].values.tolist()
        == d12.loc[d12["year"] == "2016", first].values.tolist()
    )
    pub = pd.read_csv(fu / "x_agreed_published.csv", dtype=str, keep_default_na=False)
    assert pub[["year", "series", "kommune", "value"]].values.tolist() == [
        ["2024", "imdi_published", "Oslo", "105.0"],
        ["2024", "register", "Oslo", "105.0"],
    ]
    # the register itself: the default's rows up to 2021-03-31, byte for byte
    with open(main / "data/raw/demo/register.csv", encoding="utf-8") as fh:
        base = fh.read().splitlines()
    with open(main / "data/raw/demo/runs/followup/register.csv", encoding="utf-8") as fh:
        fol = fh.read().splitlines()
    assert fol[: len(base)] == base
    later = list(csv.DictReader(fol[:1] + fol[len(base) :]))
    assert later and min(r["bosettingsdato"] for r in later) > "2021-03-31"
    # after the report's register: settled per code and year = IMDi's public counts (not suppressed)
    got = pd.DataFrame(later).assign(year=lambda d: d["bosettingsdato"].str[:4].astype(int))
    got = got[got["year"] >= 2022].groupby(["year", "kommunenummer"]).size()
    pub = pd.read_parquet(main / "data/processed/runs/followup/imdi_public.parquet")
    pub = pub[(pub["measure"] == "bosatt") & (pub["status"] == "value") & (pub["year"] >= 2022)]
    pub = pub[(pub["antall"] > 0) & (pub["code"] != "9999")].set_index(["year", "code"])["antall"]
    assert len(pub) > 600 and (got.reindex(pub.index).fillna(0) == pub).all()
    assert set(got.index.get_level_values(1)[got.index.get_level_values(0) >= 2024]) >= {
        "1580",
        "1508",
        "3203",
    }


def test_followup_example_is_the_documented_one():
    text = Path(ROOT / "README.md").read_text(encoding="utf-8")
    assert "./run.sh report --configfile examples/followup.yaml" in text
