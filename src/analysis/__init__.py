"""Analysis package for the reproduction of NIBR-rapport 2021:18 (Avtalt selvbosetting).

All logic lives here as small functions on DataFrames; ``workflow/scripts`` only adapts the
``snakemake`` object to these functions.
"""
