"""The 2016 and 2021 municipal surveys: codebook, ingest, estimates, tables, non-response and weights."""
