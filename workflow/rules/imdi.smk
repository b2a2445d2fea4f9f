"""IMDi settlement data: the public file per kommune and year, the person-level register, the
scope of agreed self-settlement (kap. 2, 4.1.3, 12), waiting times (kap. 2.2, 4) and the map."""

# IMDi's 2024-2025 pages extend the public series when the study reaches 2024.
PUBLIC_2024 = [configured("imdi_public_2024")] if STUDY.last_year >= 2024 else []


rule imdi_public:
    """Parse IMDi's public settlement files and harmonise their codes to the study's kommuner."""
    input:
        data=configured("imdi_public"),
        data_2024=PUBLIC_2024,
        crosswalk=public("crosswalk"),
        crosswalk_2024=crosswalk_2024(),
        settings=settings(
            "imdi_public",
            study=STUDY.as_dict(),
            split_to=SPLIT_TO,
            split_to_2024=SPLIT_TO_2024,
        ),
        code=code("imdi_public"),
    output:
        persons="data/processed/imdi_public.parquet",
        ledger="data/processed/ledger/imdi_public.csv",
    log:
        "logs/imdi_public.log",
    benchmark:
        "benchmarks/runs/imdi_public.tsv"
    priority: CRITICAL_PATH
    conda:
        CONDA_ENV
    script:
        "../scripts/imdi_public.py"


# IMDi's annual-report aggregates, validated once by rule cited (official.smk, with the report's
# other cited inputs; decision 0194): scope, waiting and protection read this file.
IMDI_ANNUAL_PARQUET = "data/processed/imdi_annual.parquet"


