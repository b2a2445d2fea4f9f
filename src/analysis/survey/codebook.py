"""The project's survey codebook (``workflow/resources/codebook.yaml``): items, scales, routing, figures.

Everything the survey stage does is driven by this file: which columns a survey file has, which
codes are valid, which items are routed behind which gate, and how each figure collapses the
answers. Adding an item or a figure is an edit of the YAML, not of the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.core.yamlio import YAML_LOADER

FIGURE_KINDS = ("distribution", "multi", "share", "mean")
WAVE_CHANGE_KEYS = ("figure", "item", "change", "words", "what", "what_en", "report_ref", "report_text")


@dataclass(frozen=True)
class Codebook:
    raw: dict

    @property
    def items(self) -> dict:
        return self.raw["items"]

    @property
    def scales(self) -> dict:
        return self.raw["scales"]

    @property
    def figures(self) -> dict:
        return self.raw["figures"]

    def known_waves(self) -> list[int]:
        """The waves the codebook describes (every year some item was asked in), ordered."""
        return sorted({int(y) for d in self.items.values() for y in d["years"]})

    def questionnaire_of(self, year: int) -> int:
        """The codebook wave whose questionnaire wave ``year`` used: ``year`` itself when the
        codebook knows it, else the latest known wave before it (a wave later than every wave the
        codebook knows asks what the latest one asked, with its wording; CONTRACT.md)."""
        known = self.known_waves()
        earlier = [y for y in known if y <= int(year)]
        if not earlier:
            raise ValueError(f"survey wave {year} is earlier than every wave of the codebook {known}")
        return earlier[-1]

    def asked_in(self, years, year: int) -> bool:
        """Whether something the codebook lists for ``years`` (an item, a figure, a count) belongs
        to wave ``year``."""
        return self.questionnaire_of(year) in {int(y) for y in years}

    def items_for(self, year: int) -> list[str]:
        """Item ids asked in ``year``, in codebook order (the expected survey columns)."""
        wave = self.questionnaire_of(year)  # once, not per item (it reads every item's years)
        return [i for i, d in self.items.items() if wave in {int(y) for y in d["years"]}]

    def wording(self, item: str, year: int, language: str) -> tuple[str, int]:
        """(the item's wording in wave ``year``, the wave that wording was written down for).

        An item's ``label_<language>`` is its wording in the first wave of its ``years``; an entry
        ``wording: {YEAR: {no: ..., en: ...}}`` gives the wording from that wave on. A wave with no
        entry of its own inherits the previous wave's wording."""
        d = self.items[item]
        own = {int(y): w for y, w in (d.get("wording") or {}).items()}
        first = min(int(y) for y in d["years"])
        src = max([y for y in own if y <= int(year)], default=None)
        if src is None:
            return str(d.get(f"label_{language}") or d["label_no"]), first
        return self.label(own[src], language), src

    def inherited_wording(self, year: int) -> dict[str, int]:
        """Items asked in wave ``year`` whose wording the codebook does not give for that wave:
        item -> the earlier wave whose wording it inherits. For a wave the codebook knows, items
        listing the wave in ``years`` have their own wording unless their ``wording`` entries
        stop before it; a wave the codebook does not know inherits every item's wording."""
        out = {}
        known = int(year) in self.known_waves()
        for item in self.items_for(year):
            d = self.items[item]
            _, src = self.wording(item, year, "no")
            if not known or (d.get("wording") and src != int(year)):
                out[item] = src if known else self.questionnaire_of(year)
        return out

    def is_open(self, item: str) -> bool:
        return self.items[item]["type"] == "open_text"

    def codes(self, item: str) -> list[int]:
        return sorted(int(c) for c in self.scales[self.items[item]["scale"]]["codes"])

    def code_label(self, item: str, code: int, language: str) -> str:
        return self.scales[self.items[item]["scale"]]["codes"][int(code)][language]

    def gate(self, item: str) -> dict | None:
        return self.items[item].get("asked_if")

    def figure_items(self, fid: str) -> list[tuple[str, str]]:
        """(published item key, codebook item id) pairs of a figure, in display order."""
        return [(k, v["item"]) for k, v in self.figures[fid]["items"].items()]

    def label(self, node: dict, language: str) -> str:
        return str(node.get(language) or node.get("no") or "")

    def wave_changes(self, y0: int, y1: int) -> dict[tuple[str, str], dict]:
        """Figure items whose wording or answer options differ between waves ``y0`` and ``y1``,
        keyed by (figure id, item key): not comparable, so never tested.

        From the YAML's ``wave_changes`` (``words`` per wave; a wave without an entry has the
        words of the previous wave that has one) and from items whose ``wording`` differs between
        the two waves."""

        def words_at(words: dict, year: int):
            src = max([int(y) for y in words if int(y) <= year], default=None)
            return None if src is None else words[src]

        out = {}
        for c in self.raw.get("wave_changes", []):
            w0, w1 = words_at(c["words"], int(y0)), words_at(c["words"], int(y1))
            if w0 is not None and w1 is not None and w0 != w1:
                out[(c["figure"], c["item"])] = c
        for fid, f in self.figures.items():
            for key, node in f["items"].items():
                item = node["item"]
                if (fid, key) in out or not self.items[item].get("wording"):
                    continue
                (a, _), (b, _) = self.wording(item, y0, "no"), self.wording(item, y1, "no")
                (a_en, _), (b_en, _) = self.wording(item, y0, "en"), self.wording(item, y1, "en")
                if a != b:
                    out[(fid, key)] = {
                        "figure": fid,
                        "item": key,
                        "change": "wording",
                        "words": {int(y0): a, int(y1): b},
                        "what": f"{y0} «{a}», {y1} «{b}»",
                        "what_en": f'{y0} "{a_en}", {y1} "{b_en}"',
                    }
        return out


def load_codebook(path: str | Path) -> Codebook:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=YAML_LOADER)
    check_codebook(raw, str(path))
    return Codebook(raw)


