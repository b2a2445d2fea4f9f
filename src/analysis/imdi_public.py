"""IMDi's public settlement file ("Anmodning, vedtak og faktisk bosetting", per kommune and year).

As published: Latin-1, ';', columns ``Enhet;År;Kommunenummer;Kommune;Bosetting;Antall``; codes
valid in each year (the 2016 codes also for 2017); ``.`` = no data, ``:`` = suppressed small
number; an empty cell (only for the request/decision of 9999 "Uoppgitt kommune", which no
kommune can request or decide) is read as no data, and so is ``Inf`` in a percent row (a share of
a zero request). Only persons (``Enhet = Personer``) are counts; the percent rows are shares of the request.
"""
from __future__ import annotations

import pandas as pd

from .errors import InputError
from .kommune import harmonise
from .textio import LINE, read_delimited

COLUMNS = ["Enhet", "År", "Kommunenummer", "Kommune", "Bosetting", "Antall"]
ENHETER = {"Personer", "Prosent"}
MEASURES = {
    "Anmodning om bosetting": "anmodning",
    "Opprinnelig anmodning": "opprinnelig_anmodning",
    "Vedtak om bosetting": "vedtak",
    "Faktisk bosetting": "bosatt",
}
MISSING, SUPPRESSED = ".", ":"
# Norway settled at most about 15 300 refugees in a year (2016), in all kommuner together: a count
# above this for one kommune and year is a typing or unit error, not data.
MAX_PERSONS = 20_000


def read_imdi_public(path: str) -> pd.DataFrame:
    """Parse and validate the file; return every row with typed columns and a status.

    Returns columns: line, enhet, year, code, kommune_label, measure, antall (float, NaN
    where not a number), status ('value' / 'missing' / 'suppressed').
    """
    df = read_delimited(path, COLUMNS, separators=";")
    bad_enhet = ~df["Enhet"].isin(ENHETER)
    if bad_enhet.any():
        i = int(bad_enhet.to_numpy().nonzero()[0][0])
        raise InputError(path, f"Enhet must be one of {sorted(ENHETER)}", line=int(df[LINE].iloc[i]),
                         column="Enhet", value=df["Enhet"].iloc[i])
    bad_measure = ~df["Bosetting"].isin(MEASURES)
    if bad_measure.any():
        i = int(bad_measure.to_numpy().nonzero()[0][0])
        raise InputError(path, f"Bosetting must be one of {sorted(MEASURES)}",
                         line=int(df[LINE].iloc[i]), column="Bosetting", value=df["Bosetting"].iloc[i])
    year_ok = df["År"].str.fullmatch(r"(19|20)\d\d")
    if not year_ok.all():
        i = int((~year_ok).to_numpy().nonzero()[0][0])
        raise InputError(path, "År must be a four-digit year 1900-2099", line=int(df[LINE].iloc[i]),
                         column="År", value=df["År"].iloc[i])
    code_ok = df["Kommunenummer"].str.fullmatch(r"\d{4}")
    if not code_ok.all():
        i = int((~code_ok).to_numpy().nonzero()[0][0])
        raise InputError(path, "Kommunenummer must be a 4-digit code with leading zeros",
                         line=int(df[LINE].iloc[i]), column="Kommunenummer",
                         value=df["Kommunenummer"].iloc[i])
    antall = df["Antall"].str.replace(",", ".", regex=False)
    status = pd.Series("value", index=df.index, dtype="object")
    status[(antall == MISSING) | (antall == "")] = "missing"
    status[(antall == "Inf") & (df["Enhet"] == "Prosent")] = "missing"
    status[antall == SUPPRESSED] = "suppressed"
    num_ok = antall.str.fullmatch(r"\d+(\.\d+)?") | (status != "value")
    if not num_ok.all():
        i = int((~num_ok).to_numpy().nonzero()[0][0])
        raise InputError(path, "Antall must be a number, '.' (no data) or ':' (suppressed)",
                         line=int(df[LINE].iloc[i]), column="Antall", value=df["Antall"].iloc[i])
    value = pd.to_numeric(antall.where(status == "value"), errors="coerce")
    persons = (df["Enhet"] == "Personer") & (status == "value")
    frac = persons & (value % 1 != 0)
    if frac.any():
        i = int(frac.to_numpy().nonzero()[0][0])
        raise InputError(path, "a count of persons must be a whole number", line=int(df[LINE].iloc[i]),
                         column="Antall", value=df["Antall"].iloc[i])
    out = pd.DataFrame({
        "line": df[LINE].astype("int64"),
        "enhet": df["Enhet"],
        "year": df["År"].astype("int64"),
        "code": df["Kommunenummer"],
        "kommune_label": df["Kommune"],
        "measure": df["Bosetting"].map(MEASURES),
        "antall": value.astype("float64"),
        "status": status,
    })
    absurd = persons & (value > MAX_PERSONS)
    if absurd.any():
        i = int(absurd.to_numpy().nonzero()[0][0])
        raise InputError(path, f"implausible count of persons for one kommune and year (more than "
                         f"{MAX_PERSONS:,}; Norway never settled that many in a year)",
                         line=int(df[LINE].iloc[i]), column="Antall", value=df["Antall"].iloc[i])
    dup = out.duplicated(["enhet", "year", "code", "measure"], keep="first")
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(path, "duplicate row for Enhet/År/Kommunenummer/Bosetting",
                         line=int(out["line"].iloc[i]), column="Kommunenummer", value=out["code"].iloc[i])
    return out


def select_persons(raw: pd.DataFrame, years: tuple[int, int], code_map: pd.DataFrame,
                   path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep person counts in the study years, harmonised to 2020 codes.

    Returns (persons, ledger) where the ledger accounts for every input row.
    """
    lo, hi = years
    in_years = raw["year"].between(lo, hi)
    is_persons = raw["enhet"] == "Personer"
    keep = raw[in_years & is_persons]
    try:
        persons = harmonise(keep, code_map, path, column="code", line_col="line")
    except InputError as err:  # name the file's own column
        err.column = "Kommunenummer"
        raise
    ledger = pd.DataFrame([
        ("imdi_public", "excluded", f"year outside the study period {lo}-{hi}", int((~in_years).sum())),
        ("imdi_public", "excluded", "Enhet = Prosent (share of the request, not a count)",
         int((in_years & ~is_persons).sum())),
        ("imdi_public", "used", "persons, harmonised to the 2020 kommune structure", int(len(persons))),
    ], columns=["input", "disposition", "reason", "rows"])
    return persons.reset_index(drop=True), ledger


def national_totals(persons: pd.DataFrame, measure: str = "bosatt") -> pd.DataFrame:
    """National sum per year over all kommuner (incl. 9999 unknown), with suppression counts.

    Suppressed cells (``:``) are small numbers left out of the sum, so a year with suppressed
    cells is a lower bound; ``suppressed_cells`` says how many.
    """
    sel = persons[persons["measure"] == measure]
    g = sel.groupby("year")
    return pd.DataFrame({
        "value": g["antall"].sum(min_count=1),
        "suppressed_cells": g["status"].apply(lambda s: int((s == "suppressed").sum())),
        "missing_cells": g["status"].apply(lambda s: int((s == "missing").sum())),
        "kommuner": g["kommunenummer_2020"].nunique(),
    }).reset_index()
