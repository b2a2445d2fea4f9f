"""`snakemake validate`: every problem of every configured input at once, without the report
(../shared/CONTRACT.md, "Validation"; logic in src/analysis/validate/inputs.py)."""

# public/cited inputs the build reads as well (checked first-problem-only by their readers)
VALIDATE_CONFIGURED = ["imdi_public", "imdi_annual", "udi_privatboende", "husbanken"]


def validate_inputs(wildcards=None):
    """role -> file of every input the build would read (confidential ones: only those given)."""
    paths = {}
    for role in CONFIDENTIAL:
        if role == "kostra_12012":
            if have(role):  # KOSTRA_INPUT exists only then (official.smk)
                paths[role] = KOSTRA_INPUT
        elif DEMO or role in config["inputs"]:
            paths[role] = confidential(role)
    for role in VALIDATE_CONFIGURED:
        if role in config["inputs"]:
            paths[role] = configured(role)
    return paths


rule validate:
    """Check every configured input, listing every problem: reports/validation.csv and .html."""
    input:
        unpack(validate_inputs),
        crosswalk=public_file("crosswalk"),
        crosswalk_2024=SURVEY_CROSSWALK_2024,
        population=public_file("population", structure=2020),
        geo_bydeler=public_file("geo_bydeler"),
        codebook=SURVEY_CODEBOOK,
        settings=settings(
            "validate",
            roles=list(validate_inputs()),
            mapping=config["mapping"],
            register_end=config["register_end"],
            split_to=SPLIT_TO,
            split_to_2024=SPLIT_TO_2024,
            study=STUDY.as_dict(),
            study_years=config["study_years"],
            udi_years=[2016, 2020],
            husbanken_measures=["rental_dwellings_granted", "share_earmarked_refugees_pct"],
            kostra_new=config["kostra"]["content_new_applications"],
            kostra_rej=config["kostra"]["content_rejections"],
            kostra_years=KOSTRA_REQUIRED_YEARS,
        ),
        code=code("validate"),
    output:
        csv="reports/validation.csv",
        html="reports/validation.html",
    log:
        "logs/validate.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/validate.py"
