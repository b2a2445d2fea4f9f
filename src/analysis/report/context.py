"""Everything the report templates need, assembled from computed tables and metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.study import study_from_config
from analysis.core.synthetic import DESC
from analysis.core.tidy import TIDY_COLUMNS
from analysis.core.yamlio import load_yaml
from analysis.report.alt_text import figure_alt, key_name
from analysis.report.lineage import footer_lookup
from analysis.report.reproduction import (
    BASES,
    decimals_of,
    round_half_up,
    row_basis,
    summarise,
    summarise_basis,
)

VERDICT_ORDER = ["match", "mismatch", "missing", "published_conflict"]


def verdict_labels(t) -> list[tuple[str, str]]:
    """[(verdict, label)] in the scorecard's column order, labels from the message catalogue."""
    return [(v, t(f"context.verdict_{v}")) for v in VERDICT_ORDER]


def _yaml(path: Path) -> dict:
    return load_yaml(path) or {}


def display_ref(report_ref: str) -> str:
    """'Figur 2.2 (first of two figures numbered 2.2; map)' -> 'Figur 2.2': the catalogue's
    disambiguating notes are for machines, the reader sees the report's own number."""
    return re.sub(r"\s*\(.*\)\s*$", "", report_ref)


# The published report's words for its parts (as published_results.yaml spells them) and the
# catalogue keys of the words the report's language uses for them
_REF_WORDS = [
    (r"\bFigur\b", "context.ref_figure"),
    (r"\bTabell\b", "context.ref_table"),
    (r"\bkap\.", "context.ref_chapter"),
    (r"\bVedlegg\b", "context.ref_appendix"),
]


def localise_ref(ref: str, t) -> str:
    """'Figur 2.1' -> 'Figure 2.1' in the English report (numbers stay the report's)."""
    for pattern, key in _REF_WORDS:
        word = t(key)
        ref = re.sub(pattern, lambda _m, word=word: word, ref)
    return ref


_DOT_THOUSANDS = re.compile(r"(?<=\d)\.(?=\d{3}\b)")


def typeset(text: str, language: str) -> str:
    """Reference text in the report's number style: the catalogue writes '<10.000 innbyggere';
    the Norwegian report prints '<10 000' (thin space), like every number it formats."""
    return _DOT_THOUSANDS.sub("\u202f", text) if language == "no" and text else text


def label_lookup(published: dict, language: str, t=None):
    """label(entry_id, key_id): the label of a series, item or category in the report's language.

    From published_results.yaml (``label_<language>``), else from the message catalogue
    (``label.<entry_id>.<key>``). A key with neither stops the render naming it: printing the raw
    id (``municipalities_in_frame``) or the other language's label is what the check prevents."""
    table = {}
    for e in published["entries"]:
        for kind in ("series", "items", "categories"):
            for x in e.get(kind) or []:
                if isinstance(x, dict) and "id" in x and x.get(f"label_{language}"):
                    table[(e["id"], str(x["id"]))] = typeset(x[f"label_{language}"], language)

    def label(entry_id: str, key: str) -> str:
        found = table.get((entry_id, str(key)))
        if found is not None:
            return found
        fallback = f"label.{entry_id}.{key}"
        if t is not None and fallback in t:
            return t(fallback)
        raise KeyError(
            f"no label ({language}) for {entry_id} / {key}: add label_{language} in published_results.yaml "
            f"or '{key}' under label: {entry_id}: in workflow/report/messages/{language}.yaml"
        )

    return label


def phrase_lookup(published: dict):
    """phrase(entry_id, key): the report's own sentence for a text number (Norwegian)."""
    table = {}
    for e in published["entries"]:
        for rec in e.get("values", []):
            phrase = rec.get("phrase_no") or ""
            if not phrase or phrase.startswith("("):
                continue
            year = str(rec.get("year", rec.get("period", "")))
            for k in ("series", "category", "item", "kommune"):
                if rec.get(k) is not None:
                    table.setdefault((e["id"], year, str(rec[k])), phrase)
                    break

    def phrase(entry_id: str, key: str, year="") -> str:
        return table.get((entry_id, str(year), str(key)), "")

    return phrase


