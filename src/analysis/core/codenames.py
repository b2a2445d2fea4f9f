""" "Code name" cells and units given by name (../shared/CONTRACT.md, "More export shapes").

Exports often write a kommune or bydel as its code followed by its name: ``0301 Oslo``,
``K-3001 Halden`` (SSB's statbank), ``030101 Gamle Oslo``. In the code columns of an input
(``kommunenummer``, ``bydelsnummer``, ``unit_id``, a statbank region) such a cell is read as its
leading code, without any mapping, and the name is kept aside to be checked: it must be a name
the code has had in the crosswalk (SSB's code history 2013-2020; the 2020 name and the names of
earlier years; Oslo's bydeler by the contract's list). A name that belongs to ANOTHER code
(``3001 Moss``) is an error naming that code; so is a name no kommune or bydel has had.

Names are compared as people write them: case, spacing, punctuation, a parenthesised
qualifier and a ``Bydel``/``kommune`` around the name are ignored (``Herøy (Nordland)`` is Herøy, ``Aurskog Høland`` is Aurskog-Høland,
``K-1201 Bergen (-2019)`` is Bergen), and a name in two languages (``Guovdageaidnu -
Kautokeino``) matches either.

Survey units given by NAME only (``Halden``) are resolved through a list of unit names (the
frame's ``unit_name``): a name with its qualifier (``Herøy (Nordland)``) resolves when one unit
has it; a bare name that several units share (Herøy, Våler, Sande ...) needs a ``values:`` entry,
and every such name, and every name no unit has, is listed in one message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core.errors import InputError, report

if TYPE_CHECKING:  # polars is imported where it is used: a job that only looks names up needs none
    import polars as pl

LINE = "_line"
# an optional letter prefix (SSB's K- for kommune, B- for bydel), a 4- or 6-digit code, a name
CODE_NAME = r"^\s*(?:[A-Za-z]{1,2}-)?(\d{4}|\d{6})(?:\s*[:–-]\s*|\s+)(\D.*?)\s*$"
PREFIXED_CODE = r"^\s*[A-Za-z]{1,2}-(\d{4}|\d{6})\s*$"
NAMES_SHOWN = 8
NAME_COLUMNS = ["column", "code", "name", "line", "cells"]


_KIND_WORDS = re.compile(r"^\s*(?:bydel|kommune)\s+|\s+(?:kommune|bydel)\s*$")


def base_name(name: str) -> str:
    """A name as compared: no parenthesised qualifier, no case, spacing or punctuation, and no
    ``Bydel``/``kommune`` around it (``Bydel Gamle Oslo``, ``Halden kommune``)."""
    text = re.sub(r"\([^)]*\)", "", str(name)).casefold().strip()
    return re.sub(r"\W+", "", _KIND_WORDS.sub("", text))


def full_name(name: str) -> str:
    """A name with its qualifier (``Herøy (Nordland)``), case, spacing and punctuation ignored."""
    return re.sub(r"\W+", "", _KIND_WORDS.sub("", str(name).casefold().strip()))


def name_variants(name: str) -> set[str]:
    """The base name and, for a name in two or three languages (``A - B``), each part."""
    parts = re.split(r"\s+[-–]\s+", re.sub(r"\([^)]*\)", "", str(name)))
    return {base_name(name), *(base_name(p) for p in parts if base_name(p))}


def split_code_names(df: pl.DataFrame, columns: Iterable[str]) -> tuple[pl.DataFrame, pd.DataFrame]:
    """``columns`` of ``df`` with "code name" cells replaced by their code; returns the frame and
    the names written (``column, code, name, line, cells``: one row per distinct code and name,
    with its first line and how many cells). Cells that are plain codes cost one length test."""
    import polars as pl

    found = []
    for col in columns:
        if col not in df.columns or df.schema[col] != pl.String:
            continue
        s = df.get_column(col)
        longest = s.str.len_bytes().max() or 0  # plain codes (4 or 6 digits): one cheap test
        if longest < 6 or (longest == 6 and not s.str.contains(r"^\s*[A-Za-z]").any()):
            continue
        code = s.str.extract(CODE_NAME, 1)
        name = s.str.extract(CODE_NAME, 2)
        prefixed = s.str.extract(PREFIXED_CODE, 1)
        if code.is_null().all() and prefixed.is_null().all():
            continue
        new = code.fill_null(prefixed).fill_null(s)
        df = df.with_columns(new.alias(col))
        named = pl.DataFrame({"code": code, "name": name, "line": df.get_column(LINE)}).filter(
            pl.col("code").is_not_null()
        )
        if named.height:
            g = (
                named.group_by(["code", "name"], maintain_order=True)
                .agg(pl.col("line").min(), pl.len().alias("cells"))
                .with_columns(pl.lit(col).alias("column"))
            )
            found.append(g.to_pandas())
    out = pd.concat(found, ignore_index=True)[NAME_COLUMNS] if found else pd.DataFrame(columns=NAME_COLUMNS)
    return df, out


def reference_names(code_map: pd.DataFrame, bydeler: dict[str, str]) -> pd.DataFrame:
    """``code, name, first_year, last_year``: every name a kommune code has had (``code_map``'s
    ``names`` column, from the crosswalk) and the Oslo bydeler's."""
    rows = [
        (c, n, f, lst)
        for c, names, f, lst in zip(
            code_map["code"], code_map["names"], code_map["first_year"], code_map["last_year"]
        )
        for n in names
    ]
    rows += [(c, n, None, None) for c, n in bydeler.items()]
    return pd.DataFrame(rows, columns=["code", "name", "first_year", "last_year"])


