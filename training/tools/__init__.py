"""Developer tools for `training` (run from a source checkout, not at app run time)."""