def source_line(entry: dict, language: str, synthetic: bool, t) -> str:
    """The entry's 'Kilde:' line in the report's language: the message catalogue's
    ``source.<entry_id>`` (for entries whose reference record has no line in that language), else
    the record's ``source_line_<language>``, never the other language's line. With synthetic data
    it ends in '(syntetiske data)', and an entry the catalogue gives no line gets one naming its
    data sources (``context.source_<role>``)."""
    key = f"source.{entry['id']}"
    if key in t:
        line = t(key)
    else:
        line = entry.get(f"source_line_{language}")
        if line is None and entry.get("source_line_no") and language != "no":
            raise KeyError(f"{entry['id']}: no source_line_{language}; add {key} to the message catalogues")
        line = line or ""
    if not synthetic:
        return line
    if not line:
        keys = [f"context.source_{s}" for s in entry.get("data_source") or []]
        names = [t(k) for k in keys if k in t]
        line = t("context.source_line", sources="; ".join(names)).rstrip()
    return f"{line.rstrip()} {t('context.synthetic_data_mark')}"


def footnote(entry: dict, language: str, t) -> str:
    """The figure's own footnote (the report prints one under Figur 11.15), in the report's
    language: ``footnote.<entry_id>`` in the catalogue, else ``figure_footnote_<language>``."""
    key = f"footnote.{entry['id']}"
    if key in t:
        return t(key)
    text = entry.get(f"figure_footnote_{language}")
    if text is None and entry.get("figure_footnote_no") and language != "no":
        raise KeyError(f"{entry['id']}: no figure_footnote_{language}; add {key} to the message catalogues")
    return text or ""


def entry_metadata(
    published: dict, extra: dict, language: str, t, synthetic: frozenset[str] = frozenset()
) -> dict[str, dict]:
    """report_ref, titles and the 'Kilde:' line for every published and x_ entry; ``synthetic``
    holds the entries whose table or figure a synthetic input contributed to."""
    meta = {}
    for e in list(published["entries"]) + list(extra.get("entries", [])):
        meta[e["id"]] = {
            "id": e["id"],
            "report_ref": localise_ref(display_ref(e.get("report_ref", e["id"])), t),
            "title_no": typeset(e.get("title_no", ""), "no"),
            "title_en": e.get("title_en", e.get("title_no", "")),
            "source_line": typeset(source_line(e, language, e["id"] in synthetic, t), language),
            "synthetic": e["id"] in synthetic,
            "footnote": typeset(footnote(e, language, t), language),
            "reproduction": e.get("reproduction", "compute"),
        }
    return meta


def synthetic_entries(tables: dict[str, pd.DataFrame], figures: dict[str, str]) -> frozenset[str]:
    """Entries built from a synthetic input: a table with a ``synthetic`` row, or a figure file
    that carries the synthetic-data words (core.figures writes them)."""
    out = {eid for eid, t in tables.items() if "synthetic" in t.columns and t["synthetic"].astype(bool).any()}
    out |= {eid for eid, svg_text in figures.items() if DESC in svg_text}
    return frozenset(out)


def chapter_sources(chapters: list[dict], template_dir: Path) -> dict[str, str]:
    """{chapter anchor: its template's text}, to find which chapter of this report shows an entry."""
    return {
        c["anchor"]: (template_dir / "chapters" / c["template"]).read_text(encoding="utf-8") for c in chapters
    }


def where_in_report(entry_id: str, meta: dict, chapters: list[dict], sources: dict[str, str], t):
    """(anchor, reference) of the place in THIS report that shows an entry: a table or figure by
    its number ('Figur 2.1'); a number from the report's running text by the chapter of this
    report whose template shows it ('kap. 4'), not by the original report's sections
    ('kap. 4.1.1; kap. 7.1; kap. 8'), which this report does not have."""
    if not entry_id.startswith("text_"):
        return entry_id, meta.get(entry_id, {}).get("report_ref", entry_id)
    for ch in chapters:
        src = sources.get(ch["anchor"], "")
        if entry_id in src:
            number = ch["title"].split(" ", 1)[0]
            anchor = (
                entry_id
                if (f'id="{entry_id}"' in src or f"text_numbers('{entry_id}')" in src)
                else ch["anchor"]
            )
            return anchor, localise_ref(f"kap. {number}", t)
    return "summary", ""


_WAVE_ROLE = re.compile(r"^(survey|survey_frame)_(\d{4})$")


_STRUCTURE_ROLE = re.compile(r"^(\w+?)_(\d{4})$")


