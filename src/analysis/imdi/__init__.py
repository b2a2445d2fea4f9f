"""IMDi settlement data: the public file, annual-report aggregates, the person-level register, scope, waiting times, maps."""
