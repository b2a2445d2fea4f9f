"""Register aggregations: units practising, > 3, top ten with ties (compared as sets), shares."""

import pandas as pd
import pytest
from conftest import study_of

from analysis.imdi.register import register_counts
from analysis.imdi.scope import (
    asb_per_1000,
    asb_share,
    place_protected,
    register_period,
    resettlement_overview,
    settlement_overview,
    top_ten,
    units_practising,
)
from analysis.report.reproduction import scorecard

NAMES = {
    "0301": "Oslo",
    "4601": "Bergen",
    "1103": "Stavanger",
    "1127": "Randaberg",
    "3021": "Ås",
    "3024": "Bærum",
}


def person(i, year, k20, asb, unit=None, kategori="mottak"):
    return {
        "person_id": f"P{i}",
        "year": year,
        "kommunenummer_2020": k20,
        "unit_id": unit or k20,
        "avtalt_selvbosetting": asb,
        "kategori": kategori,
        "husholdningstype": "enslig_voksen",
        "wait_months": 3.0,
    }


SPEC = [  # year, kommune, unit, asb count, others
    (2016, "0301", "030101", 5, 5),
    (2016, "0301", "030112", 2, 0),
    (2016, "4601", "4601", 4, 4),
    (2016, "1103", "1103", 1, 9),
    (2020, "0301", "030101", 3, 0),
    (2020, "3024", "3024", 3, 1),
    (2020, "1127", "1127", 3, 0),
    (2020, "3021", "3021", 3, 0),
    (2020, "4601", "4601", 0, 6),
]


def _period():
    return register_period(small_register(), study_of())


def small_register():
    return register_counts(pd.DataFrame(small_register_rows()))  # what the tables take: persons per cell


def test_units_practising_counts_bydeler_separately_and_more_than_3():
    t = units_practising(small_register(), None, _period()).set_index(["year", "series"])["value"]
    assert t[("2016", "units_practising")] == 4  # 2 Oslo bydeler + Bergen + Stavanger
    assert t[("2016", "oslo_bydeler_practising")] == 2
    assert t[("2016", "units_more_than_3")] == 2  # bydel 030101 (5), Bergen (4)
    assert t[("2020", "units_practising")] == 4
    assert t[("2020", "units_more_than_3")] == 0


def test_top_ten_oslo_as_one_kommune_with_ties():
    t = top_ten(small_register(), NAMES, (2016, 2020), k=2)
    y16 = t[(t["year"] == "2016") & (t["rank"] != "")]
    assert y16[["rank", "kommune", "value"]].values.tolist() == [["1", "Oslo", 7.0], ["2", "Bergen", 4.0]]
    y20 = t[(t["year"] == "2020") & (t["rank"] != "")]
    # four kommuner tied at 3: ranks 1-4, all kept although k = 2
    assert sorted(y20["kommune"]) == ["Bærum", "Oslo", "Randaberg", "Ås"]
    assert y20["tie_at_cutoff"].tolist() == [False, False, True, True]
    both = t[t["kommune"] == "municipalities in the top ten in both years"]["value"].item()
    assert both == 1  # Oslo


def test_scorecard_compares_tied_ranks_as_sets():
    t = top_ten(small_register(), NAMES, (2016, 2020))
    pub = {
        "entries": [
            {
                "id": "tab_12_1",
                "reproduction": "compute",
                "values": [
                    {
                        "year": 2020,
                        "rank": 1,
                        "kommune": "Ås",
                        "value": 3,
                        "status": "exact",
                    },  # tied block 1-4
                    {"year": 2020, "rank": 4, "kommune": "Bærum", "value": 3, "status": "exact"},
                    {
                        "year": 2016,
                        "rank": 2,
                        "kommune": "Stavanger",
                        "value": 1,
                        "status": "exact",
                    },  # not tied: rank 3
                ],
            }
        ]
    }
    card = scorecard(pub, {"tab_12_1": t})
    assert card["verdict"].tolist() == ["match", "match", "missing"]
    assert "as a set" in card["note"].iloc[0]


def test_overview_shares_and_resettlement():
    reg = small_register()
    f = settlement_overview(reg, None, None, _period()).set_index(["year", "series"])["value"]
    assert f[("2016", "asb")] == 12 and f[("2016", "total_settled")] == 30
    assert f[("2016", "asb_pct")] == pytest.approx(40.0)
    assert f[("2016-2021", "asb")] == 24
    r = resettlement_overview(reg, None, _period()).set_index(["year", "series"])["value"]
    assert r[("2020", "resettlement")] == 1 and r[("2020", "resettlement_pct")] == pytest.approx(100 / 20)
    s = asb_share(reg, NAMES).set_index(["year", "kommune"])
    assert s.loc[("2016", "Bergen"), "value"] == pytest.approx(50.0)
    assert s.loc[("2016", "Oslo"), "n"] == 12