def role_words(role: str, t) -> str:
    """An input role in words for the reader ('register' -> "IMDi's settlement register"): the
    catalogue's ``input_role.<role>``, a survey wave's role through its year; a role the catalogue
    does not know is shown as it is."""
    wave = _WAVE_ROLE.match(role)
    if wave:
        return t(f"input_role.{wave.group(1)}", year=wave.group(2))
    key = f"input_role.{role}"
    if key in t:
        return t(key)
    variant = _STRUCTURE_ROLE.match(role)  # population_2024: a kommune file of another structure
    if variant and f"input_role.{variant.group(1)}" in t:
        words = t(f"input_role.{variant.group(1)}")
        return f"{words} {t('input_role.structure', year=variant.group(2))}"
    return role


def basis_labels(t) -> list[tuple[str, str]]:
    """[(basis, label)]: real, synthetic (calibrated to the report), cited, from the catalogue."""
    return [(b, t(f"context.basis_{b}")) for b in BASES]


def key_numbers(
    spec: list[dict], tables, language: str, t, chapters: list[dict], meta: dict, sources, cited_roles=()
) -> list[dict]:
    """The key-number table's rows, each with the ``basis`` of the row it reads (real data,
    synthetic data calibrated to the report, or a cited published figure)."""
    out = []
    for k in spec:
        if not tables.has(k["entry_id"], **k["keys"]):
            continue
        anchor, ref = where_in_report(k["entry_id"], meta, chapters, sources, t)
        out.append(
            {
                "entry_id": k["entry_id"],
                "anchor": anchor,
                "ref": ref,
                "label": k[f"label_{language}"],
                "value": tables.value(k["entry_id"], **k["keys"]),
                "decimals": k.get("decimals", 0),
                "unit": k.get("unit", ""),
                "basis": row_basis(tables.rows(k["entry_id"], **k["keys"]), cited_roles),
            }
        )
    return out


def lacking_inputs(needs, missing, groups: dict[str, list] | None) -> list[str]:
    """The inputs of ``needs`` (a chapters.yaml ``needs`` list) that ``missing`` lacks, a group of
    ``groups`` resolved as :func:`plan_chapters` describes; empty when everything needed is there."""
    groups = groups or {}
    out = []
    for r in needs or []:
        if r in groups:
            alternatives = [[a] if isinstance(a, str) else list(a) for a in groups[r]]
            if not any(all(i not in missing for i in a) for a in alternatives):
                lacking = [i for a in alternatives for i in a if i in missing] or [r]
                out += [i for i in lacking if i not in out]
        elif r in missing and r not in out:
            out.append(r)
    return out


class _KeepMissing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def plan_chapters(
    chapters: list[dict],
    missing_inputs,
    language: str,
    t,
    groups: dict[str, list] | None = None,
    title_values: dict[str, str] | None = None,
) -> tuple[list[dict], list[dict]]:
    """The chapters a run renders, and what it leaves out for want of a confidential input.

    A chapter whose ``needs`` (chapters.yaml) names a missing input is left out whole; a ``parts``
    entry names a part of a rendered chapter (its label is the message ``context.left_out_<part>``)
    that needs an input of its own. Each left-out item says which inputs it lacked, so the report
    can tell the reader why (CONTRACT.md: partial real runs; docs/decisions/0015). A ``needs``
    entry may name a group of ``groups``: alternatives, any one of which will do, each an input or
    a list of inputs needed together (``survey_waves``: any survey wave; ``survey_frames``: any
    wave given with its frame). The group is missing when no alternative is whole (or the study has
    none); it then lacks the missing inputs of every alternative. Titles may hold
    ``{fields}`` filled from ``title_values`` (chapter 11's waves).
    """
    missing = set(missing_inputs)
    kept, left_out = [], []
    for ch in chapters:
        title = ch[f"title_{language}"]
        if "{" in title:  # a field without a value stays as it is
            title = title.format_map(_KeepMissing(title_values or {}))
        lacking = lacking_inputs(ch.get("needs"), missing, groups)
        if lacking:
            left_out.append({"what": title, "anchor": ch["anchor"], "inputs": lacking})
            continue
        kept.append({**ch, "title": title})
        for part in ch.get("parts") or []:
            lacking = lacking_inputs(part["needs"], missing, groups)
            if lacking:
                label = t("context.left_out_" + part["id"])
                what = f"{title}: {label}"
                left_out.append({"what": what, "anchor": ch["anchor"], "inputs": lacking})
    return kept, left_out


