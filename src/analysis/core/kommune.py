"""Municipality codes: harmonise every code of 2013-2020 to the 2020 structure (356 kommuner).

The crosswalk is SSB's code history as published in ``crosswalk/alle_kommunenummer_fra2013_
til2020_wide.csv`` (Latin-1, ';'). Codes were never reused for another kommune in 2013-2020,
so a code maps to its 2020 kommune whatever year it is reported in; this matters because
IMDi's public file reports 2017 on the 2016 codes.

Two kommuner were split in the 2020 reform and have no unique 2020 code:
Snillfjord (1613 until 2017, 5012 in 2018-2019) went to Heim, Hitra and Orkland, and Tysfjord
(1850) went to Narvik and Hamarøy. No split weights exist, so counts cannot be divided.
The documented rule (configurable under ``harmonisation.split_to``) assigns each split code
whole to the 2020 kommune that took over its administrative centre: Snillfjord's Krokstadøra
went to Orkland (5059), Tysfjord's Kjøpsvik to Narvik (1806).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, first_bad
from analysis.core.study import FIRST_YEAR_2024

UNKNOWN_CODE = "9999"
OSLO = "0301"
# The 15 Oslo bydeler of 2020 (030101 Gamle Oslo ... 030115 Søndre Nordstrand), as in the contract.
OSLO_BYDELER = tuple(f"{OSLO}{i:02d}" for i in range(1, 16))
# their names (Oslo kommune's list, as in data/geo/oslo_bydeler_2020.geojson): "code name" cells
BYDEL_NAMES = dict(
    zip(
        OSLO_BYDELER,
        (
            "Gamle Oslo",
            "Grünerløkka",
            "Sagene",
            "St. Hanshaugen",
            "Frogner",
            "Ullern",
            "Vestre Aker",
            "Nordre Aker",
            "Bjerke",
            "Grorud",
            "Stovner",
            "Alna",
            "Østensjø",
            "Nordstrand",
            "Søndre Nordstrand",
        ),
    )
)
_YEAR_COLUMNS = {
    "2013": range(2013, 2017),
    "2017": [2017],
    "2018": [2018],
    "2019": [2019],
    "2020": range(2020, 2024),
}


def read_crosswalk_wide(path: str | Path) -> pd.DataFrame:
    """Read SSB's wide code history (Latin-1, ';', quoted, CRLF) with codes as strings.

    A UTF-8 re-save (with or without BOM) is read as well. Every code must be a 4-digit string,
    every row must name its 2020 kommune, no row may repeat, and a 2020 code has one name.
    """
    from analysis.core.textio import LINE, read_delimited

    path = str(path)
    codes = [f"kommunenummer_{y}" for y in _YEAR_COLUMNS]
    need = codes + ["kommunenavn_2020"]
    optional = [f"kommunenavn_{y}" for y in ("2013", "2017", "2018", "2019")] + [
        "endringsmerknad_13_17",
        "endringsmerknad_17_18",
        "endringsmerknad_18_19",
        "endringsmerknad_19_20",
    ]
    df = read_delimited(path, need, optional=optional, separators=";")

    def fail(mask, column, message):
        first_bad(mask, df, path, column, message, line_col=LINE)

    for c in codes:
        fail(~df[c].str.fullmatch(r"\d{4}"), c, "kommune code must be 4 digits with leading zeros")
    fail(df["kommunenavn_2020"] == "", "kommunenavn_2020", "empty name of the 2020 kommune")
    fail(df.duplicated(codes), "kommunenummer_2013", "duplicate row (the same code history twice)")
    names = df.groupby("kommunenummer_2020")["kommunenavn_2020"].transform("nunique")
    fail(names > 1, "kommunenavn_2020", "one 2020 kommunenummer with two different names")
    return df.drop(columns=[LINE])


def build_code_map(wide: pd.DataFrame, split_to: dict[str, str]) -> pd.DataFrame:
    """One row per historical code: ``code, kommunenummer_2020, split, first_year, last_year``.

    ``split`` marks codes divided between several 2020 kommuner; they are assigned by
    ``split_to`` (code -> 2020 code, config ``harmonisation.split_to``), which must name one of the
    code's real successors.
    """
    # per code: its 2020 successors and the years it was valid (plain dicts, in code order: what
    # a long frame grouped by code gave, without a `.loc` per code; issue 28)
    succ: dict[str, set[str]] = {}
    span: dict[str, tuple[int, int]] = {}
    for col, years in _YEAR_COLUMNS.items():
        lo, hi = min(years), max(years)
        for code, code20 in zip(wide[f"kommunenummer_{col}"], wide["kommunenummer_2020"]):
            if code:
                succ.setdefault(code, set()).add(code20)
                a, b = span.get(code, (lo, hi))
                span[code] = (min(a, lo), max(b, hi))
    out = []
    for code in sorted(succ):
        targets = sorted(succ[code])
        split = len(targets) > 1
        if split:
            if code not in split_to:
                raise ValueError(
                    f"code {code} was split between {targets}; harmonisation.split_to must name one of them"
                )
            target = split_to[code]
            if target not in targets:
                raise ValueError(
                    f"harmonisation.split_to maps {code} to {target}, "
                    f"which is not one of its successors {targets}"
                )
        else:
            target = targets[0]
        out.append((code, target, split, *span[code]))
    res = pd.DataFrame(out, columns=["code", "kommunenummer_2020", "split", "first_year", "last_year"])
    names = wide.drop_duplicates("kommunenummer_2020").set_index("kommunenummer_2020")["kommunenavn_2020"]
    res["kommunenavn_2020"] = res["kommunenummer_2020"].map(names)
    res["names"] = (
        res["code"].map(_names_per_code(wide)).map(lambda n: tuple(n) if isinstance(n, list) else ())
    )
    return res.sort_values("code").reset_index(drop=True)


def _names_per_code(wide: pd.DataFrame) -> dict[str, list[str]]:
    """Every name each code has had in the crosswalk (the year's name beside the year's code)."""
    out: dict[str, list[str]] = {}
    for col in _YEAR_COLUMNS:
        if f"kommunenavn_{col}" not in wide.columns:
            continue
        for code, name in zip(wide[f"kommunenummer_{col}"], wide[f"kommunenavn_{col}"]):
            if code and name and name not in out.setdefault(code, []):
                out[code].append(name)
    return out


def load_code_map(crosswalk_path: str | Path, split_to: dict[str, str]) -> pd.DataFrame:
    """The harmonisation table from SSB's wide code crosswalk file."""
    return build_code_map(read_crosswalk_wide(crosswalk_path), split_to)


