"""Benchmarks: nothing at runtime imports this package (`madoguchi bench …` does)."""
