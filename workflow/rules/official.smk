"""Official statistics of kap. 10: KOSTRA 12012 (SSB, JSON-stat2) and UDI's privately housed
asylum seekers (Tabell 10.2, 10.3 and the rejection share per kommune in 2020), and the report's
other cited aggregates (IMDi's annual reports, Husbanken), read with UDI's file by rule cited.

Where table 12012 comes from:
- ``kostra.fetch: false`` (default): ``confidential("kostra_12012")`` - the synthetic demo file
  (rule ``demo_kostra``) with ``demo: true``, the user's ``inputs.kostra_12012`` otherwise.
- ``kostra.fetch: true``: SSB's PxWebApi, downloaded once to ``data/raw/kostra/12012.json`` (with
  ``12012.json.meta.json``: URL, query, date, sha256). The download rule exists only while that
  file is absent, so a rebuild never fetches again. When SSB cannot be reached the run says so
  and reads ``inputs.kostra_12012`` instead, or stops if that is not set.
"""

import sys

sys.path.insert(0, str(ROOT / "src"))
from analysis.official.fetch import FetchError, choose_source, host_reachable  # noqa: E402

STAGE_TABLES["udi"] = ["tab_10_2"]  # made by rule cited (below), with the cited inputs

KOSTRA = config["kostra"]
KOSTRA_RAW = "data/raw/kostra/12012.json"
KOSTRA_YEARS = [str(y) for y in range(2015, 2021)]
KOSTRA_REQUIRED_YEARS = [2016, 2020]

# Tabell 10.3 and the map exist only when table 12012 is there (named, or fetched; decisions/0015).
if have("kostra_12012"):
    STAGE_TABLES["kostra"] = ["tab_10_3", "x_kostra_aggregate_check", "x_kostra_rejection_share_2020"]
    STAGE_FIGURES["kostra"] = ["x_kostra_rejection_map_2020"]
    # Which inputs feed which entry (see FEEDS in common.smk): the crosswalk checks every code.
    FEEDS["kostra"] = {
        "tab_10_3": ["data", "crosswalk"],
        "x_kostra_aggregate_check": ["data", "crosswalk"],
        "x_kostra_rejection_share_2020": ["data", "crosswalk", "kommuner"],
        "x_kostra_rejection_map_2020": ["data", "crosswalk", "kommuner", "geo"],
        "kostra_12012": ["data", "crosswalk"],
    }

    if KOSTRA["fetch"]:
        _cfg = config["inputs"].get("kostra_12012")
        try:
            _src = choose_source(
                fetch=True,
                raw_path=KOSTRA_RAW,
                raw_exists=Path(KOSTRA_RAW).exists(),
                reachable=lambda: host_reachable(KOSTRA["url"]),
                configured=_cfg,
                configured_exists=bool(_cfg) and Path(_cfg).exists(),
                url=KOSTRA["url"],
            )
        except FetchError as _e:
            raise WorkflowError(str(_e)) from None
        if _src["note"]:
            print(f"NOTE {_src['note']}", file=sys.stderr)
        if _src["role"] == "downloaded":
            KOSTRA_ROLE = "kostra_12012_ssb"
            KOSTRA_INPUT = use_input(KOSTRA_ROLE, KOSTRA_RAW)  # real SSB data, demo or not
        else:
            KOSTRA_ROLE = "kostra_12012_configured" if DEMO else "kostra_12012"
            KOSTRA_INPUT = use_input(KOSTRA_ROLE, _cfg) if DEMO else configured(KOSTRA_ROLE)
        KOSTRA_FETCH_RULE = _src["fetch_rule"]
    else:
        KOSTRA_ROLE = "kostra_12012"
        KOSTRA_INPUT = confidential(KOSTRA_ROLE)
        KOSTRA_FETCH_RULE = False

    if KOSTRA_FETCH_RULE:

        rule kostra_fetch:
            """Download SSB table 12012 once (PxWebApi v0, json-stat2); the raw body plus a dated sidecar."""
            input:
                settings=settings(
                    "kostra_fetch",
                    url=KOSTRA["url"],
                    content_new=KOSTRA["content_new_applications"],
                    content_rej=KOSTRA["content_rejections"],
                    years=KOSTRA_YEARS,
                ),
                code=code("kostra_fetch"),
            output:
                data=KOSTRA_RAW,
                meta=f"{KOSTRA_RAW}.meta.json",
            log:
                "logs/kostra_fetch.log",
            benchmark:
                "benchmarks/runs/kostra_fetch.tsv"
            conda:
                CONDA_ENV
            script:
                "../scripts/kostra_fetch.py"

    rule kostra:
        """Tabell 10.3 from the kommune rows of 12012, checked against SSB's aggregates; map 2020."""
        input:
            data=KOSTRA_INPUT,
            crosswalk=public("crosswalk"),
            kommuner=public_2020("population"),
            geo=public_2020("geo_kommuner"),
            messages=MESSAGES,
            settings=settings(
                "kostra",
                content_new=KOSTRA["content_new_applications"],
                content_rej=KOSTRA["content_rejections"],
                split_to=SPLIT_TO,
                map_year=2020,
                # years Tabell 10.3 (2016, 2020) and the map show: each must have numbers
                required_years=KOSTRA_REQUIRED_YEARS,
                synthetic=synthetic_of(KOSTRA_ROLE, "population"),
            ),
            code=code("kostra"),
        output:
            tables=tables("kostra"),
            figures=figure_outputs("kostra", "Kapittel 10: kommunale boliger"),
            png=figures("kostra", "png"),
            ledger="data/processed/ledger/kostra_12012.csv",
        log:
            "logs/kostra.log",
        benchmark:
            "benchmarks/runs/kostra.tsv"
        priority: BESIDE_CHAIN
        conda:
            CONDA_ENV
        script:
            "../scripts/kostra.py"


