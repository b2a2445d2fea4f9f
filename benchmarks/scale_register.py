"""Scale benchmark of the register stage: prints figures, asserts nothing.

    .venv/bin/python benchmarks/scale_register.py [--sizes 100000 1000000 10000000]
        [--formats parquet csv] [--reps 3] [--engines pipeline duckdb duckdb_agg pandas]
        [--json benchmarks/scale_register.json]

Synthetic registers in the contract's shape (../shared/CONTRACT.md, register columns) are
generated vectorised (numpy + polars) into a temp dir as Parquet and CSV, with kommune codes
valid at the settlement date (pre-2020 codes before 2020, incl. the split Snillfjord/Tysfjord
codes), Oslo bydeler, all three kategorier and the four household types.

Engines, each run in a fresh subprocess (so peak RSS = the engine's own peak, VmHWM read in the
child; times measured inside the child, interpreter and imports excluded):

  pipeline    the project's own code, as the rules run it: the ``register`` rule
              (``register.read_register``: polars validation + harmonisation; ``write_parquet``
              of data/processed/register.parquet) in one process, then in a second one the
              register work of the ``scope`` and ``waiting`` rules: ``scope.register_counts`` and
              ``waiting.wait_summary`` (polars scans of the processed Parquet, phase "load"), and
              every register table of the two rules from those (phase "agg"): Tabell 2.1, 12.1,
              Figur 2.1, 2.2 (both), the map classes, kap. 4.1.3, 10.1.1, per 1 000, Tabell 4.1,
              4.2, kap. 4.1, 4.1.1 and the distribution. Compared: Tabell 2.1, persons and agreed
              self-settlements per 2020 kommune and year (sums of ``register_counts``),
              ``waiting.mean_wait`` (Tabell 4.2, every year) and ``waiting.distribution``.
  duckdb      DuckDB doing the same work from the same file: the same validation rules (as one
              pass of violation counts + a duplicate count), harmonisation by a join on the
              code map, the processed Parquet written with COPY, and the same aggregates in SQL.
  duckdb_agg  DuckDB computing only the aggregates (harmonising join, no validation, no
              processed file): a lower bound, for reference.
  pandas      pandas doing the same work as ``duckdb`` (validation, harmonisation, write, aggregates).

The aggregates of every engine are compared with the pipeline's (OK/DIFF per size and format).
The budget (issue 9): pipeline <= 1.2 x duckdb at 10 million rows, peak RSS < 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CROSSWALK = (ROOT / "../shared/data/crosswalk/alle_kommunenummer_fra2013_til2020_wide.csv").resolve()
SHARED_DATA = (ROOT / "../shared/data").resolve()
SPLIT_TO = {"1613": "5059", "5012": "5059", "1850": "1806"}
REGISTER_END = "2021-03-31"
DAYS_PER_MONTH = 365.25 / 12
ENGINES = ["pipeline", "duckdb", "duckdb_agg", "pandas"]
RESULT_TABLES = ["units", "kommune_year", "wait"]
PHASE_LABEL = {
    "validate_harmonise": "read+check+harm",
    "write_processed": "write",
    "load": "polars-agg",
    "aggregate": "agg",
}


# --------------------------------------------------------------------------------------------
# generation
# --------------------------------------------------------------------------------------------
def code_map():
    sys.path.insert(0, str(SRC))
    from analysis.core.kommune import build_code_map, read_crosswalk_wide

    return build_code_map(read_crosswalk_wide(CROSSWALK), SPLIT_TO)


def generate(n: int, outdir: Path, seed: int = 20211, id_order: str = "sequential") -> dict[str, Path]:
    """A synthetic register of n persons as Parquet (typed dates) and CSV (ISO text).

    Rows are in random date order. ``id_order="sequential"``: person_id rises down the file (an
    extract numbered as it is written); ``"random"``: ids are a random permutation (pseudonymised
    ids), so read_register cannot skip the duplicate scan and needs the full two-key sort."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed + n)
    cm = code_map()
    start = np.datetime64("2016-01-01").astype("int64")
    end = np.datetime64(REGISTER_END).astype("int64")
    # more settlements in 2016-2017 (as in the real register): mixture of two uniforms
    bos = np.where(
        rng.random(n) < 0.55, rng.integers(start, start + 730, n), rng.integers(start, end + 1, n)
    ).astype("int64")
    year = bos.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    # kommune code valid in the settlement year: period buckets of the crosswalk
    kommune = np.empty(n, dtype=object)
    for y in np.unique(year):
        valid = cm[(cm["first_year"] <= y) & (cm["last_year"] >= y)]["code"].to_numpy()
        idx = np.flatnonzero(year == y)
        kommune[idx] = valid[rng.integers(0, len(valid), len(idx))]
    oslo = rng.random(n) < 0.08
    kommune[oslo] = "0301"
    bydel = np.full(n, "", dtype=object)
    with_bydel = oslo & (rng.random(n) < 0.95)
    bydel[with_bydel] = np.char.add(
        "0301", np.char.zfill(rng.integers(1, 16, with_bydel.sum()).astype(str), 2)
    ).astype(object)
    kat = rng.choice(
        np.array(["mottak", "privatboende", "overforing"], dtype=object), n, p=[0.62, 0.08, 0.30]
    )
    hh = rng.choice(
        np.array(["enslig_voksen", "par_uten_barn", "barnefamilie", "enslig_mindrearig"], dtype=object),
        n,
        p=[0.40, 0.08, 0.47, 0.05],
    )
    asb = ((kat != "overforing") & (rng.random(n) < np.where(kat == "privatboende", 0.35, 0.12))).astype(
        np.int8
    )
    wait_days = np.minimum(rng.gamma(2.0, 75.0, n).astype("int64") + 5, 900)
    ved = bos - wait_days
    ved_null = (kat == "overforing") & (rng.random(n) < 0.9)
    df = pl.DataFrame(
        {
            "person_id": pl.Series(rng.permutation(n) + 1 if id_order == "random" else np.arange(1, n + 1))
            .cast(pl.String)
            .str.zfill(9),
            "vedtaksdato": pl.Series(ved, dtype=pl.Int32).cast(pl.Date),
            "bosettingsdato": pl.Series(bos, dtype=pl.Int32).cast(pl.Date),
            "kommunenummer": pl.Series(kommune, dtype=pl.String),
            "bydelsnummer": pl.Series(bydel, dtype=pl.String),
            "avtalt_selvbosetting": pl.Series(asb, dtype=pl.Int8),
            "kategori": pl.Series(kat, dtype=pl.String),
            "husholdningstype": pl.Series(hh, dtype=pl.String),
            "kjonn": pl.Series(rng.choice(np.array(["M", "K"], dtype=object), n), dtype=pl.String),
            "fodselsaar": pl.Series(np.minimum(rng.integers(1950, 2021, n), year)).cast(pl.String),
            "landbakgrunn": pl.Series(
                rng.choice(np.array(["SYR", "ERI", "AFG", "SDN", "COD", "IRQ"], dtype=object), n),
                dtype=pl.String,
            ),
        }
    ).with_columns(
        pl.concat_str(pl.lit("P"), pl.col("person_id")).alias("person_id"),
        pl.when(pl.Series(ved_null)).then(None).otherwise(pl.col("vedtaksdato")).alias("vedtaksdato"),
    )
    paths = {"parquet": outdir / f"register_{n}.parquet", "csv": outdir / f"register_{n}.csv"}
    df.write_parquet(paths["parquet"])
    df.write_csv(paths["csv"], date_format="%Y-%m-%d")
    return paths


