"""Read a gettext .po file without extra dependencies (enough for Django's catalogues)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def parse_po(path: Path) -> list[Entry]:
    """Return the entries of a .po file (the header entry, msgid "", included)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()
    refs: list[str] = []

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#:"):
            refs.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"continuation without a keyword in {path}: {raw}"
            _append(current, target, ast.literal_eval(line))
            continue
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            finish()  # a new entry without the usual blank line before it
        if current is None:
            current = Entry(msgid="", flags=flags, references=refs, obsolete=obsolete)
            flags, refs = set(), []
        if keyword == "msgctxt":
            current.msgctxt, target = "", ("msgctxt", 0)
        elif keyword == "msgid":
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = "", ("msgid_plural", 0)
        elif keyword == "msgstr":
            current.msgstr[0], target = "", ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            n = int(keyword[7:-1])
            current.msgstr[n], target = "", ("msgstr", n)
        else:
            raise ValueError(f"unexpected line in {path}: {raw}")
        _append(current, target, ast.literal_eval(rest))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, n = target
    if name == "msgstr":
        entry.msgstr[n] += text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)
