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
import zlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

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


# solve_counts' answers by the problem they were solved for. The calibration asks the same problem
# again and again (a later pass of generate_waves, the next base of a question, a claim relaxed to
# the bounds it already had): about a quarter of the calls, ~4 ms of HiGHS each. HiGHS is
# deterministic, and the key holds every value the problem is built from, so an answer from here
# is the vector the solver would return (decision 0137).
_SOLVED: dict[tuple, dict | None] = {}


def solve_counts(
    codes: list[int],
    base: int,
    targets: list[Target],
    prior: dict,
    use_derived: bool = False,
    extra: list[LinearBound] = (),
) -> dict | None:
    """Integer counts per code summing to ``base`` meeting the hard targets; None if infeasible.

    With ``use_derived`` the cataloguer's derived values (e.g. 100 - 61 - 13) are hard too.
    ``extra``: further linear bounds on the counts (the report's claims, :func:`claim_bounds`).
    """
    key = (
        tuple(codes),
        base,
        tuple((t.codes, t.value, t.kind) for t in targets),
        tuple(prior.get(c, 0) for c in codes),
        use_derived,
        tuple((tuple(b.coef.items()), b.lo, b.hi) for b in extra),
    )
    if key not in _SOLVED:
        if len(_SOLVED) >= 100_000:  # a bound on the memory, far above one build's ~300 problems
            _SOLVED.clear()
        _SOLVED[key] = _solve_counts(codes, base, targets, prior, use_derived, extra)
    counts = _SOLVED[key]
    return None if counts is None else dict(counts)


def solved_problems() -> list[list]:
    """Every problem :func:`solve_counts` has met in this process with its answer (counts as
    ``[code, units]`` pairs, or None when infeasible), as JSON values for :func:`remember_solved`."""
    return [[key, None if c is None else sorted(c.items())] for key, c in _SOLVED.items()]


def remember_solved(records: list[list]) -> int:
    """Give :func:`solve_counts` the answers of :func:`solved_problems` (read back from JSON, where
    the key's tuples are lists); returns how many."""

    def freeze(v):
        return tuple(freeze(x) for x in v) if isinstance(v, list) else v

    for key, counts in records:
        _SOLVED[freeze(key)] = None if counts is None else {int(c): int(n) for c, n in counts}
    return len(records)


def _solve_counts(
    codes: list[int],
    base: int,
    targets: list[Target],
    prior: dict,
    use_derived: bool,
    extra: list[LinearBound],
) -> dict | None:
    """:func:`solve_counts` without its memory: the integer programme itself."""
    # imported here: a demo_survey whose problems were all solved ahead never loads scipy.optimize
    from scipy.optimize import Bounds, LinearConstraint, milp

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
    for b in extra:
        r = np.zeros(nv)
        for j, c in enumerate(codes):
            r[j] = b.coef.get(c, 0.0)
        A.append(r)
        lo.append(b.lo)
        hi.append(b.hi)
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
    counts = {c: int(round(res.x[j])) for j, c in enumerate(codes)}
    if not all(b.holds(counts) for b in extra):  # solver tolerance: check on the integers
        return None
    return counts


def base_candidates(pref: int | None, universe: int, below: int) -> list[int]:
    pref = min(pref or universe, universe)
    down = list(range(pref, max(pref - below, 1) - 1, -1))
    return down + list(range(pref + 1, universe + 1))


def calibrate_item(
    cb: Codebook,
    spec: ItemSpec,
    universe: int,
    prior: dict,
    below: int,
    fixed_base: int | None = None,
    bounds=lambda margin: [],
) -> dict:
    """Counts per code for one item (excluded codes, e.g. 'vet ikke' in Fig 11.20, outside the base).

    ``bounds(margin)``: the claims' linear bounds on this item's counts, first tried with a margin
    inside them (so that several values bounded alike do not all sit on the bound), then without.
    """
    codes = [c for c in cb.codes(spec.item) if c not in spec.exclude]
    candidates = [fixed_base] if fixed_base is not None else base_candidates(spec.pref_base, universe, below)
    passes = [True, False] if any(t.kind == "derived" for t in spec.targets) else [False]
    with_margin, without = bounds(True), bounds(False)
    # first within every claim (with a margin, then on the bound); when the claims cannot all be
    # met with the items generated before this one, leave out one claim at a time
    attempts = [[(u, e) for e in ((with_margin, without) if with_margin else (without,))] for u in passes]
    attempts += [[(False, e)] for e in relaxations(without)]
    for attempt in attempts:
        for base in candidates:
            n_excl = {c: int(round(float(prior.get(c, 0)) * base)) for c in spec.exclude}
            if base + sum(n_excl.values()) > universe:
                n_excl = {c: 0 for c in spec.exclude}
            for use_derived, extra in attempt:
                counts = solve_counts(codes, base, spec.targets, prior, use_derived, extra)
                if counts is not None:
                    return {**counts, **n_excl}
    raise ValueError(
        f"demo calibration: no base <= {universe} reproduces the published "
        f"percentages of {spec.item} ({spec.year})"
    )


