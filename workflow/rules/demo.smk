"""Synthetic confidential inputs for the demo (demo: true): register, survey frame and
respondents, both survey waves, KOSTRA 12012. Every rule writes ``confidential(role)``, the path the
stages read; with demo: false none of these rules exist and the stages read the user's files.

Included after the stage files so that it can name their outputs (rules.register.output...).
"""

if DEMO:

    rule demo_register:
        """Synthetic person-level register on IMDi's real public totals, calibrated to the report."""
        input:
            imdi_public=rules.imdi_public.output.persons,
            crosswalk=public("crosswalk"),
            settings=settings(
                "demo_register",
                seed=config["seed"],
                study=STUDY.as_dict(),
                split_to=SPLIT_TO,
            ),
            code=code("demo_register"),
        output:
            confidential("register"),
        log:
            "logs/demo_register.log",
        benchmark:
            "benchmarks/runs/demo_register.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_register.py"

    rule demo_frame:
        """Demo survey frame 2021 (real units) and responding units (synthetic, calibrated)."""
        input:
            population=public_2020("population"),
            crosswalk=public("crosswalk"),
            geo_bydeler=public("geo_bydeler"),
            register=rules.register.output.register,
            published=PUBLISHED,
            settings=settings(
                "demo_frame",
                seed=config["seed"],
                **NR_PARAMS,
            ),
            code=code("demo_frame"),
        output:
            frame=confidential("survey_frame_2021"),
            respondents=f"{DEMO_DIR}/respondents_2021.csv",
        log:
            "logs/demo_frame.log",
        benchmark:
            "benchmarks/runs/demo_frame.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_frame.py"

    rule demo_survey:
        """Synthetic 2016 and 2021 responses, calibrated to every survey percentage the report prints.

        The frame and the 138 responding units come from rule demo_frame; yes-branch units are
        responding units with agreed self-settlement in the register.
        """
        input:
            frame=confidential("survey_frame_2021"),
            respondents=rules.demo_frame.output.respondents,
            register=rules.register.output.register,
            crosswalk=public("crosswalk"),
            codebook=SURVEY_CODEBOOK,
            published=PUBLISHED,
            claims=CLAIMS,
            settings=settings(
                "demo_survey",
                seed=config["seed"],
                split_to=SPLIT_TO,
            ),
            code=code("demo_survey"),
        output:
            survey_2016=confidential("survey_2016"),
            survey_2021=confidential("survey_2021"),
        log:
            "logs/demo_survey.log",
        benchmark:
            "benchmarks/runs/demo_survey.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_survey.py"

    # with kostra.fetch: true the table comes from SSB (official.smk), never synthesised
    if not KOSTRA["fetch"]:

        rule demo_kostra:
            """Synthetic KOSTRA 12012 in SSB's JSON-stat2 shape, calibrated to Tabell 10.3."""
            input:
                kommuner=public_2020("population"),
                settings=settings(
                    "demo_kostra",
                    content_new=KOSTRA["content_new_applications"],
                    content_rej=KOSTRA["content_rejections"],
                    seed=config["seed"],
                ),
                code=code("demo_kostra"),
            output:
                confidential("kostra_12012"),
            log:
                "logs/demo_kostra.log",
            benchmark:
                "benchmarks/runs/demo_kostra.tsv"
            conda:
                CONDA_ENV
            script:
                "../scripts/demo_kostra.py"
