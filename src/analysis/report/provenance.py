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


def output_lineage(
    lineage: dict[str, dict], hashed: list[str], inputs: list[dict], after_provenance: list[str]
) -> dict[str, dict]:
    """Every output's lineage with its sha256 and bytes (``hashed``: the outputs made before
    provenance.json), its ``sources`` (the registered inputs it comes from, following
    intermediate files back) and, for an output made after provenance.json, where its hash is."""
    from analysis.report.lineage import sources

    raw = {i["path"] for i in inputs}
    hashed_set = set(hashed)
    manifest = next((p for p, i in lineage.items() if i["rule"] == "manifest"), None)
    out = {}
    for path, info in lineage.items():
        entry = dict(info)
        if path in hashed_set:
            entry.update(describe_output(path))
        elif manifest and info["rule"] in after_provenance and info["rule"] != "manifest":
            entry.update({"sha256": None, "bytes": None, "hash_in": manifest})
        else:
            entry.update({"sha256": None, "bytes": None})
        entry["sources"] = sources(lineage, path, raw)
        out[path] = entry
    return out