# Every rule reading the register exists only when the register is there (docs/decisions/0015).
if have("register"):
    STAGE_TABLES["scope"] = [
        "tab_2_1",
        "tab_12_1",
        "fig_2_1",
        "fig_2_2_resettlement",
        "fig_2_2_map",
        "text_ch4_1_3_bergen_oslo_asb_share",
        "text_ch10_1_1_bergen_2018_2019",
        "x_asb_per_1000",
    ]
    STAGE_FIGURES["scope"] = ["fig_2_1", "fig_2_2_resettlement", "fig_2_2_map", "x_asb_per_1000"]
    STAGE_TABLES["waiting"] = [
        "tab_4_1",
        "tab_4_2",
        "text_ch4_1_1_asb_waiting_time",
        "text_ch4_1_waiting_time_detail",
        "text_ch2_2_processing_times",
        "x_waiting_distribution",
    ]
    STAGE_FIGURES["waiting"] = ["x_waiting_distribution"]
    # disclosure control (protection on): the plan for every register-based number, and its summary
    STAGE_TABLES["protection"] = ["x_protection_summary"] if PROTECT else []
    PROTECTION_PLAN = ["data/processed/protection_plan.csv"] if PROTECT else []
    # an earlier release over the same years (issue 27): its published tables and provenance
    PREVIOUS = config["protection"]["previous_release"].rstrip("/")
    if PREVIOUS and Path(PREVIOUS).resolve() == Path(run_path("reports")).resolve():
        raise WorkflowError(
            "protection.previous_release names this build's own output folder: give a copy of the "
            "earlier release's published folder"
        )
    PREVIOUS_INPUTS = (
        {"previous_provenance": f"{PREVIOUS}/provenance.json", "previous_tables": f"{PREVIOUS}/tables"}
        if PREVIOUS
        else {}
    )
    # Which inputs feed which entry (provenance lineage; see FEEDS in common.smk). `register_counts`:
    # the register's persons per year, unit, kategori and flag (rule register); `population`
    # gives the kommune list and names, the geometry only the maps; `plan` every register number.
    FEEDS["scope"] = {
        "tab_2_1": ["register_counts", "plan", "imdi_annual"],
        "tab_12_1": ["register_counts", "plan", "population"],
        "fig_2_1": ["register_counts", "plan", "imdi_public", "imdi_annual"],
        "fig_2_2_resettlement": ["register_counts", "plan", "imdi_annual"],
        "fig_2_2_map": {
            "table": ["register_counts", "plan", "population"],
            "figure": ["register_counts", "plan", "population", "geo_kommuner", "geo_bydeler"],
        },
        "text_ch4_1_3_bergen_oslo_asb_share": ["register_counts", "plan", "population"],
        "x_asb_per_1000": {
            "table": ["register_counts", "plan", "population"],
            "figure": ["register_counts", "plan", "population", "geo_kommuner"],
        },
        "text_ch10_1_1_bergen_2018_2019": ["register_counts", "plan", "imdi_annual"],
    }
    FEEDS["waiting"] = {
        "text_ch2_2_processing_times": ["imdi_annual"],
        "x_waiting_distribution": ["register", "plan"],
    }

    rule register:
        """Validate the register and harmonise it to the kommuner of the study's structure and Oslo bydeler."""
        input:
            register=confidential("register"),
            crosswalk=public("crosswalk"),
            crosswalk_2024=crosswalk_2024(),
            settings=settings(
                "register",
                study=STUDY.as_dict(),
                split_to=SPLIT_TO,
                split_to_2024=SPLIT_TO_2024,
                mapping=config["mapping"].get("register", {}),
            ),
            code=code("register"),
        output:
            register="data/processed/register.parquet",
            # persons per year, unit, kategori and flag: what scope, protection and imdi_series sum
            counts="data/processed/register_counts.parquet",
            ledger="data/processed/ledger/register.csv",
        log:
            "logs/register.log",
        benchmark:
            "benchmarks/runs/register.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/register.py"

    # The values of scope and waiting before protection are built once (docs/decisions/0170):
    # with protection off by those rules themselves, from these inputs; with it on by rule
    # protection, which plans on them and writes them under data/processed/unprotected/<stage>/
    # (internal: never published, never hashed, 0100): every table, and what the figures need
    # besides (the map classes, the register's years). The stage rule then reads them as inputs
    # `unprotected_<name>`, applies the plan and publishes.
    STAGE_INPUTS = {
        "scope": {
            "register_counts": rules.register.output.counts,
            "imdi_public": rules.imdi_public.output.persons,
            "imdi_annual": IMDI_ANNUAL_PARQUET,
            "population": public("population"),
        },
        "waiting": {
            "register": rules.register.output.register,
            "imdi_annual": IMDI_ANNUAL_PARQUET,
        },
    }
    BEFORE_PROTECTION = {  # values besides the tables -> the inputs they come from
        "scope": {
            "map_classes": ["register_counts", "population"],
            "register_years": ["register_counts"],
        },
        "waiting": {"register_years": ["register"]},
    }
    FIGURE_VALUES = {"fig_2_2_map": ["map_classes", "register_years"]}  # else the years (labels)
    UNPROTECTED = {
        stage: {
            name: f"data/processed/unprotected/{stage}/{name}.parquet"
            for name in STAGE_TABLES[stage] + list(BEFORE_PROTECTION[stage])
        }
        for stage in STAGE_INPUTS
    }

    def stage_inputs(stage):
        """A stage rule's register-based inputs: its own (protection off) or the values rule
        protection built from them."""
        if not PROTECT:
            return STAGE_INPUTS[stage]
        return {f"unprotected_{name}": path for name, path in UNPROTECTED[stage].items()}

    # a follow-up's register count beside IMDi's published one (x_agreed_published): with
    # protection on a cell of the plan, built once by rule protection (docs/decisions/0175)
    AGREED_UNPROTECTED = (
        {"agreed": "data/processed/unprotected/series/x_agreed_published.parquet"}
        if PROTECT and STUDY.extends_report
        else {}
    )
    if PROTECT:  # lineage through rule protection: each value is fed as its entry was
        FEEDS["protection"] = {}
        for stage, own in STAGE_INPUTS.items():
            via = {}
            for entry in STAGE_TABLES[stage]:
                spec = FEEDS[stage].get(entry, [*own, "plan"])
                parts = spec if isinstance(spec, dict) else {"table": spec, "figure": spec}
                FEEDS["protection"][entry] = [r for r in parts["table"] if r in own]
                values = [f"unprotected_{v}" for v in FIGURE_VALUES.get(entry, ["register_years"])]
                via[entry] = {
                    part: [f"unprotected_{entry}"]
                    + (values if part == "figure" else [])
                    + [r for r in roles if r not in own]
                    for part, roles in parts.items()
                }
            FEEDS["protection"].update(BEFORE_PROTECTION[stage])
            FEEDS[stage] = via
        if AGREED_UNPROTECTED:
            FEEDS["protection"]["x_agreed_published"] = ["imdi_public", "register_counts", "population"]
    if PROTECT:

        rule protection:
            """Disclosure control: primary, small-n and secondary suppression of every register-based
            number, planned on the scope and waiting values it builds once for those rules."""
            input:
                **PREVIOUS_INPUTS,
                **(STAGE_INPUTS["scope"] | STAGE_INPUTS["waiting"]),
                settings=settings(
                    "protection",
                    study=STUDY.as_dict(),
                    threshold=config["protection"]["threshold"],
                    previous_release=PREVIOUS,
                    synthetic=synthetic_of("register"),
                ),
                code=code("protection"),
            output:
                **AGREED_UNPROTECTED,
                plan=PROTECTION_PLAN[0],
                summary=tables("protection")[0],
                scope=list(UNPROTECTED["scope"].values()),
                waiting=list(UNPROTECTED["waiting"].values()),
            log:
                "logs/protection.log",
            benchmark:
                "benchmarks/runs/protection.tsv"
            conda:
                CONDA_ENV
            script:
                "../scripts/protection.py"

    rule scope:
        """Scope of agreed self-settlement: Tabell 2.1, 12.1, Figur 2.1, both Figur 2.2, kap. 4.1.3, per 1 000."""
        input:
            **stage_inputs("scope"),
            plan=PROTECTION_PLAN,
            geo_kommuner=public("geo_kommuner"),
            geo_bydeler=public("geo_bydeler"),
            messages=MESSAGES,
            settings=settings(
                "scope",
                study=STUDY.as_dict(),
                synthetic=synthetic_of("register", "imdi_public", "imdi_annual", "population"),
                protect=PROTECT,
                threshold=config["protection"]["threshold"],
            ),
            code=code("scope"),
        output:
            tables=tables("scope"),
            figures=figure_outputs("scope", "Kapittel 2 og 12: omfang"),
            png=figures("scope", "png"),
        log:
            "logs/scope.log",
        benchmark:
            "benchmarks/runs/scope.tsv"
        priority: BESIDE_CHAIN
        conda:
            CONDA_ENV
        script:
            "../scripts/scope.py"

    rule waiting:
        """Waiting time from decision to settlement: Tabell 4.1, 4.2, kap. 2.2, 4.1, 4.1.1 and the distribution."""
        input:
            **stage_inputs("waiting"),
            plan=PROTECTION_PLAN,
            messages=MESSAGES,
            settings=settings(
                "waiting",
                study=STUDY.as_dict(),
                synthetic=synthetic_of("register", "imdi_annual"),
                protect=PROTECT,
                threshold=config["protection"]["threshold"],
            ),
            code=code("waiting"),
        output:
            tables=tables("waiting"),
            figures=figure_outputs("waiting", "Kapittel 4: ventetid"),
            png=figures("waiting", "png"),
        log:
            "logs/waiting.log",
        benchmark:
            "benchmarks/runs/waiting.tsv"
        # the scorecards wait for its tables: started last, it left the scorecards alone at the end
        priority: BESIDE_CHAIN
        conda:
            CONDA_ENV
        script:
            "../scripts/waiting.py"


