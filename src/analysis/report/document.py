"""The report's HTML from the build's files: what rule render_report renders (and makes the PDF
from, in the same job) and what the authors' preview, rule render_preview, writes alone
(decision 0123). One function for both, so the preview is the report's HTML byte for byte."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pandas as pd

from analysis.core.messages import Messages, load_messages
from analysis.core.tidy import read_tidy
from analysis.core.yamlio import load_yaml
from analysis.report.context import build_context, synthetic_entries
from analysis.report.render import Tables, data_uri, pdf_date, render_html

log = logging.getLogger(__name__)

# compiled templates, reused by the next render (generated, like data/processed; not an output)
JINJA_CACHE = "data/processed/cache/jinja"


def report_html(inputs, s: dict, cache_dir: str | Path | None = JINJA_CACHE) -> str:
    """The report as one self-contained HTML page (every figure a data: URI).

    ``inputs``: the rule's named inputs (``snakemake.input``; any object with these attributes):
    ``tables``, ``figures``, ``workflow_picture``, ``reproduction``, ``claims``, ``provenance``,
    ``published``, ``decisions``, ``published_claims``, ``templates``, ``messages``,
    ``benchmarks`` (a list, empty before the first benchmark run). ``s``: the rule's settings.
    The PDF's dates come from SOURCE_DATE_EPOCH when it is set, else the commit time. A number the
    text refers to that is in no table is printed as a dash and logged as a warning."""
    tables = {Path(p).stem: read_tidy(p) for p in inputs.tables}
    card = pd.read_csv(inputs.reproduction, dtype=str, keep_default_na=False)
    with open(inputs.provenance, encoding="utf-8") as fh:
        provenance = json.load(fh)
    template_dir = Path(inputs.templates[0]).parent
    while template_dir.name != "templates":
        template_dir = template_dir.parent
    t = Messages(load_messages(inputs.messages), inputs.messages)
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or s["commit_time"]
    lookups = Tables(tables, strict=bool(s["demo"]))
    svgs = {p: Path(p).read_bytes() for p in inputs.figures}  # each figure read once
    context = build_context(
        language=s["language"],
        t=t,
        demo=s["demo"],
        missing_inputs=s["missing_inputs"],
        survey=s["survey"],
        protect=s["protect"],
        config=s["config"],
        tables=lookups,
        card=card,
        provenance=provenance,
        published_path=inputs.published,
        report_dir=template_dir.parent,
        created=pdf_date(epoch),
        template_dir=template_dir,
        figure_uris={
            Path(p).stem: data_uri(p, svgs.get(p)) for p in [*inputs.figures, inputs.workflow_picture]
        },
        synthetic=synthetic_entries(tables, {Path(p).stem: b.decode("utf-8") for p, b in svgs.items()}),
        decisions=load_yaml(inputs.decisions),
        cited_roles=s["cited"],
        table_files={Path(p).stem: p for p in inputs.tables},
        claims=pd.read_csv(inputs.claims, dtype=str, keep_default_na=False),
        claims_catalogue=load_yaml(inputs.published_claims),
        benchmarks=json.loads(Path(inputs.benchmarks[0]).read_text(encoding="utf-8"))
        if inputs.benchmarks
        else None,
    )
    html_text = render_html(template_dir, context, s["language"], t, cache_dir=cache_dir)
    if lookups.missing:
        shown = "; ".join(f"{e} {k}" for e, k in lookups.missing[:10])
        more = f" and {len(lookups.missing) - 10} more" if len(lookups.missing) > 10 else ""
        log.warning(
            "%d numbers the text refers to are not in the tables (printed as a dash): %s%s",
            len(lookups.missing),
            shown,
            more,
        )
    return html_text
