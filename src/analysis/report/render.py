"""Render the report: Jinja2 templates -> HTML -> PDF with WeasyPrint.

Every number in the report comes from the tidy tables, the scorecard or provenance passed in the
context; templates only format. Output is deterministic: fixed PDF dates (SOURCE_DATE_EPOCH or
the commit time), a fixed PDF identifier, and sorted inputs.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from analysis.core.protection import range_label
from analysis.report.numbers import (
    MISSING,
    Hidden,
    fmt_number,
    fmt_p,
    fmt_p_phrase,
    fmt_pct,
    fmt_power10,
    fmt_small,
    is_missing,
)
from analysis.report.reproduction import positions_where


def make_env(template_dir: str | Path, language: str, t, cache_dir: str | Path | None = None) -> Environment:
    """Jinja2 environment; ``t`` is the language's message catalogue (analysis.core.messages).

    ``cache_dir`` keeps the compiled templates between renders (keyed by each template's source,
    so only an edited template is compiled again): compiling all of them is ~40 % of the HTML
    preview's job. The output does not depend on the cache."""
    cache = None
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        cache = FileSystemBytecodeCache(str(cache_dir))
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        bytecode_cache=cache,
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # every number in the report goes through analysis.report.numbers (one formatter, both languages)
    env.filters["num"] = lambda v, d=0: fmt_number(v, d, language)
    env.filters["pct"] = lambda v, d=0: fmt_pct(v, d, language)
    env.filters["small"] = lambda v, d=3: fmt_small(v, d, language)
    env.filters["pow10"] = lambda v: fmt_power10(v, language)
    env.filters["pval"] = lambda v: fmt_p(v, language)
    env.filters["p_phrase"] = lambda v: fmt_p_phrase(v, language)
    env.filters["blank"] = lambda v: "" if is_missing(v) else v
    env.globals["msg"] = t
    env.globals["language"] = language
    env.globals["range_label"] = range_label  # "1–2" for threshold 3: one home (core.protection)
    return env


class Tables:
    """Access to the tidy tables from templates: ``T.value('tab_2_1', year=2016, series=...)``.

    Lookups go through an index built once per (table, key columns): the templates make ~500
    lookups, and a boolean mask over a whole frame per lookup cost ~0.6 s of every render.
    ``rows`` returns the same frame as ``df[(df[k1] == str(v1)) & ...]`` (same rows, order and
    index labels).
    """

    def __init__(self, tables: dict[str, pd.DataFrame], strict: bool = True):
        self._t = tables
        self._values: dict[str, list] = {}
        # strict (the demo): a number the text asks for and the table lacks is a bug, so it stops
        # the render. Not strict (real data, whose coverage may differ: a register without 2020,
        # a kommune that never practised): it prints as "–" and is listed in ``missing``.
        self.strict = strict
        self.missing: list[tuple[str, dict]] = []

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self._t

    def ids(self, prefix: str = "") -> list[str]:
        """Every table id (in load order); with ``prefix`` the ids starting with it, sorted (the
        per-wave and per-pair survey tables: ``T.ids('x_survey_change_')``)."""
        if not prefix:
            return list(self._t)
        return sorted(e for e in self._t if e.startswith(prefix))

    def get(self, entry_id: str) -> pd.DataFrame:
        return self._t[entry_id]

    def _positions(self, entry_id: str, keys: dict) -> list[int]:
        # the index the scorecards use too (built once per table and key columns)
        return positions_where(self._t[entry_id], {k: str(v) for k, v in keys.items()})

    def rows(self, entry_id: str, **keys) -> pd.DataFrame:
        df = self._t[entry_id]
        if not keys:
            return df
        return df.take(self._positions(entry_id, keys))

    def value(self, entry_id: str, **keys):
        pos = self._positions(entry_id, keys) if keys else range(len(self._t[entry_id]))
        if not pos:
            if self.strict:
                raise KeyError(f"{entry_id}: no row for {keys}")
            self.missing.append((entry_id, keys))
            return Hidden(MISSING)
        if entry_id not in self._values:
            df = self._t[entry_id]
            labels = df["value_label"].tolist() if "value_label" in df.columns else [""] * len(df)
            self._values[entry_id] = [  # a number the protection layer hid keeps its label
                Hidden(lab) if isinstance(lab, str) and lab and v != v else float(v)
                for v, lab in zip(df["value"].tolist(), labels)
            ]
        return self._values[entry_id][pos[0]]

    def has(self, entry_id: str, **keys) -> bool:
        if entry_id not in self._t:
            return False
        return bool(self._positions(entry_id, keys)) if keys else not self._t[entry_id].empty


def pdf_date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def data_uri(path: str | Path, data: bytes | None = None) -> str:
    """A figure as a data: URI, so that report.html shows it when copied anywhere on its own
    (``data``: the file's bytes, when the caller has read them already)."""
    path = Path(path)
    mime = "image/svg+xml" if path.suffix == ".svg" else mimetypes.guess_type(path.name)[0]
    data = path.read_bytes() if data is None else data
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def render_html(template_dir: str | Path, context: dict, language: str, t, cache_dir=None) -> str:
    """The report's HTML, with its furniture (analysis.report.furniture): table captions attached,
    the list of figures and tables, the sub-sections in the on-screen table of contents."""
    from analysis.report.furniture import furnish

    env = make_env(template_dir, language, t, cache_dir)
    page = env.get_template("report.html.j2").render(**context)
    return furnish(page, [ch["anchor"] for ch in context.get("chapters", [])], t)
