"""The protection layer's engine on small hand-checkable tables (docs/decisions/0020)."""

import numpy as np
import pandas as pd
from conftest import shown_register_cells, study_of

from analysis.core.protection import Cell, apply_plan, decide, gauss_secondary, protect_counts


def test_primary_cells_become_a_range_and_lose_their_value():
    df = pd.DataFrame({"year": ["2020"] * 5, "kommune": list("abcde"), "value": [51.0, 40.0, 2.0, 1.0, 0.0]})
    out = protect_counts(df, threshold=3, group_cols=["year"])
    assert out["value_label"].tolist()[2:] == ["1–2", "1–2", "0"]
    assert out["value"].isna().tolist()[2:] == [True, True, False]
    # total minus the shown cells would give 2 + 1 = 3, pinning one range at 1 and one at 2:
    # the smaller shown cell is hidden too
    assert out["protected"].tolist() == ["", "secondary", "primary", "primary", ""]


def test_a_lone_protected_cell_gets_a_secondary_partner():
    df = pd.DataFrame(
        {
            "year": ["2016"] * 4 + ["2020"] * 2,
            "kommune": list("abcdab"),
            "value": [205.0, 2.0, 40.0, 34.0, 5.0, 9.0],
        }
    )
    out = protect_counts(df, threshold=3, group_cols=["year"])
    assert out["protected"].tolist() == ["", "primary", "", "secondary", "", ""]
    assert out["value_label"].tolist() == ["205", "1–2", "40", "x", "5", "9"]


def test_a_cell_already_derivable_is_shown_and_a_derivable_hidden_group_is_not_allowed():
    # inner cells a, b, c; published: a+b+c (total), a+b, c, a; a is primary
    v = np.array([[1, 1, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]])
    sec = gauss_secondary(v, [False, False, False, True], order=[0, 1, 2])
    # total first; a+b next is safe; c = total - (a+b) is derivable already, so shown
    assert sec.tolist() == [False, False, False, False]
    # c a small group no table may reveal: a+b would give it as total - (a+b), and c is it
    sec = gauss_secondary(v[:3], [False, False, False], order=[0, 1, 2], hidden=np.array([[0, 0, 1]]))
    assert sec.tolist() == [False, True, True]


def test_small_n_statistics_and_linked_spaces():
    # two groups' means and the total's: the small group's mean follows from the others
    vec = np.eye(2, dtype=np.int64)
    cells = [
        Cell("t", 0, "value", "stat", space="m", members=np.array([1, 1]), n=101),
        Cell("t", 1, "value", "stat", space="m", members=vec[0], n=1),
        Cell("t", 2, "value", "stat", space="m", members=vec[1], n=100),
        Cell("t", 3, "value", "derived", sources=[1]),
    ]
    status = decide(cells, {"m": np.array([1, 100])}, threshold=3)
    assert status == ["", "small_n", "secondary", "secondary"]


def test_plan_application_checks_the_row_keys():
    t = pd.DataFrame(
        {
            "year": ["2020", "2021"],
            "series": ["a", "a"],
            "kommune": ["", ""],
            "group": ["", ""],
            "value": [5.0, 1.0],
            "n": pd.array([10, 1], dtype="Int64"),
        }
    )
    plan = pd.DataFrame(
        {
            "entry_id": ["t", "t"],
            "row": ["1", "1"],
            "year": ["2021", "2021"],
            "series": ["a", "a"],
            "kommune": ["", ""],
            "group": ["", ""],
            "column": ["value", "n"],
            "status": ["small_n", "primary"],
        }
    )
    out = apply_plan({"t": t}, plan, 3)["t"]
    assert out["value_label"].tolist() == ["", "n<3"] and out["n_label"].tolist() == ["", "1–2"]
    assert pd.isna(out.loc[1, "value"]) and pd.isna(out.loc[1, "n"]) and out.loc[0, "n"] == 10
    bad = plan.assign(year="2020")
    try:
        apply_plan({"t": t}, bad, 3)
    except ValueError as err:
        assert "does not fit" in str(err)
    else:
        raise AssertionError("a plan for other rows was applied")


def test_a_hidden_number_in_the_running_text_shows_its_label():
    from analysis.report.numbers import fmt_number, fmt_pct
    from analysis.report.render import Tables

    t = pd.DataFrame({"year": ["2018", "2019"], "value": [np.nan, 6.0], "value_label": ["1–2", ""]})
    tables = Tables({"t": t})
    hidden, shown = tables.value("t", year=2018), tables.value("t", year=2019)
    assert fmt_number(hidden, 0, "no") == "1–2" and fmt_pct(hidden, 1, "no") == "1–2"
    assert fmt_number(shown, 0, "no") == "6" and hidden != hidden  # NaN in arithmetic


