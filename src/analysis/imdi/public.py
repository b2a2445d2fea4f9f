"""IMDi's public settlement file ("Anmodning, vedtak og faktisk bosetting", per kommune and year).

As published: Latin-1, ';', columns ``Enhet;År;Kommunenummer;Kommune;Bosetting;Antall``; codes
valid in each year (the 2016 codes also for 2017); ``.`` = no data, ``:`` = suppressed small
number; an empty cell (only for the request/decision of 9999 "Uoppgitt kommune", which no
kommune can request or decide) is read as no data, and so is ``Inf`` in a percent row (a share of
a zero request). Only persons (``Enhet = Personer``) are counts; the percent rows are shares of the request.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.errors import InputError, first_bad
from analysis.core.kommune import harmonise
from analysis.core.ledger import LEDGER_COLUMNS
from analysis.core.textio import LINE, read_delimited

COLUMNS = ["Enhet", "År", "Kommunenummer", "Kommune", "Bosetting", "Antall"]
ENHETER = {"Personer", "Prosent"}
MEASURES = {
    "Anmodning om bosetting": "anmodning",
    "Opprinnelig anmodning": "opprinnelig_anmodning",
    "Vedtak om bosetting": "vedtak",
    "Faktisk bosetting": "bosatt",
}
MISSING, SUPPRESSED = ".", ":"
NOT_KOMMUNE = r"2[12]\d\d"  # Svalbard (21xx) and Jan Mayen (22xx): no kommune, left out
# Norway settled at most about 15 300 refugees in a year (2016), in all kommuner together: a count
# above this for one kommune and year is a typing or unit error, not data.
MAX_PERSONS = 20_000


def _fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    """``values.str.fullmatch(pattern)`` for a column of strings, the pattern tried once per
    distinct value (the file has ~75 000 rows and a few hundred distinct codes and years)."""
    if values.isna().any():
        return values.str.fullmatch(pattern)
    rx = re.compile(pattern)
    return values.isin([v for v in pd.unique(values) if rx.fullmatch(v)])


def read_imdi_public(path: str) -> pd.DataFrame:
    """Parse and validate the file; return every row with typed columns and a status.

    Returns columns: line, enhet, year, code, kommune_label, measure, antall (float, NaN
    where not a number), status ('value' / 'missing' / 'suppressed').
    """
    df = read_delimited(path, COLUMNS, separators=";")
    first_bad(
        ~df["Enhet"].isin(ENHETER),
        df,
        path,
        "Enhet",
        f"Enhet must be one of {sorted(ENHETER)}",
        line_col=LINE,
    )
    first_bad(
        ~df["Bosetting"].isin(MEASURES),
        df,
        path,
        "Bosetting",
        f"Bosetting must be one of {sorted(MEASURES)}",
        line_col=LINE,
    )
    year_ok = _fullmatch(df["År"], r"(19|20)\d\d")
    first_bad(~year_ok, df, path, "År", "År must be a four-digit year 1900-2099", line_col=LINE)
    code_ok = _fullmatch(df["Kommunenummer"], r"\d{4}")
    first_bad(
        ~code_ok,
        df,
        path,
        "Kommunenummer",
        "Kommunenummer must be a 4-digit code with leading zeros",
        line_col=LINE,
    )
    antall = df["Antall"].str.replace(",", ".", regex=False)
    status = pd.Series("value", index=df.index, dtype="object")
    status[(antall == MISSING) | (antall == "")] = "missing"
    status[(antall == "Inf") & (df["Enhet"] == "Prosent")] = "missing"
    status[antall == SUPPRESSED] = "suppressed"
    num_ok = _fullmatch(antall, r"\d+(\.\d+)?") | (status != "value")
    first_bad(
        ~num_ok,
        df,
        path,
        "Antall",
        "Antall must be a number, '.' (no data) or ':' (suppressed)",
        line_col=LINE,
    )
    value = pd.to_numeric(antall.where(status == "value"), errors="coerce")
    persons = (df["Enhet"] == "Personer") & (status == "value")
    frac = persons & (value % 1 != 0)
    first_bad(frac, df, path, "Antall", "a count of persons must be a whole number", line_col=LINE)
    out = pd.DataFrame(
        {
            "line": df[LINE].astype("int64"),
            "enhet": df["Enhet"],
            "year": df["År"].astype("int64"),
            "code": df["Kommunenummer"],
            "kommune_label": df["Kommune"],
            "measure": df["Bosetting"].map(MEASURES),
            "antall": value.astype("float64"),
            "status": status,
        }
    )
    absurd = persons & (value > MAX_PERSONS)
    first_bad(
        absurd,
        df,
        path,
        "Antall",
        f"implausible count of persons for one kommune and year (more than "
        f"{MAX_PERSONS:,}; Norway never settled that many in a year)",
        line_col=LINE,
    )
    first_bad(
        out.duplicated(["enhet", "year", "code", "measure"], keep="first"),
        df,
        path,
        "Kommunenummer",
        "duplicate row for Enhet/År/Kommunenummer/Bosetting",
        line_col=LINE,
    )
    return out


# IMDi's per-kommune pages for 2024 and 2025 (``imdi/imdi_bosettingstall_kommune_2024-2025.csv``,
# transcribed; UTF-8, ','): one row per kommune (2024 code) and year, a column per measure. Cells as
# published: a whole number, ':' suppressed (fewer than five), 'avventer vedtak' (no decision
# registered), '-' (no request, so no decision) or empty (column not published).
COLUMNS_2024 = ["aar", "kommunenummer", "anmodet", "vedtatt", "bosatt"]
OPTIONAL_2024 = [
    "kommunenavn",
    "fylkesnummer",
    "kommunenavn_imdi",
    "fylkesnavn_imdi",
    "bosatt_kollektiv_beskyttelse",
    "avtalt",
    "avtalt_kollektiv_beskyttelse",
]
MEASURES_2024 = {
    "anmodet": "anmodning",
    "vedtatt": "vedtak",
    "bosatt": "bosatt",
    "bosatt_kollektiv_beskyttelse": "bosatt_kollektiv_beskyttelse",
    "avtalt": "avtalt",
    "avtalt_kollektiv_beskyttelse": "avtalt_kollektiv_beskyttelse",
}
NO_NUMBER_2024 = {"avventer vedtak", "-", ""}


def read_imdi_public_2024(path: str) -> pd.DataFrame:
    """Parse and validate IMDi's 2024-2025 kommune pages into the long shape of
    :func:`read_imdi_public` (``enhet`` = Personer; measures anmodning, vedtak, bosatt, and where
    published bosatt_kollektiv_beskyttelse, avtalt, avtalt_kollektiv_beskyttelse)."""
    df = read_delimited(path, COLUMNS_2024, optional=OPTIONAL_2024, separators=",")
    first_bad(
        ~df["aar"].str.fullmatch(r"20\d\d"), df, path, "aar", "aar must be a year 2000-2099", line_col=LINE
    )
    first_bad(
        ~df["kommunenummer"].str.fullmatch(r"\d{4}"),
        df,
        path,
        "kommunenummer",
        "kommunenummer must be a 4-digit code with leading zeros",
        line_col=LINE,
    )
    first_bad(
        df.duplicated(["aar", "kommunenummer"]),
        df,
        path,
        "kommunenummer",
        "duplicate row for aar/kommunenummer",
        line_col=LINE,
    )
    parts = []
    for col, measure in MEASURES_2024.items():
        if col not in df.columns:
            continue
        cell = df[col].str.strip()
        ok = cell.str.fullmatch(r"\d+") | (cell == SUPPRESSED) | cell.isin(NO_NUMBER_2024)
        first_bad(
            ~ok,
            df,
            path,
            col,
            "must be a whole number, ':' (suppressed), 'avventer vedtak', '-' or empty",
            line_col=LINE,
        )
        value = pd.to_numeric(cell.where(cell.str.fullmatch(r"\d+")), errors="coerce")
        first_bad(
            value > MAX_PERSONS,
            df,
            path,
            col,
            f"implausible count of persons for one kommune and year (more than {MAX_PERSONS:,})",
            line_col=LINE,
        )
        status = pd.Series("value", index=df.index, dtype="object")
        status[cell.isin(NO_NUMBER_2024)] = "missing"
        status[cell == SUPPRESSED] = "suppressed"
        label = df["kommunenavn_imdi"] if "kommunenavn_imdi" in df.columns else df["kommunenummer"]
        parts.append(
            pd.DataFrame(
                {
                    "line": df[LINE].astype("int64"),
                    "enhet": "Personer",
                    "year": df["aar"].astype("int64"),
                    "code": df["kommunenummer"],
                    "kommune_label": label,
                    "measure": measure,
                    "antall": value.astype("float64"),
                    "status": status,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def select_persons(
    raw: pd.DataFrame,
    years: tuple[int, int],
    code_map: pd.DataFrame,
    path: str,
    structure_label: str = "2020",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep person counts in the study years, harmonised to the study's kommune structure.

    Returns (persons, ledger) where the ledger accounts for every input row.
    """
    lo, hi = years
    in_years = raw["year"].between(lo, hi)
    is_persons = raw["enhet"] == "Personer"
    outside = _fullmatch(raw["code"], NOT_KOMMUNE)  # Svalbard, Jan Mayen (the file's 2023)
    keep = raw[in_years & is_persons & ~outside]
    try:
        persons = harmonise(keep, code_map, path, column="code", line_col="line")
    except InputError as err:  # name the file's own column
        err.column = "Kommunenummer"
        raise
    ledger = pd.DataFrame(
        [
            ("imdi_public", "excluded", f"year outside the study period {lo}-{hi}", int((~in_years).sum())),
            (
                "imdi_public",
                "excluded",
                "Enhet = Prosent (share of the request, not a count)",
                int((in_years & ~is_persons).sum()),
            ),
            (
                "imdi_public",
                "used",
                f"persons, harmonised to the {structure_label} kommune structure",
                int(len(persons)),
            ),
        ]
        + (
            [("imdi_public", "excluded", "Svalbard or Jan Mayen (no kommune)", n_out)]
            if (n_out := int((in_years & is_persons & outside).sum()))
            else []
        ),
        columns=LEDGER_COLUMNS,
    )
    return persons.reset_index(drop=True), ledger