def survey_title(waves: list[int], t) -> str:
    """Chapter 11's title from the waves: "Kommuneundersøkelsen 2021 sammenlignet med 2016"."""
    if not waves:
        return t("context.survey_title_none")
    years = [str(y) for y in sorted(waves)]
    if len(years) == 1:
        return t("context.survey_title_one", latest=years[0])
    earlier = years[:-1]
    joined = (
        earlier[0] if len(earlier) == 1 else f"{', '.join(earlier[:-1])} {t('context.and')} {earlier[-1]}"
    )
    return t("context.survey_title_compared", latest=years[-1], earlier=joined)


def wave_entries(extra: dict, ids) -> list[dict]:
    """Metadata of the per-wave and per-pair tables (``x_tab_9_1_2026``, ``x_survey_change_2021_2026``)
    from the ``wave_entries`` patterns of extra_entries.yaml: ``{year}`` or ``{first}``/``{last}`` in
    the pattern's id, filled into its other fields; ``{k}`` is the table's number among those the
    pattern matches (the ids listed under ``entries`` keep their own metadata)."""

    known = {e["id"] for e in extra.get("entries", [])}
    out = []
    for spec in extra.get("wave_entries", []):
        pattern = spec["id"]
        rx = re.compile(
            "^"
            + re.escape(pattern)
            .replace(r"\{year\}", r"(?P<year>\d{4})")
            .replace(r"\{first\}", r"(?P<first>\d{4})")
            .replace(r"\{last\}", r"(?P<last>\d{4})")
            + "$"
        )
        matched = sorted(i for i in ids if rx.match(i))
        for k, eid in enumerate(matched, start=1):
            if eid in known:
                continue
            values = {**rx.match(eid).groupdict(), "k": k}
            out.append(
                {key: (v.format(**values) if isinstance(v, str) else v) for key, v in spec.items()}
                | {"id": eid}
            )
    return out


def text_number_rows(df: pd.DataFrame) -> list[dict]:
    """Rows of a 'numbers in the text' table with one precision per kind of number: shares (key
    ending in _pct, or a row with a base n) at one decimal with %, counts and other quantities at
    0 decimals when every one of them is whole, else 1."""
    rows = []
    for r in df.to_dict("records"):
        key = r["series"] or r["category"] or r["item"] or r["kommune"]
        share = str(key).endswith("_pct") or not pd.isna(r["n"])
        rows.append({**r, "key": key, "share": share})
    others = [r["value"] for r in rows if not r["share"] and not pd.isna(r["value"])]
    plain = 0 if all(float(v).is_integer() for v in others) else 1
    for r in rows:
        r["decimals"] = 1 if r["share"] else plain
    return rows


def key_text(row, label, t) -> str:
    """A scorecard row's key in words: '2016, Kommuner/bydeler …' (the entry's labels), not
    'year=2016, series=units_practising'. An id without a label is shown as it is (the scorecard
    must not stop a build because a new mismatch lacks a label; the chapters' labels are strict)."""
    parts = [localise_ref(str(row["year"]), t)] if row.get("year", "") else []
    for c in ["series", "item", "category", "group", "kommune"]:
        if row.get(c, ""):
            try:
                parts.append(str(row[c]) if c in ("group", "kommune") else label(row["entry_id"], row[c]))
            except KeyError:
                parts.append(str(row[c]))
    if row.get("rank", ""):
        parts.append(f"#{row['rank']}")
    return ", ".join(parts)


