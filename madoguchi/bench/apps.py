from django.apps import AppConfig


class BenchConfig(AppConfig):
    # No models, no ready(): at start-up Django loads only this module of the package, so the
    # benchmark code (and bm25s, the judged sets) stays out of every running server and worker.
    name = "madoguchi.bench"
    label = "bench"
