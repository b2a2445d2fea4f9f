"""Kapittel 11 from the validated survey data: tidy tables, driven by the codebook (the figures
drawn from them: :mod:`analysis.survey.figures`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.tidy import tidy
from analysis.survey.codebook import Codebook
from analysis.survey.stats import change_table, figure_table
from analysis.survey.waves import change_id, pairs, respondents


def survey_tables(
    waves: dict[int, pd.DataFrame],
    cb: Codebook,
    frame_sizes: dict[int, int | None],
    confidence: float,
    small_base: int,
    response_rate_ids: dict[int, str],
) -> dict[str, pd.DataFrame]:
    """Every figure/text entry of the codebook as a tidy table over every wave, plus the changes
    of each pair of consecutive waves (``x_survey_change_<FROM>_<TO>``).

    ``waves``: year -> the wave's validated units (a wave with a frame holds the whole frame,
    flagged ``responded``). A wave the codebook does not know asks what the latest known wave
    asked (:meth:`Codebook.questionnaire_of`). ``response_rate_ids``: frame wave -> the entry id
    of its kap. 9.1.3 counts. ``small_base``: percentages and means on fewer units are flagged
    (column ``small_base``)."""
    resp = {year: respondents(w) for year, w in waves.items()}
    out = {}
    for fid, f in cb.figures.items():
        recs = []
        for year in sorted(resp, reverse=True):
            if cb.asked_in(f["years"], year):
                recs += figure_table(resp[year], cb, fid, year, frame_sizes.get(year), confidence)
        df = tidy(
            fid,
            pd.DataFrame(recs, columns=["year", "item", "category", "value", "n", "ci_low", "ci_high", "se"]),
        )
        df["small_base"] = df["n"].notna() & (df["n"].fillna(0) < small_base)
        out[fid] = df
    figure_tables = dict(out)
    for y0, y1 in pairs(resp):
        change = change_table(resp, figure_tables, cb, frame_sizes, confidence, small_base, (y0, y1))
        cid = change_id(y0, y1)
        out[cid] = tidy(cid, change.assign(year=f"{y0}-{y1}"))
    for year, eid in response_rate_ids.items():
        out[eid] = response_rate_table(waves[year], eid)
    out["text_ch11_survey_routing_counts"] = routing_counts_table(resp, cb)
    return out


def response_rate_table(wave: pd.DataFrame, entry_id: str) -> pd.DataFrame:
    """Frame and response counts of a wave with a frame (kap. 9.1.3); Oslo counts once among the
    municipalities."""
    is_bydel = wave["unit_type"] == "bydel"
    resp = wave["responded"] == 1
    n_units, n_resp = len(wave), int(resp.sum())
    n_by, n_by_resp = int(is_bydel.sum()), int((resp & is_bydel).sum())
    recs = [
        {"series": "municipalities_in_frame", "value": wave["kommunenummer_2020"].nunique()},
        {"series": "oslo_bydeler_in_frame", "value": n_by},
        {"series": "units_in_frame", "value": n_units},
        {"series": "units_responded", "value": n_resp},
        {"series": "response_rate_pct", "value": 100 * n_resp / n_units, "n": n_units},
        {"series": "oslo_bydeler_responded", "value": n_by_resp},
        {"series": "municipalities_excl_oslo_responded", "value": n_resp - n_by_resp},
        {
            "series": "oslo_bydeler_response_rate_pct",
            "value": 100 * n_by_resp / n_by if n_by else np.nan,
            "n": n_by,
        },
    ]
    return tidy(entry_id, recs)


def routing_counts_table(resp: dict[int, pd.DataFrame], cb: Codebook) -> pd.DataFrame:
    """Branch sizes and open-field use: counts only, never the text. ``resp``: each wave's
    responding units (:func:`respondents`)."""
    recs = []
    for name, spec in cb.raw.get("routing_counts", {}).items():
        for year in sorted(resp):
            if not cb.asked_in(spec["years"], year):
                continue
            w = resp[year]
            if spec.get("answered"):
                col = f"{spec['item']}__answered"
                if col not in w.columns:
                    continue
                count = int(w[col].fillna(0).sum())
            else:
                count = int(w[spec["item"]].isin(spec["codes"]).sum())
            if "percent_of" in spec:
                p = spec["percent_of"]
                base = int(w[p["item"]].isin(p["codes"]).sum())
                # no unit in the base (no unit practises the scheme): no share, not a crash
                value = 100 * count / base if base else np.nan
                recs.append({"year": year, "series": name, "value": value, "n": base})
            else:
                recs.append({"year": year, "series": name, "value": count})
    for name, spec in cb.raw.get("open_text_codes", {}).items():
        for year, w in resp.items():
            col = f"open__{name}"
            if col in w.columns:
                recs.append({"year": year, "series": name, "value": int(w[col].fillna(0).sum())})
    recs.sort(key=lambda r: (-int(r["year"]), r["series"]))
    return tidy("text_ch11_survey_routing_counts", recs)
