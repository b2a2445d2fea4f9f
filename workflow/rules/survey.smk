"""Stage: survey (see DEVELOPING.md). The municipal survey waves (2016, 2021 ...), kapittel 11.

Everything item- or figure-specific is in workflow/resources/codebook.yaml. The waves come from the
study (STUDY.waves, common.smk); a wave whose answers are given is built, with or without the others
(docs/decisions/0055): chapter 11 shows every wave, changes come per pair of consecutive waves,
non-response and weights per wave with a frame.
"""

from analysis.core.study import FIRST_YEAR_2024
from analysis.survey.codebook import Codebook, check_codebook
from analysis.survey.waves import WEIGHTING_ENTRIES, change_id, pairs, report_frame_wave, wave_entry

SURVEY_CODEBOOK = "workflow/resources/codebook.yaml"
_SURVEY_CB = PARSE_CACHE.get_exact("yaml", ROOT / SURVEY_CODEBOOK, load_yaml)  # load_yaml, cached
check_codebook(_SURVEY_CB, SURVEY_CODEBOOK)
_CB = Codebook(_SURVEY_CB)
# The waves this run has answers for; a wave's frame counts where it is given too.
SURVEY_WAVES = [w for w in STUDY.waves if have(w.survey_role)]
FRAME_WAVES = [w for w in SURVEY_WAVES if w.frame_role and have(w.frame_role)]
SURVEY_ROLES = tuple(
    r for w in SURVEY_WAVES for r in (w.survey_role, w.frame_role if w in FRAME_WAVES else None) if r
)
# A wave from 2024 on names the 2024 kommuner: its codes are known through the 2020->2024 crosswalk.
SURVEY_CROSSWALK_2024 = (
    [public("crosswalk_2024")]
    if USES_2024_CODES or any(w.year >= FIRST_YEAR_2024 for w in SURVEY_WAVES)
    else []
)
# The frame wave whose tables carry the report's own ids (tab_9_1 ...); the others get x_..._<YYYY>.
REPORT_FRAME_WAVE = report_frame_wave([w.year for w in FRAME_WAVES], STUDY.report_period[1])
RESPONSE_RATE_IDS = {
    w.year: wave_entry("text_ch9_response_rate", w.year, REPORT_FRAME_WAVE) for w in FRAME_WAVES
}


# What the report needs to know of the waves (chapters 9 and 11): which it has, which have a frame,
# the ids of each frame wave's tables, the wording the codebook lacks per wave, and the input groups
# a chapter needs (any wave for kapittel 11; for kapittel 9 any wave given with its frame, the
# answers and the frame together: a frame alone is no frame wave).
SURVEY_REPORT = {
    "waves": [w.year for w in SURVEY_WAVES],
    "frame_waves": [w.year for w in FRAME_WAVES],
    "report_frame_wave": REPORT_FRAME_WAVE,
    "response_rate_ids": {str(y): eid for y, eid in RESPONSE_RATE_IDS.items()},
    "inherited_wording": {
        str(w.year): {"from": sorted(set(inh.values())), "items": len(inh)}
        for w in SURVEY_WAVES
        if (inh := _CB.inherited_wording(w.year))
    },
    "input_groups": {
        "survey_waves": [w.survey_role for w in STUDY.waves],
        "survey_frames": [[w.survey_role, w.frame_role] for w in STUDY.waves if w.frame_role],
    },
}


def survey_parquet(wave):
    return f"data/processed/{wave.survey_role}.parquet"


def asked(years):
    """The waves of this run that asked what the codebook lists for ``years``, latest first."""
    return [w for w in reversed(SURVEY_WAVES) if _CB.asked_in(years, w.year)]


