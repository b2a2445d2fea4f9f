"""Non-response: the 2021 survey frame, Tabell 9.1 (kap. 9.1.3) and non-response weights.

Reads the frame (confidential: synthetic in the demo), the respondents of the survey stage
(data/processed/survey_2021.parquet) and the register stage's settlements per unit.
"""

WEIGHTING = config.get("weighting", {})
NR_PARAMS = dict(
    public_dir=PUBLIC_DIR,
    years=[2016, int(config["register_end"][:4])],
    region_overrides=WEIGHTING.get("region_overrides", {"1577": "west"}),
    population_column=WEIGHTING.get("population_column", "folkemengde_2021_01_01"),
)
STAGE_TABLES["nonresponse"] = ["tab_9_1"]  # text_ch9_response_rate comes from the survey stage
STAGE_TABLES["weighting"] = ["x_weighting_diagnostics", "x_weighted_estimates"]
STAGE_FIGURES["weighting"] = ["x_weighted_estimates"]
NR_REGISTER = rules.register.output.register  # imdi.smk is included before this file





if DEMO:

    rule demo_frame:
        """Demo survey frame 2021 (real units) and responding units (synthetic, calibrated)."""
        input:
            population=public("population"),
            crosswalk=public("crosswalk"),
            geo_bydeler=public("geo_bydeler"),
            register=NR_REGISTER,
            published=PUBLISHED,
            settings=settings("demo_frame",
                seed=config["seed"],
                **NR_PARAMS,
            ),
            code=code("demo_frame", "nonresponse", "kommune", "yamlio"),
        output:
            frame=confidential("survey_frame_2021"),
            respondents=f"{DEMO_DIR}/respondents_2021.csv",
        log:
            "logs/demo_frame.log",
        benchmark:
            "benchmarks/runs/demo_frame.tsv"
        conda:
            CONDA_ENV
        script:
            "../scripts/demo_frame.py"


rule nonresponse:
    """Tabell 9.1: response by size group and region, settlements in responding units."""
    input:
        frame=confidential("survey_frame_2021"),
        survey="data/processed/survey_2021.parquet",
        register=NR_REGISTER,
        population=public("population"),
        crosswalk=public("crosswalk"),
        geo_bydeler=public("geo_bydeler"),
        settings=settings("nonresponse", **NR_PARAMS),
        code=code("nonresponse", "kommune", "tidy"),
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
        survey="data/processed/survey_2021.parquet",
        settings=settings("weighting",
            margins=WEIGHTING.get("margins", ["size_group", "region"]),
            settlement_breaks=WEIGHTING.get("settlement_breaks", [50, 200]),
            tolerance=WEIGHTING.get("tolerance", 1e-12),
            max_iter=WEIGHTING.get("max_iter", 1000),
            estimates=WEIGHTING.get("estimates") or None,
            confidence=config["survey"].get("confidence", 0.95),
            language=LANG,
        ),
        code=code("weighting", "tidy", "figures"),
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
