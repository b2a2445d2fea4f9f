"""Input errors that name the file, the row, the column and the offending value.

A register or survey analyst must be able to open the file and go straight to the problem, so
every validation failure is raised as :class:`InputError` and nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# Messages are capped (a CR-only file once put a whole register into one message and the log):
# a whole message at most MESSAGE_CHARS characters on one line; an offending value is shown only
# when it is code-like (a code, number or date), otherwise by its length (open text, records).
MESSAGE_CHARS = 400
_CODE_LIKE = re.compile(r"[0-9A-Za-z_.:/+-]{0,20}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONG_TOKEN = re.compile(r"\S{41,}")  # a record or a file read as one field, not a word
# a file path (the user's own, named in every message) is not a record: letters, digits, / . _ - ~ +
_PATH = re.compile(r"['\"(]?[\w.~+-]*(/[\w.~+-]+)+/?['\"),:]*")
_QUOTED = re.compile(r"(['\"])([^'\"]{0,4000}?)\1")  # a value quoted in a message ('...' or "...")
_PATH_LIKE = re.compile(r"[\w./\\-]{1,200}")
# a quoted path may hold spaces (a checkout under "My Documents"): it starts like a path
_QUOTED_PATH = re.compile(r"(?:[/~.]|[A-Za-z]:[\\/])[\w .~+/\\-]{0,300}")


def shown_value(value: Any) -> str:
    """How a message may show an offending value: codes, numbers and dates (short, no spaces)
    as they are; anything else (open text, a whole record read as one field) only by length."""
    if hasattr(value, "item"):
        value = value.item()  # numpy scalar
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    if isinstance(value, (int, float, bool)) or _CODE_LIKE.fullmatch(text):
        return repr(value)
    return f"<text of {len(text)} characters, not shown>"


@dataclass
class InputError(Exception):
    """A problem with one input file.

    ``line`` is the 1-based line in a text file (the header is line 1); for Parquet or JSON
    inputs it is the 1-based record number. ``column`` is the column (or JSON key) name.
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            col = str(self.column)
            shown = col if len(col) <= 60 and not _CONTROL.search(col) else f"<name of {len(col)} characters>"
            where.append(f"column '{shown}'")
        if self.value is not None:
            where.append(f"value {shown_value(self.value)}")
        # the file's path is the user's own (and may be one long token): shown whole, not capped
        return str(self.file) + cap("".join(", " + w for w in where) + f": {self.message}")

    def __reduce__(self):  # keep picklable despite the dataclass Exception base
        return (InputError, (self.file, self.message, self.line, self.column, self.value))


def _quoted(m: re.Match) -> str:
    """A quoted value stays when it is code-like or a path without spaces (a column name, a
    code, a file); open text quoted by a library's message ("could not convert 'Fru ...'") does not."""
    inner = m.group(2)
    if _CODE_LIKE.fullmatch(inner) or _PATH_LIKE.fullmatch(inner) or _QUOTED_PATH.fullmatch(inner):
        return m.group(0)
    return f"{m.group(1)}<text of {len(inner)} characters, not shown>{m.group(1)}"


def cap(text: str, limit: int = MESSAGE_CHARS) -> str:
    """One line, at most ``limit`` characters: control characters (a record's line ends) become
    spaces, a quoted value that is not code-like and a run of more than 40 characters without a
    space (records glued together) are replaced by their length, and the rest is cut."""
    text = _CONTROL.sub(" ", str(text))
    text = _QUOTED.sub(_quoted, text)
    text = _LONG_TOKEN.sub(
        lambda m: m.group() if _PATH.fullmatch(m.group()) else f"<{len(m.group())} characters, not shown>",
        text,
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------------------ collecting mode
# A normal build stops on the first problem (an InputError is raised). `snakemake validate` runs
# the same checks inside `collecting()`: then `report()` and `first_bad()` record every problem
# (every failing row of every check) and return, so that the reader goes on to the next check.
_SINK: ContextVar[Problems | None] = ContextVar("input_problem_sink", default=None)


class Problems(list):
    """The problems found while collecting, at most ``limit`` (then ``more`` counts the rest)."""

    def __init__(self, limit: int = 5000):
        super().__init__()
        self.limit = limit
        self.more = 0

    def add(self, err: InputError) -> None:
        if len(self) < self.limit:
            self.append(err)
        else:
            self.more += 1


@contextmanager
def collecting(limit: int = 5000) -> Iterator[Problems]:
    """Within this block, input problems are collected instead of raised."""
    problems = Problems(limit)
    token = _SINK.set(problems)
    try:
        yield problems
    finally:
        _SINK.reset(token)


def is_collecting() -> bool:
    return _SINK.get() is not None


def report(err: InputError) -> None:
    """Raise ``err`` (normal build) or record it (inside :func:`collecting`)."""
    sink = _SINK.get()
    if sink is None:
        raise err
    sink.add(err)


def room() -> int:
    """How many more problems the collector keeps (for limiting per-row reports)."""
    sink = _SINK.get()
    return 0 if sink is None else max(sink.limit - len(sink), 0)


def first_bad(
    mask,
    frame,
    file: str,
    column: str,
    message: str | Callable[[int], str],
    header_lines: int = 1,
    line_col: str | None = None,
    value: Any = None,
) -> None:
    """Raise an InputError for the first row where the boolean ``mask`` is true.

    ``frame`` is a pandas DataFrame aligned with ``mask``; if ``line_col`` names a column with
    the source line number it is used, otherwise the positional index plus ``header_lines``.
    ``message`` may be a function of the failing row's position, for messages that depend on
    the row; ``value`` (a Series aligned with ``frame``) shows the raw text instead of
    ``frame[column]``.
    """
    import numpy as np

    bad = np.flatnonzero(np.asarray(mask, dtype=bool))
    if bad.size == 0:
        return

    def error(i: int, extra: str = "") -> InputError:
        line = int(frame[line_col].iloc[i]) if line_col else i + 1 + header_lines
        if value is not None:
            shown = value.iloc[i]
        else:
            shown = frame[column].iloc[i] if column in frame.columns else None
        text = message(i) if callable(message) else message
        return InputError(file, text + extra, line=line, column=column, value=shown)

    if is_collecting():  # every failing row (up to the collector's limit)
        keep = min(int(bad.size), room())
        for i in bad[:keep]:
            report(error(int(i)))
        _SINK.get().more += int(bad.size) - keep
        return
    raise error(int(bad[0]), f" ({bad.size} rows in all)" if bad.size > 1 else "")