def relaxations(bounds: list) -> list[list]:
    """The bounds without one claim's (each claim in turn), then without any: for an item whose
    claims cannot all be met given the items generated before it."""
    claims = sorted({b.claim for b in bounds})
    if not claims:
        return []
    return [[b for b in bounds if b.claim != c] for c in claims] + [[]]


def calibrate_question(
    cb: Codebook,
    specs: list[ItemSpec],
    universe: int,
    priors: dict[str, dict],
    below: int,
    bounds=lambda item, margin, known: [],
):
    """Multiple-response question: one base for all its options (units answering the question).

    ``priors``: each option's prior; ``bounds(item, margin, known)``: the claims' bounds on an
    option given the options already solved in this attempt (``known``: item -> counts).
    """
    pref = next((s.pref_base for s in specs if s.pref_base), None)
    failed = []
    # first every option within its claims; then an option whose claims cannot be met with the
    # options as they stand is solved without them (the printed numbers always come first)
    for relax in (False, True):
        for base in base_candidates(pref, universe, below):
            out = {}
            for s in specs:
                counts = None
                for extra in [bounds(s.item, True, out), bounds(s.item, False, out)] + (
                    relaxations(bounds(s.item, False, out)) if relax else []
                ):
                    counts = solve_counts([0, 1], base, s.targets, priors[s.item], extra=extra)
                    if counts is not None:
                        break
                if counts is None:
                    failed.append((base, s.item, sorted({b.claim for b in bounds(s.item, False, out)})))
                    break
                out[s.item] = counts
            else:
                return base, out
    first = failed[0] if failed else None
    raise ValueError(
        f"demo calibration: no common base for {[s.item for s in specs]}"
        + (f" (at base {first[0]}: {first[1]} with claims {first[2]})" if first else "")
    )


# ---------------------------------------------------------------------------------------------
# the report's claims (published_claims.yaml) as linear bounds on an item's answer counts
STRICT = 1e-4  # pp: a strict order between two values (counts are integers: any real gap is larger)


@dataclass(frozen=True)
class Functional:
    """A tidy-table row of a survey figure in terms of one item's counts n (code -> units):
    ``num . n / den . n`` (a percentage or mean score), or ``num . n`` when ``den`` is None (a count)."""

    item: str
    year: int
    num: tuple[tuple[int, float], ...]
    den: frozenset[int] | None
    scale: float  # a typical spread of the value: 1 pp for percentages, 0.05 for mean scores

    def value(self, counts: dict[int, int]) -> float:
        top = sum(w * counts.get(c, 0) for c, w in self.num)
        if self.den is None:
            return float(top)
        bottom = sum(counts.get(c, 0) for c in self.den)
        return top / bottom if bottom else math.nan


@dataclass(frozen=True)
class LinearBound:
    """lo <= coef . n <= hi on one item's counts."""

    coef: dict
    lo: float
    hi: float
    claim: str = ""

    def holds(self, counts: dict[int, int]) -> bool:
        x = sum(w * counts.get(c, 0) for c, w in self.coef.items())
        return self.lo - 1e-9 <= x <= self.hi + 1e-9


@dataclass(frozen=True)
class SurveyClaim:
    """A claim over survey figure rows: sum(left) - sum(right) - offset within [lo, hi]."""

    id: str
    left: tuple[Functional, ...]
    right: tuple[Functional, ...]
    offset: float
    lo: float
    hi: float
    one_sided: bool

    def terms(self):
        return [(f, 1.0) for f in self.left] + [(f, -1.0) for f in self.right]

    @cached_property
    def rows(self) -> frozenset[tuple[str, int]]:
        """The (item, year) pairs the claim's rows are about."""
        return frozenset((f.item, f.year) for f in self.left + self.right)

    def difference(self, known: dict[tuple[str, int], dict]) -> float:
        return sum(sign * f.value(known[(f.item, f.year)]) for f, sign in self.terms()) - self.offset