# --------------------------------------------------------------------------------------------
# engines (run in a child process)
# --------------------------------------------------------------------------------------------
def _norm_units(df):
    df = df[["year", "series", "value"]].copy()
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return df.sort_values(["year", "series"]).reset_index(drop=True)


def _norm_kommune_year(df):
    df = df[["year", "kommunenummer_2020", "persons", "asb"]].copy()
    df["year"] = df["year"].astype(int)
    df["kommunenummer_2020"] = df["kommunenummer_2020"].astype(str)
    df["persons"] = df["persons"].astype("int64")
    df["asb"] = df["asb"].astype("int64")
    return df.sort_values(["year", "kommunenummer_2020"]).reset_index(drop=True)


def _norm_wait(df):
    df = df[["year", "group", "stat", "value"]].copy()
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return df.sort_values(["year", "group", "stat"]).reset_index(drop=True)


def engine_pipeline_register(path: str, work: Path, phases: dict):
    """The ``register`` rule (workflow/scripts/register.py): validate, harmonise, write."""
    sys.path.insert(0, str(SRC))
    from analysis.core.kommune import build_code_map, read_crosswalk_wide
    from analysis.imdi.register import read_register

    t = time.perf_counter()
    cm = build_code_map(read_crosswalk_wide(CROSSWALK), SPLIT_TO)
    reg, _ledger = read_register(path, cm, REGISTER_END)
    phases["validate_harmonise"] = time.perf_counter() - t
    t = time.perf_counter()
    reg.write_parquet(work / "processed.parquet")
    phases["write_processed"] = time.perf_counter() - t
    return None


