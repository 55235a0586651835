"""The `madoguchi` command: Django's management commands with the project's settings.

Hyphenated names are accepted for the project's own commands (`madoguchi load-plan`
runs the `load_plan` command), so the README can use the friendlier spelling.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "madoguchi"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
