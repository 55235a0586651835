"""From the parsed plan and the curated CSV files to the records to load — still without a database.

Here the bodies named in several places (表1, 表2, 表3, 表4, 連携機関) become one record each,
and each body's support functions are derived from 表2's 主な支援機能 and 二-1's headings,
because 表4's marks were lost in the text. Every derived function keeps its basis.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from madoguchi.directory.models import name_key
from madoguchi.interop.plan import Plan, PlanError
from madoguchi.platform.text import nfkc, without_spaces

DATA_DIR = Path(__file__).resolve().parent / "data"

STAGE_CODES = ("pre_startup", "startup", "growth", "mature", "new_field")
FUNCTION_CODES = (
    "tech_dev", "tech_transfer", "startup", "finance", "management", "market", "market_info", "talent",
)

# 表1's sections, with the Organization.kind of a body found only there.
TABLE1_KINDS = {
    "大学・研究所等": "university",
    "公設試験研究機関": "research",
    "研究・開発財団": "foundation",
    "産業支援機関": "industry_support",
}
SECTOR_LABELS = {"national": "国", "prefecture": "県", "city": "仙台市"}
BASIS_MAX = 300


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a curated data file; a missing file or column is a clear error."""
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]
    except FileNotFoundError as exc:
        raise PlanError(f"データファイル {name} が見つかりません") from exc


def _nfkc(text: str) -> str:
    return without_spaces(nfkc(text))


@dataclass
class OrgSpec:
    plan_key: str
    name: str
    kind: str
    source: str
    sector: str = ""
    parent_key: str = ""
    parent_name: str = ""  # 表1's members name their parent before it has a key
    plan_number: str = ""
    plan_order: int = 0
    address: str = ""
    phone: str = ""
    main_functions_text: str = ""
    description: str = ""
    source_refs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    locations: list[tuple[str, str, str]] = field(default_factory=list)
    functions: dict[str, list[str]] = field(default_factory=dict)  # code -> bases
    name_en: str = ""
    slug: str = ""

    def add_ref(self, ref: str) -> None:
        if ref not in self.source_refs:
            self.source_refs.append(ref)

    def add_function(self, code: str, basis: str) -> None:
        bases = self.functions.setdefault(code, [])
        if basis not in bases:
            bases.append(basis)

    def basis(self, code: str) -> str:
        text = "／".join(self.functions[code])
        return text if len(text) <= BASIS_MAX else text[: BASIS_MAX - 1] + "…"


@dataclass
class ProgramSpec:
    org_key: str
    plan_key: str
    slug: str
    name: str
    category: str
    description: str
    order: int
    source: str
    functions: list[str]
    function_basis: str
    stages: list[str] = field(default_factory=list)
    stage_basis: str = ""


class LabelTable:
    """主な支援機能 labels → function codes (function_labels.csv), matched longest first."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.codes: dict[str, list[str]] = {}
        for row in rows:
            codes = row["codes"].split()
            unknown = [c for c in codes if c not in FUNCTION_CODES]
            if unknown:
                raise PlanError(f"function_labels.csv の「{row['label']}」に不明な機能コード {unknown} があります")
            self.codes[_nfkc(row["label"])] = codes
        self._ordered = sorted(self.codes, key=len, reverse=True)

    def labels(self, text: str) -> list[str]:
        """The known labels in a 主な支援機能 text, e.g. "交流・情報提供 支援" → ["交流・情報提供支援"].

        Parenthesised notes ("(仙台市内)", "(中小企業振興・情報提供・債務保証等)") are not labels.
        """
        rest = _nfkc(re.sub(r"[(（][^()（）]*[)）]", "", text))
        found: list[str] = []
        while rest:
            if rest[0] in "・、,":
                rest = rest[1:]
                continue
            label = next((lab for lab in self._ordered if rest.startswith(lab)), None)
            if label is None:
                raise PlanError(f"主な支援機能「{text}」の「{rest}」が function_labels.csv にありません")
            found.append(label)
            rest = rest[len(label):]
        return found


class Registry:
    """One OrgSpec per real body, found by any of the plan's spellings (name_key + aliases.csv)."""

    def __init__(self, alias_rows: list[dict[str, str]]) -> None:
        self.specs: dict[str, OrgSpec] = {}
        self._by_key: dict[str, OrgSpec] = {}
        self._alias = {name_key(r["alias"]): name_key(r["canonical"]) for r in alias_rows}

    def key(self, name: str) -> str:
        k = name_key(name)
        return self._alias.get(k, k)

    def find(self, name: str) -> OrgSpec | None:
        return self._by_key.get(self.key(name))

    def add(self, spec: OrgSpec) -> OrgSpec:
        # Bodies of 表1 / 連携機関 get their key from their slug later; hold them under a temporary one.
        spec.plan_key = spec.plan_key or f"_{len(self.specs)}"
        if spec.plan_key in self.specs:
            raise PlanError(f"計画上のキー {spec.plan_key} が重複しています")
        self.specs[spec.plan_key] = spec
        self._by_key[self.key(spec.name)] = spec
        return spec

    def note_spelling(self, spec: OrgSpec, name: str) -> None:
        """Keep another spelling of the body as an alias when it differs by more than spaces/legal form."""
        if name_key(name) != name_key(spec.name) and name not in spec.aliases:
            spec.aliases.append(name)


