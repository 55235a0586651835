"""A demo cast so a newcomer can walk every journey in five minutes (`madoguchi demo`).

What it makes is fixed and small: one user per role, a few cases at each step of the referral
loop, listings (one waiting for moderation) and events. Running it again resets the cast's
passwords and adds nothing twice (every record is found by a stable name first). It never runs
against production settings (see `production_refusal`); the command checks that first.

Only the cast exists today; `demo_size` is the seam for later options (`--programs N`,
`--size national`) that add bulk data on top of the same cast.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone

from madoguchi.cases.models import Activity, Case, Client
from madoguchi.directory.models import Membership, Municipality, Organization
from madoguchi.events.models import Event
from madoguchi.matching.models import Listing

DEMO_EMAIL_DOMAIN = "demo.madoguchi.invalid"  # .invalid (RFC 2606): a demo mail can reach nobody
PREFECTURE_SLUG = "miyagi-prefecture-economy"
SUPPORT_SLUGS = ("sendai-industrial-promotion-organization", "miyagi-industrial-technology-institute")
R = Membership.Role


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    organization: str
    try_this: str


def production_refusal() -> str | None:
    """Why the demo must not run with these settings, or None. Production is DEBUG off on a
    database other than SQLite (the laptop default is SQLite with DEBUG either way)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if not settings.DEBUG and "sqlite" not in engine:
        return ("本番の設定（DEBUG が無効で、データベースが SQLite 以外）では demo を実行しません。"
                "デモ用の利用者とパスワードが本番のデータに入るのを防ぐためです。"
                "検証環境で意図して実行するときだけ --force を付けてください。")
    return None


def _organizations() -> dict[str, Organization]:
    """The bodies the cast belongs to: the core institution, two 新事業支援機関, the prefecture."""
    core = Organization.objects.filter(kind=Organization.Kind.CORE).order_by("pk").first()
    # Two bodies of 表2 a 相談者 in Sendai is likely to meet; any two 新事業支援機関 when renamed away.
    support = list(Organization.objects.filter(slug__in=SUPPORT_SLUGS).order_by("plan_order"))
    if len(support) < 2:
        support = list(Organization.objects.filter(kind=Organization.Kind.SUPPORT, parent__isnull=True)
                       .order_by("plan_order", "pk")[:2])
    prefecture = Organization.objects.filter(slug=PREFECTURE_SLUG).first()
    if core is None or len(support) < 2 or prefecture is None:
        raise LookupError("計画が読み込まれていません（madoguchi load-plan を先に実行してください）。")
    return {"core": core, "a": support[0], "b": support[1], "prefecture": prefecture}


def _user(username: str, password: str, *, first_name: str, is_staff: bool = False,
          is_superuser: bool = False) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={
        "email": f"{username}@{DEMO_EMAIL_DOMAIN}", "first_name": first_name})
    user.is_staff, user.is_superuser = is_staff, is_superuser
    user.set_password(password)
    user.save()
    return user


def _member(user: User, organization: Organization, role: str) -> None:
    Membership.objects.update_or_create(user=user, defaults={"organization": organization, "role": role})


def _org_admin_group() -> Group:
    """What an institution's own administrator changes in the admin (rows scoped to it there)."""
    group, _created = Group.objects.get_or_create(name="デモ: 機関の管理者")
    wanted = [("directory", "program"), ("directory", "facility"), ("directory", "membership"),
              ("events", "event"), ("matching", "listing")]
    perms = Permission.objects.filter(content_type__app_label__in={a for a, _m in wanted},
                                      content_type__model__in={m for _a, m in wanted})
    group.permissions.set(perms)
    return group


def _case(client: Client, owner: Organization, need: str, consent: str, *, sendai: Municipality | None,
          named: list[Organization] | None = None) -> tuple[Case, bool]:
    existing = Case.objects.filter(client=client, need=need).first()
    if existing is not None:
        return existing, False
    case = Case.objects.create(client=client, owner=owner, municipality=sendai, need=need, consent=consent)
    if named:
        case.named_organizations.set(named)
    case.add_activity(Activity.Kind.CREATED, by=None, organization=owner,
                      text=f"相談を受け付けました（共有の同意: {Case.Consent(consent).label}）。（デモ）")
    return case, True


def _event(organization: Organization, title: str, start: dt.datetime, status: str, **extra: Any) -> Event:
    event = Event.objects.filter(organization=organization, title=title).first()
    if event is None:
        event = Event.objects.create(organization=organization, title=title, starts_at=start,
                                     ends_at=start + dt.timedelta(hours=2), status=status, **extra)
    return event


