"""Parse the text of Miyagi's 2005 plan (事業環境整備構想) into plain dataclasses.

No database here: `parse_plan(text)` returns a `Plan` and raises `PlanError` with a Japanese
message when the text does not have the shape the 2005 plan has. The text was extracted from
the published document and has slips (企业, 掘指, stray spaces inside names, table cells split
over lines, HTML-ish <ul><li> markup in 表1 and in the 連携機関 cell); we keep the file as it
is and normalise only what we derive from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from madoguchi.platform.text import nfkc, without_spaces

# The six groups of the core institution's programs, as 二-2 heads them, with Program.Category codes.
PROGRAM_CATEGORIES: dict[str, str] = {
    "総合調整・相談": "coordination",
    "調査研究・情報提供事業": "research_info",
    "人材育成事業": "training",
    "資金支援事業": "finance",
    "技術開発支援事業": "tech_dev",
    "市場開拓支援・取引斡旋支援": "market",
}

# 表2 lists 23 numbered entries; a shorter count means the text was cut or mangled.
TABLE2_ENTRIES = 23


class PlanError(Exception):
    """The plan text does not have the expected shape. The message is Japanese and specific."""


@dataclass
class Body:
    """One body named on a line of 表2 (an entry may hold several)."""

    name: str
    address: str = ""
    phone: str = ""
    functions_text: str = ""
    locations: list[tuple[str, str, str]] = field(default_factory=list)  # (label, address, phone)


@dataclass
class Table2Entry:
    number: str  # "(5)"
    name: str  # the entry's name in 表2 (its first body, or e.g. "商工会・商工会議所")
    functions_text: str
    bodies: list[Body]  # bodies[0] is the entry itself


@dataclass
class Section21Entry:
    """One numbered entry of 二-1: heading lines with their function labels, and the description."""

    number: str
    headings: list[tuple[str, str]]  # (name part, labels text in the trailing parenthesis or "")
    description: str

    @property
    def labels(self) -> list[str]:
        return [labels for _name, labels in self.headings if labels]


@dataclass
class Table1Item:
    name: str
    section: str  # "大学・研究所等", "公設試験研究機関", "研究・開発財団", "産業支援機関"
    sector: str = ""  # national / prefecture / city for 公設試験研究機関
    parent: str = ""  # "東北大学" for its institutes


@dataclass
class CoreProgram:
    category: str  # Program.Category code
    category_label: str
    name: str
    description: str
    order: int


@dataclass
class Core:
    name: str
    address: str
    phone: str
    functions_text: str
    description: str
    programs: list[CoreProgram]


@dataclass
class AreaText:
    municipalities: list[str]
    area_km2: int
    description: str


@dataclass
class Plan:
    table1: list[Table1Item]
    facilities: list[str]
    section21: dict[str, Section21Entry]
    table2: list[Table2Entry]
    core: Core
    table4_rows: list[str]
    partners: list[str]
    skipped: list[str]
    strategic_fields: list[str]
    area: AreaText


def clean_name(text: str) -> str:
    """The plan's wording of a name without the stray spaces of the text extraction."""
    return without_spaces(text)


def clean_address(text: str) -> str:
    """Drop extraction spaces ("ICR ビル 3 階", "セントレ東北 1 1 階"), keeping one space before the building."""
    compact = without_spaces(text)
    return re.sub(r"^(.*?\d+(?:-\d+)+)(?=[^\d-])", r"\1 ", compact, count=1)


def clean_paragraphs(lines: list[str]) -> str:
    """Join non-empty lines into paragraphs separated by a blank line."""
    paragraphs = [line.strip() for line in lines if line.strip()]
    return "\n\n".join(paragraphs)


def _find(lines: list[str], pattern: str, start: int, what: str, *, end: int | None = None) -> int:
    regex = re.compile(pattern)
    for i in range(start, len(lines) if end is None else end):
        if regex.search(lines[i]):
            return i
    raise PlanError(f"{what}が見つかりません")


