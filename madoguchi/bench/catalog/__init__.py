"""Benchmarks of the catalog (`madoguchi bench programs`); never imported by the running site."""
