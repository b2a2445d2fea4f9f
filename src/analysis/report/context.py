"""Everything the report templates need, assembled from computed tables and metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.synthetic import DESC
from analysis.core.yamlio import load_yaml
from analysis.report.reproduction import summarise

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


_REF_EN = [(r"^Figur\b", "Figure"), (r"^Tabell\b", "Table"), (r"^kap\.", "ch."), (r"^Vedlegg\b", "Appendix")]


def localise_ref(ref: str, language: str) -> str:
    """'Figur 2.1' -> 'Figure 2.1' in the English report (numbers stay the report's)."""
    if language != "en":
        return ref
    for pattern, repl in _REF_EN:
        ref = re.sub(pattern, repl, ref)
    return ref


def label_lookup(published: dict, language: str):
    """label(entry_id, key_id): the Norwegian/English label of a series, item or category."""
    table = {}
    for e in published["entries"]:
        for kind in ("series", "items", "categories"):
            for x in e.get(kind) or []:
                if isinstance(x, dict) and "id" in x:
                    table[(e["id"], str(x["id"]))] = (
                        x.get(f"label_{language}") or x.get("label_no") or x["id"]
                    )

    def label(entry_id: str, key: str) -> str:
        return table.get((entry_id, str(key)), str(key).replace("_", " "))

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
    """The entry's 'Kilde:' line; with synthetic data it ends in '(syntetiske data)', and an
    entry the catalogue gives no line gets one naming its data sources (``context.source_<role>``)."""
    line = entry.get(
        "source_line_en" if language == "en" else "source_line_no", entry.get("source_line_no", "")
    )
    if not synthetic:
        return line
    if not line:
        keys = [f"context.source_{s}" for s in entry.get("data_source") or []]
        names = [t(k) for k in keys if k in t]
        line = t("context.source_line", sources="; ".join(names)).rstrip()
    return f"{line.rstrip()} {t('context.synthetic_data_mark')}"


def entry_metadata(
    published: dict, extra: dict, language: str, t, synthetic: frozenset[str] = frozenset()
) -> dict[str, dict]:
    """report_ref, titles and the 'Kilde:' line for every published and x_ entry; ``synthetic``
    holds the entries whose table or figure a synthetic input contributed to."""
    meta = {}
    for e in list(published["entries"]) + list(extra.get("entries", [])):
        meta[e["id"]] = {
            "id": e["id"],
            "report_ref": localise_ref(display_ref(e.get("report_ref", e["id"])), language),
            "title_no": e.get("title_no", ""),
            "title_en": e.get("title_en", e.get("title_no", "")),
            "source_line": source_line(e, language, e["id"] in synthetic, t),
            "synthetic": e["id"] in synthetic,
            "reproduction": e.get("reproduction", "compute"),
        }
    return meta


def synthetic_entries(tables: dict[str, pd.DataFrame], figures: dict[str, str]) -> frozenset[str]:
    """Entries built from a synthetic input: a table with a ``synthetic`` row, or a figure file
    that carries the synthetic-data words (core.figures writes them)."""
    out = {eid for eid, t in tables.items() if "synthetic" in t.columns and t["synthetic"].astype(bool).any()}
    out |= {eid for eid, svg_text in figures.items() if DESC in svg_text}
    return frozenset(out)


_CHAPTER_OF = re.compile(r"^(?:tab|fig|text_ch)_?(\d+)")


def anchor_for(entry_id: str, chapters: list[dict]) -> str:
    """The figure/table anchor, or for a text entry the anchor of its chapter (kap. N)."""
    if not entry_id.startswith("text_"):
        return entry_id
    m = _CHAPTER_OF.match(entry_id)
    anchors = {c["anchor"] for c in chapters}
    return f"kap{m.group(1)}" if m and f"kap{m.group(1)}" in anchors else "summary"


def key_numbers(spec: list[dict], tables, language: str, chapters: list[dict]) -> list[dict]:
    out = []
    for k in spec:
        if not tables.has(k["entry_id"], **k["keys"]):
            continue
        out.append(
            {
                "entry_id": k["entry_id"],
                "anchor": anchor_for(k["entry_id"], chapters),
                "label": k[f"label_{language}"],
                "value": tables.value(k["entry_id"], **k["keys"]),
                "decimals": k.get("decimals", 0),
                "suffix": k.get("suffix", ""),
            }
        )
    return out


def _key_text(row: pd.Series) -> str:
    parts = [
        f"{c}={row[c]}"
        for c in ["year", "series", "item", "category", "group", "rank", "kommune"]
        if row.get(c, "")
    ]
    return ", ".join(parts)


def scorecard_views(card: pd.DataFrame, meta: dict, t) -> dict:
    labels = dict(verdict_labels(t))
    score = summarise(card)
    by_entry = []
    for eid, g in card.groupby("entry_id", sort=False):
        counts = g["verdict"].value_counts()
        by_entry.append(
            {
                "ref": f"{meta.get(eid, {}).get('report_ref', eid)} ({eid})",
                **{v: int(counts.get(v, 0)) for v in labels},
            }
        )
    problems = []
    for _, r in card[card["verdict"] != "match"].iterrows():
        problems.append(
            {
                "ref": meta.get(r["entry_id"], {}).get("report_ref", r["entry_id"]),
                "key": _key_text(r),
                "status": r["status"],
                "published": _short(r["published"]),
                "computed": _short(r["computed"]),
                "verdict": r["verdict"],
                "verdict_label": labels[r["verdict"]],
                "note": "; ".join(x for x in [r.get("inconsistency", ""), r.get("note", "")] if x),
            }
        )
    return {
        "score": score,
        "score_total": int(len(card)),
        "score_by_entry": by_entry,
        "score_problems": problems,
        "verdict_labels": verdict_labels(t),
    }


def _short(v: str) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v or "–"
    return f"{f:.4g}" if abs(f) < 1e6 else f"{f:.0f}"


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
    benchmarks: dict | None = None,
    synthetic: frozenset[str] = frozenset(),
) -> dict:
    published = _yaml(Path(published_path))
    extra = _yaml(report_dir / "extra_entries.yaml")
    meta = entry_metadata(published, extra, language, t, synthetic)
    chapters = []
    for ch in _yaml(report_dir / "chapters.yaml")["chapters"]:
        if (template_dir / "chapters" / ch["template"]).exists():
            chapters.append({**ch, "title": ch[f"title_{language}"]})
    method_sections = sorted(f"method/{p.name}" for p in (template_dir / "method").glob("*.html.j2"))
    kinds = {i["role"]: i["kind"] for i in provenance["inputs"]}
    title = config["report"][f"title_{language}"]
    return {
        "title": title,
        "short_title": t("context.short_title"),
        "demo": demo,
        "protect": protect,
        "threshold": config["protection"]["threshold"],
        "synthetic_banner": t("context.synthetic_banner"),
        "synthetic_inputs": sorted(r for r, k in kinds.items() if k == "synthetic"),
        "real_inputs": sorted(r for r, k in kinds.items() if k == "real"),
        "created": created,
        "code_version": provenance["code_version"],
        "provenance": provenance,
        "packages": sorted(provenance["packages"].items()),
        "E": meta,
        "label": label_lookup(published, language),
        "phrase": phrase_lookup(published),
        "T": tables,
        "chapters": chapters,
        "method_sections": method_sections,
        "key_numbers": key_numbers(
            _yaml(report_dir / "key_numbers.yaml").get("key_numbers", []), tables, language, chapters
        ),
        "split_to": config["harmonisation"]["split_to"],
        "config": config,
        "benchmarks": benchmarks,
        **scorecard_views(card, meta, t),
    }
