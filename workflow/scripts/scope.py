"""Adapter: register + public totals + annual reports (or, protection on, the tables as rule protection
built them) -> kap. 2 / 4.1.3 / 12 tables, figures, maps."""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.core.figures import save_figure
from analysis.core.kommune import KOMMUNER_PER_STRUCTURE
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, figure_words, load_messages
from analysis.core.protection import apply_plan, read_unprotected
from analysis.core.study import Study, year_span
from analysis.core.tidy import write_tidy
from analysis.imdi import maps, scope


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    i = smk.input
    if s["protect"]:  # built once by rule protection, which made the plan on these tables
        built = scope.Unprotected.from_frames(read_unprotected(i))
        plan = pd.read_csv(i.plan[0], dtype=str, keep_default_na=False)
        tables = apply_plan(built.tables, plan, int(s["threshold"]))
        tables, k_cls, b_cls = scope.place_protected(tables, built.k_cls, built.b_cls)
    else:
        built = scope.build(i.register_counts, i.imdi_annual, i.population, i.imdi_public, study)
        tables, k_cls, b_cls = built.tables, built.k_cls, built.b_cls
    first, last = (built.years[0], built.years[-1]) if built.years else (0, 0)
    t = Messages(load_messages(i.messages), i.messages)
    lab = figure_words(
        t,
        "scope",
        ordinary="ordinary",
        asb="agreed",
        persons="persons",
        q1="q1",
        after_report="after_report",
        decimal_mark="decimal_mark",
    )
    for k in ("only_2018_2021", "per1000"):  # the late period and the period end where the data end
        lab[k] = lab[k].format(last=last, period=year_span(first, last))
    out = {Path(p).stem: p for p in smk.output.tables}
    for eid, path in out.items():
        write_tidy(tables[eid], path, synthetic=s["synthetic"])
    figs = {Path(p).stem: Path(p).with_suffix("") for p in smk.output.figures}
    save_figure(scope.plot_overview(tables["fig_2_1"], lab), figs["fig_2_1"], synthetic=s["synthetic"])
    save_figure(
        scope.plot_overview(
            tables["fig_2_2_resettlement"], lab, ("ordinary", "resettlement"), "resettlement_pct"
        ),
        figs["fig_2_2_resettlement"],
        synthetic=s["synthetic"],
    )
    geo_k = gpd.read_file(smk.input.geo_kommuner)
    geo_b = gpd.read_file(smk.input.geo_bydeler)
    if len(geo_k) != KOMMUNER_PER_STRUCTURE[study.structure]:
        raise ValueError(
            f"{smk.input.geo_kommuner}: expected {KOMMUNER_PER_STRUCTURE[study.structure]} kommuner, found {len(geo_k)}"
        )
    save_figure(maps.plot_map(geo_k, geo_b, k_cls, b_cls, lab), figs["fig_2_2_map"], synthetic=s["synthetic"])
    per = tables["x_asb_per_1000"][["kommunenummer", "value"]].rename(
        columns={"kommunenummer": "unit_id", "value": "per1000"}
    )
    save_figure(
        maps.plot_map(
            geo_k, geo_b, per, None, lab, value_col="per1000", cmap="Oranges", legend_title=lab["per1000"]
        ),
        figs["x_asb_per_1000"],
        synthetic=s["synthetic"],
    )


run(main, snakemake)  # noqa: F821
