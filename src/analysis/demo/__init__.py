"""Synthetic confidential inputs for the demo. Nothing outside this package imports it."""
