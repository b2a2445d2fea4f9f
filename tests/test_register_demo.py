"""The demo register: real public totals, calibrated so that the published register numbers hold."""

import pytest
import yaml
from conftest import DEFAULTS, REFERENCE, REGISTER_END, ROOT, SPLIT_TO, study_of

from analysis.core.kommune import build_code_map, load_kommuner_2020, read_crosswalk_wide
from analysis.demo.register import _persons, asb_plan, generate, settled_counts
from analysis.imdi import maps, scope, waiting
from analysis.imdi.public import read_imdi_public, select_persons
from analysis.imdi.register import read_register, register_counts
from analysis.official.imdi_annual import read_imdi_annual
from analysis.report.reproduction import scorecard

ENTRIES = [
    "tab_2_1",
    "tab_12_1",
    "fig_2_1",
    "fig_2_2_resettlement",
    "tab_4_1",
    "tab_4_2",
    "text_ch4_1_3_bergen_oslo_asb_share",
    "text_ch4_1_1_asb_waiting_time",
    "text_ch4_1_waiting_time_detail",
    "text_ch10_1_1_bergen_2018_2019",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, shared_dir):
    data = shared_dir / "data"
    wide = read_crosswalk_wide(data / "crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv")
    code_map = build_code_map(wide, SPLIT_TO)
    path = str(data / "imdi/imdi_bosatt_anmodede_kommune_1995-2023.csv")
    public, _ = select_persons(read_imdi_public(path), (2014, 2021), code_map, path)
    raw = generate(public, wide, DEFAULTS["seed"], REGISTER_END)
    csv = tmp_path_factory.mktemp("demo") / "register.csv"
    raw.to_csv(csv, index=False)
    reg, ledger = read_register(str(csv), code_map, REGISTER_END)
    return public, raw, reg.to_pandas(), ledger, data


def test_demo_register_totals_equal_public_totals(demo):
    public, raw, reg, ledger, _ = demo
    pub = public[public["measure"] == "bosatt"].assign(sup=lambda d: d["status"] == "suppressed")
    pub = pub.groupby(["year", "kommunenummer_2020"]).agg(n=("antall", "sum"), sup=("sup", "any"))
    got = reg.groupby(["year", "kommunenummer_2020"]).size()
    for year in (2017, 2018, 2019):  # no adjustments: every published kommune total is reproduced
        p = pub.loc[year]
        exact, supp = p[~p["sup"]], p[p["sup"]]
        assert (got.loc[year].reindex(exact.index).fillna(0) == exact["n"]).all()
        # imputed suppressed cells add 1-4 persons each
        assert (got.loc[year].reindex(supp.index) > supp["n"]).all()
    assert got.loc[2016].sum() == 15284 and got.loc[2020].sum() == 2790
    assert ledger["rows"].sum() == len(raw)


def test_demo_register_is_deterministic(demo, shared_dir):
    public, *_ = demo
    wide = read_crosswalk_wide(shared_dir / "data/crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv")
    a, b = settled_counts(public, wide, 7), settled_counts(public, wide, 7)
    assert a.equals(b) and asb_plan(a, 7).equals(asb_plan(b, 7))
    assert not asb_plan(a, 7).equals(asb_plan(a, 8))


def test_demo_persons_are_the_counts_and_the_plan_one_row_each_sorted(demo, shared_dir):
    public, *_ = demo
    wide = read_crosswalk_wide(shared_dir / "data/crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv")
    counts = settled_counts(public, wide, 7)
    plan = asb_plan(counts, 7)
    p = _persons(counts, plan, 7)
    key = ["year", "kommunenummer", "bydelsnummer", "asb"]
    assert p[key].equals(p.sort_values(key)[key].reset_index(drop=True))
    assert list(p.columns) == key + ["u"] and p["u"].between(0, 1).all()
    got = p.groupby(["year", "kommunenummer"]).size()
    want = counts.groupby(["year", "code"])["n"].sum()
    assert got.sum() == want.sum() and (got.reindex(want.index) == want).all()
    # agreed self-settlements: Oslo's per bydel, the others per 2020 kommune (over its codes)
    k20 = counts.drop_duplicates(["year", "code"]).set_index(["year", "code"])["kommunenummer_2020"]
    asb = p[p["asb"] == 1]
    unit = asb["bydelsnummer"].where(
        asb["kommunenummer"] == "0301", k20.reindex(list(zip(asb["year"], asb["kommunenummer"]))).to_numpy()
    )
    got_asb = asb.groupby([asb["year"], unit]).size()
    want_asb = plan[plan["asb"] > 0].set_index(["year", "unit_id"])["asb"]
    assert got_asb.sort_index().to_dict() == want_asb.sort_index().to_dict()


def test_demo_register_reproduces_published_register_numbers(demo):
    public, raw, reg, ledger, data = demo
    counts, summary = register_counts(reg), waiting.wait_summary(reg)
    annual = read_imdi_annual(str(ROOT / "data/external/imdi_annual.csv"))
    kommuner = load_kommuner_2020(data / "kommuner/kommuner_2020_folkemengde.csv")
    names = scope.kommune_names(kommuner)
    study = study_of()
    period, years = scope.register_period(counts, study), waiting.full_years(summary, study)
    tables = {
        "tab_2_1": scope.units_practising(counts, annual, period),
        "tab_12_1": scope.top_ten(counts, names, (2016, 2020)),
        "fig_2_1": scope.settlement_overview(counts, annual, None, period),
        "fig_2_2_resettlement": scope.resettlement_overview(counts, annual, period),
        "text_ch4_1_3_bergen_oslo_asb_share": scope.asb_share(counts, names),
        "tab_4_1": waiting.settled_within(summary, annual, years),
        "tab_4_2": waiting.mean_wait(summary, annual, years),
        "text_ch4_1_1_asb_waiting_time": waiting.asb_waiting(summary, annual),
        "text_ch4_1_waiting_time_detail": waiting.waiting_detail(summary, annual),
        "text_ch10_1_1_bergen_2018_2019": scope.bergen_counts(counts, annual),
    }
    with open(REFERENCE / "published_results.yaml", encoding="utf-8") as fh:
        published = yaml.safe_load(fh)
    with open(ROOT / "workflow/resources/reproduction_decisions.yaml", encoding="utf-8") as fh:
        decisions = yaml.safe_load(fh)["decisions"]
    card = scorecard(published, tables, decisions, entries=set(ENTRIES))
    checked = card[
        card["status"].isin(["exact", "text"]) & ~((card["entry_id"] == "fig_2_1") & (card["year"] == "2014"))
    ]
    bad = checked[~checked["verdict"].isin(["match", "published_conflict"])]
    assert bad.empty, bad[
        ["entry_id", "year", "series", "kommune", "published", "computed", "verdict"]
    ].to_string()
    assert set(card["entry_id"]) == set(ENTRIES)
    k = maps.classify(counts, list(kommuner["kommunenummer"]), "kommunenummer_2020")
    assert (k["category"] != "never").sum() > 100
