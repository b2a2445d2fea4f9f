"""The words that mark an output built from synthetic inputs (figures, tables, report)."""

from __future__ import annotations

# visible in every figure drawn from a synthetic input
MARK = "Syntetiske data"
# machine-readable: SVG <title>/<desc>, PNG Description text chunk
TITLE = "syntetiske data (synthetic data)"
DESC = (
    "syntetiske data: figuren bygger på syntetiske demo-inndata, ikke på ekte tall "
    "(synthetic data: drawn from synthetic demo inputs, not real numbers)"
)
