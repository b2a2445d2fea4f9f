"""Adapter: IMDi's public series (harmonised) -> the follow-up tables and figures: the series per
kommune and year, the per-capita map of the last full year, published agreed counts vs the register."""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.core.figures import save_figure
from analysis.core.kommune import load_kommuner
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, figure_words, load_messages
from analysis.core.protection import apply_plan, read_unprotected
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.imdi import maps, series
from analysis.imdi.register import read_counts


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    lab = figure_words(
        t, "series", persons="persons", after_report="after_report", decimal_mark="decimal_mark"
    )
    persons = pd.read_parquet(smk.input.imdi_public)
    kommuner = load_kommuner(smk.input.population, study.structure)
    names = dict(zip(kommuner["kommunenummer"], kommuner["kommunenavn"]))
    year = study.last_full_year
    tables = {
        "x_imdi_public_series": series.public_series(persons, names, study),
        "x_settled_per_1000": series.settled_per_1000(persons, kommuner, year),
    }
    if "plan" in smk.input.keys():  # protection on: built by rule protection, a cell of its plan
        plan = pd.read_csv(smk.input.plan[0], dtype=str, keep_default_na=False)
        tables |= apply_plan(read_unprotected(smk.input), plan, int(s["threshold"]))
    else:
        counts = read_counts(smk.input.register_counts) if "register_counts" in smk.input.keys() else None
        tables["x_agreed_published"] = series.published_agreed(persons, counts, names)
    if s["protect"] and "value_label" not in tables["x_agreed_published"].columns:
        tables["x_agreed_published"]["value_label"] = ""  # nothing hidden (or no register)
    public_only = {k: v for k, v in s["synthetic"].items() if k != "register"}  # real: IMDi, SSB
    for p in smk.output.tables:
        stem = Path(p).stem
        write_tidy(tables[stem], p, synthetic=s["synthetic"] if stem == "x_agreed_published" else public_only)
    figs = {Path(p).stem: Path(p).with_suffix("") for p in smk.output.figures}
    save_figure(
        series.plot_national(tables["x_imdi_public_series"], lab, study),
        figs["x_imdi_public_series"],
        synthetic=False,
    )
    geo_k = gpd.read_file(smk.input.geo_kommuner)
    geo_b = gpd.read_file(smk.input.geo_bydeler)
    per = tables["x_settled_per_1000"][["kommunenummer", "value"]].rename(
        columns={"kommunenummer": "unit_id", "value": "per1000"}
    )
    save_figure(
        maps.plot_map(
            geo_k,
            geo_b,
            per,
            None,
            lab,
            value_col="per1000",
            cmap="Blues",
            legend_title=lab["per1000"].format(year=year),
        ),
        figs["x_settled_per_1000"],
        synthetic=False,
    )


run(main, snakemake)  # noqa: F821