def row_functional(cb: Codebook, fid: str, selector: dict) -> Functional | None:
    """The survey item behind a claim selector, or None when the row is not a survey figure's."""
    f = cb.figures.get(fid)
    if f is None or "year" not in selector:
        return None
    keys = dict(cb.figure_items(fid))
    key = str(selector.get("item", "" if "" in keys else (next(iter(keys)) if len(keys) == 1 else None)))
    year = int(selector["year"])
    if key not in keys or year not in f["years"]:
        return None
    item = keys[key]
    codes = set(cb.codes(item))
    base = frozenset(codes - set(f.get("exclude_from_base", [])))
    category = str(selector.get("category", ""))
    if f["kind"] == "mean":
        scores = {int(k): float(v) for k, v in f["scores"].items()}
        return (
            Functional(item, year, tuple(sorted(scores.items())), frozenset(scores), 0.05)
            if not category
            else None
        )
    if category in f.get("count_categories", {}):
        return Functional(item, year, tuple((c, 1.0) for c in f["count_categories"][category]), None, 1.0)
    chosen = _category_codes(f, category or None)
    if chosen is None:
        return None
    return Functional(item, year, tuple((c, 100.0) for c in sorted(chosen)), base, 1.0)


def survey_claims(cb: Codebook, claims_doc: dict | None) -> list[SurveyClaim]:
    """The claims whose every row is a survey figure row (others are not the generator's to meet)."""
    out = []
    for c in (claims_doc or {}).get("claims") or []:
        sides = {}
        for name in ("left", "right"):
            spec = c[name]
            if isinstance(spec, (int, float)) and not isinstance(spec, bool):
                sides[name] = ((), float(spec))
                continue
            fs = tuple(
                row_functional(cb, s.get("entry_id", c["entry_id"]), s)
                for s in (spec if isinstance(spec, list) else [spec])
            )
            sides[name] = (fs, 0.0)
        fs_all = sides["left"][0] + sides["right"][0]
        if not fs_all or any(f is None for f in fs_all):
            continue
        tol, op = float(c.get("tol", 0)), c["op"]
        # difference D = left - right - offset; the claim holds for D in [lo, hi]
        offset = float(c.get("offset", 0)) + sides["right"][1] - sides["left"][1]
        lo, hi = {
            ">": (-tol + STRICT, math.inf),
            ">=": (-tol, math.inf),
            "<": (-math.inf, tol - STRICT),
            "<=": (-math.inf, tol),
            "approx": (-tol, tol),
        }[op]
        out.append(SurveyClaim(c["id"], sides["left"][0], sides["right"][0], offset, lo, hi, op != "approx"))
    return out


def _margin(claim_id: str, item: str, year: int, scale: float) -> float:
    """A seeded distance inside a one-sided bound (1-4 pp, or 0.05-0.2 for mean scores)."""
    u = zlib.crc32(f"{claim_id}|{item}|{year}".encode()) / 2**32
    return scale * (1.0 + 3.0 * u)


def claim_bounds(
    claims: list[SurveyClaim], item: str, year: int, known: dict[tuple[str, int], dict], margin: bool
) -> list[LinearBound]:
    """Linear bounds on the counts of ``item`` in ``year`` from every claim that involves it and
    whose other rows are known (already generated); claims waiting for an ungenerated row are left
    for that row's turn."""
    out = []
    for cl in claims:
        if (item, year) not in cl.rows:
            continue
        terms = cl.terms()
        here = [(f, sgn) for f, sgn in terms if (f.item, f.year) == (item, year)]
        others = [(f, sgn) for f, sgn in terms if (f.item, f.year) != (item, year)]
        if any((f.item, f.year) not in known for f, _ in others):
            continue
        dens = {f.den for f, _ in here}
        if len(dens) != 1:
            raise ValueError(f"demo calibration: claim {cl.id} mixes bases of {item} ({year})")
        den = dens.pop()
        k = sum(sgn * f.value(known[(f.item, f.year)]) for f, sgn in others) - cl.offset
        lo, hi = cl.lo - k, cl.hi - k  # bounds on sum(sgn * value) of this item's rows
        if margin:
            scale = max(f.scale for f, _ in here)
            m = _margin(cl.id, item, year, scale)
            if cl.one_sided:
                lo, hi = (lo + m if math.isfinite(lo) else lo), (hi - m if math.isfinite(hi) else hi)
            elif hi - lo > 4 * scale:  # 'about the same' with a wide tolerance: not on its edge
                lo, hi = lo + min(m, (hi - lo) / 4), hi - min(m, (hi - lo) / 4)
        num: dict[int, float] = {}
        for f, sgn in here:
            for c, w in f.num:
                num[c] = num.get(c, 0.0) + sgn * w
        if den is None:
            out.append(LinearBound(num, lo, hi, cl.id))
            continue
        # a share or mean needs a base: at least one unit with an answer that counts
        out.append(LinearBound({c: 1.0 for c in den}, 1.0, math.inf, cl.id))
        # num . n / den . n in [lo, hi]  <=>  (num - lo den) . n >= 0  and  (num - hi den) . n <= 0
        for bound, (a, b) in ((lo, (0.0, math.inf)), (hi, (-math.inf, 0.0))):
            if math.isfinite(bound):
                coef = {c: num.get(c, 0.0) - (bound if c in den else 0.0) for c in set(num) | set(den)}
                out.append(LinearBound(coef, a, b, cl.id))
    return out