def select_persons_2024(
    raw: pd.DataFrame, years: tuple[int, int], code_map: pd.DataFrame, path: str, structure_label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 2024-2025 pages' counts in the study years, harmonised like :func:`select_persons`."""
    lo, hi = years
    in_years = raw["year"].between(lo, hi)
    persons = harmonise(raw[in_years], code_map, path, column="code", line_col="line")
    lines = raw.drop_duplicates("line")
    ledger = pd.DataFrame(
        [
            (
                "imdi_public_2024",
                "excluded",
                f"year outside the study period {lo}-{hi}",
                int((~lines["year"].between(lo, hi)).sum()),
            ),
            (
                "imdi_public_2024",
                "used",
                f"kommune rows, harmonised to the {structure_label} kommune structure",
                int(lines["year"].between(lo, hi).sum()),
            ),
        ],
        columns=LEDGER_COLUMNS,
    )
    return persons.reset_index(drop=True), ledger


def national_totals(persons: pd.DataFrame, measure: str = "bosatt") -> pd.DataFrame:
    """National sum per year over all kommuner (incl. 9999 unknown), with suppression counts.

    Suppressed cells (``:``) are small numbers left out of the sum, so a year with suppressed
    cells is a lower bound; ``suppressed_cells`` says how many.
    """
    sel = persons[persons["measure"] == measure]
    g = sel.groupby("year")
    return pd.DataFrame(
        {
            "value": g["antall"].sum(min_count=1),
            "suppressed_cells": g["status"].apply(lambda s: int((s == "suppressed").sum())),
            "missing_cells": g["status"].apply(lambda s: int((s == "missing").sum())),
            "kommuner": g["kommunenummer_2020"].nunique(),
        }
    ).reset_index()