# --- the 2024 structure (357 kommuner of 1.1.2024; docs/decisions/0051) -------------------------
KOMMUNER_PER_STRUCTURE = {2020: 356, 2024: 357}
LAST_YEAR_OPEN = 9999  # codes of the newest structure: valid from their first year on


def read_crosswalk_2024(path: str | Path) -> pd.DataFrame:
    """``crosswalk/kommune_2020_to_2024.csv``: every 2020-2023 code and its 2024 code(s) (UTF-8, ',')."""
    from analysis.core.textio import LINE, read_delimited

    path = str(path)
    need = ["kommunenummer_2020", "kommunenummer_2024", "kommunenavn_2024"]
    df = read_delimited(path, need, optional=["kommunenavn_2020", "kode_endret", "note"], separators=",")
    for c in ("kommunenummer_2020", "kommunenummer_2024"):
        first_bad(~df[c].str.fullmatch(r"\d{4}"), df, path, c, "kommune code must be 4 digits", line_col=LINE)
    first_bad(
        df.duplicated(["kommunenummer_2020", "kommunenummer_2024"]),
        df,
        path,
        "kommunenummer_2024",
        "duplicate row",
        line_col=LINE,
    )
    return df.drop(columns=[LINE])


def structure_code_map(
    code_map_2020: pd.DataFrame,
    structure: int,
    crosswalk_2024: pd.DataFrame | None,
    split_to_2024: dict[str, str],
) -> pd.DataFrame:
    """The code map onto the study's kommune structure, with the 2024 codes as known codes.

    ``code_map_2020`` is :func:`build_code_map` (codes of 2013-2023 -> 2020 kommune). With
    ``crosswalk_2024`` every 2024 code (valid from 2024) is added. Structure 2020: a 2024 code maps
    to its 2020 kommune (1508 Ålesund and 1580 Haram to 1507 Ålesund). Structure 2024: every code
    maps to its 2024 kommune through its 2020 kommune; a code whose 2020 kommune was split on
    1.1.2024 (Ålesund 1507, and the pre-2020 codes merged into it) is assigned whole by
    ``split_to_2024`` (code -> one of its 2024 successors). The column keeps the name
    ``kommunenummer_2020``/``kommunenavn_2020`` (the harmonised kommune of the study's structure)
    so every stage reads one column whatever the structure.
    """
    if crosswalk_2024 is None:
        if structure != 2020:
            raise ValueError(f"kommune structure {structure} needs the 2020->2024 crosswalk")
        return code_map_2020
    cw = crosswalk_2024
    names24 = dict(zip(cw["kommunenummer_2024"], cw["kommunenavn_2024"]))
    names20 = dict(zip(code_map_2020["kommunenummer_2020"], code_map_2020["kommunenavn_2020"]))
    back = cw.groupby("kommunenummer_2024")["kommunenummer_2020"].agg(lambda s: sorted(set(s)))
    fwd = cw.groupby("kommunenummer_2020")["kommunenummer_2024"].agg(lambda s: sorted(set(s)))
    old = code_map_2020[code_map_2020["kommunenummer_2020"] != UNKNOWN_CODE]
    new_codes = sorted(set(cw["kommunenummer_2024"]) - set(old["code"]))
    reused = sorted(set(cw["kommunenummer_2024"]) & set(old["code"]) - set(cw["kommunenummer_2020"]))
    if reused:
        raise ValueError(f"2024 codes {reused} were used for another kommune before 2024")
    cols = ["code", "kommunenummer_2020", "split", "first_year", "last_year", "kommunenavn_2020"]
    # the names a 2024 code is known by (code-name cells, analysis.core.codenames), as build_code_map's
    own_names = {code: (names24[code],) for code in new_codes}

    def frame(rows):
        res = pd.DataFrame(rows, columns=cols)
        if "names" in code_map_2020.columns:
            res["names"] = [own_names.get(c, ()) for c in res["code"]]
        return res[[c for c in code_map_2020.columns]]

    if structure == 2020:
        rows = [
            (code, back[code][0], False, FIRST_YEAR_2024, LAST_YEAR_OPEN, names20.get(back[code][0]))
            for code in new_codes
        ]
        return pd.concat([code_map_2020, frame(rows)]).sort_values("code").reset_index(drop=True)
    out = []
    for r in code_map_2020.itertuples(index=False):
        targets = fwd.get(r.kommunenummer_2020, [r.kommunenummer_2020])  # 9999 stays 9999
        split = len(targets) > 1
        if split:
            if r.code not in split_to_2024:
                raise ValueError(
                    f"code {r.code} lies in {r.kommunenummer_2020}, split on 1.1.2024 into {targets}; "
                    "harmonisation.split_to_2024 must name one of them"
                )
            target = split_to_2024[r.code]
            if target not in targets:
                raise ValueError(
                    f"harmonisation.split_to_2024 maps {r.code} to {target}, not one of {targets}"
                )
        else:
            target = targets[0]
        last = LAST_YEAR_OPEN if r.code in fwd.index and fwd[r.code] == [r.code] else r.last_year
        out.append(
            (
                r.code,
                target,
                bool(r.split or split),
                r.first_year,
                last,
                names24.get(target, r.kommunenavn_2020),
            )
        )
    have = {o[0] for o in out}
    out += [
        (code, code, False, FIRST_YEAR_2024, LAST_YEAR_OPEN, names24[code])
        for code in new_codes
        if code not in have
    ]
    res = frame(out)
    if "names" in code_map_2020.columns:  # the names a code was known by stay its own
        known = dict(zip(code_map_2020["code"], code_map_2020["names"]))
        res["names"] = [known.get(c, own_names.get(c, ())) for c in res["code"]]
    return res.sort_values("code").reset_index(drop=True)


