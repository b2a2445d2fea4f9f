"""Shared building blocks: errors, text and YAML input, tidy tables, ledgers, logging, config, figures, kommune codes, protection."""
