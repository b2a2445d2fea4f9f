"""Stage: validate (`snakemake validate`, workflow/rules/validate.smk). Every problem of every
configured input at once, through the same readers the stages run (docs/decisions/0012, 0152).

Input validation reads every stage's inputs, so it sits above imdi, survey and official, beside
report, and imports neither report nor demo (tests/test_architecture.py)."""
