"""The deliverables: scorecard, provenance, lineage and the rendered report."""
