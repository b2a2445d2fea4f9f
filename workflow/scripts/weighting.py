"""Adapter: kapittel 9's non-response and weights, and kapittel 11's sensitivity to them, one job
(decision 0195).

1. Each frame wave (validated by survey_ingest) + register -> Tabell 9.1 and the frame units. The
   report's frame wave writes tab_9_1, every other frame wave the same table as x_tab_9_1_<YYYY>.
2. Each frame wave's respondents raked to its frame margins -> weights, diagnostics, weighted
   estimates (the report's wave under the x_weighting_* ids, others with the year appended).
3. Kapittel 11 under the other FPC choice, with the weights and with the overlap of the waves
   (x_survey_sensitivity, Tabell X11.2).

The units and the weights are read back from the files just written: steps 2 and 3 see what a
file-to-file run would (their types included), and the files stay the outputs they were.
"""

import logging
from pathlib import Path

import pandas as pd

from analysis.core.figures import save_figure, too_few_answers_figure
from analysis.core.files import write_csv, write_parquet
from analysis.core.kommune import read_crosswalk_2024
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.messages import Messages, load_messages
from analysis.core.study import Study, year_span
from analysis.core.tidy import tidy, write_tidy
from analysis.survey.codebook import load_codebook
from analysis.survey.frame_sizes import read_frame_sizes
from analysis.survey.nonresponse import (
    protect_settlement_rows,
    read_unit_settlements,
    wave_nonresponse,
    wave_population,
)
from analysis.survey.sensitivity import read_change, sensitivity_records
from analysis.survey.waves import WEIGHTING_ENTRIES, change_id, pairs
from analysis.survey.weighting import estimates_for, plot_estimates, weight_wave

log = logging.getLogger("weighting")


def main(smk):
    p = settings(smk)
    study = Study.from_dict(p["study"])
    tables = {Path(t).stem: t for t in smk.output.tables}
    waves = {int(y): pd.read_parquet(smk.input[study.wave(int(y)).survey_role]) for y in p["survey_waves"]}
    nonresponse(smk, p, study, waves, tables)
    # the frame size each wave's correction uses, and every known one, as survey_ingest wrote them (0177)
    known, used = read_frame_sizes(smk.input.frame_sizes)
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    figs = {Path(f).stem: f for f in smk.output.figures}
    for key, ids in p["waves"].items():
        weighting(smk, p, study, study.wave(int(key)), waves, ids, tables, figs, t, used)
    weights = {int(y): pd.read_csv(smk.output[f"weights_{y}"], dtype={"unit_id": str}) for y in p["waves"]}
    changes = {(y0, y1): read_change(smk.input[change_id(y0, y1)]) for y0, y1 in pairs(waves)}
    recs = sensitivity_records(
        waves,
        load_codebook(smk.input.codebook),
        used,
        known,
        weights,
        changes,
        p["margins"],
        float(p["confidence"]),
        float(p["sensitivity_points"]),
    )
    write_tidy(
        tidy("x_survey_sensitivity", recs),
        tables["x_survey_sensitivity"],
        synthetic=p["synthetic_sensitivity"],
    )


def nonresponse(smk, p, study, waves, tables):
    """Tabell 9.1 and the frame units of every frame wave."""
    register = read_unit_settlements(smk.input.register)
    cw24 = optional_input(smk, "crosswalk_2024")
    cw24 = None if cw24 is None else read_crosswalk_2024(cw24)
    files = {
        "population": smk.input.population,
        "population_2024": optional_input(smk, "population_2024"),
        "crosswalk": smk.input.crosswalk,
        "geo_bydeler": smk.input.geo_bydeler,
    }
    plan = None
    for key, w in p["waves"].items():
        year = int(key)
        munis, _, units = wave_population(
            year, w["report_wave"], files, p["region_overrides"], p["population_column"], p["region_grouping"]
        )
        recs, units, outside = wave_nonresponse(
            waves[year],
            smk.input[study.wave(year).survey_role],
            munis,
            units,
            register,
            year=year,
            register_structure=study.structure,
            crosswalk_2024=cw24,
            split_to_2024=p["split_to_2024"],
            window=w["settlement_window"],
        )
        if len(outside):
            # units only, never their person counts: the log is not protected (issue 27)
            log.warning(
                "%d: settlements in %d unit(s) outside the frame (left out of the settlement rows; their "
                "count is the row count_outside_frame of Tabell 9.1): %s",
                year,
                len(outside),
                ", ".join(sorted(outside["unit_id"].astype(str))[:20]),
            )
        tab = tidy(w["tab_9_1"], recs)
        if p["protect"]:  # the settlement rows follow the register tables' protection
            if plan is None:
                plan = pd.read_csv(smk.input.plan[0], dtype=str, keep_default_na=False)
            tab = protect_settlement_rows(tab, plan, int(p["threshold"]))
        write_tidy(tab, tables[w["tab_9_1"]], synthetic=p["synthetic"])
        write_parquet(units, smk.output[f"units_{year}"])


def weighting(smk, p, study, wave, waves, ids, tables, figs, t, fpc_size):
    """Weights, diagnostics, estimates and the figure of one frame wave (``ids``: base entry id ->
    the wave's id, ``fpc_size``: the frame size each wave's correction uses)."""
    before = [w.year for w in study.waves if w.year < wave.year]
    period = year_span(before[-1] if before else study.first_year, wave.year)
    res = weight_wave(
        pd.read_parquet(smk.output[f"units_{wave.year}"]),
        waves[wave.year],
        margins=p["margins"],
        settlement_breaks=p["settlement_breaks"],
        tolerance=p["tolerance"],
        max_iter=p["max_iter"],
        estimates=estimates_for(p["estimates"], period),
        confidence=p["confidence"],
        frame_size=fpc_size[wave.year],
        name=wave.survey_role,
    )
    if res.not_weighted:
        log.warning("%d: no weights: %s", wave.year, res.not_weighted)
    tabs = {e: tidy(ids[e], res.records[e]) for e in WEIGHTING_ENTRIES}
    for e, tab in tabs.items():
        write_tidy(tab, tables[ids[e]], synthetic=p["synthetic"])
    if res.not_weighted:  # ch. 9 shows the reason instead of the weights
        fig = too_few_answers_figure(t, f"N = {len(res.weights)}")
    else:
        fig = plot_estimates(tabs["x_weighted_estimates"], t, p["language"], p["confidence"])
    save_figure(fig, Path(figs[ids["x_weighted_estimates"]]).with_suffix(""), synthetic=p["synthetic"])
    write_csv(res.weights, smk.output[f"weights_{wave.year}"])


run(main, snakemake)  # noqa: F821
