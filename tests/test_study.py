"""The study's shape built from the config (analysis.core.study)."""

import copy
from pathlib import Path

import pytest

from analysis.core.config import ConfigError, validate_config
from analysis.core.study import Study, Wave, study_from_config, year_span

SCHEMA = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


def _config(**over):
    cfg = {"demo": True, "inputs": {}}
    cfg.update(copy.deepcopy(over))
    return validate_config(cfg, SCHEMA)


def test_default_config_is_the_reports_study():
    s = study_from_config(_config())
    assert (s.first_year, s.last_year, s.register_end, s.structure) == (2014, 2021, "2021-03-31", 2020)
    assert s.wave_years == (2016, 2021)
    assert s.waves == (Wave(2016, "survey_2016", None), Wave(2021, "survey_2021", "survey_frame_2021"))
    assert s.report_period == (2014, 2021)
    assert s.years == tuple(range(2014, 2022))
    assert s.register_start == "2014-01-01"
    assert s.last_full_year == 2020 and s.is_partial_year(2021) and not s.is_partial_year(2020)
    assert s.period_label == "2014\u20132021"
    assert not s.extends_report and not s.is_after_report(2021) and s.is_after_report(2022)
    assert [(a.year, b.year) for a, b in s.pairs()] == [(2016, 2021)]
    assert list(s.confidential_roles()) == [
        "register",
        "survey_2016",
        "survey_2021",
        "survey_frame_2021",
        "kostra_12012",
    ]


def test_followup_study_three_waves_2024_structure():
    s = study_from_config(
        _config(
            study_years=[2014, 2025],
            register_end="2025-12-31",
            kommune_structure=2024,
            survey_waves=[2026, 2016, 2021],
            survey_frame_waves=[2021, 2026],
        )
    )
    assert s.wave_years == (2016, 2021, 2026)
    assert [(a.year, b.year) for a, b in s.pairs()] == [(2016, 2021), (2021, 2026)]
    assert s.wave(2026).frame_role == "survey_frame_2026" and s.wave(2016).frame_role is None
    assert [w.year for w in s.frame_waves] == [2021, 2026]
    assert s.last_full_year == 2025 and not s.is_partial_year(2025)
    assert s.extends_report and s.is_after_report(2022) and s.structure == 2024
    assert s.period_label == "2014\u20132025"
    assert "survey_frame_2026" in s.confidential_roles()
    with pytest.raises(KeyError, match="2019"):
        s.wave(2019)


def test_real_waves_are_the_expected_ones_and_every_named_input():
    cfg = _config(demo=False, inputs={"survey_2026": "a.csv", "survey_frame_2026": "b.csv"})
    s = study_from_config(cfg)
    assert s.wave_years == (2016, 2021, 2026)
    assert s.wave(2026).frame_role == "survey_frame_2026"
    # a frame named without its survey still makes the wave (its survey is then a missing input)
    s2 = study_from_config(_config(demo=False, survey_waves=[], inputs={"survey_frame_2030": "f"}))
    assert s2.waves == (
        Wave(2021, "survey_2021", "survey_frame_2021"),
        Wave(2030, "survey_2030", "survey_frame_2030"),
    )


def test_round_trip_through_json_dict():
    import json

    s = study_from_config(_config(survey_waves=[2016, 2021, 2026], survey_frame_waves=[2021, 2026]))
    assert Study.from_dict(json.loads(json.dumps(s.as_dict()))) == s


def test_last_full_year_register_end_mid_year_and_capped_by_last_year():
    s = study_from_config(_config(study_years=[2014, 2023], register_end="2023-06-30"))
    assert s.last_full_year == 2022 and s.register_years[-1] == 2023
    s = study_from_config(_config(study_years=[2014, 2020], register_end="2021-12-31"))
    assert s.last_full_year == 2020


def test_schema_accepts_wave_keys_by_pattern_only():
    _config(demo=False, inputs={"survey_2026": "x", "survey_frame_2026": "y"}, mapping={"survey_2026": {}})
    with pytest.raises(ConfigError, match="inputs.survey_26"):
        _config(demo=False, inputs={"survey_26": "x"})
    with pytest.raises(ConfigError, match="kommune_structure"):
        _config(kommune_structure=2022)


def test_year_span():
    assert year_span(2016, 2021) == "2016\u20132021" and year_span(2021, 2021) == "2021"


def test_study_checks_its_shape():
    with pytest.raises(ValueError, match="reversed"):
        Study(2021, 2014, "2021-03-31", 2020, (), (2014, 2021))
    with pytest.raises(ValueError, match="structure"):
        Study(2014, 2021, "2021-03-31", 2019, (), (2014, 2021))
