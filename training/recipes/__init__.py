"""Reproducible training recipes (the default model, the experiments in docs/experiments.md)."""