def parse_plan(text: str) -> Plan:
    """Parse the whole plan; every part is checked against the shape of the 2005 text."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    # The table of contents repeats the headings with page numbers; the body starts after 前文.
    body = _find(lines, r"^前 ?文\s*$", _find(lines, r"^前 ?文\s*$", 0, "前文の見出し") + 1, "本文の前文")
    s1 = _find(lines, r"^一 地域産業資源", body, "一 の見出し")
    t1 = _find(lines, r"^表 ?- ?1", s1, "表1 の見出し行")
    s12 = _find(lines, r"^2 産業の高度化", t1, "一-2 の見出し")
    s2 = _find(lines, r"^二 新事業支援体制", s12, "二 の見出し")
    s21 = _find(lines, r"^1 新事業支援機関に関する事項\s*$", s2, "二-1 の見出し")
    t2 = _find(lines, r"^表 ?- ?2", s21, "表2 の見出し行")
    s22 = _find(lines, r"^2 中核的支援機関に関する事項\s*$", t2, "二-2 の見出し")
    t3 = _find(lines, r"^表 ?- ?3", s22, "表3 の見出し行")
    s23 = _find(lines, r"^3 新事業支援機関と中核的支援機関", t3, "二-3 の見出し")
    t4 = _find(lines, r"^表 ?- ?4", s23, "表4 の見出し行")
    s3 = _find(lines, r"^三 高度技術産学連携地域", t4, "三 の見出し")
    s31 = _find(lines, r"^1 地域の設定\s*$", s3, "三-1 の見出し")
    s32 = _find(lines, r"^2 地域内の産業と研究機関の現況\s*$", s31, "三-2 の見出し")

    table1, facilities = parse_table1(lines[t1:s12])
    section21 = parse_section21(lines[s21 + 1 : t2])
    table2 = parse_table2(lines[t2 + 1 : s22])
    core = parse_core(lines[s22 + 1 : s23], t3 - s22 - 1)
    table4_rows, partners, skipped = parse_table4(lines[t4 + 1 : s3])
    strategic = parse_strategic_fields("\n".join(lines[s12:s2]))
    area = parse_area(lines[s31 + 1 : s32])

    missing = sorted({e.number for e in table2} - set(section21), key=lambda n: int(n.strip("()")))
    if missing:
        raise PlanError(f"表2 の {'・'.join(missing)} に対応する 二-1 の記述が見つかりません")
    return Plan(
        table1=table1, facilities=facilities, section21=section21, table2=table2, core=core,
        table4_rows=table4_rows, partners=partners, skipped=skipped, strategic_fields=strategic, area=area,
    )


# --- 表1 ---------------------------------------------------------------------------------

_BULLET = re.compile(r"(?:^|\s)・\s*")
_SECTOR = {"国": "national", "県": "prefecture", "仙台市": "city"}


def _html_tokens(cell: str) -> list[str]:
    """Split an HTML-ish cell into headings (<p>…</p>) and bullet items, in order."""
    tokens: list[str] = []
    for part in re.split(r"<[^>]+>", cell):
        part = part.strip()
        if not part:
            continue
        if part.startswith("・") or " ・" in part:
            tokens.extend(item.strip() for item in _BULLET.split(part) if item.strip())
        else:
            tokens.append("#" + part)
    return tokens


def parse_table1(lines: list[str]) -> tuple[list[Table1Item], list[str]]:
    """表1: institutions by section (with 東北大学's institutes) and the facilities column."""
    rows = [line for line in lines if "<ul" in line]
    if len(rows) != 2:
        raise PlanError(f"表1 の行（大学・研究機関等 と 産業支援機関）が 2 行あるはずが {len(rows)} 行でした")
    research_row, support_row = rows
    items: list[Table1Item] = []
    section, sector = "", ""
    for token in _html_tokens(research_row.split("\t", 1)[1]):
        if token.startswith("#"):
            heading = nfkc(token[1:]).strip("〔〕[]() ")
            if heading in _SECTOR:
                sector = _SECTOR[heading]
            else:
                section, sector = heading, ""
            continue
        if not section:
            raise PlanError(f"表1 の「{token}」の区分が読めません")
        if "、" in token:
            # "東北大学 金属材料研究所、流体科学研究所、…": the university and its institutes.
            parent, first = token.split(None, 1)
            items.append(Table1Item(clean_name(parent), section, sector))
            for member in first.split("、"):
                items.append(Table1Item(clean_name(parent + member), section, sector, parent=clean_name(parent)))
        else:
            items.append(Table1Item(clean_name(token), section, sector))
    cells = support_row.split("\t")
    if len(cells) < 3:
        raise PlanError("表1 の産業支援機関・施設の欄が読めません")
    for token in _html_tokens(cells[1]):
        if not token.startswith("#"):
            items.append(Table1Item(clean_name(token), "産業支援機関"))
    facilities = [clean_name(t) for t in _html_tokens(cells[2]) if not t.startswith("#")]
    return items, facilities


# --- 二-1 ------------------------------------------------------------------------------------

_ENTRY = re.compile(r"^[(（](\d+)[)）]\s*(.*)$")
# A heading line's trailing parenthesis holds its function labels: "…（技術開発支援・技術移転支援）".
_TRAILING_LABELS = re.compile(r"^(.*?)\s*[(（]([^()（）]*支援[^()（）]*|[^()（）]*運営[^()（）]*|販路開拓|[^()（）]*組織化[^()（）]*)[)）]\s*$")


def parse_section21(lines: list[str]) -> dict[str, Section21Entry]:
    """二-1: the numbered entries; heading lines (no "。") come first, then the description."""
    entries: dict[str, Section21Entry] = {}
    current: list[str] = []
    number = ""

    def flush() -> None:
        if not number:
            return
        headings: list[tuple[str, str]] = []
        rest: list[str] = []
        for line in current:
            if not line.strip():
                continue
            if not rest and "。" not in line and len(line) < 90:
                m = _TRAILING_LABELS.match(line.strip())
                if m:
                    headings.append((clean_name(m.group(1)), clean_name(m.group(2))))
                else:
                    headings.append((clean_name(line), ""))
            else:
                rest.append(line)
        if not rest:
            raise PlanError(f"二-1 {number} の説明文が見つかりません")
        entries[number] = Section21Entry(number, headings, clean_paragraphs(rest))

    for line in lines:
        m = _ENTRY.match(line.strip())
        if m:
            flush()
            number, current = f"({m.group(1)})", [m.group(2)]
        elif number:
            current.append(line)
    flush()
    return entries


# --- 表2 ---------------------------------------------------------------------------------

_ADDRESS_START = re.compile(r"^(宮城県)?\S+?[市郡]")
_LOCATION = re.compile(r"^[(（](本部|支部)[)）]\s*(.*)$")


def _split_body_and_address(cell: str) -> tuple[str, str]:
    """(4) writes "宮城県商工会連合会 仙台市青葉区上杉…" in the address cell: body name, then address."""
    cell = cell.strip()
    if cell.startswith(("仙台市", "宮城県仙台市")):
        return "", cell
    head, _, tail = cell.partition(" ")
    if tail and _ADDRESS_START.match(tail.strip()):
        return head, tail.strip()
    return "", cell


def parse_table2(lines: list[str]) -> list[Table2Entry]:
    """表2: one entry per number; continuation lines add bodies ((1), (4), (16)) or offices ((8))."""
    entries: list[Table2Entry] = []
    header_seen = False
    for raw in lines:
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.split("\t")]
        if len(cells) > 1 and cells[1].replace(" ", "") == "団体名称":
            header_seen = True
            continue
        if len(cells) < 4:
            raise PlanError(f"表2 の行が読めません: 「{raw.strip()[:40]}」")
        cells += [""] * (5 - len(cells))
        number, name, address_cell, phone, functions = cells[:5]
        phone = phone.replace(" ", "")
        if phone and not re.fullmatch(r"0\d{1,4}-\d{1,4}-\d{3,4}", phone):
            raise PlanError(f"表2 {number or name} の電話番号「{phone}」が読めません")
        functions = functions.replace(" ", "")
        location = _LOCATION.match(address_cell)
        member_name, address = _split_body_and_address(address_cell)
        if number:
            if not _ENTRY.match(number):
                raise PlanError(f"表2 の番号「{number}」が読めません")
            entries.append(Table2Entry(number, clean_name(name), functions, [Body(clean_name(name), functions_text=functions)]))
        elif not entries:
            raise PlanError("表2 の最初の行に番号がありません")
        entry = entries[-1]
        head = entry.bodies[0]
        if location:
            label, addr = location.groups()
            head.locations.append((label, clean_address(addr), phone))
        elif number and not member_name:
            head.address, head.phone = clean_address(address), phone
        else:
            body_name = clean_name(member_name or name)
            if not body_name:
                raise PlanError(f"表2 {entry.number} の続きの行の団体名が読めません")
            entry.bodies.append(Body(body_name, clean_address(address), phone, functions))
        if not head.address:
            # An entry written as offices or as member bodies takes the first one's address.
            source = head.locations[0] if head.locations else None
            if source:
                head.address, head.phone = source[1], source[2]
            elif len(entry.bodies) > 1:
                head.address, head.phone = entry.bodies[1].address, entry.bodies[1].phone
    if not header_seen:
        raise PlanError("表2 の見出し行が見つかりません")
    if len(entries) != TABLE2_ENTRIES:
        raise PlanError(f"表2 に {TABLE2_ENTRIES} 機関あるはずが {len(entries)} 機関しか読めませんでした")
    expected = [f"({i})" for i in range(1, TABLE2_ENTRIES + 1)]
    if [e.number for e in entries] != expected:
        raise PlanError("表2 の番号が (1) から (23) まで順に並んでいません")
    return entries


