"""Adapter: each frame wave's respondents raked to its frame margins -> weights, diagnostics,
weighted estimates (the report's wave under the x_weighting_* ids, others with the year appended)."""

import logging
from pathlib import Path

import pandas as pd

from analysis.core.figures import save_figure, too_few_answers_figure
from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.core.study import Study, year_span
from analysis.core.tidy import tidy, write_tidy
from analysis.survey.frame_sizes import read_frame_sizes
from analysis.survey.waves import WEIGHTING_ENTRIES
from analysis.survey.weighting import (
    TooFewRespondents,
    compare_estimates,
    diagnostics,
    estimates_for,
    margins_of,
    plot_estimates,
    rake,
    region_sensitivity,
    settlement_band,
)

log = logging.getLogger("weighting")


def main(smk):
    p = settings(smk)
    study = Study.from_dict(p["study"])
    tables = {Path(t).stem: t for t in smk.output.tables}
    figs = {Path(f).stem: f for f in smk.output.figures}
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    # the frame size each wave's correction uses, as rule survey_ingest wrote it (0177)
    fpc_size = read_frame_sizes(smk.input.frame_sizes)[1]
    for key, ids in p["waves"].items():
        wave = study.wave(int(key))
        before = [w.year for w in study.waves if w.year < wave.year]
        period = year_span(before[-1] if before else study.first_year, wave.year)
        weight_wave(
            smk.input[f"units_{wave.year}"],
            smk.input[wave.survey_role],
            {e: tables[ids[e]] for e in WEIGHTING_ENTRIES},
            figs[ids["x_weighted_estimates"]],
            smk.output[f"weights_{wave.year}"],
            p,
            t,
            wave,
            period,
            fpc_size[wave.year],
        )


def weight_wave(units_path, survey_path, out, figure, weights_path, p, t, wave, period, frame_size):
    """Weights, diagnostics and estimates of one frame wave; ``out``: base entry id -> table path,
    ``t``: the message catalogue of the figure's words, ``period``: the years the wave's filter
    question asks about ("2016–2021"), ``frame_size``: the frame size its finite population correction
    uses (None: none)."""
    units = pd.read_parquet(units_path)
    variables = list(p["margins"])
    if "settlement_band" in variables:
        units["settlement_band"] = settlement_band(units["all"], p["settlement_breaks"])
    sample = units[units["responded"]].reset_index(drop=True)
    margins = margins_of(units, variables)
    survey = pd.read_parquet(survey_path)
    survey["unit_id"] = survey["unit_id"].astype(str)
    # the survey file's design weights are the starting weights: checked equal (N/n)
    start = sample[["unit_id"]].merge(survey[["unit_id", "weight"]], on="unit_id", how="left", validate="1:1")
    start = pd.Series(start["weight"].to_numpy(dtype=float), index=sample.index)
    try:
        res = rake(sample, margins, base_weights=start, tol=p["tolerance"], max_iter=p["max_iter"])
    except TooFewRespondents as exc:  # a degenerate but valid survey: the report says so
        log.warning("%d: no weights: %s", wave.year, exc)
        not_weighted(out, figure, weights_path, p, t, sample, variables, str(exc))
        return
    if not res.converged:
        log.warning(
            "%d: raking did not converge in %d iterations (max margin error %.3g)",
            wave.year,
            res.iterations,
            res.max_margin_error,
        )
    ids = {e: Path(path).stem for e, path in out.items()}
    write_tidy(
        tidy(ids["x_weighting_diagnostics"], diagnostics(res, sample, margins)),
        out["x_weighting_diagnostics"],
        synthetic=p["synthetic"],
    )
    survey = survey.drop(columns=[c for c in ("responded", "weight", "unit_type") if c in survey.columns])
    merged = sample[["unit_id"]].merge(survey, on="unit_id", how="left", validate="1:1")
    wanted = estimates_for(p["estimates"], period)
    specs = [s for s in wanted if s["item"] in merged.columns]
    for s in wanted:
        if s["item"] not in merged.columns:
            log.warning("%s has no column %s: estimate %s left out", wave.survey_role, s["item"], s["id"])
    recs = compare_estimates(merged, res.weights, sample, variables, specs, p["confidence"], frame_size)
    est = tidy(ids["x_weighted_estimates"], recs)
    write_tidy(est, out["x_weighted_estimates"], synthetic=p["synthetic"])
    if "region" in variables:
        groupings = [c.removeprefix("region_") for c in units.columns if c.startswith("region_")]
        sens = region_sensitivity(
            units,
            merged,
            variables,
            specs,
            groupings,
            p["confidence"],
            p["tolerance"],
            p["max_iter"],
            frame_size,
        )
    else:  # no region margin: nothing to be sensitive to
        sens = []
    write_tidy(
        tidy(ids["x_weighting_region_sensitivity"], sens),
        out["x_weighting_region_sensitivity"],
        synthetic=p["synthetic"],
    )
    fig = plot_estimates(est, t, p["language"], p["confidence"])
    save_figure(fig, Path(figure).with_suffix(""), synthetic=p["synthetic"])
    w = sample[["unit_id", "unit_type", *variables]].assign(weight=res.weights.to_numpy())
    write_csv(w, weights_path)


def not_weighted(out, figure, weights_path, p, t, sample, variables, reason):
    """Outputs of a survey too small to rake: a diagnostics row saying so, no estimates, and a
    figure that says "too few answers" (ch. 9 shows the reason instead of the weights)."""
    ids = {e: Path(path).stem for e, path in out.items()}
    diag = tidy(
        ids["x_weighting_diagnostics"], [{"series": "not_weighted", "value": len(sample), "reason": reason}]
    )
    write_tidy(diag, out["x_weighting_diagnostics"], synthetic=p["synthetic"])
    for entry in ("x_weighted_estimates", "x_weighting_region_sensitivity"):
        write_tidy(tidy(ids[entry], []), out[entry], synthetic=p["synthetic"])
    fig = too_few_answers_figure(t, f"N = {len(sample)}")
    save_figure(fig, Path(figure).with_suffix(""), synthetic=p["synthetic"])
    write_csv(sample[["unit_id", "unit_type", *variables]].assign(weight=float("nan")), weights_path)


run(main, snakemake)  # noqa: F821