def _listing(title: str, **fields: Any) -> Listing:
    listing = Listing.objects.filter(title=title).first()
    if listing is None:
        listing = Listing.objects.create(title=title, **fields)
    return listing


@transaction.atomic
def build_cast(password: str | None = None) -> list[Login]:
    """Create (or reset) the demo cast and its data; returns every login with its password."""
    orgs = _organizations()
    core, a, b, prefecture = orgs["core"], orgs["a"], orgs["b"], orgs["prefecture"]

    def pw() -> str:
        return password or secrets.token_urlsafe(9)

    logins: list[Login] = []

    def add(role: str, username: str, organization: Organization | None, try_this: str, **kw: Any) -> User:
        secret = pw()
        user = _user(username, secret, first_name=kw.pop("first_name", role), **kw)
        logins.append(Login(role, username, secret, organization.display_name if organization else "—", try_this))
        return user

    coordinator = add("コーディネーター", "demo-coordinator", core, "ヘッダーの「振り分け」「掲載の審査」、相談の紹介")
    _member(coordinator, core, R.COORDINATOR)
    admin = add("プラットフォーム管理者", "demo-admin", core, "/admin/ ですべての機関のデータ", is_staff=True, is_superuser=True)
    _member(admin, core, R.ADMIN)
    staff_core = add("担当者（中核的支援機関）", "demo-staff-core", core, "/staff/ の作業画面")
    _member(staff_core, core, R.STAFF)
    staff_a = add("担当者（支援機関）", "demo-staff", a, "/staff/ で自機関の事業・イベントの編集、紹介への回答")
    _member(staff_a, a, R.STAFF)
    org_admin = add("機関の管理者", "demo-org-admin", a, "/admin/ で自機関の事業と所属だけ", is_staff=True)
    _member(org_admin, a, R.ORG_ADMIN)
    org_admin.groups.add(_org_admin_group())
    readonly = add("閲覧のみ", "demo-readonly", a, "相談は読めるが連絡先と操作は出ない")
    _member(readonly, a, R.READONLY)
    staff_b = add("担当者（別の支援機関）", "demo-staff-b", b, "指定された機関としての紹介の受け取り")
    _member(staff_b, b, R.STAFF)
    officer = add("県の担当者", "demo-prefecture", prefecture, "/reports/ の集計だけ（相談は読めない）")
    _member(officer, prefecture, R.PREFECTURE)

    client_user = add("相談者", "demo-client", None, "/cases/ で自分の相談と紹介の状況")
    client = Client.objects.filter(user=client_user).first() or Client.objects.create(
        kind=Client.Kind.COMPANY, name="株式会社デモ食品", contact_name="宮城 花子",
        email=client_user.email, phone="022-000-0000", user=client_user)

    sendai = Municipality.objects.filter(name="青葉区").first()
    _case(client, core, "地元の食材を使った新商品の販路を首都圏に広げたい。展示会や商談会の情報がほしい。",
          Case.Consent.PLATFORM, sendai=sendai)  # waits in the coordinator's triage
    referred, created = _case(client, core, "創業して2年目。新しい製造ラインの設備資金の融資を相談したい。",
                              Case.Consent.PLATFORM, sendai=sendai)
    if created:
        referred.refer(by=coordinator, to_org=a, message="設備資金の融資について、ご相談に乗ってください。（デモ）")
    _case(client, core, "大学と共同で食品の機能性を評価したい。どこに相談すればよいか。",
          Case.Consent.NAMED, sendai=sendai, named=[b])

    now = timezone.now()
    _event(a, "創業塾（デモ）", now + dt.timedelta(days=21), Event.Status.PUBLISHED, kind=Event.Kind.SEMINAR,
           capacity=30, venue="仙台市内", fee="無料")
    _event(a, "販路開拓 商談会（デモ・下書き）", now + dt.timedelta(days=45), Event.Status.DRAFT,
           kind=Event.Kind.BUSINESS_MEETING)
    _listing("食品の低温乾燥技術（デモ）", kind=Listing.Kind.SEED, owner_organization=a,
             description="果物や野菜の色と香りを保つ低温乾燥の技術を提供します。", status=Listing.Status.PUBLISHED)
    _listing("焼き菓子の包装工程を任せられる協力工場（デモ）", kind=Listing.Kind.ORDER, owner_client=client,
             description="月 2,000 箱の焼き菓子の個包装をお願いできる工場を探しています。",
             status=Listing.Status.PENDING)  # waits in the coordinator's moderation queue
    return logins