if SURVEY_WAVES:
    # hashed in provenance like every other input (the lineage footers name it with its sha256)
    use_input("codebook", SURVEY_CODEBOOK)
    # Entries come from the codebook: a figure there is a table here, and a plot when it has a chart.
    _FIGS = {f: d for f, d in _SURVEY_CB["figures"].items() if asked(d["years"])}
    STAGE_TABLES["survey"] = (
        list(_FIGS)
        + list(RESPONSE_RATE_IDS.values())
        + ["text_ch11_survey_routing_counts"]
        + [change_id(a, b) for a, b in pairs(w.year for w in SURVEY_WAVES)]
    )
    STAGE_FIGURES["survey"] = [f for f, d in _FIGS.items() if d.get("chart")]
    # Which wave feeds which entry (see FEEDS in common.smk), from the codebook's years per figure.
    FEEDS["survey_tables"] = {
        **{f: [w.survey_role for w in asked(d["years"])] + ["codebook"] for f, d in _FIGS.items()},
        **{eid: [STUDY.wave(y).survey_role] for y, eid in RESPONSE_RATE_IDS.items()},
    }
    # a figure is drawn from its own table (and the codebook's labels)
    FEEDS["survey_figures"] = {f: [f, "codebook"] for f in STAGE_FIGURES["survey"]}
    FEEDS["survey_ingest"] = {
        w.survey_role: [w.survey_role]
        + ([w.frame_role] if w in FRAME_WAVES else [])
        + ["crosswalk", "codebook"]
        for w in SURVEY_WAVES
    }

    rule survey_ingest:
        """Validate every survey wave and its frame (read once, here); harmonise units; drop open text."""
        input:
            **{r: confidential(r) for r in SURVEY_ROLES},
            crosswalk=public("crosswalk"),
            crosswalk_2024=SURVEY_CROSSWALK_2024,
            codebook=SURVEY_CODEBOOK,
            settings=settings(
                "survey_ingest",
                study=STUDY.as_dict(),
                waves=[w.year for w in SURVEY_WAVES],
                frame_waves=[w.year for w in FRAME_WAVES],
                split_to=SPLIT_TO,
                split_to_2024=SPLIT_TO_2024,
                mapping={r: config["mapping"].get(r, {}) for r in SURVEY_ROLES},
                frame_sizes={str(k): v for k, v in config["survey"]["frame_sizes"].items()},
                fpc=config["survey"]["fpc"],
            ),
            code=code("survey_ingest"),
        output:
            **{w.survey_role: survey_parquet(w) for w in SURVEY_WAVES},
            # every wave's frame size and the one its FPC uses, for survey_tables and weighting
            frame_sizes="data/processed/survey_frame_sizes.csv",
            ledger="data/processed/ledger/survey.csv",
        log:
            "logs/survey_ingest.log",
        benchmark:
            "benchmarks/runs/survey_ingest.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/survey_ingest.py"

    rule survey_tables:
        """Kapittel 11: every figure's table of every wave with 95 % intervals, the survey text
        numbers, and the changes between consecutive waves. The figures are drawn by rule
        survey_figures from these tables, so that the rules reading the tables (weighting,
        scorecards) do not wait for the drawing (decision 0133)."""
        input:
            **{w.survey_role: survey_parquet(w) for w in SURVEY_WAVES},
            frame_sizes=rules.survey_ingest.output.frame_sizes,
            codebook=SURVEY_CODEBOOK,
            settings=settings(
                "survey_tables",
                study=STUDY.as_dict(),
                confidence=config["survey"]["confidence"],
                waves=[w.year for w in SURVEY_WAVES],
                response_rate_ids={str(k): v for k, v in RESPONSE_RATE_IDS.items()},
                synthetic=synthetic_of(*SURVEY_ROLES),
                small_base=config["survey"]["small_base"],
            ),
            code=code("survey_tables"),
        output:
            tables=tables("survey"),
        log:
            "logs/survey_tables.log",
        benchmark:
            "benchmarks/runs/survey_tables.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        script:
            "../scripts/survey_tables.py"

    rule survey_figures:
        """Kapittel 11's figures (SVG for the report, PNG), drawn from the chapter's tables."""
        input:
            **{f: f"reports/tables/{f}.csv" for f in STAGE_FIGURES["survey"]},
            codebook=SURVEY_CODEBOOK,
            messages=MESSAGES,
            settings=settings(
                "survey_figures",
                language=LANG,
                confidence=config["survey"]["confidence"],
                synthetic=synthetic_of(*SURVEY_ROLES),
            ),
            code=code("survey_figures"),
        output:
            figures=figure_outputs("survey", "Kapittel 11: kommuneundersøkelsene"),
            png=figures("survey", "png"),
        log:
            "logs/survey_figures.log",
        benchmark:
            "benchmarks/runs/survey_figures.tsv"
        priority: CRITICAL_PATH
        conda:
            CONDA_ENV
        # the figures are shared by this many processes (forked, workflow/scripts/survey_figures.py)
        threads: 2
        script:
            "../scripts/survey_figures.py"


WEIGHTING = config["weighting"]
NR_PARAMS = dict(
    region_overrides=WEIGHTING["region_overrides"],
    population_column=WEIGHTING["population_column"],
)


def settlement_window(year):
    """Settlements counted for a frame wave's non-response table: from 1 January of the previous
    wave's year (the first study year for the first wave) to weighting.settlements_until of the
    wave, else to 31 December of the year before it. Returns [first year, last date]."""
    before = [w.year for w in STUDY.waves if w.year < year]
    until = WEIGHTING["settlements_until"]
    last = until[str(year)] if str(year) in until else f"{year - 1}-12-31"
    return [before[-1] if before else STUDY.first_year, last]


