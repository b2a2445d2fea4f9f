"""Provenance: what went in (with checksums), which code made it, and which rule made each output."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

PACKAGES = [
    "snakemake",
    "pandas",
    "polars",
    "pyarrow",
    "numpy",
    "scipy",
    "statsmodels",
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "matplotlib",
    "jinja2",
    "weasyprint",
    "pydyf",
    "pyyaml",
    "jsonschema",
    "openpyxl",
]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def describe_input(role: str, path: str | Path, kind: str) -> dict:
    """One input entry: role, path, sha256, bytes and ``real`` / ``synthetic``."""
    if kind not in ("real", "synthetic"):
        raise ValueError(f"input kind must be 'real' or 'synthetic', not {kind!r}")
    p = Path(path)
    return {
        "role": role,
        "path": str(path),
        "sha256": sha256_file(p),
        "bytes": p.stat().st_size,
        "kind": kind,
    }


def package_versions(names=PACKAGES) -> dict[str, str]:
    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = "not installed"
    return out


def describe_output(path: str | Path) -> dict:
    p = Path(path)
    return {"sha256": sha256_file(p), "bytes": p.stat().st_size}


MANIFEST = "reports/manifest.json"


def manifest(paths) -> dict:
    """``reports/manifest.json``: the sha256 and size of the outputs made after provenance.json
    (the report, provenance.json itself), which provenance.json cannot hash (decision 0035);
    internal files are left out (decision 0100)."""
    return {
        "note": "Outputs made after provenance.json; every other output's sha256 is in provenance.json.",
        "outputs": {str(p): describe_output(p) for p in publishable(paths)},
    }


INTERNAL = "data/processed/"
WITHHELD = "internal file: not hashed (it may hold unprotected numbers; docs/decisions/0100)"


def is_internal(path: str | Path) -> bool:
    """An intermediate file under ``data/processed/``: it may hold unprotected numbers (the
    protection plan, the register, unprotected counts), so its hash or size would be an oracle
    against which candidate reconstructions of hidden cells can be checked (docs/decisions/0100).
    Neither provenance.json nor manifest.json publishes either; inputs keep theirs."""
    return Path(path).as_posix().lstrip("./").startswith(INTERNAL)


def publishable(paths) -> list[str]:
    """The paths whose hash may be published (everything but internal files)."""
    return [str(p) for p in paths if not is_internal(p)]


def output_lineage(
    lineage: dict[str, dict], hashed: list[str], inputs: list[dict], after_provenance: list[str]
) -> dict[str, dict]:
    """Every output's lineage with its sha256 and bytes (``hashed``: the outputs made before
    provenance.json), its ``sources`` (the registered inputs it comes from, following
    intermediate files back) and, for an output made after provenance.json, where its hash is."""
    from analysis.report.lineage import sources

    raw = {i["path"] for i in inputs}
    hashed_set = set(hashed)
    manifest = MANIFEST if MANIFEST in lineage else None
    out = {}
    for path, info in lineage.items():
        entry = dict(info)
        if is_internal(path):
            entry.update({"sha256": None, "bytes": None, "note": WITHHELD})
        elif path in hashed_set:
            entry.update(describe_output(path))
        elif manifest and info["rule"] in after_provenance and path != manifest:
            entry.update({"sha256": None, "bytes": None, "hash_in": manifest})
        else:
            entry.update({"sha256": None, "bytes": None})
        entry["sources"] = sources(lineage, path, raw)
        out[path] = entry
    return out


FAILED_NOTE = (
    "The build failed before it finished. This file describes only the outputs that are on disk "
    "now, with the inputs they were made from; an input a failed rule rejected is not listed."
)


def outputs_present(lineage: dict, exclude: set[str]) -> dict:
    """The lineage entries whose output file exists, each with its sha256 (none for an internal
    file, :func:`is_internal`)."""
    out = {}
    for path, rec in lineage.items():
        if path not in exclude and Path(path).is_file():
            digest = None if is_internal(path) else sha256_file(path)
            out[path] = {**rec, "sha256": digest}
    return out


def feeding_inputs(present: dict, lineage: dict, inputs: dict[str, str], skip: set[str]) -> dict[str, str]:
    """Roles of the inputs (role -> path) that a present output was made from, following the
    lineage back through intermediate files that are present (a missing intermediate means the
    rule that made it failed or never ran, so nothing behind it made what is there). Files in
    ``skip`` (provenance.json itself, which is being replaced) are not followed."""
    paths = set(inputs.values())
    wanted, seen = set(), set()
    todo = list(present)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for src in lineage.get(path, {}).get("inputs", []):
            there = src not in skip and Path(src).is_file()
            if src in paths and there:
                wanted.add(src)
            if src in lineage and there:  # an intermediate (or a generated demo input)
                todo.append(src)
    return {role: p for role, p in inputs.items() if p in wanted}


def failed_build_document(s: dict, inputs: dict[str, str], provenance_path: str) -> dict:
    """provenance.json after a failed build (s: the provenance rule's settings)."""
    present = outputs_present(s["lineage"], {provenance_path})
    used = feeding_inputs(present, s["lineage"], inputs, {provenance_path})
    return {
        "status": "failed",
        "note": FAILED_NOTE,
        "inputs": [describe_input(role, path, s["kinds"][role]) for role, path in sorted(used.items())],
        "code_version": dict(s["code_version"]),
        "packages": package_versions(),
        "config": s["config"],
        "outputs": present,
    }


def write_failed_build(settings_path: str, inputs: dict[str, str], provenance_path: str) -> None:
    """Replace provenance.json by :func:`failed_build_document`, dated 1970 so that the next
    build, which must describe its own run, always remakes it (Snakemake's mtime trigger)."""
    import json
    import os

    with open(settings_path, encoding="utf-8") as fh:
        s = json.load(fh)
    doc = failed_build_document(s, inputs, provenance_path)
    out = Path(provenance_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    os.utime(out, (0, 0))