def build_organizations(plan: Plan) -> list[OrgSpec]:
    """Every body of the plan once, in 表4's order first (core, then 表2), then 表1 and 連携機関."""
    labels = LabelTable(read_csv("function_labels.csv"))
    registry = Registry(read_csv("aliases.csv"))

    def apply_labels(spec: OrgSpec, text: str, basis: str) -> None:
        for label in labels.labels(text):
            for code in labels.codes[label]:
                spec.add_function(code, basis)

    core = plan.core
    core_spec = registry.add(OrgSpec(
        plan_key="t3", name=core.name, kind="core", source="表3", plan_order=0, address=core.address,
        phone=core.phone, main_functions_text=core.functions_text, description=core.description,
        source_refs=["表3", "二-2"],
    ))
    apply_labels(core_spec, core.functions_text, f"表3 主な支援機能「{core.functions_text}」")

    spec: OrgSpec | None  # one name for the body at hand in each table below; find() may miss
    for entry in plan.table2:
        n = int(entry.number.strip("()"))
        section = plan.section21[entry.number]
        head: OrgSpec | None = None
        entry_specs: list[OrgSpec] = []
        for i, body in enumerate(entry.bodies):
            suffix = "" if i == 0 else "-" + "abcdefgh"[i]
            ref = f"表2 {entry.number}"
            text = body.functions_text or entry.functions_text
            spec = registry.add(OrgSpec(
                plan_key=f"t2-{n:02d}{suffix}", name=body.name, kind="support", source=ref,
                parent_key=head.plan_key if head else "", plan_number=entry.number, plan_order=n * 10 + i,
                address=body.address, phone=body.phone, main_functions_text=text,
                description=section.description, source_refs=[ref, f"二-1 {entry.number}"],
                locations=list(body.locations),
            ))
            apply_labels(spec, text, f"表2 主な支援機能「{text}」")
            head = head or spec
            entry_specs.append(spec)
        for name, text in section.headings:
            if not text:
                continue
            # A heading line that names one body of the entry ((1)'s 財団 and 研究機構) gives its
            # labels to that body; a heading for the whole entry gives them to every body.
            target = registry.find(name) if name else None
            for spec in [target] if target in entry_specs else entry_specs:
                assert spec is not None
                apply_labels(spec, text, f"二-1 {entry.number} 見出し「{text}」")
        for name, _text in section.headings:
            target = registry.find(name) if name else None
            if target is not None and target in entry_specs:
                registry.note_spelling(target, name)

    for row in plan.table4_rows:
        spec = registry.find(row)
        if spec is None:
            raise PlanError(f"表4 の行「{row}」が 表2・表3 のどの機関とも一致しません")
        spec.add_ref("表4")

    for item in plan.table1:
        where = f"表1 {item.section}" + (f"（{SECTOR_LABELS[item.sector]}）" if item.sector else "")
        spec = registry.find(item.name)
        if spec is None:
            spec = registry.add(OrgSpec(
                plan_key="", name=item.name, kind=TABLE1_KINDS[item.section], source=where,
                sector=item.sector, parent_name=item.parent, plan_order=1000,
            ))
        else:
            registry.note_spelling(spec, item.name)
            spec.sector = spec.sector or item.sector
        spec.add_ref(where)

    for name in plan.partners:
        spec = registry.find(name)
        if spec is None:
            spec = registry.add(OrgSpec(plan_key="", name=name, kind="partner", source="表4 連携機関", plan_order=2000))
        spec.add_ref("表4 連携機関")

    _add_partner_functions(plan, registry)
    _add_english_names(registry)
    _add_current_names(registry)
    _add_core_program_functions(core_spec, build_core_programs(plan))
    return list(registry.specs.values())


