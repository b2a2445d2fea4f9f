"""The deliverables: reproduction scorecard, provenance, and the rendered report."""

TEMPLATES = sorted(_rel(p) for p in (ROOT / "workflow" / "report" / "templates").rglob("*") if p.is_file())


rule row_ledger:
    """Account for every input row as used or excluded, with a reason. The public reference files
    with a row structure (code crosswalk, population) are used in full and counted here, not by a
    job of their own (decision 0132)."""
    input:
        parts=lambda w: ledger_parts(),
        crosswalk=public("crosswalk"),
        population=public("population"),
        # protection on: the register's row counts follow the plan (issue 27)
        plan=PROTECTION_PLAN if have("register") else [],
        # which ledger rows (series = input role) come from a synthetic input
        settings=settings(
            "row_ledger",
            synthetic=synthetic_of(*CONFIDENTIAL),
            protect=PROTECT,
            threshold=config["protection"]["threshold"],
        ),
        code=code("row_ledger"),
    output:
        "reports/tables/x_row_ledger.csv",
    log:
        "logs/row_ledger.log",
    benchmark:
        "benchmarks/runs/row_ledger.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/row_ledger.py"


rule scorecards:
    """Compare every published number with the computed one (reports/reproduction.csv) and check
    every statement of published_claims.yaml on the built tables (reports/claims.csv): one job,
    which reads the tables once (decision 0142)."""
    input:
        # only the tables the two reference files name (not our own x_ tables)
        tables=tables_read(PUBLISHED, CLAIMS),
        published=PUBLISHED,
        decisions="workflow/resources/reproduction_decisions.yaml",
        claims=CLAIMS,
        # the claims' notes are in the report's language
        messages=MESSAGES,
        settings=settings("scorecards", cited=CITED_INPUTS, language=LANG),
        code=code("scorecards"),
    output:
        reproduction="reports/reproduction.csv",
        claims="reports/claims.csv",
    log:
        "logs/scorecards.log",
    benchmark:
        "benchmarks/runs/scorecards.tsv"
    priority: CRITICAL_PATH
    conda:
        CONDA_ENV
    script:
        "../scripts/scorecards.py"


# which reference file feeds which scorecard (the lineage footers and provenance.json)
FEEDS["scorecards"] = {
    "reproduction": ["tables", "published", "decisions"],
    "claims": ["tables", "claims"],
}


rule provenance:
    """Every input with its checksum, the code version, packages, config and output lineage, and
    the sha256 of every output made before it (the report itself: reports/manifest.json)."""
    input:
        unpack(lambda w: provenance_inputs()),
        # every output of every rule that does not need provenance.json (docs/decisions/0035)
        outputs=lambda w: hashed_outputs(),
        settings=settings_path("provenance"),  # written at the end of this file, once all rules exist
        code=code("provenance"),
    output:
        "reports/provenance.json",
    log:
        "logs/provenance.log",
    benchmark:
        "benchmarks/runs/provenance.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/provenance.py"


rule lineage_graph:
    """The workflow as a picture (rules in layers, arrows where one feeds another), for appendix 2.

    A rule of its own so that a template edit does not redraw it."""
    input:
        # the rule graph (stages and edges), written at the end of this file once all rules exist:
        # not provenance.json, so that provenance can hash the picture like every other figure
        graph=settings_path("rule_graph"),
        # the picture of a run on synthetic inputs says so like every other figure
        messages=MESSAGES,
        settings=settings("lineage_graph", synthetic=synthetic_of(*provenance_inputs())),
        code=code("lineage_graph"),
    output:
        svg=report(
            "reports/figures/x_dag.svg", caption="../report/captions/dag.rst", category="Vedlegg: sporbarhet"
        ),
        png="reports/figures/x_dag.png",
    log:
        "logs/lineage_graph.log",
    benchmark:
        "benchmarks/runs/lineage_graph.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/lineage_graph.py"


