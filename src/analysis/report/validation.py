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
    result = None
    with collecting(LIMIT) as problems:
        try:
            result = check()
        except InputError as err:  # the rest of the file cannot be checked
            problems.add(err)
        except Exception as err:  # a check tripping over data an earlier problem left in place
            log.exception("%s: checks stopped", role)
            problems.add(
                InputError(
                    role,
                    f"checks of this input stopped after the problems above ({type(err).__name__}); "
                    "fix them and validate again",
                )
            )
    rows = sorted((problem_row(role, e) for e in problems), key=lambda r: (r["line"] != "", r["line"] or 0))
    if problems.more:
        rows.append(
            {"input": role, "line": "", "column": "", "problem": f"... and {problems.more} more problems"}
        )
    return rows, (None if rows else result)


def check_inputs(paths: dict[str, str], s: dict, public: dict[str, str], codebook: str) -> list[dict]:
    """Every problem of every input in ``paths`` (role -> file), in role order.

    ``s`` holds the settings of the rule (mapping, register_end, split_to, study_years, kostra
    content codes); ``public`` the reference files the checks need (crosswalk, population,
    geo_bydeler)."""
    from analysis.core.codenames import reference_names
    from analysis.core.kommune import BYDEL_NAMES, build_code_map, load_kommuner_2020, read_crosswalk_wide
    from analysis.survey.codebook import load_codebook
    from analysis.survey.nonresponse import read_bydeler

    mapping = s.get("mapping") or {}
    code_map = build_code_map(read_crosswalk_wide(public["crosswalk"]), dict(s["split_to"]))
    cb = load_codebook(codebook)
    names = reference_names(code_map, BYDEL_NAMES)
    rows: list[dict] = []
    frame_units = frame_names = None

    def checked(role, fn):
        nonlocal rows
        t0 = time.perf_counter()
        found, result = run_check(role, fn)
        log.info("%s: %d problem(s), %.1f s", role, len(found), time.perf_counter() - t0)
        rows += found
        return result

    if "register" in paths:
        from analysis.imdi.register import check_register

        checked(
            "register",
            lambda: check_register(
                paths["register"], code_map, s["register_end"], mapping=mapping.get("register")
            ),
        )
    if "survey_frame_2021" in paths:
        from analysis.survey.nonresponse import read_frame

        kommuner = set(load_kommuner_2020(public["population"])["kommunenummer"])
        bydeler = set(read_bydeler(public["geo_bydeler"])["bydelsnummer"])
        frame = checked(
            "survey_frame_2021",
            lambda: read_frame(
                paths["survey_frame_2021"], kommuner, bydeler, mapping.get("survey_frame_2021"), names
            ),
        )
        frame_units = None if frame is None else set(frame["unit_id"])
        frame_names = None if frame is None else frame[["unit_id", "unit_name"]]
    for year in (2016, 2021):
        role = f"survey_{year}"
        if role in paths:
            from analysis.survey.ingest import read_survey, units_of_year, validate_survey

            m = mapping.get(role) or {}

            def survey(role=role, year=year, m=m):
                df = read_survey(paths[role], cb, year, m)
                return validate_survey(
                    df,
                    cb,
                    year,
                    paths[role],
                    valid_units=frame_units if year == 2021 else None,
                    code_map=code_map if year == 2016 else None,
                    unit_names=frame_names if year == 2021 else units_of_year(code_map, 2016),
                    reference=names,
                    checkbox_unticked=m.get("checkbox_unticked"),
                    checkbox_all_empty=m.get("checkbox_all_empty"),
                )

            checked(role, survey)
    if "kostra_12012" in paths:
        from analysis.official import kostra

        def kostra_check():
            ds = kostra.read_kostra(paths["kostra_12012"])
            kostra.check_region_names(ds, code_map)
            cells = kostra.cells(ds, s["kostra_new"], s["kostra_rej"])
            kostra.validate_codes(cells, set(code_map["code"]), paths["kostra_12012"])
            kostra.check_codes_by_year(cells, code_map, paths["kostra_12012"])
            kostra.check_years(cells, s["kostra_years"], paths["kostra_12012"])

        checked("kostra_12012", kostra_check)
    if "imdi_public" in paths:
        from analysis.imdi.public import read_imdi_public, select_persons

        checked(
            "imdi_public",
            lambda: select_persons(
                read_imdi_public(paths["imdi_public"]),
                tuple(s["study_years"]),
                code_map,
                paths["imdi_public"],
            ),
        )
    if "imdi_annual" in paths:
        from analysis.imdi.annual import read_imdi_annual

        checked("imdi_annual", lambda: read_imdi_annual(paths["imdi_annual"]))
    if "udi_privatboende" in paths:
        from analysis.official.udi import read_udi

        checked("udi_privatboende", lambda: read_udi(paths["udi_privatboende"], tuple(s["udi_years"])))
    if "husbanken" in paths:
        from analysis.official.cited import read_cited

        checked("husbanken", lambda: read_cited(paths["husbanken"], set(s["husbanken_measures"])))
    return rows


def write_validation_csv(rows: list[dict], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_validation_html(rows: list[dict], paths: dict[str, str], path: str | Path) -> None:
    """A self-contained page: a summary per input, then every problem (no cell values)."""
    e = html.escape
    counts = {role: sum(1 for r in rows if r["input"] == role) for role in paths}
    summary = "".join(
        f"<tr><td>{e(role)}</td><td>{e(Path(p).name)}</td>"
        f"<td class='{'bad' if counts[role] else 'ok'}'>{counts[role] or 'OK'}</td></tr>"
        for role, p in paths.items()
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
<table><thead><tr><th scope="col">input</th><th scope="col">file</th><th scope="col">problems</th></tr></thead>
<tbody>{summary}</tbody></table>
<h2>Problems</h2>
<table><thead><tr><th scope="col">input</th><th scope="col">line</th><th scope="col">column</th><th scope="col">problem</th></tr></thead>
<tbody>{body}</tbody></table>
</body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
