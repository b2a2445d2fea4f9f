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
# text_ch9_response_rate is written here unless the survey stage already registers it.
_NR_ENTRIES = ["tab_9_1"]
if "text_ch9_response_rate" not in [e for s in STAGE_TABLES.values() for e in s]:
    _NR_ENTRIES.append("text_ch9_response_rate")
_NR_TABLES = {"nonresponse": _NR_ENTRIES,
              "weighting": ["x_weighting_diagnostics", "x_weighted_estimates"]}
STAGE_TABLES.update(_NR_TABLES)
STAGE_FIGURES["weighting"] = ["x_weighted_estimates"]
NR_REGISTER = "data/processed/register.parquet"


def nr_register(wildcards):
    """The register stage's settlements when some rule makes them (optional until it does:
    the demo frame is then not calibrated to the settlement shares and the settlement rows of
    Tabell 9.1 are left out)."""
    made = Path(NR_REGISTER).exists() or any(
        NR_REGISTER in [str(o) for o in r.output] for r in workflow.rules)
    return [NR_REGISTER] if made else []


def nr_tables(stage):
    return [f"reports/tables/{e}.csv" for e in _NR_TABLES[stage]]



if DEMO:

    rule demo_frame:
        """Demo survey frame 2021 (real units) and responding units (synthetic, calibrated)."""
        input:
            population=public("population"),
            crosswalk=public("crosswalk"),
            geo_bydeler=public("geo_bydeler"),
            register=nr_register,
            published=PUBLISHED,
            code=code("demo_frame", "nonresponse", "kommune"),
        output:
            frame=confidential("survey_frame_2021"),
            respondents=f"{DEMO_DIR}/respondents_2021.csv",
        params:
            seed=config["seed"],
            **NR_PARAMS,
        log:
            "logs/demo_frame.log",
        benchmark:
            "benchmarks/runs/demo_frame.tsv"
        script:
            "../scripts/demo_frame.py"


rule nonresponse:
    """Tabell 9.1: response by size group and region, settlements in responding units."""
    input:
        frame=confidential("survey_frame_2021"),
        survey="data/processed/survey_2021.parquet",
        register=nr_register,
        population=public("population"),
        crosswalk=public("crosswalk"),
        geo_bydeler=public("geo_bydeler"),
        code=code("nonresponse", "kommune", "tidy"),
    output:
        tables=nr_tables("nonresponse"),
        units="data/processed/nonresponse_units.parquet",
    params:
        **NR_PARAMS,
    log:
        "logs/nonresponse.log",
    benchmark:
        "benchmarks/runs/nonresponse.tsv"
    script:
        "../scripts/nonresponse.py"


rule weighting:
    """Raking weights to the frame margins; diagnostics; weighted vs unweighted estimates."""
    input:
        units=rules.nonresponse.output.units,
        survey="data/processed/survey_2021.parquet",
        code=code("weighting", "tidy", "figures"),
    output:
        tables=nr_tables("weighting"),
        figures=figure_outputs("weighting", "Kapittel 9: frafall og vekter"),
        png=figures("weighting", "png"),
        weights="data/processed/weights_2021.csv",
    params:
        margins=WEIGHTING.get("margins", ["size_group", "region"]),
        settlement_breaks=WEIGHTING.get("settlement_breaks", [50, 200]),
        tolerance=WEIGHTING.get("tolerance", 1e-12),
        max_iter=WEIGHTING.get("max_iter", 1000),
        estimates=WEIGHTING.get("estimates") or None,
        confidence=config["survey"].get("confidence", 0.95),
        language=LANG,
    log:
        "logs/weighting.log",
    benchmark:
        "benchmarks/runs/weighting.tsv"
    script:
        "../scripts/weighting.py"
