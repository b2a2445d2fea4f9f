"""Published aggregates cited from other bodies' statistics (Husbanken, kap. 12.3)."""

STAGE_TABLES["cited"] = ["text_ch12_3_husbanken"]


rule husbanken:
    """Husbanken's grants for rental dwellings 2016 and 2021, as cited by the report."""
    input:
        data=configured("husbanken"),
        code=code("cited", "tidy"),
    output:
        tables=tables("cited"),
        ledger="data/processed/ledger/husbanken.csv",
    log:
        "logs/husbanken.log",
    benchmark:
        "benchmarks/runs/husbanken.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/husbanken.py"


rule imdi_annual:
    """Validate IMDi's annual-report aggregates (read by scope, waiting and udi) and ledger every row."""
    input:
        data=configured("imdi_annual"),
        code=code("imdi_annual", "ledger"),
    output:
        ledger="data/processed/ledger/imdi_annual.csv",
    log:
        "logs/imdi_annual.log",
    benchmark:
        "benchmarks/runs/imdi_annual.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/imdi_annual_ledger.py"


rule public_ledger:
    """The public reference files with a row structure (code crosswalk, population): used in full."""
    input:
        crosswalk=public("crosswalk"),
        population=public("population"),
        code=code("kommune", "ledger"),
    output:
        ledger="data/processed/ledger/public_reference.csv",
    log:
        "logs/public_ledger.log",
    benchmark:
        "benchmarks/runs/public_ledger.tsv"
    conda:
        CONDA_ENV
    script:
        "../scripts/public_ledger.py"
