"""Helpers shared by the tests and the benchmarks (never imported by the site or the pipeline): Chromium pages kept
offline with axe-core, and synthetic questionnaire exports."""
