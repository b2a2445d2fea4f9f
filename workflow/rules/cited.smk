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
    script:
        "../scripts/husbanken.py"
