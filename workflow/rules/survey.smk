"""Stage: survey (see DEVELOPING.md). The 2016 and 2021 municipal surveys, kapittel 11.

Everything item- or figure-specific is in workflow/resources/codebook.yaml.
"""

SURVEY_CODEBOOK = "workflow/resources/codebook.yaml"
SURVEY_ROLES = ("survey_2016", "survey_2021", "survey_frame_2021")
_SURVEY_CB = load_yaml(ROOT / SURVEY_CODEBOOK)
# The survey stage needs both waves and the frame (docs/decisions/0015).
if have(*SURVEY_ROLES):
    # hashed in provenance like every other input (the lineage footers name it with its sha256)
    use_input("codebook", SURVEY_CODEBOOK)
    # Entries come from the codebook: a figure there is a table here, and a plot when it has a chart.
    STAGE_TABLES["survey"] = list(_SURVEY_CB["figures"]) + [
        "text_ch9_response_rate",
        "text_ch11_survey_routing_counts",
        "x_survey_change_2016_2021",
    ]
    STAGE_FIGURES["survey"] = [f for f, d in _SURVEY_CB["figures"].items() if d.get("chart")]
    # Which wave feeds which entry (see FEEDS in common.smk), from the codebook's years per figure.
    FEEDS["survey_tables"] = {
        **{
            f: [f"survey_{y}" for y in sorted(d["years"], reverse=True)] + ["codebook"]
            for f, d in _SURVEY_CB["figures"].items()
        },
        "text_ch9_response_rate": ["survey_2021"],
    }
    FEEDS["survey_ingest"] = {
        "survey_2021": ["survey_2021", "frame", "crosswalk", "codebook"],
        "survey_2016": ["survey_2016", "crosswalk", "codebook"],
    }

    rule survey_ingest:
        """Validate both survey waves and the 2021 frame; harmonise units; drop open text."""
        input:
            survey_2016=confidential("survey_2016"),
            survey_2021=confidential("survey_2021"),
            frame=confidential("survey_frame_2021"),
            crosswalk=public("crosswalk"),
            codebook=SURVEY_CODEBOOK,
            settings=settings(
                "survey_ingest",
                split_to=SPLIT_TO,
                mapping={r: config["mapping"].get(r, {}) for r in SURVEY_ROLES},
            ),
            code=code("survey_ingest"),
        output:
            survey_2021="data/processed/survey_2021.parquet",
            survey_2016="data/processed/survey_2016.parquet",
            ledger="data/processed/ledger/survey.csv",
        log:
            "logs/survey_ingest.log",
        benchmark:
            "benchmarks/runs/survey_ingest.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/survey_ingest.py"

    rule survey_tables:
        """Kapittel 11: every figure with 95 % intervals, the survey text numbers, 2016 -> 2021 changes."""
        input:
            survey_2021=rules.survey_ingest.output.survey_2021,
            survey_2016=rules.survey_ingest.output.survey_2016,
            codebook=SURVEY_CODEBOOK,
            settings=settings(
                "survey_tables",
                language=LANG,
                confidence=config["survey"]["confidence"],
                frame_size_2016=config["survey"]["frame_size_2016"],
                fpc=config["survey"]["fpc"],
                synthetic=synthetic_of("survey_2016", "survey_2021", "survey_frame_2021"),
                small_base=config["survey"]["small_base"],
            ),
            code=code("survey_tables"),
        output:
            tables=tables("survey"),
            figures=figure_outputs("survey", "Kapittel 11: kommuneundersøkelsene"),
            png=figures("survey", "png"),
        log:
            "logs/survey_tables.log",
        benchmark:
            "benchmarks/runs/survey_tables.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/survey_tables.py"


