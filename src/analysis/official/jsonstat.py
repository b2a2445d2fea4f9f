"""A small reader for JSON-stat 2.0 datasets as SSB's PxWebApi returns them (``json-stat2``).

Only the parts of https://json-stat.org/full/ that statistics agencies use for a single
``dataset`` are read: ``id``, ``size``, ``dimension.<id>.category.index`` (object or array form)
and ``.label``, ``value`` (array with ``null``s, or a sparse object) and ``status`` (object,
array or one string for all cells). Values are laid out in row-major order over ``id``: the last
dimension varies fastest.

SSB's standard symbols ("standardtegn", https://www.ssb.no/diverse/standardtegn-i-tabeller).
In ``json-stat2`` the symbol is in ``status`` and the value is ``null``:

====== ===================== ==================================================================
symbol meaning (SSB)          treatment here
====== ===================== ==================================================================
``.``  Ikke mulig å oppgi     not applicable: the category did not exist or was not in use
       tall                   (e.g. a kommune code in a year it was not valid) -> missing
``..`` Tallgrunnlag mangler   not available: not reported, or too uncertain to publish
                              -> missing
``:``  Vises ikke av          suppressed / confidential: withheld to protect persons or
       konfidensialitets-     businesses -> missing, counted as *suppressed*
       hensyn
``...`` Oppgave mangler       not yet available (older tables, before 2021) -> missing
       foreløpig
``-``  Null                   nil: exactly zero (older tables) -> 0 when the value is null
``*``  Foreløpig tall         provisional figure: the value is kept
====== ===================== ==================================================================

Any other symbol is kept as a status but an unknown symbol on a ``null`` cell is treated as
missing. Structural problems (missing or unexpected dimension, a size that does not match the
categories or the number of values) raise :class:`~analysis.core.errors.InputError` naming the file
and the JSON key.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.intake import describe, sniff

SYMBOLS = {
    ".": "not_applicable",
    "..": "not_available",
    ":": "suppressed",
    "...": "not_yet_available",
    "-": "nil",
    "*": "provisional",
}
# Symbols whose cell carries no number (unless a value is given anyway).
MISSING_SYMBOLS = {".", "..", ":", "..."}


@dataclass
class Dimension:
    id: str
    label: str
    codes: list[str]
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.codes)


@dataclass
class Dataset:
    """A parsed JSON-stat 2.0 dataset: dimensions in ``id`` order, flat values and statuses."""

    path: str
    label: str
    dimensions: list[Dimension]
    values: list[float | None]
    status: list[str]
    updated: str | None = None
    extension: dict = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: a code column per dimension, ``value`` (float, NaN when missing),
        ``status`` (the symbol or '') and ``cell`` (the 0-based position in ``value``)."""
        import numpy as np

        sizes = [d.size for d in self.dimensions]
        n = int(np.prod(sizes)) if sizes else 1
        cols = {}
        idx = np.arange(n)
        rem = idx.copy()
        for pos in range(len(self.dimensions) - 1, -1, -1):
            d = self.dimensions[pos]
            cols[d.id] = np.asarray(d.codes, dtype=object)[rem % d.size]
            rem //= d.size
        frame = pd.DataFrame({d.id: cols[d.id] for d in self.dimensions})
        frame["value"] = pd.array([np.nan if v is None else float(v) for v in self.values], dtype="float64")
        frame["status"] = pd.Series(self.status, dtype="object")
        frame["cell"] = idx
        return frame

    def check_dimensions(self, required: list[str], allowed_single: bool = True) -> list[str]:
        """Demand the ``required`` dimensions; any other dimension is an error unless it holds a
        single category (a fixed selection such as a total, harmless) and ``allowed_single``.

        Returns the ids of the tolerated single-category extra dimensions.
        """
        for r in required:
            if r not in self.ids:
                raise InputError(
                    self.path, f"missing dimension {r!r}; the dataset has {self.ids}", column="id", value=r
                )
        extra = []
        for d in self.dimensions:
            if d.id in required:
                continue
            if allowed_single and d.size == 1:
                extra.append(d.id)
                continue
            raise InputError(
                self.path,
                f"unexpected dimension {d.id!r} with {d.size} categories "
                f"({', '.join(d.codes[:5])}{', ...' if d.size > 5 else ''}); "
                f"expected only {required} (summing over it would double count: "
                f"select one category in the query)",
                column=f"dimension.{d.id}",
                value=d.id,
            )
        return extra


def _err(path, message, key, value=None):
    return InputError(path, message, column=key, value=value)


