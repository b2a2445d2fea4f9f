"""IMDi settlement data: the public file per kommune and year, and the scope of settlement (kap. 2)."""

STAGE_TABLES["scope"] = ["fig_2_1"]
STAGE_FIGURES["scope"] = ["fig_2_1"]


rule imdi_public:
    """Parse IMDi's public settlement file and harmonise its codes to the 2020 kommuner."""
    input:
        data=configured("imdi_public"),
        crosswalk=public("crosswalk"),
        code=code("imdi_public", "kommune"),
    output:
        persons="data/processed/imdi_public.parquet",
        ledger="data/processed/ledger/imdi_public.csv",
    params:
        years=config["study_years"],
        split_to=SPLIT_TO,
    log:
        "logs/imdi_public.log",
    script:
        "../scripts/imdi_public.py"


rule scope:
    """Scope of settlement and agreed self-settlement (Figur 2.1)."""
    input:
        imdi_public=rules.imdi_public.output.persons,
        published=PUBLISHED,
        code=code("scope", "figures", "tidy"),
    output:
        tables=tables("scope"),
        figures=figure_outputs("scope", "Kapittel 2: omfang"),
        png=figures("scope", "png"),
    params:
        language=LANG,
    log:
        "logs/scope.log",
    script:
        "../scripts/scope.py"
