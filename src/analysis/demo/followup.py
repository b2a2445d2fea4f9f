"""Synthetic survey waves after the report's (a follow-up wave, e.g. 2026), demo only.

Nothing is calibrated: the report publishes nothing about such a wave. The frame is real units
(the kommuner valid in the wave's year, Oslo as its 15 bydeler: 371 units in the 2024 structure),
which units respond is drawn (seeded) at the response rate of the codebook's calibrated frame wave,
the yes branch prefers units with agreed self-settlements in the register since the previous wave,
and every answer is drawn from the codebook's plausible profiles (``demo.priors``) by the same
generator as the report's waves. The wave asks what the latest wave the codebook knows asked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.kommune import OSLO
from analysis.demo.survey import choose_yes_branch, generate_wave
from analysis.survey.codebook import Codebook

FRAME_COLUMNS = ["unit_id", "unit_name", "unit_type"]


def plain_frame(kommuner: pd.DataFrame, bydeler: pd.DataFrame) -> pd.DataFrame:
    """Every kommune but Oslo (``kommunenummer, kommunenavn``) and Oslo's bydeler
    (``bydelsnummer, bydelsnavn``), sorted by unit id."""
    k = kommuner[kommuner["kommunenummer"] != OSLO]
    rows = pd.concat(
        [
            pd.DataFrame(
                {"unit_id": k["kommunenummer"], "unit_name": k["kommunenavn"], "unit_type": "kommune"}
            ),
            pd.DataFrame(
                {"unit_id": bydeler["bydelsnummer"], "unit_name": bydeler["bydelsnavn"], "unit_type": "bydel"}
            ),
        ],
        ignore_index=True,
    )
    return rows.sort_values("unit_id").reset_index(drop=True)


def branch_sizes(cb: Codebook, year: int, n_respondents: int) -> tuple[int, dict[int, int]]:
    """(yes-branch units, filter code -> no-branch units) for ``n_respondents``, in the shares of the
    latest wave the codebook's ``demo.branches`` gives (the wave's questionnaire)."""
    branches = {int(y): b for y, b in cb.raw["demo"]["branches"].items()}
    b = branches[max(y for y in branches if y <= cb.questionnaire_of(year))]
    n_yes = round(n_respondents * b["yes_branch"] / (b["yes_branch"] + b["no_branch"]))
    codes = {int(c): int(n) for c, n in b["filter_no_codes"].items()}
    no = n_respondents - n_yes
    scaled = {c: (n * no) // sum(codes.values()) for c, n in codes.items()}
    first = min(scaled)
    scaled[first] += no - sum(scaled.values())  # rounding remainder to the first code
    return n_yes, scaled


def plain_wave(
    cb: Codebook,
    published: dict,
    year: int,
    units: list[str],
    response_rate: float,
    asb: dict[str, int],
    seed: int,
) -> pd.DataFrame:
    """Answers of a follow-up wave: respondents drawn from ``units`` at ``response_rate``."""
    rng = np.random.default_rng([seed, year])
    n = max(2, round(len(units) * response_rate))
    respondents = sorted(rng.permutation(sorted(units))[:n])
    n_yes, no_codes = branch_sizes(cb, year, len(respondents))
    yes = choose_yes_branch(respondents, asb, n_yes, seed + year)
    no = sorted(set(respondents) - set(yes))
    return generate_wave(cb, published, year, yes, no, seed + year + 1, filter_no_codes=no_codes)
