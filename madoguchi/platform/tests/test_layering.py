"""platform sits right above lib: it imports no domain app, and the apps take their plumbing
from it (none imports it from cases or from madoguchi.api)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # madoguchi/


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _sources(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "tests" not in p.parts]


def test_platform_imports_no_app_above_it() -> None:
    allowed = ("madoguchi.platform", "madoguchi.lib")
    wrong = sorted(
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in _sources(PACKAGE / "platform") for module in _imports(path)
        if module.startswith("madoguchi.") and not module.startswith(allowed)
    )
    assert wrong == []


def test_no_app_imports_the_api_package_but_the_url_conf() -> None:
    wrong = sorted(
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in _sources(PACKAGE) for module in _imports(path)
        if module.startswith("madoguchi.api") and path.parts[len(PACKAGE.parts)] not in ("api", "urls.py")
    )
    assert wrong == []


def test_the_cases_models_do_not_import_notify() -> None:
    # They send signals (cases/signals.py); notify listens (connected in CasesConfig.ready).
    for path in (PACKAGE / "cases" / "models").glob("*.py"):
        assert not any("notify" in module for module in _imports(path)), path
