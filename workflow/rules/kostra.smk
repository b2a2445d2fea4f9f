"""Stage: kostra (see DEVELOPING.md)."""