# A follow-up study (years or waves after the report's period): IMDi's public series to its last
# year, the per-capita settlement map of the last full year and the published agreed counts.
if STUDY.extends_report:
    STAGE_TABLES["series"] = ["x_imdi_public_series", "x_settled_per_1000", "x_agreed_published"]
    STAGE_FIGURES["series"] = ["x_imdi_public_series", "x_settled_per_1000"]
    # the register's count beside the published one: protection off, from the register's counts;
    # on, the value rule protection built and made a cell of the plan (docs/decisions/0175)
    SERIES_REGISTER = {}
    if have("register"):
        SERIES_REGISTER = (
            {
                "unprotected_x_agreed_published": AGREED_UNPROTECTED["agreed"],
                "plan": PROTECTION_PLAN,
            }
            if PROTECT
            else {"register_counts": rules.register.output.counts}
        )
    FEEDS["imdi_series"] = {
        "x_imdi_public_series": ["imdi_public", "population"],
        "x_settled_per_1000": {
            "table": ["imdi_public", "population"],
            "figure": ["imdi_public", "population", "geo_kommuner"],
        },
        "x_agreed_published": ["imdi_public", "population", *SERIES_REGISTER],
    }

    rule imdi_series:
        """IMDi's public series after the report: per kommune and year, per capita, published agreed counts."""
        input:
            **SERIES_REGISTER,
            imdi_public=rules.imdi_public.output.persons,
            population=public("population"),
            geo_kommuner=public("geo_kommuner"),
            geo_bydeler=public("geo_bydeler"),
            messages=MESSAGES,
            settings=settings(
                "imdi_series",
                study=STUDY.as_dict(),
                synthetic=synthetic_of("register", "imdi_public", "population"),
                protect=PROTECT,
                threshold=config["protection"]["threshold"],
            ),
            code=code("imdi_series"),
        output:
            tables=tables("series"),
            figures=figure_outputs("series", "Kapittel 2 og 12: omfang"),
            png=figures("series", "png"),
        log:
            "logs/imdi_series.log",
        benchmark:
            "benchmarks/runs/imdi_series.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/imdi_series.py"