def check_codebook(raw: dict, path: str = "codebook") -> None:
    """Fail early on a codebook that would make the stage misbehave (typos in ids or codes)."""
    items, scales = raw["items"], raw["scales"]
    for iid, d in items.items():
        if d["type"] != "open_text" and d.get("scale") not in scales:
            raise ValueError(f"{path}: item {iid} has unknown scale {d.get('scale')!r}")
        g = d.get("asked_if")
        if g:
            if g["item"] not in items:
                raise ValueError(f"{path}: item {iid} is gated by unknown item {g['item']}")
            gcodes = {int(c) for c in scales[items[g["item"]]["scale"]]["codes"]}
            if not set(g["in"]) <= gcodes:
                raise ValueError(f"{path}: gate codes {g['in']} of {iid} not in the gate's scale")
    for i, c in enumerate(raw.get("wave_changes", [])):
        missing = [k for k in WAVE_CHANGE_KEYS if not str(c.get(k, "")).strip() and k != "item"]
        if missing or "item" not in c:
            raise ValueError(f"{path}: wave_changes entry {i + 1} lacks {missing or ['item']}")
        if c["figure"] not in raw["figures"] or c["item"] not in raw["figures"][c["figure"]]["items"]:
            raise ValueError(
                f"{path}: wave_changes entry {i + 1} names no figure item: {c['figure']} {c['item']!r}"
            )
        if not isinstance(c["words"], dict) or len(c["words"]) < 2:
            raise ValueError(
                f"{path}: wave_changes entry {i + 1}: words must give the words of two waves or more"
            )
        if c["change"] not in ("wording", "answer_options"):
            raise ValueError(f"{path}: wave_changes entry {i + 1}: change must be wording or answer_options")
    for fid, f in raw["figures"].items():
        if f["kind"] not in FIGURE_KINDS:
            raise ValueError(f"{path}: figure {fid} has unknown kind {f['kind']!r}")
        for key, node in f["items"].items():
            if node["item"] not in items:
                raise ValueError(f"{path}: figure {fid} item {key} refers to unknown item {node['item']}")
            codes = {int(c) for c in scales[items[node["item"]]["scale"]]["codes"]}
            sets = [c["codes"] for c in f.get("categories", {}).values()]
            sets += list(f.get("extra_categories", {}).values()) + list(
                f.get("count_categories", {}).values()
            )
            sets += [f.get("share", [])] + [f.get("exclude_from_base", [])]
            for s in sets:
                if not set(s) <= codes:
                    raise ValueError(
                        f"{path}: figure {fid} uses codes {s} not in the scale of {node['item']}"
                    )