# The report's cited aggregate inputs, read by one job (decision 0194): IMDi's annual-report
# aggregates (kap. 2, 4, 10), UDI's privately housed asylum seekers (Tabell 10.2) and Husbanken's
# grants (kap. 12.3). Which input feeds which output (FEEDS in common.smk): each file its own
# outputs; the IMDi number printed beside Tabell 10.2 comes from the annual-report aggregates.
STAGE_TABLES["cited"] = ["text_ch12_3_husbanken"]
CITED_LEDGERS = [
    f"data/processed/ledger/{role}.csv" for role in ("imdi_annual", "udi_privatboende", "husbanken")
]
FEEDS["cited"] = {
    "imdi_annual": ["imdi_annual"],  # the Parquet file and the ledger
    "tab_10_2": ["imdi_annual", "udi"],
    "udi_privatboende": ["imdi_annual", "udi"],
    "text_ch12_3_husbanken": ["husbanken"],
    "husbanken": ["husbanken"],
}


rule cited:
    """Read and validate the cited aggregates, each into its own outputs and row ledger: IMDi's
    annual-report numbers once for every stage that prints them, Tabell 10.2 (UDI, with the IMDi
    number beside it), Husbanken's grants for rental dwellings 2016 and 2021."""
    input:
        imdi_annual=configured("imdi_annual"),
        udi=configured("udi_privatboende"),
        husbanken=configured("husbanken"),
        settings=settings(
            "cited",
            udi_years=[2016, 2020],
            udi_synthetic=synthetic_of("udi_privatboende", "imdi_annual"),
            husbanken_synthetic=synthetic_of("husbanken"),
        ),
        code=code("cited"),
    output:
        annual=IMDI_ANNUAL_PARQUET,
        tables=tables("udi") + tables("cited"),
        ledger=CITED_LEDGERS,
    log:
        "logs/cited.log",
    benchmark:
        "benchmarks/runs/cited.tsv"
    # scope, waiting and protection wait for the annual-report aggregates
    priority: BESIDE_CHAIN
    conda:
        CONDA_ENV
    script:
        "../scripts/cited.py"