# What the report's HTML is made from: the inputs of rule render_report, which renders it and
# makes the PDF from it in one job, and of the authors' preview, rule render_preview (below the
# lineage, decision 0123). Both read the same settings file, so the two pages cannot differ.
REPORT_HTML_INPUTS = dict(
    tables=all_tables() + [rules.row_ledger.output[0]],
    figures=all_figures(),
    workflow_picture=rules.lineage_graph.output.svg,
    reproduction=rules.scorecards.output.reproduction,
    claims=rules.scorecards.output.claims,
    provenance=rules.provenance.output[0],
    published=PUBLISHED,
    decisions=rules.scorecards.input.decisions,
    published_claims=CLAIMS,
    templates=TEMPLATES,
    # the report's own data files read by analysis.report.context
    report_data=[
        f"workflow/report/{f}.yaml"
        for f in ("chapters", "key_numbers", "extra_entries", "figure_alt", "references")
    ],
    messages=MESSAGES,
    # measured benchmark figures, shown in the lineage appendix when they have been recorded
    benchmarks=[p for p in ["benchmarks/results.json"] if (ROOT / p).exists()],
    settings=settings(
        "render_report",
        cited=CITED_INPUTS,
        commit_time=CODE_VERSION["time"],
        language=LANG,
        demo=DEMO,
        missing_inputs=MISSING_INPUTS,
        survey=SURVEY_REPORT,
        protect=PROTECT,
        config=config,
    ),
)


rule render_report:
    """The report: reports/report.html (Jinja2, every figure inline as a data: URI) and, from the
    HTML file it has just written, the PDF (WeasyPrint, PDF/UA-1) with /Scope on every table header cell;
    then reports/manifest.json, the sha256 of the report and of provenance.json, written last
    (docs/decisions/0035; in this job since 0121; the HTML in this job since 0123)."""
    input:
        **REPORT_HTML_INPUTS,
        code=code("render_report"),
    output:
        html="reports/report.html",
        pdf=report("reports/report.pdf", caption="../report/captions/report.rst", category="Hele rapporten"),
        print_sizes="data/processed/report_figure_sizes.json",
        manifest="reports/manifest.json",
    log:
        "logs/render_report.log",
    benchmark:
        "benchmarks/runs/render_report.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/render_report.py"


def write_failed_provenance():
    """After a failed build, provenance.json describes the outputs that are on disk and the inputs
    they were made from, not the input a rule rejected (docs/decisions/0016)."""
    from analysis.report.provenance import write_failed_build

    out = run_path(rules.provenance.output[0])
    try:
        write_failed_build(
            run_path(settings_path("provenance")),
            {role: run_path(p) for role, p in provenance_inputs().items()},
            out,
        )
    except Exception as exc:  # never hide the build's own error behind this one
        print(f"NOTE {out} not rewritten after the failure: {type(exc).__name__}: {exc}", file=sys.stderr)
    else:
        print(f"NOTE the build failed; {out} now describes only the outputs that are there", file=sys.stderr)


onsuccess:
    snakemake_compat.cancel_reevaluation_timers()  # no ~1-2 s wait at exit (decision 0174)


onerror:
    snakemake_compat.cancel_reevaluation_timers()
    write_failed_provenance()


# Provenance settings: the kind of every input, the lineage of every output (so written after the
# last rule of the last stage file), the config and the code version; the rule graph for the picture.
LINEAGE = lineage()
AFTER_PROVENANCE = downstream_rules(LINEAGE, "provenance")


settings(
    "provenance",
    kinds={role: input_kind(role) for role in provenance_inputs()},
    lineage=LINEAGE,
    config=config,
    code_version=CODE_VERSION,
    after_provenance=sorted(AFTER_PROVENANCE),
)
settings("rule_graph", **rule_graph(LINEAGE))


# The authors' preview (issue 17): `snakemake html` renders the report's HTML alone, in a few
# seconds, into a file of its own, reports/preview.html, so that no file has two rules and
# `snakemake all` renders the HTML once (in render_report). Defined after the lineage on purpose:
# the preview is no part of the report's making, so it is not in provenance.json, the lineage
# appendix or the workflow picture (decision 0123; tests/test_settings.py checks it).
rule render_preview:
    """The authors' preview: reports/preview.html, byte for byte the HTML render_report writes
    (same inputs, same settings, same function: analysis.report.document), without the PDF."""
    input:
        **REPORT_HTML_INPUTS,
        code=code("render_preview"),
    output:
        html="reports/preview.html",
    log:
        "logs/render_preview.log",
    benchmark:
        "benchmarks/runs/render_preview.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/render_preview.py"


# `snakemake html`: the preview target (no job of its own).
rule html:
    input:
        rules.render_preview.output.html,
    localrule: True
