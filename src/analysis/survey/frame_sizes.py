"""The frame size of every survey wave and the one its finite population correction uses.

Rule survey_ingest, which holds every wave (a wave with a frame file as its whole frame) in
memory, writes them once (``data/processed/survey_frame_sizes.csv``); rules survey_tables and
weighting read them (docs/decisions/0177). Light on purpose: survey_ingest is on the
build's critical path and imports nothing of the estimators (SciPy) for this.
"""

from __future__ import annotations

import pandas as pd


def fpc_sizes(frame_sizes: dict[int, int | None], fpc: dict) -> dict[int, int | None]:
    """The frame size per wave that the finite population correction uses: the wave's frame
    size where ``survey.fpc`` says ``frame`` for the wave (its year as key, else ``default``),
    None (no correction) where it says ``none`` or the frame size is unknown."""
    out = {}
    for year, size in frame_sizes.items():
        choice = fpc.get(str(year), fpc["default"])
        if choice not in ("frame", "none"):
            raise ValueError(f"survey.fpc for {year}: {choice!r} is not 'frame' or 'none'")
        out[year] = size if choice == "frame" and size else None
    return out


def frame_size_table(waves: dict[int, int], configured: dict, frame_waves, fpc: dict) -> pd.DataFrame:
    """Per wave (``waves``: year -> rows written for it): ``frame_size``, the rows of a wave with
    a frame file (its whole frame) or the configured ``survey.frame_sizes`` (empty: unknown), and
    ``fpc_size``, what the correction uses (:func:`fpc_sizes`; empty: none)."""
    with_frame = {int(y) for y in frame_waves}
    known = {y: (n if y in with_frame else configured.get(str(y))) for y, n in sorted(waves.items())}
    used = fpc_sizes(known, fpc)
    return pd.DataFrame(
        {
            "wave": list(known),
            "frame_size": pd.array(list(known.values()), dtype="Int64"),
            "fpc_size": pd.array(list(used.values()), dtype="Int64"),
        }
    )


def read_frame_sizes(path) -> tuple[dict[int, int | None], dict[int, int | None]]:
    """The frame sizes (:func:`frame_size_table`) as two maps wave -> size or None: every
    wave's frame size, and the one its finite population correction uses."""
    t = pd.read_csv(path, dtype={"wave": int, "frame_size": "Int64", "fpc_size": "Int64"})

    def sizes(col):
        return {int(w): (None if pd.isna(v) else int(v)) for w, v in zip(t["wave"], t[col])}

    return sizes("frame_size"), sizes("fpc_size")
