"""Stage: survey (see DEVELOPING.md)."""
