"""Which entry ids a survey wave's tables get, for any number of waves (docs/decisions/0055).

The report reproduces one frame wave's non-response analysis and weights (Tabell 9.1, the
kap. 9.1.3 counts, the weighting tables): the latest wave with a frame inside the report's own
period (2021). Every other wave with a frame gets the same tables under its own ``x_`` ids with
the year appended, so that nothing reproduces a published number from another wave. Changes are
computed for each pair of consecutive waves, in ``x_survey_change_<FROM>_<TO>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FRAME_ENTRIES = ("tab_9_1", "text_ch9_response_rate")
WEIGHTING_ENTRIES = ("x_weighting_diagnostics", "x_weighted_estimates", "x_weighting_region_sensitivity")


def respondents(wave: pd.DataFrame) -> pd.DataFrame:
    """Responding units only (the file of a wave with a frame also holds its non-respondents)."""
    if "responded" in wave.columns:
        wave = wave[wave["responded"] == 1]
    return wave.reset_index(drop=True)


def change_id(y0: int, y1: int) -> str:
    return f"x_survey_change_{int(y0)}_{int(y1)}"


def pairs(years) -> list[tuple[int, int]]:
    """Consecutive pairs of the (sorted) wave years."""
    ys = sorted(int(y) for y in years)
    return list(zip(ys, ys[1:]))


def report_frame_wave(frame_years, report_last_year: int) -> int | None:
    """The frame wave whose tables carry the report's own ids: the latest one not after the
    report's period, or None."""
    inside = [int(y) for y in frame_years if int(y) <= int(report_last_year)]
    return max(inside) if inside else None


def wave_entry(base: str, year: int, report_wave: int | None) -> str:
    """The id of entry ``base`` for frame wave ``year``: ``base`` itself for the report's wave,
    else ``x_<base>_<year>`` (``<base>_<year>`` when ``base`` is an ``x_`` id already)."""
    if report_wave is not None and int(year) == int(report_wave):
        return base
    return f"{base}_{int(year)}" if base.startswith("x_") else f"x_{base}_{int(year)}"
