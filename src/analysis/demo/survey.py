"""Synthetic demo responses for the 2016 and 2021 municipal surveys, calibrated to the report.

The answers are generated from per-item answer counts. The counts of each item are solved as a
small integer programme (scipy's HiGHS MILP): every percentage the report publishes for the item
(status ``exact``/``text``) must round half-up to the printed number, the base may lie below the
figure N where the printed percentages require it (INC18; ``implied_base`` hints are tried
first), the report's verbal statements (``text_approx``) and a plausible profile per scale are
soft targets for the rest. Units are then drawn deterministically (seeded) so that routing holds:
yes-branch items only for filter = ja, channels/rules/refusal reasons only below a yes to their
gate. Nothing here is read by the analysis except through the generated CSV files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.core.kommune import OSLO, OSLO_BYDELER
from analysis.survey.codebook import Codebook


# ---------------------------------------------------------------------------------------------
# targets from published_results.yaml
@dataclass
class Target:
    codes: tuple[int, ...]
    value: float
    kind: str  # "pct" (hard), "count" (hard), "soft" (approx, percent)
    tolerance: float = 0.0


@dataclass
class ItemSpec:
    item: str
    year: int
    targets: list[Target] = field(default_factory=list)
    pref_base: int | None = None
    exclude: tuple[int, ...] = ()


def _category_codes(f: dict, category: str | None) -> tuple[int, ...] | None:
    if f["kind"] == "multi":
        return (1,) if not category else None
    if f["kind"] == "share" and not category:
        return tuple(f["share"])
    if category in f.get("categories", {}):
        return tuple(f["categories"][category]["codes"])
    for group in ("extra_categories", "count_categories"):
        if category in f.get(group, {}):
            return tuple(f[group][category])
    return None


def item_specs(cb: Codebook, published: dict, year: int) -> dict[str, ItemSpec]:
    """Targets per codebook item for one wave, from every figure the item feeds."""
    entries = {e["id"]: e for e in published["entries"]}
    specs: dict[str, ItemSpec] = {}
    for fid, f in cb.figures.items():
        if f["kind"] == "mean" or year not in f["years"]:
            continue
        entry = entries.get(fid, {})
        fig_n = (entry.get("n") or {}).get(str(year)) if isinstance(entry.get("n"), dict) else None
        keymap = dict(cb.figure_items(fid))
        for key, item in keymap.items():
            if year not in cb.items[item]["years"]:
                continue
            spec = specs.setdefault(item, ItemSpec(item, year))
            spec.exclude = tuple(f.get("exclude_from_base", spec.exclude))
            if spec.pref_base is None and isinstance(fig_n, int):
                spec.pref_base = fig_n
            for rec in entry.get("values", []):
                if rec.get("year") not in (year, str(year)) or str(rec.get("item", "")) != key:
                    continue
                codes = _category_codes(f, rec.get("category"))
                if codes is None and rec["status"] not in ("exact", "text"):
                    continue
                if codes is None:
                    raise ValueError(
                        f"{fid}: published category {rec.get('category')!r} has no code set in the codebook"
                    )
                if rec["status"] in ("exact", "text") and rec.get("value") is not None:
                    kind = "count" if rec.get("category") in f.get("count_categories", {}) else "pct"
                    spec.targets.append(Target(codes, float(rec["value"]), kind))
                    if rec.get("implied_base"):
                        spec.pref_base = int(rec["implied_base"])
                elif rec["status"] == "derived" and rec.get("value") is not None:
                    spec.targets.append(Target(codes, float(rec["value"]), "derived"))
                elif rec["status"] == "text_approx" and rec.get("approx_value") is not None:
                    spec.targets.append(
                        Target(codes, float(rec["approx_value"]), "soft", float(rec.get("tolerance_pp") or 0))
                    )
    return specs


def count_range(pct: float, base: int) -> tuple[int, int]:
    """Counts c with round_half_up(100 c / base) == pct (integer pct): lo..hi (empty if lo > hi)."""
    p2 = int(round(2 * pct))
    lo = math.ceil((p2 - 1) * base / 200)
    hi = math.ceil((p2 + 1) * base / 200) - 1  # 200 c < (2p + 1) base
    return max(lo, 0), min(hi, base)


def solve_counts(
    codes: list[int], base: int, targets: list[Target], prior: dict, use_derived: bool = False
) -> dict | None:
    """Integer counts per code summing to ``base`` meeting the hard targets; None if infeasible.

    With ``use_derived`` the cataloguer's derived values (e.g. 100 - 61 - 13) are hard too.
    """
    k = len(codes)
    soft = [t for t in targets if t.kind == "soft"]
    # variables: counts (k), deviations of soft targets (2 each), deviations from prior (2k)
    nv = k + 2 * len(soft) + 2 * k
    A, lo, hi = [], [], []

    def row(codeset):
        r = np.zeros(nv)
        for j, c in enumerate(codes):
            if c in codeset:
                r[j] = 1
        return r

    A.append(row(codes))
    lo.append(base)
    hi.append(base)
    for t in targets:
        if t.kind == "pct" or (use_derived and t.kind == "derived"):
            a, b = count_range(t.value, base)
            if a > b:
                return None
            A.append(row(t.codes))
            lo.append(a)
            hi.append(b)
        elif t.kind == "count":
            A.append(row(t.codes))
            lo.append(t.value)
            hi.append(t.value)
    cost = np.zeros(nv)
    for i, t in enumerate(soft):
        r = row(t.codes)
        r[k + 2 * i], r[k + 2 * i + 1] = -1, 1  # sum - dplus + dminus = target
        A.append(r)
        lo.append(t.value * base / 100)
        hi.append(t.value * base / 100)
        cost[k + 2 * i] = cost[k + 2 * i + 1] = 1.0
    off = k + 2 * len(soft)
    for j, c in enumerate(codes):
        r = np.zeros(nv)
        r[j], r[off + 2 * j], r[off + 2 * j + 1] = 1, -1, 1
        target = float(prior.get(c, 0)) * base
        A.append(r)
        lo.append(target)
        hi.append(target)
        cost[off + 2 * j] = cost[off + 2 * j + 1] = 0.05
    integrality = np.zeros(nv)
    integrality[:k] = 1
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(A), lo, hi),
        integrality=integrality,
        bounds=Bounds(np.zeros(nv), np.full(nv, np.inf)),
    )
    if res.status != 0:
        return None
    return {c: int(round(res.x[j])) for j, c in enumerate(codes)}


def base_candidates(pref: int | None, universe: int, below: int) -> list[int]:
    pref = min(pref or universe, universe)
    down = list(range(pref, max(pref - below, 1) - 1, -1))
    return down + list(range(pref + 1, universe + 1))


def calibrate_item(
    cb: Codebook, spec: ItemSpec, universe: int, prior: dict, below: int, fixed_base: int | None = None
) -> dict:
    """Counts per code for one item (excluded codes, e.g. 'vet ikke' in Fig 11.20, outside the base)."""
    codes = [c for c in cb.codes(spec.item) if c not in spec.exclude]
    candidates = [fixed_base] if fixed_base is not None else base_candidates(spec.pref_base, universe, below)
    passes = [True, False] if any(t.kind == "derived" for t in spec.targets) else [False]
    for use_derived in passes:
        for base in candidates:
            n_excl = {c: int(round(float(prior.get(c, 0)) * base)) for c in spec.exclude}
            if base + sum(n_excl.values()) > universe:
                n_excl = {c: 0 for c in spec.exclude}
            counts = solve_counts(codes, base, spec.targets, prior, use_derived)
            if counts is not None:
                return {**counts, **n_excl}
    raise ValueError(
        f"demo calibration: no base <= {universe} reproduces the published "
        f"percentages of {spec.item} ({spec.year})"
    )


def calibrate_question(cb: Codebook, specs: list[ItemSpec], universe: int, prior: dict, below: int):
    """Multiple-response question: one base for all its options (units answering the question)."""
    pref = next((s.pref_base for s in specs if s.pref_base), None)
    for base in base_candidates(pref, universe, below):
        out = {}
        for s in specs:
            counts = solve_counts([0, 1], base, s.targets, prior)
            if counts is None:
                break
            out[s.item] = counts
        else:
            return base, out
    raise ValueError(f"demo calibration: no common base for {[s.item for s in specs]}")


# ---------------------------------------------------------------------------------------------
# generation
def _assign(rng, units: list[str], counts: dict) -> dict[str, int]:
    """Give ``counts`` (code -> number of units) to the first units of a seeded permutation."""
    order = list(rng.permutation(units))
    codes = [c for c, n in sorted(counts.items()) for _ in range(n)]
    if len(codes) > len(order):
        raise ValueError("more answers than routed units")
    rng.shuffle(codes)
    return dict(zip(order, codes))


def generate_wave(
    cb: Codebook, published: dict, year: int, yes_units: list[str], no_units: list[str], seed: int
) -> pd.DataFrame:
    """Answers of one wave: a row per responding unit, columns as in the contract."""
    demo = cb.raw["demo"]
    priors = {s: {int(k): v for k, v in p.items()} for s, p in demo["priors"].items()}
    below = int(demo.get("base_search_below", 12))
    rng = np.random.default_rng(seed)
    units = sorted(yes_units) + sorted(no_units)
    data = {item: {} for item in cb.items_for(year)}
    # filter question
    data["Q_FILTER"] = {u: 1 for u in yes_units}
    split = {int(k): v for k, v in demo["branches"][year]["filter_no_codes"].items()}
    data["Q_FILTER"].update(_assign(rng, list(no_units), split))
    specs = item_specs(cb, published, year)
    items = [i for i in cb.items_for(year) if i != "Q_FILTER"]

    def routed(item):
        g = cb.gate(item)
        return sorted(u for u in units if data[g["item"]].get(u) in g["in"])

    done = {"Q_FILTER"}
    # gates first (their yes count bounds the child question), then everything else in order
    gates = [i for i in items if any(cb.gate(j) and cb.gate(j)["item"] == i for j in items)]
    children: dict[str, list[str]] = {}
    for i in items:
        g = cb.gate(i)
        if g and g["item"] in gates:
            children.setdefault(g["item"], []).append(i)
    for item in gates + [i for i in items if i not in gates]:
        if item in done or cb.is_open(item):
            continue
        if cb.items[item]["type"] == "multiple_response_option":
            block = [
                i for i in items if cb.items[i]["block"] == cb.items[item]["block"] and not cb.is_open(i)
            ]
            pool = routed(item)
            bspecs = [specs.get(i, ItemSpec(i, year)) for i in block]
            base, counts = calibrate_question(cb, bspecs, len(pool), priors["checkbox"], below)
            answered = list(rng.permutation(pool))[:base]
            for i in block:
                data[i] = _assign(rng, answered, counts[i])
                done.add(i)
            continue
        pool = routed(item)
        spec = specs.get(item, ItemSpec(item, year))
        prior = priors[cb.items[item]["scale"]]
        override = (demo.get("item_priors") or {}).get(year, {}).get(item)
        if override:
            prior = {int(k): float(v) for k, v in override.items()}
        if item in gates and not any(t.kind in ("pct", "count") for t in spec.targets):
            share = demo.get(f"gate_yes_share_{year}", {}).get(item)
            if share:
                spec.targets.append(Target((1,), 100 * share, "soft"))
        if item in gates:
            # the child question needs at least its own base of yes answers: calibrate it first
            kid_specs = [specs.get(i, ItemSpec(i, year)) for i in children[item]]
            need = max([s.pref_base or 0 for s in kid_specs] + [0])
            if need and not any(t.kind in ("pct", "count") for t in spec.targets):
                spec.targets.append(Target((1,), 100 * need / len(pool), "soft"))
        counts = calibrate_item(cb, spec, len(pool), prior, below)
        data[item] = _assign(rng, pool, counts)
        done.add(item)
    _open_texts(cb, published, year, data, list(yes_units), rng)
    rows = []
    for u in sorted(units):
        row = {"unit_id": u}
        for item in cb.items_for(year):
            v = data[item].get(u)
            row[item] = "" if v is None else str(v)
        rows.append(row)
    return pd.DataFrame(rows, columns=["unit_id", *cb.items_for(year)])


def _published_series(published: dict, year: int) -> dict[str, float]:
    entry = next(e for e in published["entries"] if e["id"] == "text_ch11_survey_routing_counts")
    out = {}
    for r in entry.get("values", []):
        if r.get("year") in (year, str(year)):
            v = r.get("value") if r.get("value") is not None else r.get("approx_value")
            if v is not None:
                out.setdefault(r["series"], float(v))
    return out


def _open_texts(cb: Codebook, published: dict, year: int, data: dict, yes_units: list[str], rng):
    """Synthetic comments: as many as the report counts, with the coded themes it mentions."""
    demo = cb.raw["demo"]
    bank = demo["open_text_bank"]
    series = _published_series(published, year) if year == 2021 else {}
    generic = list(bank["generic"])
    open_items = [i for i in cb.items_for(year) if cb.is_open(i)]
    answered_n = {
        spec["item"]: int(series.get(name, 0))
        for name, spec in cb.raw.get("routing_counts", {}).items()
        if spec.get("answered") and "percent_of" not in spec and name in series
    }
    answered_n.update({k: v for k, v in demo.get("open_text_other_items", {}).items() if k in open_items})
    for item in open_items:
        n = min(answered_n.get(item, 0), len(yes_units))
        chosen = sorted(rng.permutation(sorted(yes_units))[:n])
        texts = []
        for code, spec in cb.raw.get("open_text_codes", {}).items():
            if spec["item"] == item:
                texts += [bank[code]] * int(series.get(code, 0))
        texts += [generic[i % len(generic)] for i in range(max(0, n - len(texts)))]
        data[item] = dict(zip(chosen, texts[:n]))


def choose_yes_branch(respondents: list[str], asb_counts: dict[str, int], n_yes: int, seed: int) -> list[str]:
    """Yes-branch units: respondents with most agreed self-settlements in the register first."""
    with_asb = sorted((u for u in respondents if asb_counts.get(u, 0) > 0), key=lambda u: (-asb_counts[u], u))
    chosen = with_asb[:n_yes]
    if len(chosen) < n_yes:
        rest = sorted(set(respondents) - set(chosen))
        rng = np.random.default_rng(seed)
        chosen += list(rng.permutation(rest)[: n_yes - len(chosen)])
    return sorted(chosen)


def units_2016(code_map: pd.DataFrame, n_units: int, seed: int) -> list[str]:
    """Responding units of the 2016 wave: kommune codes valid in 2016 (Oslo as bydeler)."""
    valid = code_map[(code_map["first_year"] <= 2016) & (code_map["last_year"] >= 2016)]
    pool = sorted(set(valid["code"]) - {OSLO}) + list(OSLO_BYDELER)
    rng = np.random.default_rng(seed)
    return sorted(rng.permutation(pool)[:n_units])


def demo_frame(kommuner: pd.DataFrame) -> pd.DataFrame:
    """A 370-unit frame (355 kommuner without Oslo + 15 bydeler), for tests and stand-alone runs."""
    k = kommuner[kommuner["kommunenummer"] != OSLO]
    rows = [
        {"unit_id": r.kommunenummer, "unit_name": r.kommunenavn, "unit_type": "kommune"}
        for r in k.itertuples()
    ]
    rows += [{"unit_id": b, "unit_name": f"Oslo bydel {b[-2:]}", "unit_type": "bydel"} for b in OSLO_BYDELER]
    return pd.DataFrame(rows).sort_values("unit_id").reset_index(drop=True)