def engine_pipeline_aggregate(path: str, work: Path, phases: dict):
    """The register work of the ``scope`` and ``waiting`` rules (workflow/scripts/scope.py,
    waiting.py): the same calls on the processed register."""
    sys.path.insert(0, str(SRC))
    import pandas as pd

    from analysis.core.kommune import load_kommuner_2020
    from analysis.core.study import Study
    from analysis.imdi import maps, scope, waiting
    from analysis.imdi.register import BYDELER

    kommuner = load_kommuner_2020(
        SHARED_DATA / "kommuner/kommuner_2020_folkemengde.csv"
    )  # public file, read by the rule too (not timed)
    names = scope.kommune_names(kommuner)
    processed = str(work / "processed.parquet")
    t = time.perf_counter()
    counts = scope.register_counts(processed)
    summary = waiting.wait_summary(processed)
    phases["load"] = time.perf_counter() - t
    t = time.perf_counter()
    k_cls = maps.classify(counts, list(kommuner["kommunenummer"]), "kommunenummer_2020")
    b_cls = maps.classify(counts, list(BYDELER), "unit_id")
    study = Study(2014, 2021, "2021-03-31", 2020, (), (2014, 2021))  # the report's (schema defaults)
    period = scope.register_period(counts, study)
    units = scope.units_practising(counts, None, period)
    for table in (
        scope.top_ten(counts, names, (2016, 2020)),
        scope.settlement_overview(counts, None, None, period),
        scope.resettlement_overview(counts, None, period),
        maps.map_table(k_cls, b_cls),
        scope.asb_share(counts, names),
        scope.asb_per_1000(counts, kommuner, k_cls, period, 2020),
        scope.bergen_counts(counts, None),
        waiting.settled_within(summary, None, waiting.full_years(summary, study)),
        waiting.asb_waiting(summary, None),
        waiting.waiting_detail(summary, None),
    ):
        assert len(table)
    years = sorted(int(y) for y in summary.loc[summary["group"] == "settled", "year"])
    mw = waiting.mean_wait(summary, None, years=years)
    dist = waiting.distribution(summary)
    phases["aggregate"] = time.perf_counter() - t
    ky = (
        counts.assign(asb=counts["n"] * counts["avtalt_selvbosetting"])
        .groupby(["year", "kommunenummer_2020"])
        .agg(persons=("n", "sum"), asb=("asb", "sum"))
        .reset_index()
    )
    wait = pd.concat(
        [
            mw.assign(group=mw["series"], stat="mean")[["year", "group", "stat", "value"]],
            mw.assign(group=mw["series"], stat="n", value=mw["n"].astype(float))[
                ["year", "group", "stat", "value"]
            ],
            dist[dist["series"].isin(["mean", "median"])].assign(stat=lambda d: d["series"])[
                ["year", "group", "stat", "value"]
            ],
            dist[dist["series"] == "mean"].assign(stat="n", value=lambda d: d["n"].astype(float))[
                ["year", "group", "stat", "value"]
            ],
        ]
    )
    return _norm_units(units), _norm_kommune_year(ky), _norm_wait(wait)