def unmet_claims(claims: list[SurveyClaim], known: dict[tuple[str, int], dict]) -> list[str]:
    """Claims the generated counts do not meet (every row generated), for the log."""
    out = []
    for cl in claims:
        if all((f.item, f.year) in known for f, _ in cl.terms()):
            d = cl.difference(known)
            if not (cl.lo - 1e-9 <= d <= cl.hi + 1e-9):
                out.append(cl.id)
    return out


SPREAD = 0.35  # log-scale spread of a scale prior between items
SPREAD_SET = 0.1  # ... of a profile set per item in the codebook (demo.item_priors)


def item_prior(
    base_prior: dict, item: str, year: int, seed: int, redraw: int = 0, spread: float = SPREAD
) -> dict:
    """The scale's plausible profile varied per item and wave (seeded): items the report says
    nothing about do not all get the same answers. ``redraw`` > 0 draws another variation."""
    rng = np.random.default_rng([seed, zlib.crc32(f"{item}|{year}".encode()), redraw])
    codes = sorted(base_prior)
    raw = np.array([float(base_prior[c]) for c in codes]) * np.exp(rng.normal(0.0, spread, len(codes)))
    total = raw.sum()
    return {c: float(v / total) for c, v in zip(codes, raw)} if total > 0 else dict(base_prior)


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
    cb: Codebook,
    published: dict,
    year: int,
    yes_units: list[str],
    no_units: list[str],
    seed: int,
    claims: list[SurveyClaim] = (),
    known: dict[tuple[str, int], dict] | None = None,
    redraw: dict[tuple[str, int], int] | None = None,
    filter_no_codes: dict[int, int] | None = None,
) -> pd.DataFrame:
    """Answers of one wave: a row per responding unit, columns as in the contract.

    ``filter_no_codes``: how many no-branch units answer each filter code (default: the codebook's
    ``demo.branches`` of the wave).

    ``claims`` (:func:`survey_claims`) bound the answer counts; ``known`` collects every item's
    counts (item, year) -> {code: units} across waves, so that a claim comparing two items or two
    waves binds the one generated second.
    """
    known = {} if known is None else known
    redraw = redraw or {}
    demo = cb.raw["demo"]
    priors = {s: {int(k): v for k, v in p.items()} for s, p in demo["priors"].items()}
    below = int(demo.get("base_search_below", 12))
    rng = np.random.default_rng(seed)
    units = sorted(yes_units) + sorted(no_units)
    data = {item: {} for item in cb.items_for(year)}
    # filter question
    data["Q_FILTER"] = {u: 1 for u in yes_units}
    split = filter_no_codes or {int(k): v for k, v in demo["branches"][year]["filter_no_codes"].items()}
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
            overrides = (demo.get("item_priors") or {}).get(year, {})
            bpriors = {
                i: item_prior(
                    {int(k): float(v) for k, v in overrides.get(i, priors["checkbox"]).items()},
                    i,
                    year,
                    seed,
                    redraw.get((i, year), 0),
                    SPREAD_SET if i in overrides else SPREAD,
                )
                for i in block
            }

            def option_bounds(i, margin, solved):
                return claim_bounds(
                    claims, i, year, {**known, **{(k, year): v for k, v in solved.items()}}, margin
                )

            base, counts = calibrate_question(cb, bspecs, len(pool), bpriors, below, option_bounds)
            answered = list(rng.permutation(pool))[:base]
            for i in block:
                data[i] = _assign(rng, answered, counts[i])
                known[(i, year)] = {**counts[i], **{c: 0 for c in cb.codes(i) if c not in counts[i]}}
                done.add(i)
            continue
        pool = routed(item)
        spec = specs.get(item, ItemSpec(item, year))
        prior = priors[cb.items[item]["scale"]]
        override = (demo.get("item_priors") or {}).get(year, {}).get(item)
        if override:
            prior = {int(k): float(v) for k, v in override.items()}
        prior = item_prior(
            prior, item, year, seed, redraw.get((item, year), 0), SPREAD_SET if override else SPREAD
        )
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
        counts = calibrate_item(
            cb,
            spec,
            len(pool),
            prior,
            below,
            bounds=lambda m, i=item: claim_bounds(claims, i, year, known, m),
        )
        data[item] = _assign(rng, pool, counts)
        known[(item, year)] = {**{c: 0 for c in cb.codes(item)}, **counts}
        done.add(item)
    _open_texts(cb, published, year, data, list(yes_units), rng)
    rows = []
    columns = cb.items_for(year)
    for u in sorted(units):
        row = {"unit_id": u}
        for item in columns:
            v = data[item].get(u)
            row[item] = "" if v is None else str(v)
        rows.append(row)
    return pd.DataFrame(rows, columns=["unit_id", *columns])


