"""Ingest and validate the municipal survey waves (2016, 2021 ...) and their frames.

Every check stops the run with the file, line, column and value (:class:`InputError`):
codes outside an item's scale, answers to items the unit was not routed to (yes-branch items for
units that answered no/don't know to the filter; channel, rule and refusal options where their
gate question was not yes), a missing filter answer, duplicate units, and unit ids that are not
in the wave's frame or, for a wave without a frame, not kommune/bydel codes valid in its year. Open-text answers never leave this
module: they are reduced to an answered flag and to counts of codebook-defined patterns.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd

from analysis.core.codenames import check_code_names, name_lookup, resolve_names
from analysis.core.errors import InputError, first_bad, report
from analysis.core.kommune import BYDEL_NAMES, OSLO, OSLO_BYDELER, UNKNOWN_CODE
from analysis.core.textio import LINE  # the same column name as analysis.core.intake's
from analysis.survey.codebook import Codebook

FRAME_COLUMNS = ["unit_id", "unit_name", "unit_type"]
UNIT_TYPES = ("kommune", "bydel")
_UNIT = re.compile(r"^(\d{4}|0301\d{2})$")
_KOMMUNE = re.compile(r"\d{4}")
_BYDEL = re.compile(r"0301\d{2}")

# Input messages quote the codebook's labels in the questionnaire's own language (the words in the
# file), whatever language the report is written in.
QUESTIONNAIRE = "no"


def read_frame(
    path: str,
    mapping: dict | None = None,
    reference: pd.DataFrame | None = None,
    role: str = "survey_frame",
) -> pd.DataFrame:
    """A wave's frame: one row per unit the survey was sent to (any format; ``mapping`` is the
    config's ``mapping.<role>``, ``role`` e.g. ``survey_frame_2021``); "code name" unit ids are
    checked against ``reference`` (:func:`analysis.core.codenames.reference_names`).
    ``attrs["excluded"]``: the ledger rows of ``keep_rows``."""
    from analysis.core.intake import read_pandas  # polars: imported by the jobs that read a file (issue 28)

    df, t = read_pandas(path, role, FRAME_COLUMNS, mapping=mapping, codes=("unit_id",))
    if reference is not None:
        check_code_names(t.code_names, reference, path)
    df.attrs["excluded"] = list(t.excluded)
    _check_unit_format(df, path)
    _check_unique(df, path)
    bad = ~df["unit_type"].isin(UNIT_TYPES)
    first_bad(bad, df, path, "unit_type", f"unit_type must be one of {list(UNIT_TYPES)}", line_col=LINE)
    is_bydel = df["unit_id"].str.len() == 6
    first_bad(
        is_bydel != (df["unit_type"] == "bydel"),
        df,
        path,
        "unit_type",
        "unit_type does not match the unit_id (6 digits = Oslo bydel)",
        line_col=LINE,
    )
    first_bad(
        is_bydel & ~df["unit_id"].isin(OSLO_BYDELER),
        df,
        path,
        "unit_id",
        "not an Oslo bydel number (030101-030115)",
        line_col=LINE,
    )
    first_bad(
        df["unit_id"] == OSLO,
        df,
        path,
        "unit_id",
        "Oslo kommune is not a unit of the frame (its 15 bydeler are)",
        line_col=LINE,
    )
    return df


def validate_frame(
    df: pd.DataFrame,
    path: str,
    kommuner: set[str],
    bydeler: set[str],
    *,
    structure: str,
) -> pd.DataFrame:
    """Check a frame (as read by :func:`read_frame`): unique, valid, consistent units.

    Every kommune of the frame's structure (``kommuner``: the codes valid in the wave's year,
    ``structure`` their label, "2020" for 2020-2023) except Oslo and every bydel must be present
    once (2021: 355 + 15 = 370 units); a 4-digit code must be one of them with ``unit_type``
    kommune, a 6-digit code an Oslo bydel with ``unit_type`` bydel. Errors name the file, line,
    column and value.
    """

    def bad(mask, column, message):
        first_bad(mask, df, path, column, message, line_col=LINE)

    uid, utype = df["unit_id"], df["unit_type"]
    bad(uid == "", "unit_id", "empty unit_id")
    form = uid.str.fullmatch(_KOMMUNE.pattern) | uid.str.fullmatch(_BYDEL.pattern)
    bad(
        ~form & (uid != ""),
        "unit_id",
        "unit_id must be a 4-digit kommunenummer or a 6-digit Oslo bydel number 0301NN (keep leading "
        "zeros: 301 is 0301, 30101 is 030101; store the column as text)",
    )
    bad(uid == OSLO, "unit_id", "Oslo (0301) is not a frame unit: its 15 bydeler are")
    is_k = uid.str.len() == 4
    bad(is_k & ~uid.isin(kommuner), "unit_id", f"not a kommunenummer of the {structure} structure")
    bad(~is_k & ~uid.isin(bydeler), "unit_id", "not one of Oslo's 15 bydeler (030101-030115)")
    bad(~utype.isin(UNIT_TYPES), "unit_type", f"unit_type must be one of {list(UNIT_TYPES)}")
    bad(is_k & (utype != "kommune"), "unit_type", "a 4-digit unit_id must have unit_type kommune")
    bad(~is_k & (utype != "bydel"), "unit_type", "a 6-digit unit_id must have unit_type bydel")
    bad(df["unit_name"] == "", "unit_name", "empty unit_name")
    bad(uid.duplicated(), "unit_id", "duplicate unit_id")
    expected = (set(kommuner) - {OSLO}) | set(bydeler)
    missing = sorted(expected - set(uid))
    if missing:
        n_form = int((~form).sum())
        cause = (
            f"; {n_form} row(s) hold a unit_id that is not a code of that form (reported by line): "
            "that is the cause, fix it first"
            if n_form
            else ""
        )
        report(
            InputError(
                path,
                f"{len(missing)} unit(s) of the {len(expected)} missing from the frame, first {missing[:5]}{cause}",
                column="unit_id",
                value=missing[0],
            )
        )
    return df[FRAME_COLUMNS].sort_values("unit_id").reset_index(drop=True)


def check_frame(
    path: str, mapping: dict, role: str, code_map: pd.DataFrame, year: int, reference: pd.DataFrame | None
) -> pd.DataFrame:
    """Read a wave's frame and check it whole (:func:`read_frame`, then :func:`validate_frame`
    against the kommune codes valid in ``year``); the frame in its file's order."""
    frame = read_frame(path, mapping, reference, role)
    kommuner, label = valid_codes(code_map, year)
    validate_frame(frame, path, kommuner, set(OSLO_BYDELER), structure=label)
    return frame