def test_scope_protection_hides_small_counts_and_their_rank():
    from analysis.core.protection import apply_plan
    from analysis.imdi import disclosure, maps

    persons = pd.DataFrame(small_register_rows())
    counts = register_counts(persons)
    kommuner = small_kommuner()
    k_cls = maps.classify(counts, list(NAMES), "kommunenummer_2020")
    tables = {
        "tab_12_1": top_ten(counts, NAMES, (2016, 2020)),
        "x_asb_per_1000": asb_per_1000(counts, kommuner, k_cls, _period(), 2020),
        "fig_2_2_map": maps.map_table(k_cls, k_cls.iloc[:0]),
    }
    plan = disclosure.plan(persons, tables, threshold=3)
    out, k_cls, _ = place_protected(apply_plan(tables, plan, 3), k_cls, k_cls.iloc[:0])
    p = out["tab_12_1"]
    y16 = p[(p["year"] == "2016") & (p["rank"] != "")]
    # Stavanger (1) is primary; with the sum of the top ten, Bergen (4) would give it away: both
    # leave the ranking, which is 1..m over the rows shown, and the sum is hidden
    assert y16["kommune"].tolist() == ["Oslo"] and y16["rank"].tolist() == ["1"]
    assert p.loc[(p["year"] == "2016") & (p["kommune"] == "sum of top ten"), "value_label"].item() == "x"
    x = out["x_asb_per_1000"]
    hidden = x[x["asb_label"] != ""]
    assert hidden["kommunenummer"].tolist() == sorted(hidden["kommunenummer"])  # last, by code
    assert x.tail(len(hidden)).equals(hidden) and hidden["value"].isna().all()
    assert (hidden["category"] == "protected").all()
    assert "1–2" in set(hidden["asb_label"])


def small_kommuner():
    """The six kommuner of SPEC with their names and a population each."""
    return pd.DataFrame(
        {
            "kommunenummer": list(NAMES),
            "kommunenavn": list(NAMES.values()),
            "fylkesnavn": "F",
            "folkemengde_2020_01_01": [700000, 285000, 144000, 11000, 20000, 128000],
        }
    )


def small_register_rows():
    rows, i = [], 0
    for year, k, u, a, o in SPEC:
        for flag, count in ((1, a), (0, o)):
            for _ in range(count):
                i += 1
                rows.append(person(i, year, k, flag, u))
    rows.append(person(999, 2020, "4601", 0, kategori="overforing"))
    return rows


def test_values_before_protection_read_back_as_built(tmp_path):
    """Rule protection writes the scope and waiting values it built (issue 26: built once) and
    the stage rules read them: every frame comes back equal, dtypes included, and applying a plan
    to what was read publishes byte for byte what applying it to the built values does."""
    from analysis.core.protection import apply_plan, read_unprotected, write_unprotected
    from analysis.core.tidy import write_tidy
    from analysis.imdi import disclosure, maps, scope, waiting

    persons = pd.DataFrame(small_register_rows())
    counts = register_counts(persons)
    kommuner = small_kommuner()
    k_cls = maps.classify(counts, list(NAMES), "kommunenummer_2020")
    b_cls = maps.classify(counts, ["030101", "030112"], "unit_id")
    built = scope.Unprotected(
        {
            "tab_12_1": top_ten(counts, NAMES, (2016, 2020)),
            "x_asb_per_1000": asb_per_1000(counts, kommuner, k_cls, _period(), 2020),
            "fig_2_2_map": maps.map_table(k_cls, b_cls),
            "fig_2_1": settlement_overview(counts, None, None, _period()),
        },
        k_cls,
        b_cls,
        [2016, 2020],
    )
    summary = waiting.wait_summary(persons)
    built_w = waiting.Unprotected({"x_waiting_distribution": waiting.distribution(summary)}, [2016, 2020])
    for stage, values in (("scope", built), ("waiting", built_w)):
        paths = [tmp_path / stage / f"{name}.parquet" for name in values.frames()]
        write_unprotected(values.frames(), paths)
        named = {f"unprotected_{p.stem}": str(p) for p in paths} | {"plan": "elsewhere.csv"}
        back = type(values).from_frames(read_unprotected(named))
        assert set(back.tables) == set(values.tables) and back.years == values.years
        for name, frame in values.frames().items():
            pd.testing.assert_frame_equal(back.frames()[name], frame, check_exact=True)
        with pytest.raises(ValueError, match="do not match"):
            write_unprotected(values.frames(), paths[1:])
    read = scope.Unprotected.from_frames(
        read_unprotected({f"unprotected_{p.stem}": str(p) for p in (tmp_path / "scope").glob("*.parquet")})
    )
    plan = disclosure.plan(persons, built.tables, threshold=3)
    assert (plan["status"] != "").any()  # something is hidden: the comparison has teeth
    for name, values in (("built", built), ("read", read)):
        tables, _, _ = place_protected(apply_plan(values.tables, plan, 3), values.k_cls, values.b_cls)
        for eid, t in tables.items():
            write_tidy(t, tmp_path / name / f"{eid}.csv", synthetic=True)
    for eid in built.tables:
        assert (tmp_path / "read" / f"{eid}.csv").read_bytes() == (
            tmp_path / "built" / f"{eid}.csv"
        ).read_bytes()