def _category_codes(path: str, dim_id: str, cat: dict) -> list[str]:
    key = f"dimension.{dim_id}.category"
    index = cat.get("index")
    labels = cat.get("label")
    if index is None:
        # JSON-stat allows a lone category with only a label
        if isinstance(labels, dict) and len(labels) == 1:
            return [str(next(iter(labels)))]
        raise _err(path, "category has no 'index'", key)
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        pos = {}
        for code, i in index.items():
            if not isinstance(i, int) or isinstance(i, bool) or i < 0:
                raise _err(
                    path, "category index positions must be non-negative integers", f"{key}.index.{code}", i
                )
            pos[i] = str(code)
        if sorted(pos) != list(range(len(index))):
            raise _err(
                path,
                f"category index positions are not 0..{len(index) - 1}",
                f"{key}.index",
                sorted(pos)[:10],
            )
        codes = [pos[i] for i in range(len(index))]
    else:
        raise _err(path, "category index must be an object or an array", f"{key}.index", type(index).__name__)
    if len(set(codes)) != len(codes):
        dup = next(c for c in codes if codes.count(c) > 1)
        raise _err(path, "duplicate category code", f"{key}.index", dup)
    if labels is not None and not isinstance(labels, dict):
        raise _err(path, "category label must be an object", f"{key}.label")
    return codes