def test_tabell_9_1_settlement_rows_follow_the_period_count_and_hide_small_differences():
    from analysis.core.tidy import tidy
    from analysis.survey.nonresponse import protect_settlement_rows

    def rows(item, total, responded):
        return [
            {"item": item, "category": "responded", "value": 100 * responded / total, "n": total},
            {"item": item, "category": "count_responded", "value": float(responded)},
            {"item": item, "category": "count_total", "value": float(total)},
        ]

    t = tidy("tab_9_1", rows("asb_settlements", 10, 6) + rows("all_settlements", 100, 99))
    plan = pd.DataFrame(
        {
            "entry_id": ["fig_2_1"],
            "year": ["2016-2021"],
            "series": ["asb"],
            "column": ["value"],
            "status": ["x"],
        }
    )
    out = protect_settlement_rows(t, plan, 3)
    # asb: its period total is hidden in fig_2_1, so every asb row is; all: 1 not responding
    assert out["value"].isna().all() and out["n"].isna().all()
    assert set(out["value_label"]) == {"x"}
    shown = protect_settlement_rows(t, plan.assign(status=""), 3)
    assert shown.loc[shown["item"] == "asb_settlements", "value"].notna().all()


# --- two releases over the same years (protection.previous_release, issue 27) -----------------


def _release_register(seed=7):
    """Persons 2016-2021 (to 30 June) in eight kommuner, many of them in cells of 1-2."""
    rng = np.random.default_rng(seed)
    kommuner = ["0301", "4601", "1103", "1127", "3021", "3024", "5001", "1806"]
    rows = []
    for i in range(700):
        year = int(rng.integers(2016, 2022))
        month = int(rng.integers(1, 7 if year == 2021 else 13))
        k = kommuner[min(int(rng.geometric(0.35)) - 1, len(kommuner) - 1)]
        rows.append(
            {
                "person_id": f"P{i}",
                "year": year,
                "bosettingsdato": f"{year}-{month:02d}-15",
                "kommunenummer_2020": k,
                "unit_id": k,
                "avtalt_selvbosetting": int(rng.random() < 0.3),
                "kategori": "overforing" if rng.random() < 0.1 else "mottak",
                "husholdningstype": "enslig_voksen" if rng.random() < 0.6 else "barnefamilie",
                "wait_months": float(rng.integers(1, 12)),
            }
        )
    return pd.DataFrame(rows), kommuner


def _release_tables(persons, kommuner):
    from analysis.imdi import maps, scope
    from analysis.imdi.register import register_counts

    counts = register_counts(persons.drop(columns=["bosettingsdato", "husholdningstype", "wait_months"]))
    k = pd.DataFrame(
        {
            "kommunenummer": kommuner,
            "kommunenavn": kommuner,
            "fylkesnavn": "F",
            "folkemengde_2020_01_01": 10000,
        }
    )
    k_cls = maps.classify(counts, kommuner, "kommunenummer_2020")
    period = scope.register_period(counts, study_of())
    return {
        "fig_2_1": scope.settlement_overview(counts, None, None, period),
        "tab_2_1": scope.units_practising(counts, None, period),
        "x_asb_per_1000": scope.asb_per_1000(counts, k, k_cls, period, 2020),
    }


def _published(tables, plan, tmp_path, name):
    """The tables as a release publishes them (CSV text, protected cells as labels)."""
    out = {}
    for eid, df in apply_plan(tables, plan, 3).items():
        path = tmp_path / f"{name}_{eid}.csv"
        df.to_csv(path, index=False)
        out[eid] = pd.read_csv(path, dtype=str, keep_default_na=False)
    return out


