"""Nothing the site runs imports the benchmarks: every module outside madoguchi.bench (and outside
the tests) is imported in a fresh process, after django.setup(), and only the app shell of
madoguchi.bench may be loaded then — the package's docstring and apps.py, which INSTALLED_APPS
names so that Django finds `madoguchi bench` and `madoguchi bench-matching`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import madoguchi

ROOT = Path(madoguchi.__file__).resolve().parent
# What django.setup() loads for an installed app without models: nothing of the benchmark code.
APP_SHELL = {"madoguchi.bench", "madoguchi.bench.apps"}

CHILD = """
import json, sys
import django
django.setup()
for name in sys.argv[1:]:
    __import__(name)
print(json.dumps(sorted(m for m in sys.modules if m == "madoguchi.bench" or m.startswith("madoguchi.bench."))))
"""


def runtime_modules() -> list[str]:
    """Returns the dotted names of every module of madoguchi that is neither benchmark nor test."""
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[1] == "bench" or "tests" in parts or parts[-1] == "conftest":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_the_list_of_runtime_modules_covers_the_apps_and_their_commands() -> None:
    names = runtime_modules()
    assert {"madoguchi.urls", "madoguchi.wsgi", "madoguchi.search.engine", "madoguchi.matching.ranker",
            "madoguchi.catalog.importer", "madoguchi.search.management.commands.search"} <= set(names)
    assert not [n for n in names if n.startswith("madoguchi.bench") or ".tests" in n]


def test_no_runtime_module_loads_the_benchmarks() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "madoguchi.settings",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT.parent), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", CHILD, *runtime_modules()], env=env, cwd=ROOT.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert loaded <= APP_SHELL, f"loaded at run time: {sorted(loaded - APP_SHELL)}"