def parse(doc: Any, path: str = "<json-stat>") -> Dataset:
    """Validate and parse a JSON-stat 2.0 ``dataset`` document (already decoded)."""
    if not isinstance(doc, dict):
        raise _err(path, "top level must be a JSON object", "(root)", type(doc).__name__)
    if doc.get("class", "dataset") != "dataset":
        raise _err(path, "only JSON-stat 'dataset' responses are supported", "class", doc.get("class"))
    version = doc.get("version")
    if version is not None and not str(version).startswith("2"):
        raise _err(path, "not JSON-stat 2.0 (ask PxWebApi for format json-stat2)", "version", version)
    for key in ("id", "size", "dimension", "value"):
        if key not in doc:
            raise _err(
                path,
                f"JSON-stat dataset lacks {key!r}"
                + (" (is this a JSON-stat 1 'bundle'? ask for json-stat2)" if key == "id" else ""),
                key,
                ",".join(sorted(map(str, doc))[:6]),
            )
    ids, size, dims = doc["id"], doc["size"], doc["dimension"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise _err(path, "'id' must be an array of dimension ids", "id")
    if len(set(ids)) != len(ids):
        raise _err(path, "duplicate dimension id", "id", next(i for i in ids if ids.count(i) > 1))
    if not isinstance(size, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in size
    ):
        raise _err(path, "'size' must be an array of non-negative integers", "size")
    if len(size) != len(ids):
        raise _err(path, f"'id' has {len(ids)} dimensions but 'size' has {len(size)} entries", "size", size)
    if not isinstance(dims, dict):
        raise _err(path, "'dimension' must be an object", "dimension")
    for d in ids:
        if d not in dims:
            raise _err(
                path, f"dimension {d!r} is listed in 'id' but missing from 'dimension'", f"dimension.{d}", d
            )
    for d in dims:
        if d not in ids:
            raise _err(path, f"dimension {d!r} is not listed in 'id' {ids}", f"dimension.{d}", d)
    dimensions = []
    for d, s in zip(ids, size):
        body = dims[d]
        if not isinstance(body, dict) or not isinstance(body.get("category"), dict):
            raise _err(path, "dimension has no 'category' object", f"dimension.{d}.category")
        codes = _category_codes(path, d, body["category"])
        if len(codes) != s:
            raise _err(
                path,
                f"size says {s} categories but the index has {len(codes)}",
                f"dimension.{d}.category.index",
                s,
            )
        labels = {str(k): str(v) for k, v in (body["category"].get("label") or {}).items()}
        unknown = [k for k in labels if k not in codes]
        if unknown:
            raise _err(
                path,
                "label for a category that is not in the index",
                f"dimension.{d}.category.label",
                unknown[0],
            )
        dimensions.append(Dimension(d, str(body.get("label", d)), codes, labels))
    n = math.prod(size) if size else 1
    values = _values(path, doc["value"], n)
    status = _status(path, doc.get("status"), n)
    for i, (v, st) in enumerate(zip(values, status)):
        if v is None and st == "-":
            values[i] = 0.0
    return Dataset(
        path=path,
        label=str(doc.get("label", "")),
        dimensions=dimensions,
        values=values,
        status=status,
        updated=doc.get("updated"),
        extension=doc.get("extension") or {},
    )


def _number(path, key, v):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _err(path, "value must be a number or null (SSB symbols belong in 'status')", key, v)
    if isinstance(v, float) and not math.isfinite(v):
        raise _err(path, "value is not finite", key, v)
    return float(v)


def _values(path: str, raw, n: int) -> list[float | None]:
    if isinstance(raw, list):
        if len(raw) != n:
            raise _err(
                path, f"'value' has {len(raw)} cells but the product of 'size' is {n}", "value", len(raw)
            )
        return [_number(path, f"value[{i}]", v) for i, v in enumerate(raw)]
    if isinstance(raw, dict):  # sparse form {"position": value}
        out: list[float | None] = [None] * n
        for k, v in raw.items():
            if not str(k).isdigit() or int(k) >= n:
                raise _err(path, f"sparse value position outside 0..{n - 1}", f"value.{k}", k)
            out[int(k)] = _number(path, f"value.{k}", v)
        return out
    raise _err(path, "'value' must be an array or an object", "value", type(raw).__name__)


def _status(path: str, raw, n: int) -> list[str]:
    if raw is None:
        return [""] * n
    if isinstance(raw, str):
        return [raw] * n
    if isinstance(raw, list):
        if len(raw) == 1:
            return [str(raw[0] or "")] * n
        if len(raw) != n:
            raise _err(path, f"'status' has {len(raw)} entries but there are {n} cells", "status", len(raw))
        return [str(s or "") for s in raw]
    if isinstance(raw, dict):
        out = [""] * n
        for k, s in raw.items():
            if not str(k).isdigit() or int(k) >= n:
                raise _err(path, f"status position outside 0..{n - 1}", f"status.{k}", k)
            out[int(k)] = str(s or "")
        return out
    raise _err(path, "'status' must be a string, an array or an object", "status", type(raw).__name__)


# Reported depth of a document too deeply nested for Python's JSON parser (a JSON-stat2 body has 5).
NESTING_LIMIT = 100


def _too_deep(raw: bytes, limit: int) -> tuple[int, int, int]:
    """(line, column, byte offset) of the first bracket opening level ``limit + 1``, skipping strings.

    Only called after the parser gave up (RecursionError), so the slow scan costs nothing on
    ordinary files."""
    depth, line, col, in_str, esc = 0, 1, 0, False, False
    for pos, byte in enumerate(raw):
        col += 1
        if in_str:
            if esc:
                esc = False
            elif byte == 0x5C:  # backslash
                esc = True
            elif byte == 0x22:
                in_str = False
        elif byte == 0x22:
            in_str = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return line, col, pos
        elif byte in (0x5D, 0x7D):
            depth -= 1
        if byte == 0x0A:
            line, col = line + 1, 0
    return line, col, len(raw)


def read_jsonstat(path: str | Path) -> Dataset:
    """Read and parse a JSON-stat 2.0 file; bad JSON names the line and column."""
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    fmt = sniff(raw[:8192], path)
    if raw.strip() and fmt != "json":
        what = "this is text, but not JSON (a CSV download?)" if fmt == "csv" else describe(fmt)
        raise InputError(
            path,
            f"{what}; this input must be the JSON-stat2 body of SSB's PxWebApi (table 12012): save the "
            "API response (see data/ssb_format_examples/) or set kostra.fetch: true",
            line=1,
            column="(root)",
            value=raw[:4],
        )
    if not raw.strip():
        raise InputError(
            path, "file is empty (expected a JSON-stat2 object)", line=1, column="(root)", value=""
        )
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(
            path,
            f"not UTF-8 ({e.reason}); PxWebApi returns UTF-8 JSON",
            line=raw[: e.start].count(b"\n") + 1,
            column=f"byte {e.start}",
            value=raw[e.start : e.end],
        ) from None
    except RecursionError:
        line, col, pos = _too_deep(raw, NESTING_LIMIT)
        raise InputError(
            path,
            f"JSON nested more than {NESTING_LIMIT} levels deep; a JSON-stat2 body is a few levels deep "
            "(dataset > dimension > category > index): is this the PxWebApi response?",
            line=line,
            column=f"character {col}",
            value=raw[pos : pos + 5],
        ) from None
    except json.JSONDecodeError as e:
        raise InputError(
            path,
            f"not valid JSON (truncated?): {e.msg}",
            line=e.lineno,
            column=f"character {e.colno}",
            value=e.doc[max(e.pos - 20, 0) : e.pos + 20],
        ) from None
    return parse(doc, path)


def cell_meaning(symbol: str) -> str:
    """A readable name for an SSB symbol ('' for an ordinary value)."""
    if not symbol:
        return "value"
    return SYMBOLS.get(symbol, f"unknown symbol {symbol!r}")