def _check_unit_format(df: pd.DataFrame, path: str) -> None:
    bad = ~df["unit_id"].str.match(_UNIT)
    first_bad(
        bad,
        df,
        path,
        "unit_id",
        "unit_id must be a 4-digit kommunenummer or a 6-digit Oslo bydel number 0301NN (keep leading zeros)",
        line_col=LINE,
    )


def _check_unique(df: pd.DataFrame, path: str) -> None:
    first_bad(
        df["unit_id"].duplicated(),
        df,
        path,
        "unit_id",
        "duplicate unit: one row per unit expected",
        line_col=LINE,
    )


def read_survey(
    path: str, cb: Codebook, year: int, mapping: dict | None = None, reference: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read a survey file: ``unit_id`` plus one column per codebook item of ``year``, in any
    format, ``mapping`` (the config's ``mapping.survey_<year>``) applied. SPSS value labels are
    checked against the codebook scales (:func:`check_labels`). ``attrs``: ``excluded``
    (ledger rows of ``keep_rows``) and ``missing`` (items absent, collecting mode)."""
    from analysis.core.intake import read_pandas  # polars: imported by the jobs that read a file (issue 28)

    items = cb.items_for(year)
    try:
        df, t = read_pandas(path, f"survey_{year}", ["unit_id", *items], mapping=mapping, codes=("unit_id",))
    except InputError as err:  # an error must not print an open-text answer (logs are outputs)
        closed = err.column == "unit_id" or (err.column in cb.items and not cb.is_open(err.column))
        if err.line and err.line > 1 and err.value is not None and not closed:
            err.value = "(withheld: the cell or row may hold open text)"
        raise
    if (mapping or {}).get("labels") == "codebook":
        df = codebook_labels(df, cb, items, path, f"survey_{year}")
    check_labels(t.labels, cb, items, path)
    if reference is not None:  # "0301 Oslo" cells: the name must be the code's
        check_code_names(t.code_names, reference, path)
    df.attrs["excluded"] = list(t.excluded)
    df.attrs["missing"] = list(t.missing)
    return df


def _spaceless(label) -> str:
    """A label compared as ``labels: codebook`` compares it: case and all spacing ignored."""
    return re.sub(r"\s+", "", str(label)).casefold()


def label_codes(cb: Codebook, item: str) -> dict[str, str]:
    """Every text a label export may write for ``item`` -> its code (as text): the scale's labels
    in both languages, the codes themselves, the scale's ``aliases`` (a box written "Ja" or "X"),
    and for a checkbox option its own option text (tools write the ticked option's text in its
    column) -> 1."""
    out: dict[str, str] = {}
    for code, names in cb.scales[cb.items[item]["scale"]]["codes"].items():
        out[_spaceless(code)] = str(int(code))
        for lang in ("no", "en"):
            if names.get(lang):
                out.setdefault(_spaceless(names[lang]), str(int(code)))
    for code, words in (cb.scales[cb.items[item]["scale"]].get("aliases") or {}).items():
        for word in words:
            out.setdefault(_spaceless(word), str(int(code)))
    if cb.items[item].get("scale") == "checkbox":
        for key, text in cb.items[item].items():
            if key.startswith("label") and isinstance(text, str) and text.strip():
                out.setdefault(_spaceless(text), "1")
    return out


LABELS_SHOWN = 5


def codebook_labels(df: pd.DataFrame, cb: Codebook, items: list[str], path: str, role: str) -> pd.DataFrame:
    """``labels: codebook``: every closed item's cells from option labels to codes (case and
    spacing ignored; a code written as such is kept). Labels the codebook does not know are
    reported once per item, all of them at once (up to five shown, with their count and first
    line); open-text items are left alone."""
    df = df.copy()
    for item in items:
        if item not in df.columns or cb.is_open(item):
            continue
        known = label_codes(cb, item)
        col = df[item].fillna("").astype(str)
        key = col.map(_spaceless)
        codes = key.map(known)
        unknown = (col.str.strip() != "") & codes.isna()
        if unknown.any():
            labels = list(dict.fromkeys(col[unknown].str.strip()))
            first = int(df.loc[unknown, LINE].iloc[0])
            shown = ", ".join(f"«{lab[:40]}»" for lab in labels[:LABELS_SHOWN])
            more = f" and {len(labels) - LABELS_SHOWN} more" if len(labels) > LABELS_SHOWN else ""
            report(
                InputError(
                    path,
                    f"mapping.{role}.labels is codebook, but item {item} has {len(labels)} label(s) the "
                    f"codebook's scale {cb.items[item]['scale']} does not know: {shown}{more} "
                    f"({int(unknown.sum())} cells); the scale's labels are "
                    f"{sorted({cb.code_label(item, int(c), QUESTIONNAIRE) for c in cb.codes(item)})}; recode others with "
                    f"mapping.{role}.values",
                    line=first,
                    column=item,
                    value=labels[0][:40],
                )
            )
        df[item] = codes.where(~unknown, col).fillna("")
    return df


def _norm_label(label: str) -> str:
    return re.sub(r"[\s.:;!]+", " ", str(label)).strip().casefold()


def check_labels(labels: dict[str, dict[str, str]], cb: Codebook, items: list[str], path: str) -> None:
    """SPSS value labels must not contradict the codebook: a code whose label is the codebook's
    label of ANOTHER code of the item's scale (a reversed 1-5 scale, codes shifted by one)
    stops the run naming the item. Labels the codebook does not know (other wording) are not
    judged; the codes themselves are checked against the scale as for any format."""
    for item in items:
        if item not in labels or cb.is_open(item):
            continue
        scale = cb.items[item]["scale"]
        known = {}
        for code, names in cb.scales[scale]["codes"].items():
            for lang in ("no", "en"):
                if names.get(lang):
                    known.setdefault(_norm_label(names[lang]), int(code))
        wrong = [
            (code, label, known[_norm_label(label)])
            for code, label in labels[item].items()
            if _norm_label(label) in known and code != str(known[_norm_label(label)])
        ]
        if wrong:
            code, label, should = wrong[0]
            report(
                InputError(
                    path,
                    f"SPSS value labels of item {item} contradict the codebook scale {scale}: code {code} "
                    f"is labelled «{label}», which is code {should} («{cb.code_label(item, should, QUESTIONNAIRE)}») in the "
                    f"codebook ({len(wrong)} code(s) in all; a reversed or shifted scale? recode it with "
                    f"mapping values)",
                    line=1,  # the header, where the variable (and its labels) is defined
                    column=item,
                    value=label,
                )
            )


def validate_survey(
    df: pd.DataFrame,
    cb: Codebook,
    year: int,
    path: str,
    valid_units: set[str] | None = None,
    code_map: pd.DataFrame | None = None,
    checkbox_unticked: str | int | None = None,
    checkbox_all_empty: str | None = None,
    unit_names: pd.DataFrame | None = None,
):
    """Check one wave; return it with numeric item columns (open text as strings).

    Checkbox options (scale ``checkbox``), see docs/decisions/0011: with ``checkbox_unticked``
    (the config's ``mapping.survey_<year>.checkbox_unticked``) every option of a routed unit
    written that way is 0 (unticked); without it, an empty option beside answered options of
    the same question is an error (an export that writes unticked boxes as empty would make
    every option 100 %), while a question whose options are all empty was not answered (the
    contract's shape: empty = not answered). With ``checkbox_unticked: ""`` the export cannot
    tell a question left out from one answered with no box ticked: ``checkbox_all_empty``
    (``unanswered`` or ``none_ticked``) must say which, else the run stops."""
    missing = set(df.attrs.get("missing", ()))
    if unit_names is not None:  # units given by name only
        lookup = name_lookup(unit_names["unit_id"], unit_names["unit_name"])
        source = "the 2021 frame" if valid_units is not None else f"the kommuner and bydeler of {year}"
        df = resolve_names(df, "unit_id", lookup, path, f"survey_{year}", source)
    df = _unticked(df, cb, year, path, checkbox_unticked, checkbox_all_empty)
    _check_unit_format(df, path)
    _check_unique(df, path)
    if valid_units is not None:
        first_bad(
            ~df["unit_id"].isin(valid_units),
            df,
            path,
            "unit_id",
            f"unit_id is not in the {year} survey frame",
            line_col=LINE,
        )
    if code_map is not None:
        is_bydel = df["unit_id"].str.len() == 6
        ok = df["unit_id"].isin(
            set(code_map.loc[code_map["first_year"] <= year, "code"])
            & set(code_map.loc[code_map["last_year"] >= year, "code"])
        )
        ok |= is_bydel & df["unit_id"].isin(OSLO_BYDELER)
        first_bad(
            ~ok,
            df,
            path,
            "unit_id",
            f"unit_id is not a kommunenummer valid in {year} nor an Oslo bydel number",
            line_col=LINE,
        )
    items = cb.items_for(year)
    # the closed items' text to numbers in one call (the same numbers as one call per column:
    # `to_numeric` converts each cell on its own), then numpy per item (issue 28)
    closed = [item for item in items if not cb.is_open(item)]
    given = (df[closed] != "").to_numpy().T
    nums = pd.to_numeric(
        pd.Series(df[closed].to_numpy(dtype=object).T.ravel()).where(given.ravel()), errors="coerce"
    )
    nums = nums.to_numpy(dtype=float).reshape(len(closed), len(df))
    cols = {"unit_id": df["unit_id"].copy(), LINE: df[LINE].copy()}
    for item in items:
        if cb.is_open(item):
            col = df[item]
            cols[item] = col.where(col != "", None)
            continue
        j = closed.index(item)
        codes = cb.codes(item)
        num = nums[j]
        bad = given[j] & (np.isnan(num) | ~np.isin(num, codes) | (num != np.round(num)))
        num = np.where(bad, np.nan, num)  # (collecting mode goes on with the bad cells left out)
        first_bad(
            bad,
            df,
            path,
            item,
            f"code not in the scale {cb.items[item]['scale']} "
            f"of item {item} (valid: {codes}; empty = not answered)",
            line_col=LINE,
        )
        cols[item] = pd.Series(num, index=df.index).astype("Int64")
    out = pd.DataFrame(cols, index=df.index)
    out.attrs = copy.deepcopy(df.attrs)  # what `df[[...]].copy()` carried over (the ledger reads it)
    # routing: an item may only be answered where its gate question was answered with a gate code
    for item in items:
        g = cb.gate(item)
        if item in missing or (g is not None and g["item"] in missing):
            continue
        if g is None:
            if cb.items[item]["block"] == "filter":
                first_bad(
                    out[item].isna(),
                    df,
                    path,
                    item,
                    "the filter question must be answered by every responding unit",
                    line_col=LINE,
                )
            continue
        if g["item"] not in out.columns:
            report(
                InputError(
                    path,
                    f"item {item} is gated by {g['item']}, which is not a column of the {year} file",
                    line=1,
                    column=item,
                )
            )
            continue
        answered = out[item].notna()
        routed = out[g["item"]].isin(g["in"]).fillna(False).astype(bool)
        kind = "routing violation" if cb.items[g["item"]]["block"] == "filter" else "gate-question violation"
        gate_labels = "/".join(cb.code_label(g["item"], c, QUESTIONNAIRE) for c in g["in"])
        first_bad(
            answered & ~routed,
            df,
            path,
            item,
            f"{kind}: answered although {g['item']} is not {gate_labels} "
            f"(only units with {g['item']} in {g['in']} are asked {item})",
            line_col=LINE,
        )
    return out


def _routed(df: pd.DataFrame, cb: Codebook, item: str) -> pd.Series:
    """Units asked ``item`` (by its gate's answer as written; all units if it has no gate)."""
    g = cb.gate(item)
    if g is None or g["item"] not in df.columns:
        return pd.Series(True, index=df.index)
    gate = pd.to_numeric(df[g["item"]].where(df[g["item"]] != ""), errors="coerce")
    return gate.isin(g["in"]).fillna(False).astype(bool)


def _unticked(
    df: pd.DataFrame, cb: Codebook, year: int, path: str, unticked: str | int | None, all_empty: str | None
) -> pd.DataFrame:
    """Checkbox options as 0/1: the export's unticked marker becomes 0 for routed units (empty
    for units not asked); an empty option beside answered options of the same question is an
    error when the export's marker is not known (it would make every option 100 %)."""
    blocks: dict[tuple, list[str]] = {}
    for item in cb.items_for(year):
        if item in df.columns and cb.items[item].get("scale") == "checkbox":
            g = cb.gate(item) or {}
            blocks.setdefault((cb.items[item]["block"], g.get("item"), tuple(g.get("in", ()))), []).append(
                item
            )
    if not blocks:
        return df
    df = df.copy()
    marker = None if unticked is None else str(unticked).strip()
    role = f"survey_{year}"
    if marker == "" and all_empty not in ("unanswered", "none_ticked"):
        raise InputError(
            path,
            f'mapping.{role}.checkbox_unticked is "" but mapping.{role}.checkbox_all_empty is not set: '
            "a checkbox question whose boxes are ALL empty is either not answered or answered with "
            "nothing ticked, and the export cannot tell which; set checkbox_all_empty: unanswered "
            "(left out of the base) or none_ticked (every option 0)",
        )
    for opts in blocks.values():
        routed = _routed(df, cb, opts[0])
        if marker:  # an explicit marker ("2", "Nei", "Ikke valgt"): 0 where asked, empty where not
            for o in opts:
                is_marker = df[o] == marker
                df.loc[is_marker, o] = routed[is_marker].map({True: "0", False: ""})
        if marker == "":  # unticked written as empty: every empty option of a routed unit is 0 ...
            asked = routed
            if all_empty == "unanswered":  # ... unless the whole question is empty: not answered
                asked = routed & (df[opts] != "").any(axis=1)
            for o in opts:
                df.loc[asked & (df[o] == ""), o] = "0"
            continue
        answered = (df[opts] != "").any(axis=1) & routed
        for o in opts:
            first_bad(
                answered & (df[o] == ""),
                df,
                path,
                o,
                f"empty checkbox of a routed unit beside answered options of the same question; "
                f"if the export writes an unticked box as empty, set "
                f'mapping.{role}.checkbox_unticked: "" (else every option would count 100 %)',
                line_col=LINE,
            )
    return df


def units_of_year(code_map: pd.DataFrame, year: int) -> pd.DataFrame:
    """``unit_id, unit_name``: the kommune codes valid in ``year`` with every name they had, and
    Oslo's bydeler (the units a wave without a frame may name)."""
    k = code_map[(code_map["first_year"] <= year) & (code_map["last_year"] >= year)]
    rows = [(c, n) for c, names in zip(k["code"], k["names"]) for n in names]
    rows += list(BYDEL_NAMES.items())
    return pd.DataFrame(rows, columns=["unit_id", "unit_name"])


def valid_codes(code_map: pd.DataFrame, year: int) -> tuple[set[str], str]:
    """The kommune codes valid in ``year`` (SSB's unknown-kommune code left out), and the label of
    their structure: the year of the latest code change in force ("2020" for 2020-2023)."""
    y = int(year)
    valid = code_map[(code_map["first_year"] <= y) & (code_map["last_year"] >= y)]
    valid = valid[valid["code"] != UNKNOWN_CODE]
    if valid.empty:
        raise ValueError(f"the code crosswalk knows no kommune codes valid in {y}")
    return set(valid["code"]), str(int(valid["first_year"].max()))


def assemble_wave(
    respondents: pd.DataFrame, code_map: pd.DataFrame | None, frame: pd.DataFrame | None
) -> pd.DataFrame:
    """A processed wave in unit order, whatever the order of the files (sums, intervals and
    weights then do not change in their last digits with the row order): with a frame the whole
    frame (:func:`frame_wave`), without one its respondents; both with ``kommunenummer_2020``, the
    kommune of the study's structure (the name core.kommune gives the harmonised kommune in every
    structure)."""
    if frame is not None:
        fr = frame.drop(columns=[LINE], errors="ignore")
        fr = fr.sort_values("unit_id", kind="stable").reset_index(drop=True)
        return frame_wave(fr, respondents, harmonise_units(fr, code_map))
    out = respondents.sort_values("unit_id", kind="stable").reset_index(drop=True)
    out.insert(1, "kommunenummer_2020", harmonise_units(out, code_map))
    return out


def frame_wave(frame: pd.DataFrame, respondents: pd.DataFrame, kommunenummer: pd.Series) -> pd.DataFrame:
    """A wave with a frame as one table: every frame unit (in the frame's order) with its kommune
    (``kommunenummer_2020``, harmonised), ``responded`` (0/1), ``weight`` (the frame size over the
    respondents for respondents, 0 otherwise) and the answers of the respondents."""
    fr = frame[FRAME_COLUMNS].copy()
    fr["kommunenummer_2020"] = kommunenummer.to_numpy()
    out = fr.merge(respondents, on="unit_id", how="left", indicator=True)
    out.insert(4, "responded", (out.pop("_merge") == "both").astype(int))
    n_resp = int(out["responded"].sum())
    out.insert(5, "weight", out["responded"] * len(fr) / max(n_resp, 1))
    return out


def harmonise_units(df: pd.DataFrame, code_map: pd.DataFrame | None) -> pd.Series:
    """The kommune of each unit in the study's structure (Oslo bydeler -> 0301)."""
    is_bydel = df["unit_id"].str.len() == 6
    if code_map is None:
        return df["unit_id"].where(~is_bydel, OSLO)
    m = code_map.set_index("code")["kommunenummer_2020"]
    return df["unit_id"].map(m).where(~is_bydel, OSLO)


def strip_open_text(df: pd.DataFrame, cb: Codebook, year: int) -> pd.DataFrame:
    """Replace every open-text column by ``<item>__answered`` and the codebook's pattern flags."""
    out = df.copy()
    for code, spec in cb.raw.get("open_text_codes", {}).items():
        if spec["item"] in out.columns:
            pat = re.compile(spec["pattern"])
            out[f"open__{code}"] = (
                out[spec["item"]].map(lambda t: int(bool(t) and bool(pat.search(str(t))))).astype("Int64")
            )
    for item in cb.items_for(year):
        if cb.is_open(item):
            out[f"{item}__answered"] = (
                out[item].map(lambda t: int(t is not None and str(t).strip() != "")).astype("Int64")
            )
            out = out.drop(columns=item)
    return out.drop(columns=[LINE])


def ledger_rows(role: str, n: int) -> dict:
    return {"input": role, "disposition": "used", "reason": "responding unit, validated", "rows": n}
