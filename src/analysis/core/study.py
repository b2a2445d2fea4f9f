"""The study's shape: register period, survey waves, kommune structure - built once from the config.

Every stage gets this one value (``settings(rule, study=STUDY.as_dict())`` in the rules,
``Study.from_dict(settings["study"])`` in the scripts) instead of spelling a year or a wave
itself. The defaults (the reproduced report's 2014-2021, waves 2016 and 2021, the 2020
kommuner) live only in the config schema.

Waves: every ``inputs.survey_<YYYY>`` key is a wave and ``inputs.survey_frame_<YYYY>`` its frame.
The config keys ``survey_waves`` and ``survey_frame_waves`` name the waves (and frames) the study
expects: the demo generates exactly those; with ``demo: false`` the waves are those keys together
with every wave named under ``inputs``, so an expected wave that is not named is a missing input
the report names (docs/decisions/0050).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

SURVEY_ROLE = re.compile(r"^survey_(\d{4})$")
FRAME_ROLE = re.compile(r"^survey_frame_(\d{4})$")
STRUCTURES = (2020, 2024)
# The 2024 kommuner exist from 1.1.2024 (codes of the 2024 structure; docs/decisions/0051). Here, not
# in core.kommune, so that the workflow reads it without importing pandas on every start.
FIRST_YEAR_2024 = 2024
DAYS_PER_MONTH = 365.25 / 12  # waiting time in months: days / this (register and its synthetic twin)


def survey_role(year: int) -> str:
    return f"survey_{year}"


def frame_role(year: int) -> str:
    return f"survey_frame_{year}"


@dataclass(frozen=True)
class Wave:
    year: int  # 2016, 2021, 2026 ...
    survey_role: str  # "survey_2016" (the input role / inputs key)
    frame_role: str | None  # "survey_frame_2021" when the wave has a frame, else None

    @property
    def has_frame(self) -> bool:
        return self.frame_role is not None


@dataclass(frozen=True)
class Study:
    first_year: int  # study_years[0]
    last_year: int  # study_years[1]
    register_end: str  # ISO date, last settlement date of the register extract
    structure: int  # kommune_structure: 2020 (356 kommuner, the report's) or 2024 (357)
    waves: tuple[Wave, ...]  # ordered by year
    report_period: tuple[int, int]  # the reproduced report's own period; later years are etter_rapporten

    def __post_init__(self):
        if self.first_year > self.last_year:
            raise ValueError(f"study years reversed: {self.first_year} > {self.last_year}")
        if self.structure not in STRUCTURES:
            raise ValueError(f"kommune structure {self.structure}: one of {STRUCTURES}")
        dt.date.fromisoformat(self.register_end)
        years = [w.year for w in self.waves]
        if years != sorted(set(years)):
            raise ValueError(f"survey waves not strictly ordered by year: {years}")

    # --- register period -------------------------------------------------------------------
    @property
    def years(self) -> tuple[int, ...]:
        """Every year of the study, first to last."""
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def register_start(self) -> str:
        """First settlement date the register may hold: 1 January of the first study year."""
        return f"{self.first_year}-01-01"

    @property
    def register_end_date(self) -> dt.date:
        return dt.date.fromisoformat(self.register_end)

    @property
    def register_end_year(self) -> int:
        return self.register_end_date.year

    @property
    def register_years(self) -> tuple[int, ...]:
        """Years the register covers at least in part: first study year .. the year of register_end."""
        return tuple(range(self.first_year, min(self.last_year, self.register_end_year) + 1))

    @property
    def last_full_year(self) -> int:
        """The last year the register covers completely (register_end on 31 December or later)."""
        end = self.register_end_date
        year = end.year if (end.month, end.day) == (12, 31) else end.year - 1
        return min(year, self.last_year)

    def is_partial_year(self, year: int) -> bool:
        """True for the year register_end cuts short (2021 in the report: first quarter only)."""
        return year == self.register_end_year and year > self.last_full_year

    def is_after_report(self, year: int) -> bool:
        """A year after the reproduced report's own period (rows marked ``etter_rapporten``)."""
        return int(year) > self.report_period[1]

    @property
    def extends_report(self) -> bool:
        """True when the study reaches beyond the reproduced report's period (a follow-up)."""
        return self.last_year > self.report_period[1] or any(self.is_after_report(w.year) for w in self.waves)

    @property
    def period_label(self) -> str:
        """The study period with an en dash, e.g. 2014–2021."""
        return year_span(self.first_year, self.last_year)

    @property
    def report_period_label(self) -> str:
        return year_span(*self.report_period)

    # --- survey waves ------------------------------------------------------------------------
    @property
    def wave_years(self) -> tuple[int, ...]:
        return tuple(w.year for w in self.waves)

    def wave(self, year: int) -> Wave:
        for w in self.waves:
            if w.year == int(year):
                return w
        raise KeyError(f"no survey wave {year}; the study's waves are {list(self.wave_years)}")

    def pairs(self) -> tuple[tuple[Wave, Wave], ...]:
        """Consecutive pairs of waves, (earlier, later), in order."""
        return tuple(zip(self.waves[:-1], self.waves[1:]))

    @property
    def frame_waves(self) -> tuple[Wave, ...]:
        return tuple(w for w in self.waves if w.has_frame)

    @property
    def latest_wave(self) -> Wave | None:
        return self.waves[-1] if self.waves else None

    # --- kommune structure -------------------------------------------------------------------
    @property
    def structure_label(self) -> str:
        """The year (1 January) of the kommune structure: 2020 or 2024."""
        return str(self.structure)

    # --- roles -------------------------------------------------------------------------------
    def confidential_roles(self) -> dict[str, str]:
        """Confidential input role -> demo file name: register, one survey (and frame) per wave, KOSTRA."""
        roles = {"register": "register.csv"}
        for w in self.waves:
            roles[w.survey_role] = f"{w.survey_role}.csv"
            if w.frame_role:
                roles[w.frame_role] = f"{w.frame_role}.csv"
        roles["kostra_12012"] = "kostra_12012.json"
        return roles

    def survey_roles(self) -> tuple[str, ...]:
        """Every survey and frame input role, wave by wave."""
        out = []
        for w in self.waves:
            out.append(w.survey_role)
            if w.frame_role:
                out.append(w.frame_role)
        return tuple(out)

    # --- JSON --------------------------------------------------------------------------------
    def as_dict(self) -> dict:
        return {
            "first_year": self.first_year,
            "last_year": self.last_year,
            "register_end": self.register_end,
            "structure": self.structure,
            "waves": [
                {"year": w.year, "survey_role": w.survey_role, "frame_role": w.frame_role} for w in self.waves
            ],
            "report_period": list(self.report_period),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Study:
        return cls(
            first_year=int(d["first_year"]),
            last_year=int(d["last_year"]),
            register_end=str(d["register_end"]),
            structure=int(d["structure"]),
            waves=tuple(Wave(int(w["year"]), str(w["survey_role"]), w["frame_role"]) for w in d["waves"]),
            report_period=(int(d["report_period"][0]), int(d["report_period"][1])),
        )


def year_span(first: int, last: int) -> str:
    """A span of years with an en dash (2014–2021), or the one year when both are the same."""
    return str(first) if first == last else f"{first}\u2013{last}"


def _named_years(inputs: dict, pattern: re.Pattern) -> set[int]:
    return {int(m.group(1)) for k in inputs if (m := pattern.match(k))}


def study_from_config(config: dict) -> Study:
    """The ONE place the study's shape is derived from the (validated, defaults-filled) config."""
    inputs = config["inputs"]
    wave_years = set(config["survey_waves"])
    frame_years = set(config["survey_frame_waves"])
    if not config["demo"]:
        frame_years |= _named_years(inputs, FRAME_ROLE)
        wave_years |= _named_years(inputs, SURVEY_ROLE) | frame_years
    else:
        wave_years |= frame_years
    waves = tuple(
        Wave(y, survey_role(y), frame_role(y) if y in frame_years else None) for y in sorted(wave_years)
    )
    first, last = config["study_years"]
    return Study(
        first_year=int(first),
        last_year=int(last),
        register_end=str(config["register_end"]),
        structure=int(config["kommune_structure"]),
        waves=waves,
        report_period=(int(config["report_period"][0]), int(config["report_period"][1])),
    )