def test_a_later_release_hides_what_the_earlier_hid_and_no_difference_gives_a_small_count(tmp_path):
    from analysis.imdi import disclosure

    persons, kommuner = _release_register()
    early = persons[persons["bosettingsdato"] <= "2021-03-31"].reset_index(drop=True)
    t_old = _release_tables(early, kommuner)
    old = _published(t_old, disclosure.plan(early, t_old, 3), tmp_path, "old")
    t_new = _release_tables(persons, kommuner)
    # without the earlier release: the later one differs from it by counts of 1-2 (the attack)
    alone = shown_register_cells(_published(t_new, disclosure.plan(persons, t_new, 3), tmp_path, "alone"))
    before = shown_register_cells(old)

    def is_count(k):  # person counts (shares, rates and unit counts are not)
        eid, key, col = k
        return col in ("asb", "settled", "n") or (
            eid == "fig_2_1" and key[1] in ("total_settled", "asb", "ordinary")
        )

    def small_differences(after):
        return [
            k
            for k, v in after.items()
            if is_count(k)
            and isinstance(v, float)
            and isinstance(before.get(k), float)
            and 0 < abs(v - before[k]) < 3
        ]

    assert small_differences(alone)
    plan = disclosure.plan(persons, t_new, 3, (old, "2021-03-31"))
    after = shown_register_cells(_published(t_new, plan, tmp_path, "new"))
    assert not small_differences(after)
    hidden_before = {k for k, v in before.items() if isinstance(v, str)}
    assert hidden_before and all(isinstance(after[k], str) for k in hidden_before)
    # the years both releases cover in full: the same cells hidden
    full = [k for k in before if k[1][0] in {"2016", "2017", "2018", "2019", "2020"}]
    assert len(full) > 20
    assert [k for k in full if isinstance(before[k], str) != isinstance(after[k], str)] == []


def test_the_ledger_shows_no_register_count_of_one_or_two():
    """The row ledger's register counts are person counts (issue 27): "Oslo settlement without
    bydelsnummer: 1" is a range, and with the used total (Figur 2.1's period count) known, a
    second used row is hidden so that the range is not the total minus the rest."""
    from analysis.core.ledger import protect

    table = pd.DataFrame(
        {
            "series": ["register", "register", "register", "register", "survey_2021"],
            "category": ["used", "used", "used", "excluded", "excluded"],
            "item": ["settled", "split kommune", "Oslo without bydel", "outside period", "no answer"],
            "value": [5000.0, 7.0, 1.0, 40.0, 1.0],
        }
    )
    out = protect(table, 3, period_hidden=False)
    assert out["value_label"].tolist() == ["", "x", "1–2", "", ""]
    assert out["value"].isna().tolist() == [False, True, True, False, False]
    assert out.loc[4, "value"] == 1.0  # a survey respondent is not a register person
    # the plan hides the period count: every used row goes with it
    hidden = protect(table, 3, period_hidden=True)
    assert hidden["value_label"].tolist()[:4] == ["x", "x", "1–2", ""]


def test_the_register_count_beside_the_published_one_follows_the_plan(tmp_path):
    """x_agreed_published (a follow-up): the register's Oslo count of the year is a cell of the
    plan (docs/decisions/0175). In 2020 Oslo has 5 agreed self-settlements, Bergen 1: Tabell
    12.1 ranks both and shows their sum 6, so Bergen's 1 is a range and Oslo's 5 is hidden
    ("x", else 6 - 5 = 1). The same 5 beside IMDi's published count is hidden with it; without
    Tabell 12.1 nothing gives Bergen back and the 5 is shown."""
    from analysis.imdi import disclosure, scope, series
    from analysis.imdi.register import register_counts

    persons = pd.DataFrame(
        [
            {
                "person_id": f"P{i}",
                "year": 2020,
                "bosettingsdato": "2020-06-15",
                "kommunenummer_2020": k,
                "unit_id": k,
                "avtalt_selvbosetting": 1,
                "kategori": "mottak",
                "husholdningstype": "enslig_voksen",
                "wait_months": 3.0,
            }
            for i, k in enumerate(["0301"] * 5 + ["4601"])
        ]
    )
    counts = register_counts(persons.drop(columns=["bosettingsdato", "husholdningstype", "wait_months"]))
    names = {"0301": "Oslo", "4601": "Bergen"}
    imdi = pd.DataFrame(
        {
            "measure": ["avtalt"],
            "status": ["value"],
            "year": [2020],
            "kommunenummer_2020": ["0301"],
            "antall": [105],
        }
    )
    agreed = series.published_agreed(imdi, counts, names)
    tables = {"tab_12_1": scope.top_ten(counts, names, (2020, 2020)), "x_agreed_published": agreed}

    def oslo(published, eid):
        t = published[eid]
        row = t[(t["kommunenummer"] == "0301") & (t.get("source", "register") == "register")]
        return row["value_label"].iloc[0] if "value_label" in t.columns else "", row["value"].iloc[0]

    both = _published(tables, disclosure.plan(persons, tables, 3), tmp_path, "both")
    assert oslo(both, "tab_12_1") == ("x", "")
    assert oslo(both, "x_agreed_published") == ("x", "")
    alone = {"x_agreed_published": agreed}
    shown = _published(alone, disclosure.plan(persons, alone, 3), tmp_path, "alone")
    assert oslo(shown, "x_agreed_published") == ("", "5.0")
