"""The claims scorecard: the report's statements checked on tidy tables (report/claims.py)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import SHARED

from analysis.core.messages import Messages, load_messages
from analysis.report import claims as claims_module
from analysis.report.claims import CLAIMS_COLUMNS, claims_scorecard, not_checkable_row

ROOT = Path(__file__).resolve().parents[1]
T_NO = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / "no.yaml"))
T_EN = Messages(load_messages(ROOT / "workflow" / "report" / "messages" / "en.yaml"))


def evaluate_claim(c, tables, t=T_EN, language="en"):
    return claims_module.evaluate_claim(c, tables, t, language, ["cited_input"])


def _table(entry_id, rows):
    cols = ["year", "series", "item", "category", "group", "rank", "kommune"]
    out = []
    for r in rows:
        rec = {"entry_id": entry_id, **{c: "" for c in cols}, "value": float("nan"), "n": pd.NA}
        rec.update({k: (str(v) if k in cols else v) for k, v in r.items()})
        out.append(rec)
    return pd.DataFrame(out)


TABLES = {
    "fig_a": _table(
        "fig_a",
        [
            {"year": 2021, "item": "own", "value": 8.0},
            {"year": 2021, "item": "other", "value": 20.0},
            {"year": 2016, "item": "other", "value": 9.0},
            {"year": 2021, "item": "dup", "value": 1.0},
            {"year": 2021, "item": "dup", "value": 2.0},
            {"year": 2021, "item": "hidden"},
        ],
    ),
    "fig_b": _table("fig_b", [{"year": 2021, "item": "partner", "category": "godt", "value": 21.0}]),
}


def claim(**kw):
    return {"id": "CLX", "entry_id": "fig_a", "tol": 0, **kw}


def test_number_sides_and_the_tolerance_in_the_claims_favour():
    at_most_10 = claim(left={"year": "2021", "item": "own"}, op="<=", right=10)
    assert evaluate_claim(at_most_10, TABLES)["verdict"] == "holds"
    row = evaluate_claim(claim(left={"year": "2021", "item": "own"}, op="<=", right=7.5), TABLES)
    assert (row["verdict"], row["left"], row["right"]) == ("fails", 8.0, 7.5)
    assert (
        evaluate_claim(claim(left={"year": "2021", "item": "own"}, op="<=", right=7.5, tol=0.5), TABLES)[
            "verdict"
        ]
        == "holds"
    )
    strict = claim(left={"year": "2021", "item": "own"}, op=">", right=8)
    assert evaluate_claim(strict, TABLES)["verdict"] == "fails"  # 8 > 8 is false with tol 0


def test_two_selectors_offset_and_approx():
    # 'noen ganger' rose by 11 pp: 20 - 9 = 11 -> right = 9 + 11 = 20, approx with tol 1.5
    rose = claim(
        left={"year": "2021", "item": "other"},
        op="approx",
        right={"year": "2016", "item": "other"},
        offset=11,
        tol=1.5,
    )
    row = evaluate_claim(rose, TABLES)
    assert row["verdict"] == "holds" and row["right"] == 20.0
    rose7 = {**rose, "offset": 7}
    assert evaluate_claim(rose7, TABLES)["verdict"] == "fails"  # 20 vs 16: off by 4 > 1.5
    # a list is summed: 'more than doubled' written as left > right + right
    doubled = claim(
        left={"year": "2021", "item": "other"},
        op=">",
        right=[{"year": "2016", "item": "other"}, {"year": "2016", "item": "other"}],
    )
    assert evaluate_claim(doubled, TABLES)["right"] == 18.0
    assert evaluate_claim(doubled, TABLES)["verdict"] == "holds"


def test_a_selector_may_name_another_entry():
    c = claim(
        left={"year": "2021", "item": "partner", "category": "godt", "entry_id": "fig_b"},
        op="approx",
        right={"year": "2021", "item": "other"},
        tol=1,
    )
    row = evaluate_claim(c, TABLES)  # fig_b's 21 against fig_a's 20: |1| <= 1
    assert (row["verdict"], row["left"], row["right"]) == ("holds", 21.0, 20.0)
    assert evaluate_claim({**c, "tol": 0.5}, TABLES)["verdict"] == "fails"


@pytest.mark.parametrize(
    "left, why",
    [
        ({"year": "2021", "item": "dup"}, "matches 2 rows"),
        ({"year": "2020", "item": "own"}, "matches 0 rows"),
        ({"year": "2021", "item": "hidden"}, "no value"),
        ({"year": "2021", "item": "own", "entry_id": "fig_z"}, "no table fig_z"),
        ({"year": "2021", "colour": "red"}, "not key columns"),
    ],
)
def test_unreadable_sides_leave_the_claim_unresolved(left, why):
    row = evaluate_claim(claim(left=left, op="<", right=10), TABLES)
    assert row["verdict"] == "unresolved" and why in row["note"]
    assert row["left"] is None and row["right"] is None


def test_not_checkable_statements_are_listed_and_contradicted_ones_fail():
    contradicted = {
        "id": "NC9",
        "source_entry": "fig_a",
        "why": "contradicted by the report's own printed shares: 50 + 31 ...",
    }
    other = {"id": "NC1", "source_entry": "fig_b", "why": "no table holds it"}
    assert not_checkable_row(contradicted, T_EN)["verdict"] == "fails"
    assert "50 + 31" in not_checkable_row(contradicted, T_EN)["note"]
    assert "not checkable" not in not_checkable_row(contradicted, T_EN)["note"].lower()
    assert not_checkable_row(other, T_EN)["verdict"] == "unresolved"
    assert not_checkable_row(other, T_EN)["basis"] == "cited"
    doc = {
        "claims": [claim(left={"year": "2021", "item": "own"}, op="<=", right=10)],
        "not_checkable": [other],
    }
    card = claims_scorecard(doc, TABLES, T_EN, "en", [])
    assert list(card.columns) == CLAIMS_COLUMNS
    assert list(card["claim_id"]) == ["CLX", "NC1"] and list(card["verdict"]) == ["holds", "unresolved"]


def test_notes_are_in_the_reports_language_with_rounded_numbers_and_the_tolerance():
    c = claim(
        left={"year": "2021", "item": "other"},
        op="approx",
        right={"year": "2016", "item": "other"},
        offset=10.5,
        tol=1.5,
        phrase_no="Andelen økte med om lag ti prosentpoeng.",
    )
    no = evaluate_claim(c, TABLES, T_NO, "no")
    en = evaluate_claim(c, TABLES, T_EN, "en")
    assert no["note"] == "2021 other = 20 ≈ 2016 other = 9 + 10,5 (toleranse 1,5)"
    assert en["note"] == "2021 other = 20 ≈ 2016 other = 9 + 10.5 (tolerance 1.5)"
    assert no["text"] == "Andelen økte med om lag ti prosentpoeng."
    assert (no["left"], no["right"]) == (20.0, 19.5)  # the raw numbers beside the rounded note
    gone = evaluate_claim(claim(left={"year": "2020", "item": "own"}, op="<", right=10), TABLES, T_NO, "no")
    assert gone["note"] == "fig_a[year=2020, item=own] treffer 0 rader, ikke én"


def test_basis_follows_the_rows_a_claim_reads():
    tables = {
        "mix": pd.DataFrame(
            {
                "entry_id": "mix",
                **{c: "" for c in ["year", "series", "item", "category", "group", "rank", "kommune"]},
                "item": ["reg", "pub", "quote", "role"],
                "value": [1.0, 2.0, 3.0, 4.0],
                "n": pd.NA,
                "source": ["register", "imdi_public", "UDI, e-post", "cited_input"],
                "synthetic": [True, False, False, False],
            }
        )
    }

    def basis(left, right):
        c = {"id": "C", "entry_id": "mix", "tol": 0, "op": "<", "left": {"item": left}, "right": right}
        return evaluate_claim(c, tables)["basis"]

    assert basis("reg", {"item": "pub"}) == "synthetic"  # a synthetic row on either side
    assert basis("pub", 10) == "real"
    assert basis("quote", {"item": "role"}) == "cited"  # a citation, and a cited input role
    assert basis("quote", {"item": "pub"}) == "real"


# ---------------------------------------------------------------------------------------------
# end to end: every claim holds in the demo, and claims.csv agrees with an independent reading
def _independent_verdict(claim: dict, tables_dir) -> str:
    """Plain csv + arithmetic, sharing no code with analysis.report.claims."""

    def read(selector):
        entry = selector.get("entry_id", claim["entry_id"])
        path = tables_dir / f"{entry}.csv"
        if not path.exists():
            return None
        with open(path, encoding="utf-8", newline="") as fh:
            rows = [
                r
                for r in csv.DictReader(fh)
                if all(r.get(k) == str(v) for k, v in selector.items() if k != "entry_id")
            ]
        if len(rows) != 1 or rows[0]["value"] == "":
            return None
        return float(rows[0]["value"])

    def value(spec):
        if isinstance(spec, (int, float)):
            return float(spec)
        parts = [read(s) for s in (spec if isinstance(spec, list) else [spec])]
        return None if any(p is None for p in parts) else math.fsum(parts)

    left, right = value(claim["left"]), value(claim["right"])
    if left is None or right is None:
        return "unresolved"
    right += claim.get("offset", 0)
    tol, op = claim["tol"], claim["op"]
    ok = {
        ">": left + tol > right,
        ">=": left + tol >= right,
        "<": left - tol < right,
        "<=": left - tol <= right,
        "approx": abs(left - right) <= tol,
    }[op]
    return "holds" if ok else "fails"


def test_demo_build_honours_every_claim_and_the_scorecard_agrees(demo_build):
    catalogue = yaml.safe_load((SHARED / "reference" / "published_claims.yaml").read_text(encoding="utf-8"))
    card = pd.read_csv(demo_build / "reports" / "claims.csv", dtype=str, keep_default_na=False)
    assert list(card.columns) == CLAIMS_COLUMNS
    by_id = dict(zip(card["claim_id"], card["verdict"]))
    ids = [c["id"] for c in catalogue["claims"]] + [s["id"] for s in catalogue["not_checkable"]]
    assert list(card["claim_id"]) == ids  # one row per statement, catalogue order
    independent = {
        c["id"]: _independent_verdict(c, demo_build / "reports" / "tables") for c in catalogue["claims"]
    }
    disagree = {k: (by_id[k], v) for k, v in independent.items() if by_id[k] != v}
    assert not disagree, disagree
    failing = sorted(k for k, v in independent.items() if v != "holds")
    assert not failing, f"claims that do not hold in the demo: {failing}"
    # the statements the report's own numbers rule out fail, with the arithmetic in the note
    contradicted = card[card["claim_id"].isin(["NC027", "NC221", "NC222"])]
    assert set(contradicted["verdict"]) == {"fails"} and contradicted["note"].str.startswith("Motsies").all()
    # readable alone: the report's sentence, a basis, no 'fails' called not checkable, no duplicates
    assert (card["text"] != "").all() and set(card["basis"]) <= {"real", "synthetic", "cited"}
    assert not card[card["verdict"] == "fails"]["note"].str.contains("kontrolleres mot tabellene").any()
    # two rows alike but for their id only where the catalogue lists one statement twice
    same = card[card.drop(columns="claim_id").duplicated(keep=False)]["claim_id"]
    statements = {s["id"]: {k: v for k, v in s.items() if k != "id"} for s in catalogue["not_checkable"]}
    statements |= {c["id"]: {k: v for k, v in c.items() if k != "id"} for c in catalogue["claims"]}
    assert len({repr(statements[i]) for i in same}) == len(same) // 2


def test_demo_build_marks_every_artefact_synthetic(demo_build):
    """Figures (visible mark, SVG title/desc, PNG Description), tables (synthetic column), Kilde
    lines and the HTML screen banner of a demo build all say that the data are synthetic."""
    from PIL import Image

    from analysis.core.synthetic import DESC, MARK

    reports = demo_build / "reports"
    svgs, pngs = sorted((reports / "figures").glob("*.svg")), sorted((reports / "figures").glob("*.png"))
    assert len(svgs) > 20 and len(pngs) == len(svgs)
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert f">{MARK}<" in text and f"<desc>{DESC}</desc>" in text and "<title>syntetiske data" in text, (
            svg.name
        )
    for png in pngs:
        with Image.open(png) as im:
            assert "syntetiske data" in im.text.get("Description", ""), png.name
    for table in sorted((reports / "tables").glob("*.csv")):
        with open(table, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0])[-1] == "synthetic", table.name
        assert {r["synthetic"] for r in rows} <= {"true", "false"}, table.name
    survey = pd.read_csv(reports / "tables" / "fig_11_1.csv", dtype=str)
    assert set(survey["synthetic"]) == {"true"}
    public = pd.read_csv(reports / "tables" / "fig_2_1.csv", dtype=str)
    assert set(public.loc[public["source"] == "imdi_public", "synthetic"]) == {"false"}
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert '<div class="synthetic-banner"' in html
    assert html.count("(syntetiske data)") >= 30