def scorecard_views(card: pd.DataFrame, meta: dict, t, label, language: str, notes: dict) -> dict:
    """The scorecard appendix: counts per verdict and entry, and every row that is not a match,
    with its key, status, numbers and note in the report's language (``notes``: decision reasons
    by their English text, from reproduction_decisions.yaml)."""
    labels = dict(verdict_labels(t))
    score = summarise(card)
    by_entry = []
    for eid, g in card.groupby("entry_id", sort=False):
        counts = g["verdict"].value_counts()
        by_entry.append(
            {
                "id": eid,
                "ref": f"{meta.get(eid, {}).get('report_ref', eid)} ({eid})",
                **{v: int(counts.get(v, 0)) for v in labels},
            }
        )
    problems = []
    for _, r in card[card["verdict"] != "match"].iterrows():
        note = scorecard_note(r.get("note", ""), t, notes)
        problems.append(
            {
                "ref": meta.get(r["entry_id"], {}).get("report_ref", r["entry_id"]),
                "key": key_text(r, label, t),
                "status": t(f"context.status_{r['status']}"),
                **scorecard_numbers(r["published"], r["computed"]),
                "verdict": r["verdict"],
                "verdict_label": labels[r["verdict"]],
                "note": "; ".join(x for x in [r.get("inconsistency", ""), note] if x),
            }
        )
    basis = card["basis"] if "basis" in card.columns else pd.Series("", index=card.index)
    return {
        "score": score,
        # the headline split: matches on real data, on synthetic data calibrated to the report, cited
        "score_basis": summarise_basis(card) if "basis" in card.columns else {b: 0 for b in BASES},
        "score_by_basis": {
            v: {b: int(((card["verdict"] == v) & (basis == b)).sum()) for b in BASES} for v in labels
        },
        "basis_labels": basis_labels(t),
        "scored_entries": frozenset(card["entry_id"]),
        "basis_short": {b: t(f"context.basis_short_{b}") for b in BASES},
        "score_total": int(len(card)),
        "score_by_entry": by_entry,
        "score_problems": problems,
        "verdict_labels": verdict_labels(t),
    }


def figure_bases(table: pd.DataFrame, printed_n, label) -> list[dict]:
    """The base of every bar of a survey figure, per year (newest first): one ``n`` when all bars
    share it, else ``per_bar`` as 'label: n; label: n'; ``printed`` is the report's N where it
    differs from a bar's base (the note then says which bases the bars use)."""
    printed_n = printed_n if isinstance(printed_n, dict) else {}
    out = []
    # plain values, not a mask and a groupby per year (~0.1 s of every render, issue 28)
    rows = [
        (year, item, int(n), entry)
        for year, item, n, entry in zip(
            table["year"].tolist(), table["item"].tolist(), table["n"].tolist(), table["entry_id"].tolist()
        )
        if not pd.isna(n)
    ]
    for year in sorted({r[0] for r in rows}, reverse=True):
        g = [r for r in rows if r[0] == year]
        per_item: dict = {}  # the largest base per bar, bars in the table's order
        for _, item, n, _ in g:
            if not pd.isna(item):
                per_item[item] = max(per_item.get(item, n), n)
        printed = printed_n.get(str(year))
        printed = printed if isinstance(printed, int) and not isinstance(printed, bool) else None
        differs = printed is not None and any(n != printed for n in per_item.values())
        one = len(set(per_item.values())) == 1
        out.append(
            {
                "year": str(year),
                "n": next(iter(per_item.values())) if one else None,
                "per_bar": None
                if one
                else "; ".join(
                    f"{label(str(g[0][3]), k)}: {n}" if k else str(n) for k, n in per_item.items()
                ),
                "printed": printed if differs else None,
            }
        )
    return out


CLAIM_VERDICTS = ("holds", "fails", "unresolved")


def claims_views(claims: pd.DataFrame | None, catalogue: dict, meta: dict, language: str, t) -> dict:
    """The claims scorecard for the appendix: counts, counts per entry beside the numbers, and
    every statement that does not hold with the report's words and the reason."""
    if claims is None:
        return {"claims": None}
    labels = {v: t(f"context.claim_verdict_{v}") for v in CLAIM_VERDICTS}
    statements = {
        c["id"]: c for c in (catalogue.get("claims") or []) + (catalogue.get("not_checkable") or [])
    }
    counts = claims["verdict"].value_counts()
    by_entry = {}
    for eid, g in claims.groupby("entry_id", sort=False):
        c = g["verdict"].value_counts()
        by_entry[eid] = {v: int(c.get(v, 0)) for v in CLAIM_VERDICTS}
    rows = []
    for r in claims[claims["verdict"] != "holds"].itertuples():
        stmt = statements.get(r.claim_id, {})
        words = (
            stmt.get("phrase_no", "")
            if language == "no"
            else stmt.get("reading") or stmt.get("phrase_no", "")
        )
        rows.append(
            {
                "id": r.claim_id,
                "ref": meta.get(r.entry_id, {}).get("report_ref", r.entry_id),
                "stated_in": stmt.get("stated_in", ""),
                "words": typeset(" ".join(str(words).split()), language),
                "verdict": r.verdict,
                "verdict_label": labels[r.verdict],
                "note": r.note,
            }
        )
    return {
        "claims": {
            "labels": [(v, labels[v]) for v in CLAIM_VERDICTS],
            "score": {v: int(counts.get(v, 0)) for v in CLAIM_VERDICTS},
            "by_basis": {
                v: {b: int(((claims["verdict"] == v) & (claims.get("basis") == b)).sum()) for b in BASES}
                for v in CLAIM_VERDICTS
            },
            "total": int(len(claims)),
            "checkable": int(claims["claim_id"].isin([c["id"] for c in catalogue.get("claims") or []]).sum()),
            "by_entry": by_entry,
            "problems": rows,
        }
    }