def _add_partner_functions(plan: Plan, registry: Registry) -> None:
    """連携機関 the text describes elsewhere: 二-1 (10)'s 政府系金融機関 are the three of the 連携機関 list."""
    for row in read_csv("partner_functions.csv"):
        spec = registry.find(row["name"])
        if spec is None:
            raise PlanError(f"partner_functions.csv の「{row['name']}」が連携機関にありません")
        section = plan.section21.get(row["number"])
        quote = quote_sentence(section.description, row["quote"]) if section else ""
        if not quote:
            raise PlanError(f"二-1 {row['number']} に「{row['quote']}」を含む文が見つかりません")
        spec.add_ref(f"二-1 {row['number']}")
        spec.description = spec.description or quote
        for code in row["codes"].split():
            spec.add_function(code, f"二-1 {row['number']} の記述「{quote}」（{row['note']}）")


def _add_english_names(registry: Registry) -> None:
    """English name and slug of every body from organizations_en.csv; 表1/連携機関 keys come from the slug."""
    rows = {registry.key(r["name"]): r for r in read_csv("organizations_en.csv")}
    seen: set[str] = set()
    for spec in list(registry.specs.values()):
        row = rows.get(registry.key(spec.name))
        if row is None:
            raise PlanError(f"英語名の表（organizations_en.csv）に「{spec.name}」がありません")
        if row["slug"] in seen or not re.fullmatch(r"[a-z0-9-]+", row["slug"]):
            raise PlanError(f"organizations_en.csv のスラッグ「{row['slug']}」が重複しているか英数字以外を含みます")
        seen.add(row["slug"])
        spec.name_en, spec.slug = row["name_en"], row["slug"]
    # Bodies known only from 表1 / 連携機関 get a key from their slug, stable across reloads.
    for spec in list(registry.specs.values()):
        if spec.plan_key.startswith("_"):
            prefix = "partner" if spec.kind == "partner" else "t1"
            spec.plan_key = f"{prefix}-{spec.slug}"
    registry.specs = {s.plan_key: s for s in registry.specs.values()}
    for spec in registry.specs.values():
        if spec.parent_name:
            parent = registry.find(spec.parent_name)
            if parent is None:
                raise PlanError(f"「{spec.name}」の上位団体「{spec.parent_name}」が見つかりません")
            spec.parent_key = parent.plan_key


def _add_current_names(registry: Registry) -> None:
    """Today's names of renamed or merged bodies (current_names.csv) as aliases, so a 相談者 who types
    日本政策金融公庫 finds the plan's 公庫 branches.

    Not in aliases.csv: that file maps the plan's spellings to one body, while one current name
    may stand for several of the plan's bodies (both 公庫 branches, both 高専).
    """
    for row in read_csv("current_names.csv"):
        spec = registry.find(row["name"])
        if spec is None:
            raise PlanError(f"current_names.csv の「{row['name']}」が計画の機関にありません")
        if not row["current_name"] or not row["note"]:
            raise PlanError(f"current_names.csv の「{row['name']}」の現在の名称（current_name）と注記（note）は空にできません")
        registry.note_spelling(spec, row["current_name"])


