"""`madoguchi demo [--cast] [--programs N] [--password PW] [--force]`: a cast of users of every role
and a few cases, listings and events, with their logins printed, so a newcomer sees every journey;
`--programs N` generates N of today's programs across all 47 prefectures (catalog.synthetic).

`--cast` is what runs when nothing else is asked for. Each bulk data set is one flag here and one
function in its app. Refuses production settings (DEBUG off and not SQLite) unless `--force`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.directory.models import Organization
from madoguchi.staff import demo


class Command(BaseCommand):
    help = "デモ用の利用者（全役割）と相談・掲載・イベントを作り、ログイン名とパスワードを表示します（本番の設定では実行しません）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cast", action="store_true",
                            help="役割ごとのデモ利用者と、少数の相談・掲載・イベントを作る（既定）")
        parser.add_argument("--programs", type=int, default=None, metavar="N",
                            help="全国の制度を N 件生成して取り込み、検索に反映する（例: 100000。--cast を付けると利用者も作る）")
        parser.add_argument("--password", default=None,
                            help="全員に同じパスワードを使う（既定: 利用者ごとに乱数で作り、表示する）")
        parser.add_argument("--force", action="store_true",
                            help="本番の設定（DEBUG 無効かつ SQLite 以外）でも実行する。検証環境でだけ使うこと")

    def handle(self, *args: Any, **options: Any) -> None:
        refusal = demo.production_refusal()
        if refusal and not options["force"]:
            raise CommandError(refusal)
        if not Organization.objects.filter(kind=Organization.Kind.CORE).exists():
            self.stdout.write("計画がまだ読み込まれていないため、先に読み込みます（madoguchi load-plan）。")
            from madoguchi.interop.loader import load_plan
            from madoguchi.interop.plan import PlanError

            try:
                load_plan(settings.PLAN_FILE, stdout=self.stdout)
            except PlanError as exc:
                raise CommandError(f"計画を読み込めませんでした: {exc}") from exc
        if options["programs"] is not None:
            from django.core.management import call_command

            call_command("demo_programs", options["programs"], stdout=self.stdout, stderr=self.stderr)
            if not options["cast"]:
                return
        # The cast runs when it is named or when no other data set was asked for.
        try:
            logins = demo.build_cast(options["password"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self._print(logins)

    def _print(self, logins: list[demo.Login]) -> None:
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"デモ用の利用者 {len(logins)} 名を用意しました。ログイン: {site}/accounts/login/"))
        self.stdout.write("パスワードは今回だけ表示します（もう一度実行すると作り直します）。")
        width = max(len(x.username) for x in logins)
        for x in logins:
            self.stdout.write(f"  {x.username:<{width}}  {x.password}  {x.role}（{x.organization}）— {x.try_this}")
        self.stdout.write("通知メールは madoguchi worker が送ります（make run では var/mail/ に書き出されます。送信先は EMAIL_URL）。")
