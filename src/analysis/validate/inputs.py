"""`snakemake validate`: every problem of every configured input in one run, without the report.

The build stops at the first problem of an input (an :class:`InputError`); here the same
readers run inside :func:`analysis.core.errors.collecting`, so that each check reports every
failing row and the reader goes on. A problem that makes the rest of a file unreadable (not a
table, a missing header) ends that input's checks; the other inputs are still checked.

Output (../shared/CONTRACT.md, "Validation"): ``reports/validation.csv`` with
``input,line,column,problem`` (line 1-based, header = line 1; empty for a whole-file problem)
and ``reports/validation.html``. Neither ever shows a cell's value: the problem text is the
check's message, which names columns, codes of the codebook and counts, not the data.
"""

from __future__ import annotations

import csv
import html
import logging
import time
from collections.abc import Callable
from pathlib import Path

from polars.exceptions import PanicException

from analysis.core.errors import InputError, cap, collecting

log = logging.getLogger("validate")
COLUMNS = ["input", "line", "column", "problem"]
LIMIT = 5000  # problems kept per input (the contract asks for at least the first 1 000)
PROBLEM_CHARS = 300


def problem_row(role: str, err: InputError) -> dict:
    """One row of validation.csv: no value, a capped message."""
    return {
        "input": role,
        "line": "" if err.line is None else int(err.line),
        "column": "" if err.column is None else str(err.column),
        "problem": cap(err.message, PROBLEM_CHARS),
    }


def run_check(role: str, check: Callable[[], object]) -> tuple[list[dict], object]:
    """Run one input's checks collecting every problem; returns (rows, the check's result or None)."""
    rows, result, _ = run_check_counted(role, check)
    return rows, result


def run_check_counted(role: str, check: Callable[[], object]) -> tuple[list[dict], object, object]:
    """:func:`run_check`, and the check's result even when it found problems (for row counts)."""
    result = None
    with collecting(LIMIT) as problems:
        try:
            result = check()
        except InputError as err:  # the rest of the file cannot be checked
            problems.add(err)
        except (Exception, PanicException) as err:  # a check tripping over data an earlier problem
            # left in place, or a polars panic (not an Exception, issue 27)
            if problems:  # those problems are the cause: they are listed, the trip is not news
                log.info(
                    "%s: later checks skipped after %d problem(s) (%s)",
                    role,
                    len(problems),
                    type(err).__name__,
                )
            else:
                # by its kind only: its text and traceback may quote the data (issue 27)
                log.error("%s: checks stopped (%s)", role, type(err).__name__)
                problems.add(
                    InputError(
                        role,
                        f"checks of this input stopped ({type(err).__name__}); fix the problems a build "
                        "names and validate again",
                    )
                )
    rows = sorted((problem_row(role, e) for e in problems), key=lambda r: (r["line"] != "", r["line"] or 0))
    rows = without_cascades(rows)
    if problems.more:
        rows.append(
            {"input": role, "line": "", "column": "", "problem": f"... and {problems.more} more problems"}
        )
    return rows, (None if rows else result), result


def without_cascades(rows: list[dict]) -> list[dict]:
    """One problem per cell: a value that fails its first check (a code in the wrong format) also
    fails every later check of the same column (not in the frame, not valid in the year); only
    the first, the cause, is listed (problems of the whole file or the header are all kept)."""
    seen, out = set(), []
    for r in rows:
        key = (r["line"], r["column"])
        if r["line"] != "" and int(r["line"]) > 1 and r["column"]:
            if key in seen:
                continue
            seen.add(key)
        out.append(r)
    return out


