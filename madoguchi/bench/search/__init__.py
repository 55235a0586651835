"""Benchmarks of the one-stop search (`madoguchi bench ...`).

Figures are printed, never asserted in unit tests: the tests (madoguchi/bench/tests/) check only that the
commands run and print the promised shape, and that the metrics compute what they say.
"""