WEIGHTING = config["weighting"]
NR_PARAMS = dict(
    years=[2016, int(config["register_end"][:4])],
    region_overrides=WEIGHTING["region_overrides"],
    population_column=WEIGHTING["population_column"],
)
# Non-response and weights also need the register (settlements per unit).
if have(*SURVEY_ROLES, "register"):
    STAGE_TABLES["nonresponse"] = ["tab_9_1"]  # text_ch9_response_rate comes from the survey stage
    STAGE_TABLES["weighting"] = [
        "x_weighting_diagnostics",
        "x_weighted_estimates",
        "x_weighting_region_sensitivity",
    ]
    STAGE_FIGURES["weighting"] = ["x_weighted_estimates"]
    STAGE_TABLES["survey_sensitivity"] = ["x_survey_sensitivity"]

    rule nonresponse:
        """Tabell 9.1: response by size group and region, settlements in responding units."""
        input:
            frame=confidential("survey_frame_2021"),
            survey=rules.survey_ingest.output.survey_2021,
            register=rules.register.output.register,
            plan=PROTECTION_PLAN,
            population=public_2020("population"),
            crosswalk=public("crosswalk"),
            geo_bydeler=public("geo_bydeler"),
            settings=settings(
                "nonresponse",
                protect=PROTECT,
                threshold=config["protection"]["threshold"],
                synthetic=synthetic_of("survey_frame_2021", "survey_2021", "register", "population"),
                mapping=config["mapping"].get("survey_frame_2021", {}),
                region_grouping=WEIGHTING["region_grouping"],
                **NR_PARAMS,
            ),
            code=code("nonresponse"),
        output:
            tables=tables("nonresponse"),
            units="data/processed/nonresponse_units.parquet",
            ledger="data/processed/ledger/survey_frame_2021.csv",
        log:
            "logs/nonresponse.log",
        benchmark:
            "benchmarks/runs/nonresponse.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/nonresponse.py"

    rule weighting:
        """Raking weights to the frame margins; diagnostics; weighted vs unweighted estimates."""
        input:
            units=rules.nonresponse.output.units,
            survey=rules.survey_ingest.output.survey_2021,
            messages=f"workflow/report/messages/{LANG}.yaml",
            settings=settings(
                "weighting",
                margins=WEIGHTING["margins"],
                settlement_breaks=WEIGHTING["settlement_breaks"],
                tolerance=WEIGHTING["tolerance"],
                max_iter=WEIGHTING["max_iter"],
                estimates=WEIGHTING.get("estimates") or None,
                confidence=config["survey"]["confidence"],
                fpc=config["survey"]["fpc"],
                wave_year=2021,
                language=LANG,
                synthetic=synthetic_of("survey_2021", "survey_frame_2021", "register", "population"),
            ),
            code=code("weighting"),
        output:
            tables=tables("weighting"),
            figures=figure_outputs("weighting", "Kapittel 9: frafall og vekter"),
            png=figures("weighting", "png"),
            weights="data/processed/weights_2021.csv",
        log:
            "logs/weighting.log",
        benchmark:
            "benchmarks/runs/weighting.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/weighting.py"

    rule survey_sensitivity:
        """Kapittel 11 under the other FPC choice, weighted for non-response and with the waves'
        overlap (Tabell X11.2; decisions 0080-0082)."""
        input:
            survey_2021=rules.survey_ingest.output.survey_2021,
            survey_2016=rules.survey_ingest.output.survey_2016,
            codebook=SURVEY_CODEBOOK,
            weights=rules.weighting.output.weights,
            change="reports/tables/x_survey_change_2016_2021.csv",
            settings=settings(
                "survey_sensitivity",
                confidence=config["survey"]["confidence"],
                frame_size_2016=config["survey"]["frame_size_2016"],
                fpc=config["survey"]["fpc"],
                sensitivity_points=config["survey"]["sensitivity_points"],
                margins=WEIGHTING["margins"],
                synthetic=synthetic_of("survey_2016", "survey_2021", "survey_frame_2021", "register"),
            ),
            code=code("survey_sensitivity"),
        output:
            tables=tables("survey_sensitivity"),
        log:
            "logs/survey_sensitivity.log",
        benchmark:
            "benchmarks/runs/survey_sensitivity.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/survey_sensitivity.py"
