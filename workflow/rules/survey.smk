"""Stage: survey (see DEVELOPING.md). The 2016 and 2021 municipal surveys, kapittel 11.

Everything item- or figure-specific is in workflow/resources/codebook.yaml.
"""

SURVEY_CODEBOOK = "workflow/resources/codebook.yaml"
_SURVEY_CB = load_yaml(ROOT / SURVEY_CODEBOOK)
# Entries come from the codebook: a figure there is a table here, and a plot when it has a chart.
STAGE_TABLES["survey"] = list(_SURVEY_CB["figures"]) + [
    "text_ch9_response_rate",
    "text_ch11_survey_routing_counts",
    "x_survey_change_2016_2021",
]
STAGE_FIGURES["survey"] = [f for f, d in _SURVEY_CB["figures"].items() if d.get("chart")]
DEMO_RESPONDENTS_2021 = f"{DEMO_DIR}/respondents_2021.csv"
REGISTER_PROCESSED = "data/processed/register.parquet"


if DEMO:

    rule demo_survey:
        """Synthetic 2016 and 2021 responses, calibrated to every survey percentage the report prints.

        The frame and the 138 responding units come from the non-response stage (rule demo_frame,
        included after this file, hence paths rather than rules.demo_frame.output); yes-branch
        units are responding units with agreed self-settlement in the register.
        """
        input:
            frame=confidential("survey_frame_2021"),
            respondents=DEMO_RESPONDENTS_2021,
            register=REGISTER_PROCESSED,
            crosswalk=public("crosswalk"),
            codebook=SURVEY_CODEBOOK,
            published=PUBLISHED,
            settings=settings("demo_survey",
                seed=config["seed"],
                split_to=SPLIT_TO,
            ),
            code=code("demo_survey", "codebook", "kommune"),
        output:
            survey_2016=confidential("survey_2016"),
            survey_2021=confidential("survey_2021"),
        log:
            "logs/demo_survey.log",
        benchmark:
            "benchmarks/runs/demo_survey.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_survey.py"


rule survey_ingest:
    """Validate both survey waves and the 2021 frame; harmonise units; drop open text."""
    input:
        survey_2016=confidential("survey_2016"),
        survey_2021=confidential("survey_2021"),
        frame=confidential("survey_frame_2021"),
        crosswalk=public("crosswalk"),
        codebook=SURVEY_CODEBOOK,
        settings=settings("survey_ingest", split_to=SPLIT_TO),
        code=code("survey", "codebook", "kommune"),
    output:
        survey_2021="data/processed/survey_2021.parquet",
        survey_2016="data/processed/survey_2016.parquet",
        ledger="data/processed/ledger/survey.csv",
    log:
        "logs/survey_ingest.log",
    benchmark:
        "benchmarks/runs/survey_ingest.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/survey_ingest.py"


rule survey:
    """Kapittel 11: every figure with 95 % intervals, the survey text numbers, 2016 -> 2021 changes."""
    input:
        survey_2021=rules.survey_ingest.output.survey_2021,
        survey_2016=rules.survey_ingest.output.survey_2016,
        codebook=SURVEY_CODEBOOK,
        settings=settings("survey",
            language=LANG,
            confidence=config["survey"].get("confidence", 0.95),
            frame_size_2016=config["survey"].get("frame_size_2016"),
        ),
        code=code("survey_report", "codebook", "survey_stats", "figures", "tidy"),
    output:
        tables=tables("survey"),
        figures=figure_outputs("survey", "Kapittel 11: kommuneundersøkelsene"),
        png=figures("survey", "png"),
    log:
        "logs/survey.log",
    benchmark:
        "benchmarks/runs/survey.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/survey.py"
