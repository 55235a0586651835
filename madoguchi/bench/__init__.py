"""The benchmarks (`madoguchi bench …`, `madoguchi bench-matching …`) and their judged sets.

Nothing the site runs imports this package (tests/test_not_imported_at_runtime.py holds to it):
it is a Django app only so that Django finds its two commands; loading it costs `apps.py`.
"""
