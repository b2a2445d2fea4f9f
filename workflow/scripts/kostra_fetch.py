"""Adapter: download SSB table 12012 once (PxWebApi v0, json-stat2) with a dated sidecar."""

import logging

from analysis.core.logsetup import run, settings
from analysis.official.fetch import FetchError, fetch_table, pxweb_query

log = logging.getLogger("kostra_fetch")


def main(smk):
    s = settings(smk)
    query = pxweb_query([s["content_new"], s["content_rej"]], s["years"])
    try:
        meta = fetch_table(s["url"], query, smk.output.data)
    except FetchError as e:
        log.error(
            "KOSTRA 12012 could not be downloaded: %s. Set kostra.fetch: false and point "
            "inputs.kostra_12012 at a saved json-stat2 file to run without network.",
            e,
        )
        raise SystemExit(1) from None
    log.info(
        "downloaded %s: %d bytes, sha256 %s, at %s",
        meta["url"],
        meta["bytes"],
        meta["sha256"],
        meta["retrieved_utc"],
    )


run(main, snakemake)  # noqa: F821