def scorecard_numbers(published: str, computed: str) -> dict:
    """Published and computed values with their decimals: the published one as printed, the
    computed one with one more decimal where rounding to the published decimals changes it (so
    the rounding is visible)."""
    try:
        pub = float(published)
    except (TypeError, ValueError):
        return {"published": None, "computed": None, "published_decimals": 0, "computed_decimals": 0}
    d = decimals_of(pub)
    comp = float(computed) if computed not in ("", None) else None
    extra = 0 if comp is None or float(round_half_up(comp, d)) == comp else 1
    return {"published": pub, "computed": comp, "published_decimals": d, "computed_decimals": d + extra}


# the scorecard's generic notes (analysis.report.reproduction) -> catalogue keys
GENERIC_NOTES = {
    "the report prints another value for the same number, which the computation matches": "note_other_printed_value",
    "no computed value": "note_no_computed_value",
    "no computed table for this entry": "note_no_computed_table",
}


TIED_RANKS = re.compile(r"^tied ranks (\d+)-(\d+) compared as a set$")


def scorecard_note(note: str, t, notes: dict) -> str:
    """A scorecard note in the report's language: a decision's reason from ``notes`` (keyed by
    its English text), a generic note from the catalogue. A note the catalogue does not know
    stops the render (it would print English in the Norwegian report)."""
    if not note:
        return ""
    if note in notes:
        return notes[note]
    if note in GENERIC_NOTES:
        return t(f"context.{GENERIC_NOTES[note]}")
    tied = TIED_RANKS.match(note)
    if tied:
        return t("context.note_tied_ranks", first=tied.group(1), last=tied.group(2))
    raise KeyError(
        f"scorecard note without a translation: {note[:80]!r}; add it to GENERIC_NOTES in "
        "analysis/report/context.py and the message catalogues"
    )


def decision_notes(decisions: dict, language: str) -> dict[str, str]:
    """{English reason: reason in language} for every recorded decision (reason_no in Norwegian)."""
    out = {}
    for d in decisions.get("decisions", []):
        text = d["reason"] if language == "en" else d.get(f"reason_{language}")
        if not text:
            raise KeyError(f"reproduction decision {d['entry_id']} {d.get('key')}: no reason_{language}")
        out[d["reason"]] = text
    return out


def prose_lookup(tables, published: dict, label, language: str, t):
    """prose(entry_id): chapter 11's sentences on a survey figure (analysis.report.prose), from
    its table and the change table of the last pair of waves (``x_survey_change_<FROM>_<TO>``)."""
    from analysis.report.alt_text import unit_of
    from analysis.report.prose import figure_prose

    entries = {e["id"]: e for e in published["entries"]}
    pairs = sorted(
        (tid for tid in tables.ids() if re.fullmatch(r"x_survey_change_\d{4}_\d{4}", tid)),
        key=lambda s: int(s[-4:]),
    )
    change = tables.get(pairs[-1]) if pairs else None
    # each figure's rows of the change table, split once (not a mask over the table per figure)
    by_series = {} if change is None else dict(iter(change.groupby("series", sort=False)))

    def prose(entry_id: str) -> str:
        if entry_id not in tables:
            return ""
        mine = None if change is None else by_series.get(entry_id, change.iloc[0:0])
        mean = unit_of(entries.get(entry_id, {}), {}) == "score"
        return figure_prose(entry_id, tables.get(entry_id), mine, mean, label, language, t)

    return prose