# --- 表3 and 二-2 -------------------------------------------------------------------------

def parse_core(lines: list[str], table3_offset: int) -> Core:
    """表3's one row, the description paragraphs of 二-2, and its bulleted programs by category."""
    rows = [line for line in lines[table3_offset:] if "\t" in line]
    if len(rows) < 2:
        raise PlanError("表3 の行が見つかりません")
    cells = [c.strip() for c in rows[1].split("\t")]
    if len(cells) < 4:
        raise PlanError("表3 の行が読めません")
    name, address, phone, functions = cells[:4]
    intro = [line for line in lines[:table3_offset] if line.strip()]
    description: list[str] = list(intro)
    programs: list[CoreProgram] = []
    category = ""
    data_row = lines.index(rows[1])
    for line in lines[data_row + 1 :]:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped in PROGRAM_CATEGORIES:
            category = stripped
            continue
        if stripped.startswith("- "):
            if not category:
                raise PlanError(f"二-2 の支援事業「{stripped}」の区分が見つかりません")
            item = stripped[2:].lstrip("・ ").strip()
            m = re.match(r"^(.*?)[(（](.*)[)）]$", item)
            program_name, detail = (m.group(1), m.group(2)) if m else (item, "")
            order = sum(1 for p in programs if p.category == PROGRAM_CATEGORIES[category]) + 1
            programs.append(CoreProgram(
                PROGRAM_CATEGORIES[category], category, clean_name(program_name), detail.strip(), order,
            ))
        elif not category:
            description.append(stripped)
    found = {p.category_label for p in programs}
    lacking = [label for label in PROGRAM_CATEGORIES if label not in found]
    if lacking:
        raise PlanError(f"二-2 の支援事業の区分「{'」「'.join(lacking)}」が見つかりません")
    return Core(clean_name(name), clean_address(address), phone.replace(" ", ""), functions,
                clean_paragraphs(description), programs)