def build_core_programs(plan: Plan) -> list[ProgramSpec]:
    """The core institution's programs of 二-2, each with functions derived from category and wording."""
    rows = read_csv("program_functions.csv")
    by_category = {r["match"]: r["codes"].split() for r in rows if r["kind"] == "category"}
    keywords = [(r["match"], r["codes"].split()) for r in rows if r["kind"] == "keyword"]
    stage_words = [(r["match"], r["stages"].split()) for r in read_csv("program_stages.csv")]
    specs: list[ProgramSpec] = []
    for program in plan.core.programs:
        if program.category not in by_category:
            raise PlanError(f"program_functions.csv に区分 {program.category} の行がありません")
        codes = list(by_category[program.category])
        reasons = [f"二-2「{program.category_label}」"]
        text = program.name + " " + program.description
        for word, extra in keywords:
            if word in text:
                new = [c for c in extra if c not in codes]
                codes += new
                if new:
                    reasons.append(f"語「{word}」")
        order = [c for c in FUNCTION_CODES if c in codes]
        stages = [st for word, st_codes in stage_words if word in text for st in st_codes]
        stage_basis = "・".join(f"二-2「{program.name}」の語「{word}」" for word, _ in stage_words if word in text)
        slug_category = program.category.replace("_", "-")
        specs.append(ProgramSpec(
            org_key="t3", plan_key=f"p-core-{slug_category}-{program.order:02d}",
            slug=f"core-{slug_category}-{program.order:02d}",
            name=program.name, category=program.category, description=program.description,
            order=len(specs) + 1, source=f"二-2 {program.category_label}", functions=order,
            function_basis="・".join(reasons),
            stages=[st for st in STAGE_CODES if st in stages], stage_basis=stage_basis,
        ))
    return specs


def _add_core_program_functions(core: OrgSpec, programs: list[ProgramSpec]) -> None:
    """The core institution offers what its programs offer (二-2 lists them under 表3)."""
    by_code: dict[str, list[str]] = {}
    for program in programs:
        for code in program.functions:
            by_code.setdefault(code, []).append(program.name)
    for code, names in by_code.items():
        core.add_function(code, "二-2 支援事業「" + "」「".join(names) + "」")


def quote_sentence(text: str, words: str) -> str:
    """The plan's sentence (up to its "。") that contains `words`, or "" when none does."""
    for paragraph in text.split("\n\n"):
        for sentence in paragraph.split("。"):
            if words in sentence:
                return sentence.strip() + "。"
    return ""


def build_section21_programs(plan: Plan, specs: list[OrgSpec]) -> list[ProgramSpec]:
    """Programs other institutions name in 二-1 (section21_programs.csv), each quoting the plan's sentence."""
    by_key = {s.plan_key: s for s in specs}
    by_name = {name_key(s.name): s for s in specs}
    programs: list[ProgramSpec] = []
    per_org: dict[str, int] = {}
    for row in read_csv("section21_programs.csv"):
        number = row["number"]
        if number not in plan.section21:
            raise PlanError(f"section21_programs.csv の {row['name']} の番号 {number} が 二-1 にありません")
        org = by_name.get(name_key(row["body"])) if row["body"] else by_key.get(f"t2-{int(number.strip('()')):02d}")
        if org is None:
            raise PlanError(f"section21_programs.csv の {row['name']} の実施機関が見つかりません")
        quote = quote_sentence(plan.section21[number].description, row["quote"])
        if not quote:
            raise PlanError(f"二-1 {number} に「{row['quote']}」を含む文が見つかりません（{row['name']}）")
        codes = row["codes"].split()
        if any(c not in FUNCTION_CODES for c in codes):
            raise PlanError(f"section21_programs.csv の {row['name']} に不明な機能コードがあります")
        stages = row["stages"].split()
        words = [w for w in row["stage_words"].split("|") if w]
        if any(st not in STAGE_CODES for st in stages) or bool(stages) != bool(words):
            raise PlanError(f"section21_programs.csv の {row['name']} の対象段階（stages / stage_words）が正しくありません")
        absent = [w for w in words if w not in quote]
        if absent:
            raise PlanError(f"二-1 {number} の「{row['quote']}」の文に「{absent[0]}」がありません（{row['name']} の対象段階）")
        per_org[org.plan_key] = per_org.get(org.plan_key, 0) + 1
        programs.append(ProgramSpec(
            org_key=org.plan_key, plan_key=f"p-{row['key']}", slug=f"{org.slug}-{per_org[org.plan_key]:02d}",
            name=row["name"], category="other", description=quote, order=per_org[org.plan_key],
            source=f"二-1 {number}", functions=[c for c in FUNCTION_CODES if c in codes],
            function_basis=f"二-1 {number} の記述「{row['quote']}」",
            stages=[st for st in STAGE_CODES if st in stages],
            stage_basis=f"二-1 {number} の記述「" + "」「".join(words) + "」" if words else "",
        ))
    return programs
