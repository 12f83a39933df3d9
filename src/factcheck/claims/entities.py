"""Entities: the company a dossier is about, its aliases, models and other organisations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from factcheck.document import Document, Paragraph, Table
from factcheck.vocab import Vocabulary, normalise_label

_TITLE_SPLIT = re.compile(r"\s+[-–—:|]\s+|:\s+")
_PAREN = re.compile(r"\(([^()]*)\)")
_CORPORATE_SUFFIXES = frozenset(
    [
        "ai",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "plc",
        "corp",
        "corp.",
        "co",
        "co.",
        "gmbh",
        "sa",
        "ag",
        "bv",
        "technologies",
        "technology",
        "group",
        "holdings",
        "labs",
        "lab",
    ]
)
_VS = re.compile(r"\bvs\.?\s+([^(/,:]+)", re.IGNORECASE)
_NAME_OK = re.compile(r"^[\w.][\w .+\-]*$")
_KEY_SEPARATORS = re.compile(r"[\s\-_]+")
_NAME_SEPARATORS = re.compile(r"\s*(?:,|/|;|\band\b|&)\s*")

Mentions = tuple[tuple[int, int, str], ...]  # (start, end, key) of each mention in a text


def entity_key(name: str) -> str:
    """Normalise a name: case, markup and separators, so `Step-2` and `step 2` are one key."""
    text = normalise_label(name).strip(" .,:;")
    return _KEY_SEPARATORS.sub("-", text)


def company_key(name: str) -> str:
    """Normalise a company name, dropping corporate suffixes such as `AI` or `Inc`."""
    words = [w.strip(".,:;") for w in normalise_label(name).split()]
    words = [w for w in words if w]
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        words.pop()
    return "-".join(words)


def _is_model_name(text: str) -> bool:
    if not text or len(text) > 40 or len(text.split()) > 4:
        return False
    if not _NAME_OK.match(text) or text[0].isdigit():
        return False
    lowered = text.casefold()
    return not any(w in lowered.split() for w in ("models", "total", "various", "tbd", "others"))


def split_names(cell: str) -> list[str]:
    """Split a cell naming several models ("Step-1, Step-2") into names."""
    parts = _NAME_SEPARATORS.split(cell.strip())
    return [p.strip(" *") for p in parts if p.strip(" *")]


@dataclass
class Entities:
    """What a document is about and which names in it denote entities."""

    company: str | None = None
    company_key: str | None = None
    aliases: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # key -> display name
    others: dict[str, str] = field(default_factory=dict)  # other organisations: key -> display
    _model_re: re.Pattern[str] | None = None
    _company_re: re.Pattern[str] | None = None
    _others_re: re.Pattern[str] | None = None
    # Mentions by text: extraction asks about the same sentence once per claim it finds.
    _seen: dict[tuple[str, str], Mentions] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add_model(self, name: str) -> None:
        name = name.strip(" *`")
        if _is_model_name(name) and entity_key(name) != self.company_key:
            self.models.setdefault(entity_key(name), name)

    def freeze(self) -> None:
        """Compile the mention patterns once all names are known."""
        self._model_re = _names_pattern(self.models.values())
        names = [self.company or "", *self.aliases]
        if self.company:
            # "Helix" and "Aurora" name "Helix Bio" and "Aurora Robotics" in running text.
            first = self.company.split()[0]
            if len(first) >= 4 and first[0].isupper() and entity_key(first) not in self.models:
                names.append(first)
        self._company_re = _names_pattern(n for n in names if n)
        self._others_re = _names_pattern(self.others.values())

    def models_in(self, text: str) -> Mentions:
        """Return (start, end, key) of every model mention, longest names first."""
        return self._cached("model", text, self._model_re, entity_key)

    def company_in(self, text: str) -> Mentions:
        return self._cached("company", text, self._company_re, lambda _: self.company_key or "")

    def others_in(self, text: str) -> Mentions:
        return self._cached("other", text, self._others_re, company_key)

    def _cached(
        self, kind: str, text: str, pattern: re.Pattern[str] | None, key: Callable[[str], str]
    ) -> Mentions:
        """The mentions of one kind in `text`, found once per text (the patterns are frozen)."""
        found = self._seen.get((kind, text))
        if found is None:
            found = self._seen[(kind, text)] = _mentions(pattern, text, key)
        return found


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(
        re.escape(n).replace(r"\-", r"[-\s]?").replace(r"\ ", r"[-\s]?") for n in ordered
    )
    # A name ends at a word end with no hyphenated suffix: `Step-2` is not in `Step-2-16k`.
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w]|-\w)", re.IGNORECASE)


def _mentions(pattern: re.Pattern[str] | None, text: str, key: Callable[[str], str]) -> Mentions:
    if pattern is None:
        return ()
    return tuple((m.start(), m.end(), key(m.group(0))) for m in pattern.finditer(text))


def find_entities(doc: Document, vocab: Vocabulary) -> Entities:
    """Collect the company, its aliases, the model names and other organisations of a document."""
    ents = Entities()
    if doc.title:
        head = _TITLE_SPLIT.split(doc.title, maxsplit=1)[0]
        aliases = [a.strip() for m in _PAREN.finditer(head) for a in m.group(1).split(",")]
        name = re.sub(r",?\s+(?:Inc|Ltd|LLC|PLC|Corp|GmbH|AG|SA)\.?$", "", _PAREN.sub("", head))
        name = name.strip(" *")
        if name:
            ents.company = name
            ents.company_key = company_key(name)
            ents.aliases = [a for a in aliases if a]
    for block in doc.blocks:
        if isinstance(block, Table):
            fields = [vocab.column_field(c.inline.text) for c in block.header]
            if "model" in fields and len(set(fields) - {None, "model"}) >= 1:
                col = fields.index("model")
                for row in block.rows:
                    if col < len(row):
                        for name in split_names(row[col].inline.text):
                            ents.add_model(name)
    for section in doc.sections:
        for m in _VS.finditer(section.title):
            _add_other(ents, m.group(1))
    for title in _index_sections(doc):
        _add_other(ents, title)
    for block in doc.blocks:
        if isinstance(block, Paragraph) and is_pseudo_heading(doc, block):
            for m in _VS.finditer(block.inline.text):
                _add_other(ents, m.group(1))
    ents.freeze()
    return ents


def _index_sections(doc: Document) -> list[str]:
    """Titles of the sections of an index page: one section per company, each linking a dossier.

    A page is an index when two or more sections of one level each link to a different Markdown
    file; a dossier that links its companion from several sections is not one.
    """
    targets: dict[tuple[str, ...], set[str]] = {}
    titles: dict[tuple[str, ...], tuple[int, str]] = {}
    for link in doc.links:
        section = link.section
        target = link.target.split("#", 1)[0]
        if section is None or "://" in target or not target.endswith((".md", ".markdown")):
            continue
        targets.setdefault(section.path, set()).add(target)
        titles[section.path] = (section.level, section.title)
    by_level: dict[int, list[tuple[str, frozenset[str]]]] = {}
    for path, found in targets.items():
        level, title = titles[path]
        by_level.setdefault(level, []).append((title, frozenset(found)))
    result: list[str] = []
    for entries in by_level.values():
        distinct = {t for t in (e[1] for e in entries)}
        if len(entries) >= 2 and len(distinct) == len(entries):
            result.extend(title for title, _ in entries)
    return result


def _add_other(ents: Entities, raw: str) -> None:
    name = raw.strip(" *:")
    key = company_key(name)
    if name and key != ents.company_key and key not in ents.models:
        ents.others.setdefault(key, name)


def is_pseudo_heading(doc: Document, block: Paragraph) -> bool:
    """A paragraph that is one bold phrase ending in a colon acts as a heading for what follows."""
    text = block.inline.text.strip()
    if not text or len(text) > 80 or "\n" in text:
        return False
    start, end = block.inline.span()
    source = doc.text[start:end].strip()
    return source.startswith("**") and (text.endswith(":") or source.endswith("**"))