# Non-response and weights: every wave with a frame; they also need the register (settlements).
NR_WAVES = FRAME_WAVES if have("register") else []
# A frame of a wave from 2024 on is sized by the 2024 kommuner's population: read (and listed in the
# provenance) only when the run has such a wave, so the default build's inputs stay its own.
NR_POPULATION_2024 = [public("population_2024")] if any(w.year >= FIRST_YEAR_2024 for w in NR_WAVES) else []
SURVEY_REPORT["settlement_windows"] = {str(w.year): settlement_window(w.year) for w in NR_WAVES}
if NR_WAVES:
    STAGE_TABLES["nonresponse"] = [wave_entry("tab_9_1", w.year, REPORT_FRAME_WAVE) for w in NR_WAVES]
    STAGE_TABLES["weighting"] = [
        wave_entry(e, w.year, REPORT_FRAME_WAVE) for w in NR_WAVES for e in WEIGHTING_ENTRIES
    ]
    STAGE_FIGURES["weighting"] = [
        wave_entry("x_weighted_estimates", w.year, REPORT_FRAME_WAVE) for w in NR_WAVES
    ]
    NR_SETTINGS = {
        str(w.year): {
            "tab_9_1": wave_entry("tab_9_1", w.year, REPORT_FRAME_WAVE),
            "settlement_window": settlement_window(w.year),
            "report_wave": w.year == REPORT_FRAME_WAVE,
            **{e: wave_entry(e, w.year, REPORT_FRAME_WAVE) for e in WEIGHTING_ENTRIES},
        }
        for w in NR_WAVES
    }
    STAGE_TABLES["survey_sensitivity"] = ["x_survey_sensitivity"]
    # One job, kapittel 9's non-response and weights and kapittel 11's sensitivity to them (decision
    # 0195): each part's outputs name the inputs that feed them, as when they were three rules; the
    # units and the weights, written and read by the job, feed the later parts as they did.
    NR_INPUTS = [w.survey_role for w in NR_WAVES] + [
        "register",
        "plan",
        "population",
        "population_2024",
        "crosswalk",
        "crosswalk_2024",
        "geo_bydeler",
    ]
    WEIGHTING_INPUTS = (
        [f"units_{w.year}" for w in NR_WAVES] + [w.survey_role for w in NR_WAVES] + ["frame_sizes"]
    )
    FEEDS["weighting"] = {
        **{f"nonresponse_units_{w.year}": NR_INPUTS for w in NR_WAVES},
        **{e: NR_INPUTS for e in STAGE_TABLES["nonresponse"]},
        **{f"weights_{w.year}": WEIGHTING_INPUTS for w in NR_WAVES},
        **{e: WEIGHTING_INPUTS for e in STAGE_TABLES["weighting"]},
        "x_survey_sensitivity": [w.survey_role for w in SURVEY_WAVES]
        + [f"weights_{w.year}" for w in NR_WAVES]
        + [change_id(a, b) for a, b in pairs(w.year for w in SURVEY_WAVES)]
        + ["frame_sizes", "codebook"],
    }

    rule weighting:
        """Kapittel 9 and the weights' part of kapittel 11, for every wave with a frame: Tabell 9.1
        (response by size group and region, settlements in responding units; the frame comes
        validated from survey_ingest), raking weights to the frame's margins with diagnostics and
        weighted vs unweighted estimates, then kapittel 11 under the other FPC choice, weighted
        and with the waves' overlap (Tabell X11.2; decisions 0080-0082)."""
        input:
            **{w.survey_role: survey_parquet(w) for w in SURVEY_WAVES},
            **{
                change_id(a, b): f"reports/tables/{change_id(a, b)}.csv"
                for a, b in pairs(w.year for w in SURVEY_WAVES)
            },
            register=rules.register.output.register,
            plan=PROTECTION_PLAN,
            population=public_2020("population"),
            population_2024=NR_POPULATION_2024,
            crosswalk=public("crosswalk"),
            crosswalk_2024=SURVEY_CROSSWALK_2024,
            geo_bydeler=public("geo_bydeler"),
            frame_sizes=rules.survey_ingest.output.frame_sizes,
            codebook=SURVEY_CODEBOOK,
            messages=MESSAGES,
            settings=settings(
                "weighting",
                study=STUDY.as_dict(),
                survey_waves=[w.year for w in SURVEY_WAVES],
                waves=NR_SETTINGS,
                # Tabell 9.1
                split_to_2024=SPLIT_TO_2024,
                protect=PROTECT,
                threshold=config["protection"]["threshold"],
                region_grouping=WEIGHTING["region_grouping"],
                **NR_PARAMS,
                # the weights
                margins=WEIGHTING["margins"],
                settlement_breaks=WEIGHTING["settlement_breaks"],
                tolerance=WEIGHTING["tolerance"],
                max_iter=WEIGHTING["max_iter"],
                estimates=WEIGHTING["estimates"],
                confidence=config["survey"]["confidence"],
                language=LANG,
                synthetic=synthetic_of(*SURVEY_ROLES, "register", "population"),
                # the sensitivity table
                sensitivity_points=config["survey"]["sensitivity_points"],
                synthetic_sensitivity=synthetic_of(*SURVEY_ROLES, "register"),
            ),
            code=code("weighting"),
        output:
            **{f"units_{w.year}": f"data/processed/nonresponse_units_{w.year}.parquet" for w in NR_WAVES},
            **{f"weights_{w.year}": f"data/processed/weights_{w.year}.csv" for w in NR_WAVES},
            tables=tables("nonresponse") + tables("weighting") + tables("survey_sensitivity"),
            figures=figure_outputs("weighting", "Kapittel 9: frafall og vekter"),
            png=figures("weighting", "png"),
        log:
            "logs/weighting.log",
        benchmark:
            "benchmarks/runs/weighting.tsv"
        priority: BESIDE_CHAIN
        conda:
            CONDA_ENV
        script:
            "../scripts/weighting.py"
