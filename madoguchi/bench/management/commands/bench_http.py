"""`madoguchi bench-http`: temporary, until `madoguchi bench http` calls madoguchi.bench.http itself."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "本番構成のサーバーに wrk で負荷をかけて測る / load the production server with wrk (madoguchi bench http)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        from madoguchi.bench import http

        http.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        from madoguchi.bench import http

        code = http.handle(options, stdout=self.stdout)
        if code:
            raise SystemExit(code)
