# Reproduction of NIBR-rapport 2021:18 "Avtalt selvbosetting" (agreed self-settlement of refugees).
# Thin entry point: stages live in workflow/rules/, logic in src/analysis/.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/imdi.smk"
include: "workflow/rules/survey.smk"
include: "workflow/rules/official.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/validate.smk"


rule all:
    """The report, its tables and figures, the scorecard and provenance."""
    default_target: True
    input:
        rules.render_report.output.pdf,
        rules.render_report.output.html,
        rules.scorecards.output,
        rules.provenance.output,
        rules.render_report.output.manifest,


# On a cluster each rule runs in the group job of its phase, derived from the rules (decision 0153).
assign_cluster_groups()