def study_code_map(
    crosswalk_path: str | Path,
    split_to: dict[str, str],
    structure: int,
    crosswalk_2024_path: str | Path | None,
    split_to_2024: dict[str, str],
) -> pd.DataFrame:
    """Every known code (2013-2019, 2020-2023, and 2024 when the 2020->2024 crosswalk is given)
    mapped to its kommune of the study's structure."""
    cw24 = read_crosswalk_2024(crosswalk_2024_path) if crosswalk_2024_path else None
    return structure_code_map(load_code_map(crosswalk_path, split_to), structure, cw24, split_to_2024)


def load_kommuner(path: str | Path, structure: int) -> pd.DataFrame:
    """The kommuner of the structure (356 of 2020, 357 of 2024) with names, fylke and population."""
    df = pd.read_csv(path, dtype={"kommunenummer": str, "fylkesnummer": str, "kommunenummer_2020": str})
    want = KOMMUNER_PER_STRUCTURE[structure]
    if len(df) != want or df["kommunenummer"].duplicated().any():
        raise InputError(str(path), f"expected {want} unique kommuner, found {df['kommunenummer'].nunique()}")
    return df


def population_column(kommuner: pd.DataFrame, year: int) -> str:
    """The population column (``folkemengde_YYYY_01_01``) for ``year``: 1 January of that year, or
    the nearest year the file has (the first after it, else the last before it)."""
    cols = sorted(c for c in kommuner.columns if c.startswith("folkemengde_"))
    if not cols:
        raise InputError("population", "no folkemengde_YYYY_01_01 column")
    years = [int(c.split("_")[1]) for c in cols]
    later = [y for y in years if y >= year]
    pick = min(later) if later else max(years)
    return cols[years.index(pick)]


def harmonise(
    df: pd.DataFrame,
    code_map: pd.DataFrame,
    file: str,
    column: str = "kommunenummer",
    line_col: str | None = None,
    header_lines: int = 1,
) -> pd.DataFrame:
    """Add ``kommunenummer_2020`` (and ``split_code``) to ``df`` from its ``column`` of codes.

    A code that is valid in no year 2013-2020 stops the run with the file, line and value.
    """
    codes = df[column].astype(str)
    known = codes.isin(code_map["code"])
    if not known.all():
        first_bad(
            ~known.to_numpy(),
            df,
            file,
            column,
            "kommunenummer is valid in no year 2013-2020 (see the SSB crosswalk)",
            header_lines=header_lines,
            line_col=line_col,
        )
    m = code_map.set_index("code")
    out = df.copy()
    out["kommunenummer_2020"] = codes.map(m["kommunenummer_2020"]).to_numpy()
    out["split_code"] = codes.map(m["split"]).astype(bool).to_numpy()
    return out


def load_kommuner_2020(path: str | Path) -> pd.DataFrame:
    """The 356 kommuner of 2020 with names, fylke and SSB population 1.1.2020 and 1.1.2021."""
    return load_kommuner(path, 2020)