def check_code_names(written: pd.DataFrame, reference: pd.DataFrame, path: str) -> None:
    """Every (code, name) written must pair a code with one of its own names; else one problem per
    distinct pair (its first line and number of cells), naming the code the name belongs to."""
    if written is None or written.empty:
        return
    own: dict[str, set] = {}
    whose: dict[str, set] = {}
    parts: dict[str, set] = {}  # the parts of a name in several languages ("Kárášjohka - Karasjok")
    for code, name in zip(reference["code"], reference["name"]):
        variants = name_variants(name)
        for v in variants:
            own.setdefault(code, set()).add(v)
            whose.setdefault(v, set()).add(code)
        if len(variants) > 2:
            parts.setdefault(code, set()).update(v for v in variants - {base_name(name)} if len(v) >= 4)
    shown = reference.drop_duplicates("code", keep="last").set_index("code")["name"]
    for r in written.itertuples(index=False):
        given = name_variants(r.name)
        if given & own.get(r.code, set()):
            continue
        whole = base_name(r.name)  # the languages without the dash: "Kárášjohka Karasjok"
        if any(whole.startswith(p) or whole.endswith(p) for p in parts.get(r.code, ())):
            continue
        if r.code not in own:
            continue  # an unknown code: the column's own code check names it
        others = sorted(set().union(*(whose.get(v, set()) for v in given)) - {r.code})
        where = (
            f"it is the name of {', '.join(f'{c} ({shown[c]})' for c in others[:NAMES_SHOWN])}"
            if others
            else "no kommune or bydel has had that name"
        )
        report(
            InputError(
                path,
                f"«{r.name[:60]}» is not the name of {r.code} ({shown[r.code]}): {where} "
                f"({r.cells} cell(s) with this code and name); correct the code or the name",
                line=int(r.line),
                column=r.column,
                value=r.code,
            )
        )


def name_lookup(codes: Iterable[str], names: Iterable[str]) -> tuple[dict, dict]:
    """(full name -> codes, base name -> codes) of a list of units and their names."""
    full: dict[str, set] = {}
    base: dict[str, set] = {}
    for c, n in zip(codes, names):
        full.setdefault(full_name(n), set()).add(c)
        for v in name_variants(n):
            base.setdefault(v, set()).add(c)
    return full, base


def resolve_names(
    df: pd.DataFrame, column: str, lookup: tuple[dict, dict], path: str, role: str, source: str
) -> pd.DataFrame:
    """Cells of ``column`` that hold a NAME (no digit) replaced by the one unit of that name in
    ``lookup`` (:func:`name_lookup`); names several units share and names no unit has are listed,
    all of them, in one problem each (``source`` says where the names come from)."""
    col = df[column].fillna("").astype(str).str.strip()
    is_name = (col != "") & ~col.str.contains(r"\d")
    if not is_name.any():
        return df
    full, base = lookup
    resolved, ambiguous, unknown = {}, {}, {}
    for name in dict.fromkeys(col[is_name]):
        hit = full.get(full_name(name)) or base.get(base_name(name)) or set()
        if len(hit) == 1:
            resolved[name] = next(iter(hit))
        elif hit:
            ambiguous[name] = sorted(hit)
        else:
            unknown[name] = None
    first = {n: int(df.loc[is_name & (col == n), LINE].iloc[0]) for n in [*ambiguous, *unknown]}
    if ambiguous:
        listed = "; ".join(
            f"«{n[:40]}» (line {first[n]}: {' or '.join(c)})"
            for n, c in list(ambiguous.items())[:NAMES_SHOWN]
        )
        more = f"; and {len(ambiguous) - NAMES_SHOWN} more" if len(ambiguous) > NAMES_SHOWN else ""
        report(
            InputError(
                path,
                f"{len(ambiguous)} unit name(s) that several units of {source} share: {listed}{more}; "
                f"name the unit under mapping.{role}.values.{column} (e.g. Herøy: '1818')",
                line=first[next(iter(ambiguous))],
                column=column,
                value=next(iter(ambiguous))[:40],
            )
        )
    if unknown:
        listed = ", ".join(f"«{n[:40]}» (line {first[n]})" for n in list(unknown)[:NAMES_SHOWN])
        more = f" and {len(unknown) - NAMES_SHOWN} more" if len(unknown) > NAMES_SHOWN else ""
        report(
            InputError(
                path,
                f"{len(unknown)} unit name(s) that no unit of {source} has: {listed}{more}; correct "
                f"them or map them under mapping.{role}.values.{column}",
                line=first[next(iter(unknown))],
                column=column,
                value=next(iter(unknown))[:40],
            )
        )
    out = df.copy()
    out[column] = pd.Series(
        [resolved.get(v, v) if n else v for v, n in zip(df[column], is_name)],
        index=df.index,
        dtype=df[column].dtype,
    )
    return out