def data_rows_lookup(tables, label, language: str):
    """figure_data(entry_id): the numbers a figure shows as rows for an accessible table under it
    (screen only): the row's keys in words, its value and base. A key without a label is shown
    as it is (the table must not stop a render)."""
    from analysis.report.numbers import fmt_number

    def words(entry_id, col, key) -> str:
        return str(key) if col in ("group", "kommune") else key_name(entry_id, key, label)

    def figure_data(entry_id: str) -> list[dict]:
        if entry_id not in tables:
            return []
        df = tables.get(entry_id)
        df = df[df["value"].notna()]
        keys = ("series", "item", "category", "group", "kommune")
        # plain columns, not iterrows: a Series per row cost ~0.1 s of each render (issue 28)
        columns = [df[c].tolist() for c in ("year", "value", "n", *keys)]
        return [
            {
                "year": str(year),
                "what": " – ".join(words(entry_id, c, k) for c, k in zip(keys, row_keys) if k),
                "value": fmt_number(value, 0 if float(value).is_integer() else 1, language),
                "n": "" if pd.isna(n) else fmt_number(n, 0, language),
            }
            for year, value, n, *row_keys in zip(*columns)
        ]

    return figure_data


def table_lookup(paths: dict[str, str]):
    """table_src(entry_id): the entry's tidy CSV as a data: URI, so that each figure of
    report.html links to its numbers and the file still works copied alone (screen only)."""
    import base64

    def table_src(entry_id: str) -> str:
        data = Path(paths[entry_id]).read_bytes()
        return "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")

    return table_src


def figure_lookup(uris: dict[str, str]):
    """figure_src(entry_id): the figure inline (a data: URI), never a link to figures/."""

    def figure_src(entry_id: str) -> str:
        try:
            return uris[entry_id]
        except KeyError:
            raise KeyError(f"figure {entry_id}: not an input of the render rule") from None

    return figure_src


def alt_lookup(published: dict, extra: dict, specs: dict, tables, meta: dict, label, language: str, t):
    """alt(entry_id): the figure's alt text from its table (analysis.report.alt_text); the title
    only where the table has nothing to summarise."""
    entries = {e["id"]: e for e in list(published["entries"]) + list(extra.get("entries", []))}

    def alt(entry_id: str) -> str:
        # a survey wave's own copy of a figure (x_weighted_estimates_2026) is summarised as the figure
        spec = specs.get(entry_id) or specs.get(re.sub(r"_\d{4}$", "", entry_id), {})
        table = spec.get("table", entry_id)  # a figure drawn from another entry's table
        df = tables.get(table) if table in tables else None
        text = figure_alt(table, df, entries.get(table, entries.get(entry_id, {})), spec, label, language, t)
        m = meta.get(entry_id, {})
        text = text or m.get(f"title_{language}", entry_id)
        # a figure drawn from synthetic data says so in its alt text too, not only in the picture
        return f"{text} {t('alt.synthetic')}" if m.get("synthetic") else text

    return alt


def fill_study(meta: dict, study, tables, t) -> dict:
    """Put the register period ({register_span}: "2016 – første kvartal 2021" or "2016–2025"), the
    kommune structure ({structure}) and a part-year note ({partial_note}) into titles and source lines."""
    key = register_period_key(tables)
    first, last = key.split("-") if key else (str(study.first_year), str(study.last_year))
    q1 = study.is_partial_year(int(last)) and study.register_end[5:] == "03-31"
    words = {
        "register_span": t("context.register_span_q1", first=first, last=last)
        if q1
        else f"{first}\u2013{last}",
        "structure": str(study.structure),
        "partial_note": t("context.partial_q1", last=last) if q1 else "",
    }
    for m in meta.values():
        for k in ("title_no", "title_en", "source_line"):
            if "{" in m.get(k, ""):
                m[k] = m[k].format_map(words)
    return meta


def years_of(tables, entry_id: str, **keys) -> list[str]:
    """The single years (not periods) of an entry's rows matching ``keys``, in order."""
    if entry_id not in tables:
        return []
    years = tables.rows(entry_id, **keys)["year"].astype(str).unique()
    return sorted(y for y in years if re.fullmatch(r"\d{4}", y))


def register_period_key(tables) -> str | None:
    """The key of the register's period rows in fig_2_1 ("2016-2021"), None without the register."""
    if "fig_2_1" not in tables:
        return None
    years = [y for y in tables.get("fig_2_1")["year"].astype(str).unique() if re.fullmatch(r"\d{4}-\d{4}", y)]
    return years[0] if years else None


