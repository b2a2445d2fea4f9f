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
