"""Reader-facing words: one message catalogue per language (``workflow/report/messages/<lang>.yaml``).

A catalogue is a YAML mapping of groups (one per template, plus ``context`` for text built in
Python) to ``key: text``. Templates call ``msg('group.key')``; a text may hold ``{name}``
fields that the call fills: ``t('ch02.fig_2_1_note', total='15 284')``. A key missing from
the catalogue, a field without a value or a value without a field stops the render
with the key named, so a translation can never silently fall back to the other language.
Stage code draws its figures' words from the group ``figure`` (``figure.<figure>_<what>``, words
several figures share as ``figure.<what>``): the rule lists the catalogue of its language as input
``messages`` and the script hands ``Messages`` (or ``figure_words``) to the plot function.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.core.yamlio import load_yaml

FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def flatten(catalogue: dict, prefix: str = "") -> dict[str, str]:
    """{'group': {'key': 'x'}} -> {'group.key': 'x'}; every leaf must be a string."""
    out: dict[str, str] = {}
    for key, value in (catalogue or {}).items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, full + "."))
        elif isinstance(value, str):
            out[full] = value
        else:
            raise ValueError(f"message {full}: expected text, got {type(value).__name__}")
    return out


def load_messages(path: str | Path) -> dict[str, str]:
    try:
        return flatten(load_yaml(path))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def fields_of(text: str) -> set[str]:
    return set(FIELD.findall(text))


class Messages:
    """``msg(key, **values)``: the catalogue text for key with its fields filled."""

    def __init__(self, messages: dict[str, str], source: str = "message catalogue"):
        self._m = messages
        self._source = source

    def __contains__(self, key: str) -> bool:
        return key in self._m

    def text(self, key: str) -> str:
        """The catalogue text for key with its fields left for the caller (a figure fills
        ``{year}`` per tick); unknown keys stop as in ``__call__``."""
        try:
            return self._m[key]
        except KeyError:
            raise KeyError(f"{self._source}: no message '{key}'") from None

    def __call__(self, key: str, **values) -> str:
        text = self.text(key)
        wanted = fields_of(text)
        if wanted != set(values):
            missing, extra = sorted(wanted - set(values)), sorted(set(values) - wanted)
            raise KeyError(
                f"{self._source}: message '{key}': missing values {missing}, unused values {extra}"
            )
        if not values:
            return text
        return FIELD.sub(lambda m: str(values[m.group(1)]), text)


def figure_words(t: Messages, figure: str, **shared: str) -> dict[str, str]:
    """The words a plot function looks up by its own short keys: every ``figure.<figure>_<key>``
    as ``key``, plus ``shared`` (short key -> key in group ``figure`` that several figures share),
    fields left for the plot to fill: ``figure_words(t, "scope", q1="q1")``."""
    prefix = f"figure.{figure}_"
    words = {k.removeprefix(prefix): v for k, v in t._m.items() if k.startswith(prefix)}
    words.update({short: t.text(f"figure.{key}") for short, key in shared.items()})
    return words
