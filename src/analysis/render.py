"""Render the report: Jinja2 templates -> HTML -> PDF with WeasyPrint.

Every number in the report comes from the tidy tables, the scorecard or provenance passed in the
context; templates only format. Output is deterministic: fixed PDF dates (SOURCE_DATE_EPOCH or
the commit time), a fixed PDF identifier, and sorted inputs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined


def fmt_number(value, decimals: int = 0, language: str = "no") -> str:
    """Norwegian number style: thin-space thousands and decimal comma (15 284; 5,8)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if text.lstrip("-").replace("0", "").strip(".,") == "":
        text = text.lstrip("-")  # no "-0" for a value that rounds to zero
    if language == "en":
        return text
    return text.replace(",", "\u202f").replace(".", ",")


def make_env(template_dir: str | Path, language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(template_dir)), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v, d=0: fmt_number(v, d, language)
    env.filters["pct"] = lambda v, d=0: fmt_number(v, d, language) + (" %" if language == "no" else "%")
    env.filters["blank"] = lambda v: "" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
    env.globals["tr"] = lambda no, en: no if language == "no" else en
    env.globals["language"] = language
    return env


class Tables:
    """Access to the tidy tables from templates: ``T.value('tab_2_1', year=2016, series=...)``."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self._t = tables

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self._t

    def get(self, entry_id: str) -> pd.DataFrame:
        return self._t[entry_id]

    def rows(self, entry_id: str, **keys) -> pd.DataFrame:
        df = self._t[entry_id]
        for k, v in keys.items():
            df = df[df[k] == str(v)]
        return df

    def value(self, entry_id: str, **keys):
        df = self.rows(entry_id, **keys)
        if df.empty:
            raise KeyError(f"{entry_id}: no row for {keys}")
        return float(df["value"].iloc[0])

    def has(self, entry_id: str, **keys) -> bool:
        return entry_id in self._t and not self.rows(entry_id, **keys).empty


def pdf_date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_html(template_dir: str | Path, context: dict, language: str) -> str:
    env = make_env(template_dir, language)
    return env.get_template("report.html.j2").render(**context)


def write_pdf(html_text: str, base_url: str | Path, out_path: str | Path) -> None:
    """HTML -> PDF; the identifier is a hash of the HTML so equal inputs give equal bytes."""
    from weasyprint import HTML

    ident = hashlib.sha256(html_text.encode("utf-8")).hexdigest()[:32].encode()
    # PDF/UA-1: a tagged, accessible PDF (document language, title, alt texts); it costs ~nothing
    HTML(string=html_text, base_url=str(base_url)).write_pdf(
        str(out_path), pdf_identifier=ident, pdf_variant="pdf/ua-1", uncompressed_pdf=False,
        optimize_images=False)

