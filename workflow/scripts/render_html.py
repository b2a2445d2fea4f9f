"""Adapter: tables, figures, scorecard and provenance -> reports/report.html (figures inline).

The authors' preview (`snakemake html`) stops here; rule render_report makes the PDF from this file."""

import gc
import json
import logging
import os
from pathlib import Path

import pandas as pd

from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.core.tidy import read_tidy
from analysis.core.yamlio import load_yaml
from analysis.report.context import build_context, synthetic_entries
from analysis.report.render import Tables, data_uri, pdf_date, render_html

# compiled templates, reused by the next render (generated, like data/processed; not an output)
log = logging.getLogger("render_html")
JINJA_CACHE = "data/processed/cache/jinja"


def main(smk):
    gc.disable()  # a short-lived job: reference counting frees enough (see render_report.py)
    s = settings(smk)
    tables = {Path(p).stem: read_tidy(p) for p in smk.input.tables}
    card = pd.read_csv(smk.input.reproduction, dtype=str, keep_default_na=False)
    with open(smk.input.provenance, encoding="utf-8") as fh:
        provenance = json.load(fh)
    template_dir = Path(smk.input.templates[0]).parent
    while template_dir.name != "templates":
        template_dir = template_dir.parent
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or s["commit_time"]
    lookups = Tables(tables, strict=bool(s["demo"]))
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
        published_path=smk.input.published,
        report_dir=template_dir.parent,
        created=pdf_date(epoch),
        template_dir=template_dir,
        figure_uris={Path(p).stem: data_uri(p) for p in [*smk.input.figures, smk.input.workflow_picture]},
        synthetic=synthetic_entries(
            tables, {Path(p).stem: Path(p).read_text(encoding="utf-8") for p in smk.input.figures}
        ),
        decisions=load_yaml(smk.input.decisions),
        cited_roles=s["cited"],
        table_files={Path(p).stem: p for p in smk.input.tables},
        claims=pd.read_csv(smk.input.claims, dtype=str, keep_default_na=False),
        claims_catalogue=load_yaml(smk.input.published_claims),
        benchmarks=json.loads(Path(smk.input.benchmarks[0]).read_text(encoding="utf-8"))
        if smk.input.benchmarks
        else None,
    )
    html_text = render_html(template_dir, context, s["language"], t, cache_dir=JINJA_CACHE)
    Path(smk.output.html).write_text(html_text, encoding="utf-8")
    if lookups.missing:
        shown = "; ".join(f"{e} {k}" for e, k in lookups.missing[:10])
        more = f" and {len(lookups.missing) - 10} more" if len(lookups.missing) > 10 else ""
        log.warning(
            "%d numbers the text refers to are not in the tables (printed as a dash): %s%s",
            len(lookups.missing),
            shown,
            more,
        )


run(main, snakemake)  # noqa: F821
