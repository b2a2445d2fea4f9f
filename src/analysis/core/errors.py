"""Input errors that name the file, the row, the column and the offending value.

A register or survey analyst must be able to open the file and go straight to the problem, so
every validation failure is raised as :class:`InputError` and nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
        where = [str(self.file)]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.value is not None:
            value = self.value.item() if hasattr(self.value, "item") else self.value  # numpy scalar
            where.append(f"value {value!r}")
        return ", ".join(where) + f": {self.message}"

    def __reduce__(self):  # keep picklable despite the dataclass Exception base
        return (InputError, (self.file, self.message, self.line, self.column, self.value))


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
    i = int(bad[0])
    line = int(frame[line_col].iloc[i]) if line_col else i + 1 + header_lines
    if value is not None:
        shown = value.iloc[i]
    else:
        shown = frame[column].iloc[i] if column in frame.columns else None
    text = message(i) if callable(message) else message
    extra = f" ({bad.size} rows in all)" if bad.size > 1 else ""
    raise InputError(file, text + extra, line=line, column=column, value=shown)