DUCK_VALIDATE = """
SELECT
  count(*) FILTER (WHERE person_id IS NULL OR person_id = '') AS empty_person_id,
  count(*) - count(DISTINCT person_id) AS duplicate_person_id,
  count(*) FILTER (WHERE kategori NOT IN ('mottak', 'privatboende', 'overforing') OR kategori IS NULL) AS kategori,
  count(*) FILTER (WHERE husholdningstype NOT IN ('enslig_voksen', 'par_uten_barn', 'barnefamilie',
                   'enslig_mindrearig') OR husholdningstype IS NULL) AS husholdningstype,
  count(*) FILTER (WHERE asb NOT IN ('0', '1') OR asb IS NULL) AS avtalt,
  count(*) FILTER (WHERE asb = '1' AND kategori = 'overforing') AS avtalt_overforing,
  count(*) FILTER (WHERE NOT regexp_full_match(coalesce(kommunenummer, ''), '\\d{4}')) AS kommune_format,
  count(*) FILTER (WHERE kommunenummer NOT IN (SELECT code FROM cm)) AS kommune_unknown,
  count(*) FILTER (WHERE bydel <> '' AND bydel NOT IN (SELECT b FROM bydeler)) AS bydel,
  count(*) FILTER (WHERE bydel <> '' AND kommunenummer <> '0301') AS bydel_outside_oslo,
  count(*) FILTER (WHERE kjonn <> '' AND kjonn NOT IN ('M', 'K')) AS kjonn,
  count(*) FILTER (WHERE fodselsaar <> '' AND NOT regexp_full_match(fodselsaar, '(19|20)\\d\\d')) AS fodselsaar,
  count(*) FILTER (WHERE landbakgrunn <> '' AND NOT regexp_full_match(landbakgrunn, '[A-Z]{3}')) AS landbakgrunn,
  count(*) FILTER (WHERE bos IS NULL) AS bos_invalid,
  count(*) FILTER (WHERE ved_txt <> '' AND ved IS NULL) AS ved_invalid,
  count(*) FILTER (WHERE bos < DATE '2016-01-01' OR bos > DATE '{end}') AS bos_period,
  count(*) FILTER (WHERE ved IS NULL AND kategori <> 'overforing') AS ved_empty,
  count(*) FILTER (WHERE ved > bos) AS ved_after_bos,
  count(*) FILTER (WHERE ved < DATE '2000-01-01') AS ved_early,
  count(*) FILTER (WHERE fodselsaar <> '' AND try_cast(fodselsaar AS INTEGER) > year(bos)) AS born_after
FROM raw
"""


