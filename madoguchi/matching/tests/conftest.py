"""Small realistic listings for the matching tests, built inline with one helper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from madoguchi.directory.models import BusinessStage, Field, Membership, Municipality, Organization
from madoguchi.matching.models import Kind, Listing


def make_listing(kind: str, title: str, description: str = "", *, fields: Sequence[Field] = (),
                 stages: Sequence[BusinessStage] = (), status: str = Listing.Status.PUBLISHED,
                 **kw: Any) -> Listing:
    listing = Listing.objects.create(kind=kind, title=title, description=description, status=status, **kw)
    if fields:
        listing.fields.set(fields)
    if stages:
        listing.stages.set(stages)
    return listing


@pytest.fixture
def field_(db: None) -> dict[str, Field]:
    rows = [("it", "IT"), ("monozukuri", "ものづくり"), ("food", "食"), ("automotive", "自動車"),
            ("photonics", "光"), ("medical_welfare", "医療・福祉"), ("environment", "環境")]
    return {code: Field.objects.create(code=code, name=name, order=i) for i, (code, name) in enumerate(rows)}


@pytest.fixture
def stage(db: None) -> dict[str, BusinessStage]:
    rows = [("pre_startup", "創業準備"), ("startup", "創業期"), ("growth", "成長期"), ("mature", "成熟期・第二創業")]
    return {code: BusinessStage.objects.create(code=code, name=name, order=i) for i, (code, name) in enumerate(rows)}


@pytest.fixture
def muni(db: None) -> dict[str, Municipality]:
    sendai = Municipality.objects.create(code="041009", name="仙台市", kind="designated_city")
    return {
        "sendai": sendai,
        "aoba": Municipality.objects.create(code="041017", name="青葉区", kind="ward", parent=sendai),
        "izumi": Municipality.objects.create(code="041050", name="泉区", kind="ward", parent=sendai),
        "ohira": Municipality.objects.create(code="044245", name="大衡村", kind="village"),
        "ishinomaki": Municipality.objects.create(code="042021", name="石巻市", kind="city"),
    }


@pytest.fixture
def orgs(db: None) -> dict[str, Organization]:
    mk = Organization.objects.create
    return {
        "core": mk(slug="miyagi-ii", name="(財)みやぎ産業振興機構", kind=Organization.Kind.CORE),
        "tohoku": mk(slug="tohoku-u", name="東北大学", kind=Organization.Kind.UNIVERSITY),
        "itc": mk(slug="mit", name="宮城県産業技術総合センター", kind=Organization.Kind.RESEARCH_INSTITUTE),
        "maker": mk(slug="maker", name="株式会社みやぎ精機", kind=Organization.Kind.PARTNER),
        "vc": mk(slug="vc", name="東北イノベーションキャピタル", kind=Organization.Kind.PARTNER),
    }


@pytest.fixture
def users(db: None, orgs: dict[str, Organization]) -> dict[str, User]:
    """The fixed cast: coordinator at the core institution, staff at the university and at the
    maker, a read-only member, someone outside any organization."""
    def member(name: str, org: str, role: str) -> User:
        u = User.objects.create_user(name, f"{name}@example.jp")  # no password: no slow hashing; tests force_login
        Membership.objects.create(user=u, organization=orgs[org], role=role)
        return u

    return {
        "coordinator": member("coord", "core", Membership.Role.COORDINATOR),
        "univ": member("univ", "tohoku", Membership.Role.STAFF),
        "maker": member("maker", "maker", Membership.Role.STAFF),
        "readonly": member("ro", "maker", Membership.Role.READONLY),
        "vc": member("vc", "vc", Membership.Role.STAFF),
        "outsider": User.objects.create_user("out", "out@example.jp"),
    }


@pytest.fixture
def tech_set(field_: dict[str, Field], orgs: dict[str, Organization], muni: dict[str, Municipality]) -> dict[str, Listing]:
    """A need, the seed and the patent that answer it, and seeds that do not."""
    return {
        "need": make_listing(
            Kind.NEED, "車載カメラ用レンズの曇り止めコーティング",
            "冬季に車載カメラのレンズが結露で曇り、画像認識が止まる。耐熱性と耐久性のある防曇コーティング技術を探している。",
            fields=[field_["automotive"]], tech_area="automotive", owner_organization=orgs["maker"],
            municipality=muni["ohira"]),
        "seed": make_listing(
            Kind.SEED, "ナノ構造による防曇・撥水コーティング",
            "ガラスや樹脂のレンズ表面にナノ構造を形成し、曇りを防ぐ親水性コーティング。耐久試験で1000時間の効果を確認。車載カメラ向けの応用を想定。",
            fields=[field_["automotive"], field_["photonics"]], tech_area="materials", owner_organization=orgs["tohoku"],
            municipality=muni["aoba"]),
        "patent": make_listing(
            Kind.PATENT, "防曇性光学部材およびその製造方法",
            "レンズ等の光学部材に防曇層を形成する方法の特許。ライセンス可能。",
            fields=[field_["photonics"]], tech_area="optics", owner_organization=orgs["itc"],
            patent_number="特許第5123456号", patent_status="登録"),
        "other_seed": make_listing(
            Kind.SEED, "米ぬか由来の機能性食品素材",
            "米ぬかから抽出した成分で血糖値の上昇を抑える機能性食品素材。県内の食品メーカーとの共同研究を希望。",
            fields=[field_["food"]], tech_area="food", owner_organization=orgs["tohoku"]),
        "other_seed2": make_listing(
            Kind.SEED, "介護記録の音声入力システム",
            "介護現場で話した内容をそのまま記録に残す音声認識ソフトウェア。",
            fields=[field_["medical_welfare"], field_["it"]], tech_area="software", owner_organization=orgs["tohoku"]),
    }


@pytest.fixture
def money_set(field_: dict[str, Field], stage: dict[str, BusinessStage], orgs: dict[str, Organization]) -> dict[str, Listing]:
    return {
        "funding": make_listing(
            Kind.FUNDING, "農業用IoTセンサのベンチャーが量産資金を調達したい",
            "圃場の土壌水分を測るIoTセンサを開発した創業2年目の企業。量産設備と販路開拓のため3,000万円を調達したい。",
            fields=[field_["it"], field_["food"]], stages=[stage["startup"]], amount_min=3000, amount_max=3000,
            use_of_funds="量産設備・販路開拓", owner_name="株式会社アグリセンス"),
        "investor": make_listing(
            Kind.INVESTOR, "創業期のIT・アグリテック企業への出資",
            "東北の創業期ベンチャーに出資する。IoT、農業、センサ関連に関心。",
            fields=[field_["it"], field_["food"]], stages=[stage["pre_startup"], stage["startup"]],
            amount_min=1000, amount_max=5000, owner_organization=orgs["vc"]),
        "big_lender": make_listing(
            Kind.INVESTOR, "成長期の製造業向け設備資金融資",
            "IoTやセンサを使う工場の設備投資に融資する。成長期の企業が対象。",
            fields=[field_["it"], field_["monozukuri"]], stages=[stage["growth"], stage["mature"]],
            amount_min=10000, amount_max=50000, owner_name="地方銀行A"),
        "small_angel": make_listing(
            Kind.INVESTOR, "IoT・農業の創業者へのエンジェル投資",
            "創業期のIoTや農業の起業家に少額を出資する個人投資家。",
            fields=[field_["it"], field_["food"]], stages=[stage["startup"]],
            amount_min=100, amount_max=500, owner_name="個人投資家B"),
        "growth_vc": make_listing(
            Kind.INVESTOR, "成長期の農業IoT企業への出資",
            "IoTと農業の成長期企業に出資する。",
            fields=[field_["it"], field_["food"]], stages=[stage["growth"]],
            amount_min=2000, amount_max=8000, owner_name="ファンドC"),
    }


@pytest.fixture
def order_set(field_: dict[str, Field], muni: dict[str, Municipality], orgs: dict[str, Organization]) -> dict[str, Listing]:
    soon = timezone.localdate() + dt.timedelta(days=45)
    return {
        "order": make_listing(
            Kind.ORDER, "アルミ切削部品の量産（月500個）",
            "自動車用ブラケット。A5052のアルミ切削後にアルマイト処理。図面あり。",
            fields=[field_["automotive"], field_["monozukuri"]], processes=["切削", "アルマイト"], material="A5052",
            quantity="月500個", deadline=soon, municipality=muni["ohira"], certifications=["ISO9001"],
            owner_organization=orgs["maker"]),
        "supplier": make_listing(
            Kind.SUPPLIER, "精密切削加工とアルマイト処理の一貫対応",
            "マシニングセンタとNC旋盤でアルミ・ステンレスの精密切削。アルマイト処理まで社内で対応。",
            fields=[field_["monozukuri"]], processes=["切削", "アルマイト", "研削"], equipment=["マシニングセンタ", "NC旋盤"],
            certifications=["ISO9001"], municipality=muni["ohira"], owner_name="有限会社大衡精工"),
        "molding": make_listing(
            Kind.SUPPLIER, "プラスチック射出成形",
            "PP・ABSの射出成形。金型設計から量産まで。",
            fields=[field_["monozukuri"]], processes=["射出成形"], equipment=["射出成形機"],
            municipality=muni["ishinomaki"], owner_name="石巻樹脂工業"),
        "press": make_listing(
            Kind.SUPPLIER, "板金プレス加工",
            "鉄・アルミの板金プレスと溶接。",
            fields=[field_["monozukuri"]], processes=["プレス", "溶接"], owner_name="泉プレス"),
    }


@pytest.fixture
def job_set(field_: dict[str, Field]) -> dict[str, Listing]:
    return {
        "offer": make_listing(
            Kind.JOB_OFFER, "組込みソフトウェアエンジニア（車載ECU）",
            "車載ECUの組込みソフトウェア開発。C言語とリアルタイムOSの経験者を求む。勤務地は大衡村。",
            fields=[field_["it"], field_["automotive"]], skills=["C言語", "組込み", "RTOS"], owner_name="株式会社北部電装"),
        "seeker": make_listing(
            Kind.JOB_SEEKER, "組込みエンジニア、経験10年",
            "家電と車載機器の組込みソフトウェア開発に10年従事。C言語、RTOS、CAN通信。",
            fields=[field_["it"]], skills=["C言語", "RTOS", "CAN"], owner_name="求職者X"),
        "seeker2": make_listing(
            Kind.JOB_SEEKER, "食品工場の品質管理",
            "食品製造の品質管理とHACCP対応の経験。",
            fields=[field_["food"]], skills=["HACCP", "品質管理"], owner_name="求職者Y"),
    }
