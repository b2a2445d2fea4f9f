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
WAVE_CHANGE_KEYS = (
    "figure",
    "item",
    "change",
    "words_2016",
    "words_2021",
    "what",
    "what_en",
    "report_ref",
    "report_text",
)


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

    def items_for(self, year: int) -> list[str]:
        """Item ids asked in ``year``, in codebook order (the expected survey columns)."""
        return [i for i, d in self.items.items() if int(year) in d["years"]]

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

    def wave_changes(self) -> dict[tuple[str, str], dict]:
        """Figure items whose wording or answer options differ between the waves, keyed by
        (figure id, item key): not comparable, so never tested (``wave_changes`` in the YAML)."""
        return {(c["figure"], c["item"]): c for c in self.raw.get("wave_changes", [])}


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