def _duck_source(con, path: str, typed: bool):
    """A view ``raw`` with text columns (as the contract's CSV) plus parsed dates ``ved``/``bos``."""
    if path.endswith(".parquet"):
        src = f"read_parquet('{path}')"
        date = lambda c: f"CAST({c} AS DATE)"  # noqa: E731  typed Parquet dates
        txt = lambda c: f"coalesce(CAST({c} AS VARCHAR), '')"  # noqa: E731
    else:
        src = f"read_csv('{path}', all_varchar = true, header = true)"
        date = lambda c: f"try_strptime(nullif(trim({c}), ''), '%Y-%m-%d')::DATE"  # noqa: E731
        txt = lambda c: f"coalesce(trim({c}), '')"  # noqa: E731
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW raw AS SELECT
          {txt("person_id")} AS person_id, {txt("kommunenummer")} AS kommunenummer,
          {txt("bydelsnummer")} AS bydel, {txt("avtalt_selvbosetting")} AS asb,
          {txt("kategori")} AS kategori, {txt("husholdningstype")} AS husholdningstype,
          {txt("kjonn")} AS kjonn, {txt("fodselsaar")} AS fodselsaar, {txt("landbakgrunn")} AS landbakgrunn,
          {txt("vedtaksdato")} AS ved_txt, {date("vedtaksdato")} AS ved, {date("bosettingsdato")} AS bos
        FROM {src}""")


DUCK_AGGREGATES = {
    "units": """
        WITH per_unit AS (SELECT year, unit_id, count(*) AS asb FROM reg WHERE asb = 1 GROUP BY ALL),
             years AS (SELECT DISTINCT year FROM reg)
        SELECT y.year, s.series, coalesce(CASE s.series
                 WHEN 'units_practising' THEN count(p.unit_id)
                 WHEN 'oslo_bydeler_practising' THEN count(p.unit_id) FILTER (WHERE length(p.unit_id) = 6)
                 ELSE count(p.unit_id) FILTER (WHERE p.asb > 3) END, 0)::DOUBLE AS value
        FROM years y CROSS JOIN (VALUES ('units_practising'), ('oslo_bydeler_practising'),
                                        ('units_more_than_3')) s(series)
        LEFT JOIN per_unit p ON p.year = y.year
        GROUP BY y.year, s.series""",
    "kommune_year": """
        SELECT year, kommunenummer_2020, count(*) AS persons, sum(asb)::BIGINT AS asb
        FROM reg GROUP BY ALL""",
    "wait": """
        WITH w AS (SELECT * FROM reg WHERE kategori <> 'overforing' AND wait_months IS NOT NULL),
        g AS (
          SELECT year, 'total' AS "group", wait_months FROM w
          UNION ALL SELECT year, 'families', wait_months FROM w WHERE husholdningstype = 'barnefamilie'
          UNION ALL SELECT year, 'single_adults', wait_months FROM w WHERE husholdningstype = 'enslig_voksen'),
        d AS (SELECT year, CASE WHEN asb = 1 THEN 'avtalt' ELSE 'ordinaer' END AS "group", wait_months FROM w),
        a AS (SELECT year, "group", avg(wait_months) AS mean, NULL::DOUBLE AS median, count(*)::DOUBLE AS n
              FROM g GROUP BY ALL
              UNION ALL
              SELECT year, "group", avg(wait_months), quantile_cont(wait_months, 0.5), count(*)::DOUBLE
              FROM d GROUP BY ALL)
        SELECT year, "group", stat, value FROM a
        UNPIVOT (value FOR stat IN (mean, median, n))""",
}


def engine_duckdb(path: str, work: Path, phases: dict, validate: bool = True):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    t = time.perf_counter()
    cm = code_map()[["code", "kommunenummer_2020", "split", "kommunenavn_2020"]]
    con.register("cm_df", cm)
    con.execute("CREATE TABLE cm AS SELECT * FROM cm_df")
    con.execute(
        "CREATE TABLE bydeler AS SELECT '0301' || lpad(i::VARCHAR, 2, '0') AS b FROM range(1, 16) t(i)"
    )
    _duck_source(con, path, typed=path.endswith(".parquet"))
    if validate:
        counts = con.execute(DUCK_VALIDATE.replace("{end}", REGISTER_END)).df().iloc[0]
        bad = {k: int(v) for k, v in counts.items() if v}
        if bad:
            raise SystemExit(f"validation failed: {bad}")
    con.execute(f"""
        CREATE TEMP TABLE reg AS SELECT
          r.person_id, r.ved AS vedtaksdato, r.bos AS bosettingsdato, year(r.bos)::INTEGER AS year,
          r.kommunenummer, cm.kommunenummer_2020, cm.kommunenavn_2020, r.bydel AS bydelsnummer,
          CASE WHEN r.bydel <> '' THEN r.bydel ELSE cm.kommunenummer_2020 END AS unit_id,
          r.asb::TINYINT AS asb, r.kategori, r.husholdningstype,
          date_diff('day', r.ved, r.bos) / {DAYS_PER_MONTH!r} AS wait_months, cm.split AS split_code,
          r.kjonn, r.fodselsaar, r.landbakgrunn
        FROM raw r JOIN cm ON r.kommunenummer = cm.code""")
    phases["validate_harmonise"] = time.perf_counter() - t
    if validate:
        t = time.perf_counter()
        con.execute(
            f"COPY (SELECT * FROM reg ORDER BY bosettingsdato, person_id) "
            f"TO '{work / 'processed.parquet'}' (FORMAT parquet)"
        )
        phases["write_processed"] = time.perf_counter() - t
    t = time.perf_counter()
    out = {k: con.execute(q).df() for k, q in DUCK_AGGREGATES.items()}
    phases["aggregate"] = time.perf_counter() - t
    wait = out["wait"].rename(columns={"group": "group"})
    return _norm_units(out["units"]), _norm_kommune_year(out["kommune_year"]), _norm_wait(wait)


def engine_pandas(path: str, work: Path, phases: dict):
    import numpy as np
    import pandas as pd

    t = time.perf_counter()
    cm = code_map()
    if path.endswith(".parquet"):
        r = pd.read_parquet(path)
        for c in ("vedtaksdato", "bosettingsdato"):
            r[c] = pd.to_datetime(r[c])
        for c in r.columns:
            if c not in ("vedtaksdato", "bosettingsdato"):
                r[c] = r[c].astype("string").fillna("")
        ved_txt = r["vedtaksdato"].notna()
    else:
        r = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
        for c in r.columns:
            r[c] = r[c].str.strip()
        ved_txt = r["vedtaksdato"] != ""
        for c in ("vedtaksdato", "bosettingsdato"):
            r[c] = pd.to_datetime(r[c].replace("", None), format="%Y-%m-%d", errors="coerce")
    ved, bos = r["vedtaksdato"], r["bosettingsdato"]
    checks = {
        "empty_person_id": r["person_id"] == "",
        "duplicate_person_id": r["person_id"].duplicated(),
        "kategori": ~r["kategori"].isin(["mottak", "privatboende", "overforing"]),
        "husholdningstype": ~r["husholdningstype"].isin(
            ["enslig_voksen", "par_uten_barn", "barnefamilie", "enslig_mindrearig"]
        ),
        "avtalt": ~r["avtalt_selvbosetting"].isin(["0", "1"]),
        "avtalt_overforing": (r["avtalt_selvbosetting"] == "1") & (r["kategori"] == "overforing"),
        "kommune_format": ~r["kommunenummer"].str.fullmatch(r"\d{4}"),
        "kommune_unknown": ~r["kommunenummer"].isin(cm["code"]),
        "bydel": (r["bydelsnummer"] != "") & ~r["bydelsnummer"].isin([f"0301{i:02d}" for i in range(1, 16)]),
        "bydel_outside_oslo": (r["bydelsnummer"] != "") & (r["kommunenummer"] != "0301"),
        "kjonn": (r["kjonn"] != "") & ~r["kjonn"].isin(["M", "K"]),
        "fodselsaar": (r["fodselsaar"] != "") & ~r["fodselsaar"].str.fullmatch(r"(19|20)\d\d"),
        "landbakgrunn": (r["landbakgrunn"] != "") & ~r["landbakgrunn"].str.fullmatch(r"[A-Z]{3}"),
        "bos_invalid": bos.isna(),
        "ved_invalid": ved_txt & ved.isna(),
        "bos_period": (bos < "2016-01-01") | (bos > REGISTER_END),
        "ved_empty": ved.isna() & (r["kategori"] != "overforing"),
        "ved_after_bos": ved > bos,
        "ved_early": ved < "2000-01-01",
        "born_after": (r["fodselsaar"] != "")
        & (pd.to_numeric(r["fodselsaar"], errors="coerce") > bos.dt.year),
    }
    bad = {k: int(v.sum()) for k, v in checks.items() if v.any()}
    if bad:
        raise SystemExit(f"validation failed: {bad}")
    del checks
    m = cm.set_index("code")
    r["year"] = bos.dt.year.astype("int32")
    r["kommunenummer_2020"] = r["kommunenummer"].map(m["kommunenummer_2020"])
    r["kommunenavn_2020"] = r["kommunenummer_2020"].map(
        dict(zip(cm["kommunenummer_2020"], cm["kommunenavn_2020"]))
    )
    r["split_code"] = r["kommunenummer"].map(m["split"]).astype(bool)
    r["unit_id"] = np.where(r["bydelsnummer"] != "", r["bydelsnummer"], r["kommunenummer_2020"])
    r["avtalt_selvbosetting"] = r["avtalt_selvbosetting"].astype("int8")
    r["wait_months"] = (bos - ved).dt.days / DAYS_PER_MONTH
    phases["validate_harmonise"] = time.perf_counter() - t
    t = time.perf_counter()
    r.sort_values(["bosettingsdato", "person_id"]).to_parquet(work / "processed.parquet", index=False)
    phases["write_processed"] = time.perf_counter() - t
    t = time.perf_counter()
    asb = r[r["avtalt_selvbosetting"] == 1]
    per_unit = asb.groupby(["year", "unit_id"]).size().rename("asb").reset_index()
    years = pd.Index(sorted(r["year"].unique()), name="year")
    g = per_unit.groupby("year")
    units = (
        pd.concat(
            [
                g.size().reindex(years, fill_value=0).rename("units_practising"),
                g["unit_id"]
                .apply(lambda s: int((s.str.len() == 6).sum()))
                .reindex(years, fill_value=0)
                .rename("oslo_bydeler_practising"),
                g["asb"]
                .apply(lambda s: int((s > 3).sum()))
                .reindex(years, fill_value=0)
                .rename("units_more_than_3"),
            ],
            axis=1,
        )
        .reset_index()
        .melt(id_vars="year", var_name="series", value_name="value")
    )
    ky = (
        r.groupby(["year", "kommunenummer_2020"])
        .agg(persons=("person_id", "size"), asb=("avtalt_selvbosetting", "sum"))
        .reset_index()
    )
    w = r.loc[
        (r["kategori"] != "overforing") & r["wait_months"].notna(),
        ["year", "husholdningstype", "avtalt_selvbosetting", "wait_months"],
    ]
    parts = []
    for group, sel in (
        ("total", w),
        ("families", w[w["husholdningstype"] == "barnefamilie"]),
        ("single_adults", w[w["husholdningstype"] == "enslig_voksen"]),
    ):
        a = sel.groupby("year")["wait_months"].agg(["mean", "size"]).rename(columns={"size": "n"})
        parts.append(a.reset_index().assign(group=group))
    d = w.assign(group=np.where(w["avtalt_selvbosetting"] == 1, "avtalt", "ordinaer"))
    a = (
        d.groupby(["year", "group"])["wait_months"]
        .agg(["mean", "median", "size"])
        .rename(columns={"size": "n"})
    )
    parts.append(a.reset_index())
    wait = pd.concat(parts).melt(id_vars=["year", "group"], var_name="stat", value_name="value").dropna()
    phases["aggregate"] = time.perf_counter() - t
    return _norm_units(units), _norm_kommune_year(ky), _norm_wait(wait)


def _peak_rss_mb() -> float:
    """Peak RSS of this process since its exec (VmHWM). Not ``getrusage().ru_maxrss``: on Linux
    that survives fork + exec, so every engine would inherit the driver's own peak (which holds
    the generated 10 M-row frame)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(engine: str, path: str, work: str) -> None:
    """Run one engine, write its aggregates as Parquet, print JSON (seconds, phases, peak RSS)."""
    work = Path(work)
    phases: dict[str, float] = {}
    # imports outside the timed region (every engine pays the same interpreter start-up)
    sys.path.insert(0, str(SRC))
    import duckdb  # noqa: E401,F401

    from analysis.imdi import (
        waiting,  # noqa: F401
    )

    t = time.perf_counter()
    if engine == "pipeline_register":
        res = engine_pipeline_register(path, work, phases)
    elif engine == "pipeline_aggregate":
        res = engine_pipeline_aggregate(path, work, phases)
    elif engine == "duckdb":
        res = engine_duckdb(path, work, phases)
    elif engine == "duckdb_agg":
        res = engine_duckdb(path, work, phases, validate=False)
    elif engine == "pandas":
        res = engine_pandas(path, work, phases)
    else:
        raise SystemExit(f"unknown engine {engine}")
    seconds = time.perf_counter() - t
    peak_mb = _peak_rss_mb()
    for name, df in zip(RESULT_TABLES, res or ()):
        df.to_parquet(work / f"{name}.parquet", index=False)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "phases": phases}))


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------
def _run_child(engine: str, path: Path, work: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(SRC), "POLARS_MAX_THREADS": str(os.cpu_count())}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(path), str(work)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:300]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_engine(engine: str, path: Path, work: Path) -> dict:
    """One measurement. The pipeline runs as it does under Snakemake: the register rule in one
    process, then the scope/waiting aggregation in another (time = sum, peak = max of the two)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if engine != "pipeline":
        return _run_child(engine, path, work)
    reg = _run_child("pipeline_register", path, work)
    if "error" in reg:
        return reg
    agg = _run_child("pipeline_aggregate", path, work)
    if "error" in agg:
        return agg
    return {
        "seconds": reg["seconds"] + agg["seconds"],
        "peak_mb": max(reg["peak_mb"], agg["peak_mb"]),
        "phases": {**reg["phases"], **agg["phases"]},
        "register_rule": {"seconds": reg["seconds"], "peak_mb": reg["peak_mb"]},
        "aggregate_rules": {"seconds": agg["seconds"], "peak_mb": agg["peak_mb"]},
    }


def compare(ref: Path, other: Path) -> str:
    import numpy as np
    import pandas as pd

    diffs = []
    for name in RESULT_TABLES:
        a, b = pd.read_parquet(ref / f"{name}.parquet"), pd.read_parquet(other / f"{name}.parquet")
        if a.shape != b.shape:
            diffs.append(f"{name}: shape {a.shape} vs {b.shape}")
            continue
        for col in a.columns:
            x, y = a[col].to_numpy(), b[col].to_numpy()
            if a[col].dtype.kind == "f":
                ok = np.allclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True)
            else:
                ok = (x == y).all()
            if not ok:
                diffs.append(f"{name}.{col}")
    return "OK" if not diffs else "DIFF " + ", ".join(diffs)


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    ap.add_argument("--formats", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"])
    ap.add_argument("--engines", nargs="+", default=ENGINES, choices=ENGINES)
    ap.add_argument("--reps", type=int, default=3, help="runs per engine; the median is reported")
    ap.add_argument("--json", type=Path, help="also write all measurements as JSON here")
    ap.add_argument("--tmp", type=Path, help="temp dir (default: a fresh one, removed at the end)")
    ap.add_argument(
        "--id-order",
        choices=["sequential", "random"],
        default="sequential",
        help="person_id rising down the file, or pseudonymised ids in random order",
    )
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="scale_register_", dir=args.tmp))
    print(f"# register stage at scale -- {platform.node()}, {os.cpu_count()} cores, load {load_avg()}")
    print(f"# person_id order: {args.id_order}")
    print(
        f"# temp dir {tmp}; {args.reps} runs per engine, median shown; peak = max RSS of the engine's process"
    )
    records = []
    try:
        for n in args.sizes:
            t = time.perf_counter()
            paths = generate(n, tmp, id_order=args.id_order)
            gen = time.perf_counter() - t
            sizes = {f: paths[f].stat().st_size / 2**20 for f in paths}
            print(
                f"\n## {n:,} persons: generated in {gen:.1f} s "
                f"(Parquet {sizes['parquet']:.0f} MB, CSV {sizes['csv']:.0f} MB)"
            )
            for fmt in args.formats:
                print(
                    f"\n{'format':8} {'engine':11} {'median s':>9} {'min s':>7} {'max s':>7} "
                    f"{'peak MB':>8} {'x duckdb':>9}  check   phases (median s)   load"
                )
                rows = {}
                for engine in args.engines:
                    runs = []
                    for _ in range(args.reps):
                        runs.append(run_engine(engine, paths[fmt], tmp / f"work_{engine}"))
                        if "error" in runs[-1]:
                            break
                    if "error" in runs[-1]:
                        rows[engine] = {"error": runs[-1]["error"]}
                        print(f"{fmt:8} {engine:11} FAILED: {runs[-1]['error']}")
                        continue
                    secs = [r["seconds"] for r in runs]
                    phases = {k: statistics.median(r["phases"][k] for r in runs) for k in runs[0]["phases"]}
                    rows[engine] = {
                        "seconds": statistics.median(secs),
                        "min": min(secs),
                        "max": max(secs),
                        "runs": secs,
                        "peak_mb": max(r["peak_mb"] for r in runs),
                        "phases": phases,
                        "load": load_avg(),
                    }
                    for part in ("register_rule", "aggregate_rules"):
                        if part in runs[0]:
                            rows[engine][part] = {
                                "seconds": statistics.median(r[part]["seconds"] for r in runs),
                                "peak_mb": max(r[part]["peak_mb"] for r in runs),
                            }
                ref = tmp / "work_pipeline"
                for engine, row in rows.items():
                    if "error" in row:
                        continue
                    row["check"] = (
                        "ref"
                        if engine == "pipeline"
                        else compare(ref, tmp / f"work_{engine}")
                        if "pipeline" in rows and "error" not in rows["pipeline"]
                        else "n/a"
                    )
                # the check above compares the *last* run of each engine; all runs are deterministic
                base = rows.get("duckdb", {}).get("seconds")
                for engine, row in rows.items():
                    if "error" in row:
                        continue
                    ratio = row["seconds"] / base if base else float("nan")
                    row["x_duckdb"] = ratio
                    ph = " ".join(f"{PHASE_LABEL.get(k, k)}={v:.2f}" for k, v in row["phases"].items())
                    print(
                        f"{fmt:8} {engine:11} {row['seconds']:9.2f} {row['min']:7.2f} {row['max']:7.2f} "
                        f"{row['peak_mb']:8.0f} {ratio:9.2f}  {row['check']:6}  {ph}   {row['load']}"
                    )
                    records.append(
                        {"persons": n, "format": fmt, "engine": engine, "id_order": args.id_order, **row}
                    )
                pipe = rows.get("pipeline", {})
                duck = rows.get("duckdb", {})
                if "register_rule" in pipe and "phases" in duck:
                    # like for like: the register rule vs DuckDB's validate + harmonise + write
                    duck_reg = duck["phases"]["validate_harmonise"] + duck["phases"]["write_processed"]
                    rr, ar = pipe["register_rule"], pipe["aggregate_rules"]
                    pipe["register_rule"]["x_duckdb_same_steps"] = rr["seconds"] / duck_reg
                    print(
                        f"  pipeline split: register rule {rr['seconds']:.2f} s (peak {rr['peak_mb']:.0f} MB) = "
                        f"{rr['seconds'] / duck_reg:.2f} x duckdb's validate+harmonise+write ({duck_reg:.2f} s); "
                        f"scope/waiting aggregates {ar['seconds']:.2f} s (peak {ar['peak_mb']:.0f} MB) vs "
                        f"duckdb {duck['phases']['aggregate']:.2f} s"
                    )
                if n >= 10_000_000 and "seconds" in pipe and base:
                    ok_t = pipe["seconds"] <= 1.2 * base
                    ok_m = pipe["peak_mb"] < 4096
                    print(
                        f"budget ({fmt}, {n:,}): pipeline {pipe['seconds'] / base:.2f} x duckdb "
                        f"({'met' if ok_t else 'MISSED'}, <= 1.2), peak {pipe['peak_mb']:.0f} MB "
                        f"({'met' if ok_m else 'MISSED'}, < 4096)"
                    )
    finally:
        if args.tmp is None:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"load_end": load_avg(), "records": records}, indent=1) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