def generate_waves(
    cb: Codebook,
    published: dict,
    claims: list[SurveyClaim],
    wave_2021: tuple[list[str], list[str], int],
    wave_2016: tuple[list[str], list[str], int],
    max_passes: int = 10,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Both waves, meeting the claims: ``wave_*`` = (yes units, no units, seed). A claim binds the
    item generated second; a pair a pass could not meet is met in a later pass, where each item
    sees the other's counts of the pass before and the items of an unmet claim draw another
    plausible profile (a pair of bases, e.g. 25 and 39 units, may not allow every pair of values).
    Returns the waves and the claims still unmet."""
    known: dict[tuple[str, int], dict] = {}
    redraw: dict[tuple[str, int], int] = {}
    by_id = {c.id: c for c in claims}
    for _ in range(max_passes):
        known = dict(known)
        w21 = generate_wave(cb, published, 2021, *wave_2021, claims, known, redraw)
        w16 = generate_wave(cb, published, 2016, *wave_2016, claims, known, redraw)
        unmet = unmet_claims(claims, known)
        if not unmet:
            break
        for key in sorted({(f.item, f.year) for cid in unmet for f, _ in by_id[cid].terms()}):
            redraw[key] = redraw.get(key, 0) + 1
    return w21, w16, unmet


def report_waves(
    cb: Codebook,
    published: dict,
    claims: list[SurveyClaim],
    wave_2021: tuple[list[str], list[str]],
    units_2016: list[str],
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The report's two waves (:func:`generate_waves`): 2021's yes- and no-branch units, and the
    2016 units, the codebook's ``demo.branches`` of 2016 first in the yes branch."""
    n16 = cb.raw["demo"]["branches"][2016]["yes_branch"]
    return generate_waves(
        cb, published, claims, (*wave_2021, seed + 42), (units_2016[:n16], units_2016[n16:], seed + 44)
    )


def solve_ahead(
    cb: Codebook, published: dict, claims: list[SurveyClaim], respondents: int, seed: int
) -> list:
    """The integer programmes of :func:`report_waves` solved before the frame exists, for units
    that are only numbered: ``respondents`` in 2021 (the codebook's yes branch of them), the
    codebook's branches in 2016. Every problem depends on how many units answer an item, never on
    which (the draws from the seeded generator are the same for any names), so these are the
    problems demo_survey meets with the real units (decision 0137). Returns
    :func:`solved_problems`."""
    branches = cb.raw["demo"]["branches"]
    n_yes, b16 = branches[2021]["yes_branch"], branches[2016]

    def numbered(prefix: str, n: int) -> list[str]:
        return [f"{prefix}{i:04d}" for i in range(n)]

    report_waves(
        cb,
        published,
        claims,
        (numbered("yes", n_yes), numbered("no", respondents - n_yes)),
        numbered("unit", b16["yes_branch"] + b16["no_branch"]),
        seed,
    )
    return solved_problems()


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
