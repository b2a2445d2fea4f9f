"""Synthetic confidential inputs for the demo (demo: true): register, survey frames and
respondents, every survey wave, KOSTRA 12012. Every rule writes ``confidential(role)``, the path the
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


# Survey waves of the demo. The report's waves (the codebook's demo.branches: 2016, 2021) are
# calibrated to the report, together, on the responding units of the calibrated frame
# (demo.frame_wave: 2021); any other wave (a follow-up, 2026) is drawn plainly by its own rule,
# with its frame in the kommune codes of its year, and only when survey_waves asks for it.
DEMO_CALIBRATED = sorted(int(y) for y in _SURVEY_CB["demo"]["branches"])
DEMO_FRAME_YEAR = int(_SURVEY_CB["demo"]["frame_wave"])
DEMO_PLAIN = [w for w in STUDY.waves if w.year not in DEMO_CALIBRATED]
if DEMO:
    _odd = [w.year for w in STUDY.frame_waves if w.year in DEMO_CALIBRATED and w.year != DEMO_FRAME_YEAR]
    if _odd:
        raise WorkflowError(
            f"survey_frame_waves {_odd}: the demo draws the frame of {DEMO_FRAME_YEAR} and of waves "
            f"other than {DEMO_CALIBRATED}, not of these (their answers are calibrated without a frame)"
        )

if DEMO and any(y in STUDY.wave_years for y in DEMO_CALIBRATED):

    rule demo_survey_solve:
        """The integer programmes of the demo survey's calibration solved ahead, for numbered
        units: they depend on how many units answer, not on which, so this job runs beside the
        register rules, and demo_survey (which needs the register for its frame) looks them up
        (decision 0137)."""
        input:
            codebook=SURVEY_CODEBOOK,
            published=PUBLISHED,
            claims=CLAIMS,
            settings=settings("demo_survey_solve", seed=config["seed"]),
            code=code("demo_survey_solve"),
        output:
            "data/processed/demo/survey_solutions.json",
        log:
            "logs/demo_survey_solve.log",
        benchmark:
            "benchmarks/runs/demo_survey_solve.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_survey_solve.py"

    rule demo_survey:
        """The report's frame wave and answers in one job (decision 0131): the frame of the frame
        wave (real units) with its responding units, calibrated to Tabell 9.1, and the synthetic
        answers of the report's waves (2016, 2021), calibrated to every survey percentage the report
        prints. Yes-branch units are responding units with agreed self-settlement in the register."""
        input:
            population=public_2020("population"),
            crosswalk=public("crosswalk"),
            crosswalk_2024=SURVEY_CROSSWALK_2024,
            geo_bydeler=public("geo_bydeler"),
            register=rules.register.output.register,
            codebook=SURVEY_CODEBOOK,
            published=PUBLISHED,
            claims=CLAIMS,
            solutions=rules.demo_survey_solve.output[0],
            settings=settings(
                "demo_survey",
                seed=config["seed"],
                split_to=SPLIT_TO,
                split_to_2024=SPLIT_TO_2024,
                structure=STUDY.structure,
                window=settlement_window(DEMO_FRAME_YEAR),
                study=STUDY.as_dict(),
                waves=[y for y in DEMO_CALIBRATED if y in STUDY.wave_years],
                **NR_PARAMS,
            ),
            code=code("demo_survey"),
        output:
            **{
                STUDY.wave(y).survey_role: confidential(STUDY.wave(y).survey_role)
                for y in DEMO_CALIBRATED
                if y in STUDY.wave_years
            },
            frame=f"{DEMO_DIR}/survey_frame_{DEMO_FRAME_YEAR}.csv",
            respondents=f"{DEMO_DIR}/respondents_{DEMO_FRAME_YEAR}.csv",
        log:
            "logs/demo_survey.log",
        benchmark:
            "benchmarks/runs/demo_survey.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_survey.py"


if DEMO and DEMO_PLAIN:

    rule demo_followup_waves:
        """Synthetic survey waves after the report's (e.g. 2026): a frame in the kommune codes of the
        wave's year where the wave has one, respondents and answers drawn from the codebook's
        plausible profiles, asking what the latest wave the codebook knows asked."""
        input:
            population=public_2020("population"),
            population_2024=public("population_2024"),
            crosswalk=public("crosswalk"),
            crosswalk_2024=SURVEY_CROSSWALK_2024,
            geo_bydeler=public("geo_bydeler"),
            register=rules.register.output.register,
            codebook=SURVEY_CODEBOOK,
            published=PUBLISHED,
            settings=settings(
                "demo_followup_waves",
                seed=config["seed"],
                study=STUDY.as_dict(),
                waves=[w.year for w in DEMO_PLAIN],
                split_to=SPLIT_TO,
                split_to_2024=SPLIT_TO_2024,
            ),
            code=code("demo_followup_waves"),
        output:
            **{w.survey_role: confidential(w.survey_role) for w in DEMO_PLAIN},
            **{w.frame_role: confidential(w.frame_role) for w in DEMO_PLAIN if w.frame_role},
        log:
            "logs/demo_followup_waves.log",
        benchmark:
            "benchmarks/runs/demo_followup_waves.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_followup_waves.py"


if DEMO:
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
            # rule kostra, a map job, waits for it
            priority: BESIDE_CHAIN
            conda:
                CONDA_ENV
            script:
                "../scripts/demo_kostra.py"
