"""Values read from files while the Snakefile is parsed, kept between Snakemake runs.

Every `snakemake` call (a no-op rerun too) parses the workflow, and the workflow reads the same
files each time: the imports of every script and package module (`code()` in common.smk) and the
figure labels of published_results.yaml. :class:`FileCache` keeps what was computed from a file
under the file's absolute path with its ``mtime_ns`` and size, in one JSON file below
``.snakemake/`` (gitignored, safe to delete: it is rebuilt on the next run). A file whose
modification time or size differs is read again, so a cached value is always the one its
``compute`` function gives for the file as it is now (docs/decisions/0150).
"""

from __future__ import annotations

import atexit
import json
import os
from collections.abc import Callable
from pathlib import Path


class FileCache:
    """``get(kind, path, compute)``: ``compute(path)`` (a JSON value), computed once per version
    of the file. ``version`` names the computing code: a cache written by other code is ignored."""

    def __init__(self, path: str | Path | None, version: str):
        self.path = None if path is None else Path(path)
        self.version = version
        self._entries: dict[str, dict[str, list]] = {}
        self._dirty = False
        self._registered = False
        self.memo: dict = {}  # lookups its users remember for the cache's life (not written)
        if self.path is not None:
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                doc = None
            if isinstance(doc, dict) and doc.get("version") == version:
                self._entries = doc.get("entries") or {}

    def get(self, kind: str, path: str | Path, compute: Callable[[Path], object], key: str = ""):
        """The cached value for this version of ``path`` (and ``key``: what else the value
        depends on, as text; one value per path is kept, the last)."""
        name = os.path.abspath(path)
        st = os.stat(name)
        stamp = [st.st_mtime_ns, st.st_size, key]
        hit = self._entries.get(kind, {}).get(name)
        if hit is not None and hit[:3] == stamp:
            return hit[3]
        value = compute(Path(path))
        self._entries.setdefault(kind, {})[name] = [*stamp, value]
        self._dirty = True
        if self.path is not None and not self._registered:
            atexit.register(self.save)  # once the whole Snakefile is read (a cold run misses ~100 files)
            self._registered = True
        return value

    def get_exact(self, kind: str, path: str | Path, compute: Callable[[Path], object]):
        """:meth:`get` for values JSON cannot hold as they are (mappings with integer keys, as
        YAML gives): kept in an exact encoding (:func:`encode_exact`), returned as a fresh copy
        each call (the caller may change it). A value that cannot be encoded exactly (a date) is
        computed every time."""
        encoded = self.get(kind, path, lambda p: encode_exact(compute(p)))
        return compute(Path(path)) if encoded is None else decode_exact(encoded)

    def save(self) -> None:
        """Write the cache if anything was added (atomically; a failed write only costs a re-read)."""
        if self.path is None or not self._dirty:
            return
        doc = {"version": self.version, "entries": self._entries}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))  # values keep their key order
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return
        self._dirty = False


def code_stamp(paths) -> str:
    """A cache version from the files whose code computes the cached values (path, mtime_ns,
    size): editing any of them starts a new cache."""
    parts = []
    for p in paths:
        st = os.stat(p)
        parts.append(f"{os.path.abspath(p)}:{st.st_mtime_ns}:{st.st_size}")
    return ";".join(parts)


_SCALARS = (str, int, float, bool, type(None))


def encode_exact(value):
    """``value`` (mappings, lists, strings, numbers, booleans, null) as JSON that
    :func:`decode_exact` turns back into an equal value of the same types, key types and key
    order: every mapping becomes ``{"m": [[key, value], ...]}`` and every list ``{"l": [...]}``.
    None when something else is in it (a date, a tuple, a set)."""

    def enc(v):
        if isinstance(v, dict):
            if not all(type(k) in _SCALARS for k in v):
                raise TypeError
            return {"m": [[k, enc(x)] for k, x in v.items()]}
        if type(v) is list:
            return {"l": [enc(x) for x in v]}
        if type(v) in _SCALARS:
            return v
        raise TypeError

    try:
        return enc(value)
    except TypeError:
        return None


def decode_exact(encoded):
    """The value :func:`encode_exact` encoded."""
    if isinstance(encoded, dict):
        if "m" in encoded:
            return {k: decode_exact(x) for k, x in encoded["m"]}
        return [decode_exact(x) for x in encoded["l"]]
    return encoded