# --- 表4 and 連携機関 ---------------------------------------------------------------------------

def parse_table4(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Row names of 表4 (the marks themselves were lost) and the 連携機関 list under it.

    Returns (row names, partner names, skipped entries that are not bodies).
    """
    rows: list[str] = []
    partners: list[str] = []
    skipped: list[str] = []
    partner_line = None
    for line in lines:
        if not line.strip() or "\t" not in line:
            continue
        first = line.split("\t", 1)[0]
        compact = clean_name(first)
        if compact == "団体名称":
            continue
        if compact == "連携機関":
            partner_line = line
            break
        for part in re.split(r"、\s*", first):
            rows.append(clean_name(part))
    if partner_line is None:
        raise PlanError("表4 の連携機関の欄が見つかりません")
    for token in _html_tokens(partner_line.split("\t", 1)[1]):
        if token.startswith("#"):
            continue
        for part in token.split("、"):
            name = clean_name(part)
            if not name:
                continue
            # "各種産業団体" names a kind of body, not a body: nothing to load.
            (skipped if name == "各種産業団体" else partners).append(name)
    if len(rows) < 20:
        raise PlanError(f"表4 の行が {len(rows)} 行しか読めませんでした")
    return rows, partners, skipped


# --- 一-2(3) and 三-1 ----------------------------------------------------------------------

def parse_strategic_fields(text: str) -> list[str]:
    m = re.search(r"((?:「[^」]+」、?)+)の(\d)つの分野を宮城県の戦略分野", text)
    if not m:
        raise PlanError("一-2(3) の戦略分野の記述が見つかりません")
    names = re.findall(r"「([^」]+)」", m.group(1))
    return [nfkc(n) for n in names]


def parse_area(lines: list[str]) -> AreaText:
    text = "\n".join(lines)
    m = re.search(
        r"((?:[^、。\s]+?[市町村]、)*[^、。\s]+?[市町村])の\d市\d町\d村[(（]以下「仙台北部地域」という。[)）]で構成される約([\d,]+)k㎡",
        text,
    )
    if not m:
        raise PlanError("三-1 の仙台北部地域の構成市町村と面積が読めません")
    names = [clean_name(n) for n in m.group(1).split("、")]
    return AreaText(names, int(m.group(2).replace(",", "")), clean_paragraphs(lines))
