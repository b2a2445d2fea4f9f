"""Adapter: KOSTRA 12012 (JSON-stat2 or a statbank CSV/.xlsx download) -> Tabell 10.3, the aggregate check, the 2020 map, ledger."""

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.core.figures import save_figure
from analysis.core.files import write_csv
from analysis.core.kommune import build_code_map, read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, figure_words, load_messages
from analysis.core.tidy import write_tidy
from analysis.official import kostra

log = logging.getLogger("kostra")


def main(smk):
    s = settings(smk)
    ds = kostra.read_kostra(smk.input.data)
    log.info(
        "%s: %s, dimensions %s, sizes %s", smk.input.data, ds.label, ds.ids, [d.size for d in ds.dimensions]
    )
    cells = kostra.cells(ds, s["content_new"], s["content_rej"])
    code_map = build_code_map(read_crosswalk_wide(smk.input.crosswalk), dict(s["split_to"]))
    kostra.check_region_names(ds, code_map)
    kostra.validate_codes(cells, set(code_map["code"]), smk.input.data)
    kostra.check_codes_by_year(cells, code_map, smk.input.data)
    kostra.check_years(cells, s["required_years"], smk.input.data)
    symbols = pd.concat([cells["status_new"], cells["status_rej"]]).value_counts().to_dict()
    log.info("cell symbols (''=value): %s", symbols)
    shares = kostra.rejection_shares(cells)
    check = kostra.aggregate_check(cells, shares)
    kostra.log_aggregate_check(check)
    kommuner = pd.read_csv(smk.input.kommuner, dtype={"kommunenummer": str})
    year = int(s["map_year"])
    per_kommune = kostra.kommune_shares(cells, kommuner, year)
    out = {Path(p).stem: p for p in smk.output.tables}
    write_tidy(shares, out["tab_10_3"], synthetic=s["synthetic"])
    write_tidy(check, out["x_kostra_aggregate_check"], synthetic=s["synthetic"])
    write_tidy(per_kommune, out[f"x_kostra_rejection_share_{year}"], synthetic=s["synthetic"])
    geo = gpd.read_file(smk.input.geo)
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    fig = kostra.plot_map(per_kommune, geo, figure_words(t, "kostra"))
    save_figure(fig, Path(smk.output.figures[0]).with_suffix(""), synthetic=s["synthetic"])
    led = kostra.ledger(cells)
    write_csv(led, smk.output.ledger)


run(main, snakemake)  # noqa: F821