def build_context(
    *,
    language,
    t,
    demo,
    protect,
    config,
    tables,
    card,
    provenance,
    published_path,
    report_dir: Path,
    created: str,
    template_dir: Path,
    decisions: dict | None = None,
    figure_uris: dict[str, str] | None = None,
    benchmarks: dict | None = None,
    synthetic: frozenset[str] = frozenset(),
    claims: pd.DataFrame | None = None,
    claims_catalogue: dict | None = None,
    missing_inputs: list[str] = (),
    cited_roles=(),
    table_files: dict[str, str] | None = None,
    survey: dict,
) -> dict:
    published = _yaml(Path(published_path))
    extra = _yaml(report_dir / "extra_entries.yaml")
    extra = {**extra, "entries": list(extra.get("entries", [])) + wave_entries(extra, tables.ids("x_"))}
    study = study_from_config(config)
    meta = fill_study(entry_metadata(published, extra, language, t, synthetic), study, tables, t)
    label = label_lookup(published, language, t)
    spec = _yaml(report_dir / "chapters.yaml")
    chapters, left_out = plan_chapters(
        [ch for ch in spec["chapters"] if (template_dir / "chapters" / ch["template"]).exists()],
        missing_inputs,
        language,
        t,
        survey.get("input_groups"),
        {"survey_title": survey_title(survey.get("waves", []), t)},
    )
    method_needs = spec.get("method_needs") or {}
    method_sections = sorted(
        f"method/{p.name}"
        for p in (template_dir / "method").glob("*.html.j2")
        if not lacking_inputs(
            method_needs.get(p.name.removesuffix(".html.j2"), []),
            set(missing_inputs),
            survey.get("input_groups"),
        )
    )
    kinds = {i["role"]: i["kind"] for i in provenance["inputs"]}
    title = config["report"][f"title_{language}"]
    return {
        "title": title,
        "short_title": t("context.short_title"),
        "demo": demo,
        "protect": protect,
        "threshold": config["protection"]["threshold"],
        "previous_release": config["protection"]["previous_release"],
        "synthetic_banner": t("context.synthetic_banner"),
        "synthetic_inputs": sorted(r for r, k in kinds.items() if k == "synthetic"),
        "real_inputs": sorted(r for r, k in kinds.items() if k == "real"),
        "synthetic_input_words": [role_words(r, t) for r, k in sorted(kinds.items()) if k == "synthetic"],
        "real_input_words": [role_words(r, t) for r, k in sorted(kinds.items()) if k == "real"],
        "created": created,
        "code_version": provenance["code_version"],
        "provenance": provenance,
        "lineage_of": footer_lookup(provenance),
        "packages": sorted(provenance["packages"].items()),
        "E": meta,
        "label": label,
        "bases": {
            e["id"]: figure_bases(tables.get(e["id"]), e.get("n"), label)
            for e in published["entries"]
            if e["id"].startswith("fig_11_") and e["id"] in tables
        },
        "phrase": phrase_lookup(published),
        "T": tables,
        "chapters": chapters,
        "left_out": left_out,
        "missing_inputs": list(missing_inputs),
        "survey": survey,
        "method_sections": method_sections,
        "key_numbers": key_numbers(
            _yaml(report_dir / "key_numbers.yaml").get("key_numbers", []),
            tables,
            language,
            t,
            chapters,
            meta,
            chapter_sources(chapters, template_dir),
            cited_roles,
        ),
        "split_to": config["harmonisation"]["split_to"],
        # the data dictionary of the tidy tables (CONTRACT.md): the contract's columns, the common extras
        "tidy_columns": [*TIDY_COLUMNS, "ci_low", "ci_high", "source", "note", "synthetic"],
        "references": _yaml(report_dir / "references.yaml").get("references", []),
        "study": study,
        "register_period": register_period_key(tables),
        "years_of": lambda entry_id, **keys: years_of(tables, entry_id, **keys),
        "config": config,
        # the level of every survey interval (survey.confidence) as the texts print it: 95
        "ci_level": int(100 * config["survey"]["confidence"] + 0.5),
        "benchmarks": benchmarks,
        **scorecard_views(card, meta, t, label, language, decision_notes(decisions or {}, language)),
        **claims_views(claims, claims_catalogue or {}, meta, language, t),
        "text_rows": text_number_rows,
        "figure_src": figure_lookup(figure_uris or {}),
        "table_src": table_lookup(table_files or {}),
        "figure_data": data_rows_lookup(tables, label, language),
        "prose": prose_lookup(tables, published, label, language, t),
        "alt": alt_lookup(
            published,
            extra,
            (_yaml(report_dir / "figure_alt.yaml").get("figures") or {}),
            tables,
            meta,
            label,
            language,
            t,
        ),
    }