def causes(rows: list[dict], shown: int = 5) -> list[dict]:
    """The problems grouped by cause (input, column, problem): ``count`` and the first ``lines``,
    in the order the causes first occur."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        key = (r["input"], r["column"], r["problem"])
        g = groups.setdefault(
            key,
            {"input": r["input"], "column": r["column"], "problem": r["problem"], "count": 0, "lines": []},
        )
        g["count"] += 1
        if r["line"] != "" and len(g["lines"]) < shown:
            g["lines"].append(int(r["line"]))
    return list(groups.values())


def row_counts(result, rows: list[dict]) -> dict:
    """Rows an input's check read, kept, left out by the mapping (``keep_rows``) and with problems.
    ``result`` is what the check returned: a frame (``attrs['excluded']``: ledger rows of the
    mapping) or a dict with ``rows`` and ``excluded``; None when the file could not be read."""
    bad = len({r["line"] for r in rows if r["line"] != "" and int(r["line"]) > 1})
    if result is None:
        return {"rows": None, "kept": None, "excluded": None, "with_problems": bad}
    if isinstance(result, dict):
        n, excluded = result["rows"], result.get("excluded") or []
    else:
        n, excluded = len(result), result.attrs.get("excluded") or []
    out = sum(int(k) for _, k in excluded)
    return {"rows": n + out, "kept": max(n - bad, 0), "excluded": out, "with_problems": bad}


def check_inputs(paths: dict[str, str], s: dict, public: dict[str, str], codebook: str) -> list[dict]:
    """Every problem of every input in ``paths`` (role -> file), in role order."""
    return check_inputs_counted(paths, s, public, codebook)[0]


def check_inputs_counted(
    paths: dict[str, str], s: dict, public: dict[str, str], codebook: str
) -> tuple[list[dict], dict[str, dict]]:
    """Every problem of every input in ``paths`` (role -> file), in role order, and per input its
    row counts (:func:`row_counts`).

    ``s`` holds the settings of the rule (mapping, register_end, split_to, study_years, kostra
    content codes); ``public`` the reference files the checks need (crosswalk, population,
    geo_bydeler)."""
    from analysis.core.codenames import reference_names
    from analysis.core.kommune import BYDEL_NAMES, study_code_map
    from analysis.core.study import Study
    from analysis.survey.codebook import load_codebook

    mapping = s.get("mapping") or {}
    study = Study.from_dict(s["study"])
    code_map = study_code_map(
        public["crosswalk"],
        dict(s["split_to"]),
        study.structure,
        public.get("crosswalk_2024"),
        dict(s["split_to_2024"]),
    )
    cb = load_codebook(codebook)
    names = reference_names(code_map, BYDEL_NAMES)
    rows: list[dict] = []
    counts: dict[str, dict] = {}

    def checked(role, fn):
        nonlocal rows
        t0 = time.perf_counter()
        found, result, read = run_check_counted(role, fn)
        counts[role] = row_counts(read, found)
        c = counts[role]
        log.info(
            "%s: %s rows read, %s kept, %s excluded by the mapping, %d with problems; %d problem(s) "
            "from %d cause(s), %.1f s",
            role,
            c["rows"],
            c["kept"],
            c["excluded"],
            c["with_problems"],
            len(found),
            len(causes(found)),
            time.perf_counter() - t0,
        )
        for g in causes(found):
            log.info("  %s %s: %s (%d x, lines %s)", role, g["column"], g["problem"], g["count"], g["lines"])
        rows += found
        return result

    if "register" in paths:
        from analysis.imdi.register import check_register

        checked(
            "register",
            lambda: check_register(
                paths["register"],
                code_map,
                study.register_end,
                start=study.register_start,
                mapping=mapping.get("register"),
            ),
        )
    # survey waves: every frame first (a wave's answers are checked against its frame), then the
    # answers wave by wave; a wave without a frame against the kommune codes valid in its year
    from analysis.survey.ingest import check_frame, read_survey, units_of_year, validate_survey

    waves = study.waves
    frames = {}
    for w in waves:
        if w.frame_role and w.frame_role in paths:
            frames[w.year] = checked(
                w.frame_role,
                lambda w=w: check_frame(
                    paths[w.frame_role], mapping.get(w.frame_role), w.frame_role, code_map, w.year, names
                ),
            )
    for w in waves:
        if w.survey_role not in paths:
            continue
        m = mapping.get(w.survey_role) or {}
        frame = frames.get(w.year)

        def survey(w=w, m=m, frame=frame):
            df = read_survey(paths[w.survey_role], cb, w.year, m, reference=names)
            excluded = df.attrs["excluded"]
            out = validate_survey(
                df,
                cb,
                w.year,
                paths[w.survey_role],
                valid_units=None if frame is None else set(frame["unit_id"]),
                code_map=code_map if frame is None else None,
                unit_names=units_of_year(code_map, w.year)
                if frame is None
                else frame[["unit_id", "unit_name"]],
                checkbox_unticked=m.get("checkbox_unticked"),
                checkbox_all_empty=m.get("checkbox_all_empty"),
            )
            out.attrs["excluded"] = excluded
            return out

        checked(w.survey_role, survey)
    if "kostra_12012" in paths:
        from analysis.official import kostra

        def kostra_check():
            ds = kostra.read_kostra(paths["kostra_12012"])
            kostra.check_region_names(ds, code_map)
            cells = kostra.cells(ds, s["kostra_new"], s["kostra_rej"])
            kostra.validate_codes(cells, set(code_map["code"]), paths["kostra_12012"])
            kostra.check_codes_by_year(cells, code_map, paths["kostra_12012"])
            kostra.check_years(cells, s["kostra_years"], paths["kostra_12012"])
            return {"rows": len(cells), "excluded": []}  # region x year rows

        checked("kostra_12012", kostra_check)
    if "imdi_public" in paths:
        from analysis.imdi.public import read_imdi_public, select_persons

        def public_check():
            df = read_imdi_public(paths["imdi_public"])
            select_persons(df, tuple(s["study_years"]), code_map, paths["imdi_public"])
            return df

        checked("imdi_public", public_check)
    if "imdi_annual" in paths:
        from analysis.official.imdi_annual import read_imdi_annual

        checked("imdi_annual", lambda: read_imdi_annual(paths["imdi_annual"]))
    if "udi_privatboende" in paths:
        from analysis.official.udi import read_udi

        checked("udi_privatboende", lambda: read_udi(paths["udi_privatboende"], tuple(s["udi_years"])))
    if "husbanken" in paths:
        from analysis.official.cited import read_cited

        checked("husbanken", lambda: read_cited(paths["husbanken"], set(s["husbanken_measures"])))
    return rows, counts


def write_validation_csv(rows: list[dict], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_validation_html(
    rows: list[dict], paths: dict[str, str], path: str | Path, row_counts: dict[str, dict] | None = None
) -> None:
    """A self-contained page: a summary per input (rows read, kept, excluded), the problems grouped
    by cause, then every problem (no cell values)."""
    e = html.escape
    counts = {role: sum(1 for r in rows if r["input"] == role) for role in paths}
    rc = row_counts or {}

    def num(role, key):
        v = (rc.get(role) or {}).get(key)
        return "" if v is None else f"{v}"

    summary = "".join(
        f"<tr><td>{e(role)}</td><td>{e(Path(p).name)}</td><td>{num(role, 'rows')}</td>"
        f"<td>{num(role, 'kept')}</td><td>{num(role, 'excluded')}</td><td>{num(role, 'with_problems')}</td>"
        f"<td class='{'bad' if counts[role] else 'ok'}'>{counts[role] or 'OK'}</td></tr>"
        for role, p in paths.items()
    )
    by_cause = "".join(
        f"<tr><td>{e(g['input'])}</td><td>{e(g['column'])}</td><td>{e(g['problem'])}</td>"
        f"<td>{g['count']}</td><td>{', '.join(map(str, g['lines']))}{' ...' if g['count'] > len(g['lines']) and g['lines'] else ''}</td></tr>"
        for g in causes(rows)
    )
    body = "".join(
        f"<tr><td>{e(r['input'])}</td><td>{r['line']}</td><td>{e(r['column'])}</td><td>{e(r['problem'])}</td></tr>"
        for r in rows
    )
    verdict = (
        f"{len(rows)} problem(s) found: fix them in the source export (or in the config's "
        "<code>mapping:</code>) and run <code>snakemake validate</code> again."
        if rows
        else "No problems found: every input can be read. Build the report with <code>snakemake</code>."
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Input validation</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
td.bad {{ color: #a00; font-weight: bold; }}
td.ok {{ color: #070; }}
</style></head><body>
<h1>Input validation</h1>
<p>{verdict}</p>
<p>Lines are 1-based with the header as line 1 (for Excel the sheet row, for Parquet and SPSS the
record number + 1); an empty line means the whole file. Cell values are never shown.</p>
<h2>Inputs</h2>
<p>Rows read, kept (read with no problem), excluded by the mapping's <code>keep_rows</code> (counted
in the row ledger), and rows with at least one problem.</p>
<table><thead><tr><th scope="col">input</th><th scope="col">file</th><th scope="col">rows read</th>
<th scope="col">kept</th><th scope="col">excluded</th><th scope="col">rows with problems</th>
<th scope="col">problems</th></tr></thead>
<tbody>{summary}</tbody></table>
<h2>Problems by cause</h2>
<p>One line per cause: how many cells it concerns and the first lines. A cell is listed once, under
the first check it fails (a code in the wrong format is not also "not in the frame").</p>
<table><thead><tr><th scope="col">input</th><th scope="col">column</th><th scope="col">problem</th>
<th scope="col">count</th><th scope="col">first lines</th></tr></thead>
<tbody>{by_cause}</tbody></table>
<h2>Every problem</h2>
<table><thead><tr><th scope="col">input</th><th scope="col">line</th><th scope="col">column</th><th scope="col">problem</th></tr></thead>
<tbody>{body}</tbody></table>
</body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
