"""Entities: the company a dossier is about, its aliases, models and other organisations."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
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
    _models: _Finder = field(default_factory=lambda: _Finder(None, entity_key), repr=False,
                             compare=False)
    _company: _Finder = field(default_factory=lambda: _Finder(None, entity_key), repr=False,
                              compare=False)
    _others: _Finder = field(default_factory=lambda: _Finder(None, company_key), repr=False,
                             compare=False)
    # The company's and the other organisations' mentions of a text, together.
    _orgs_seen: dict[str, Mentions] = field(default_factory=dict, repr=False, compare=False)

    def add_model(self, name: str) -> None:
        name = name.strip(" *`")
        if _is_model_name(name) and entity_key(name) != self.company_key:
            self.models.setdefault(entity_key(name), name)

    def freeze(self) -> None:
        """Compile the mention patterns once all names are known."""
        self._models = _Finder(_names(self.models.values()), entity_key)
        names = [self.company or "", *self.aliases]
        if self.company:
            # "Helix" and "Aurora" name "Helix Bio" and "Aurora Robotics" in running text.
            first = self.company.split()[0]
            if len(first) >= 4 and first[0].isupper() and entity_key(first) not in self.models:
                names.append(first)
        key = self.company_key or ""
        self._company = _Finder(_names(n for n in names if n), lambda _: key)
        self._others = _Finder(_names(self.others.values()), company_key)

    @property
    def has_models(self) -> bool:
        """Whether `models_in` can find anything."""
        return self._models.names is not None

    def models_in(self, text: str) -> Mentions:
        """Return (start, end, key) of every model mention, longest names first."""
        return self._models.mentions(text)

    def company_in(self, text: str) -> Mentions:
        return self._company.mentions(text)

    def others_in(self, text: str) -> Mentions:
        return self._others.mentions(text)

    def orgs_in(self, text: str) -> Mentions:
        """The company's mentions, then those of other organisations."""
        found = self._orgs_seen.get(text)
        if found is None:
            found = self._orgs_seen[text] = self.company_in(text) + self.others_in(text)
        return found


# Characters that case-insensitive matching folds onto an ASCII letter while `str.lower` does
# not (or not onto one character): `_Names` matches a text with one of them as it is.
_ODD_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")
_NAME_BEFORE = re.compile(r"[\w-]")


class _Names:
    """Find names in a text: case-insensitively, between word ends (`_names_pattern`).

    A pattern that opens with a look-behind is tried at every position of a text, and
    case-insensitive letters stop the regex engine from skipping to where a name could start;
    one of lower-case names without the look-behind, matched in the lower-cased text, is many
    times faster. For ASCII names and a text without odd folds, the two match alike (`str.lower`
    keeps each character's position, its class and its case-insensitive equivalence to ASCII);
    other names or texts use the pattern as it is, compiled on first use.
    """

    __slots__ = ("_full", "_lowered", "_ordered")

    def __init__(self, ordered: list[str]) -> None:
        self._ordered = ordered
        self._full: re.Pattern[str] | None = None
        # Each name must have a character that is not optional (`-` and spaces are), so that
        # no match is empty.
        plain = all(n.isascii() and n.strip("- ") for n in ordered)
        self._lowered = (
            re.compile(rf"(?:{_name_alternatives(n.lower() for n in ordered)})(?![\w]|-\w)")
            if plain
            else None
        )

    def find(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each name in `text`, as `_names_pattern` finds them."""
        pattern = self._lowered
        if pattern is None or not (text.isascii() or not _ODD_FOLDS.search(text)):
            if self._full is None:
                self._full = _names_pattern(self._ordered)
            return [m.span() for m in self._full.finditer(text)]
        lowered = text.lower()
        search = pattern.search
        before = _NAME_BEFORE.match
        spans = []
        pos = 0
        while (found := search(lowered, pos)) is not None:
            start = found.start()
            # The look-behind of `_names_pattern`: a name does not continue a word. A match
            # there is none, and the next may start one character further.
            if start and before(lowered, start - 1):
                pos = start + 1
                continue
            pos = found.end()
            spans.append((start, pos))
        return spans


def _name_alternatives(ordered: Iterable[str]) -> str:
    return "|".join(
        re.escape(n).replace(r"\-", r"[-\s]?").replace(r"\ ", r"[-\s]?") for n in ordered
    )


def _names(names: Iterable[str]) -> _Names | None:
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    return _Names(ordered) if ordered else None


def _names_pattern(ordered: Iterable[str]) -> re.Pattern[str]:
    # A name ends at a word end with no hyphenated suffix: `Step-2` is not in `Step-2-16k`.
    return re.compile(
        rf"(?<![\w-])(?:{_name_alternatives(ordered)})(?![\w]|-\w)", re.IGNORECASE
    )


class _Finder:
    """The mentions of one kind of name in a text, each text looked at once.

    Extraction asks about the same sentence once per claim it finds, and a document writes
    each name in few ways: mentions are kept by text and keys by the name as written.
    """

    __slots__ = ("_key", "_keys", "_seen", "names")

    def __init__(self, names: _Names | None, key: Callable[[str], str]) -> None:
        self.names = names
        self._key = key
        self._seen: dict[str, Mentions] = {}
        self._keys: dict[str, str] = {}

    def mentions(self, text: str) -> Mentions:
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = self._find(text)
        return found

    def _find(self, text: str) -> Mentions:
        if self.names is None:
            return ()
        keys = self._keys
        found = []
        for start, end in self.names.find(text):
            name = text[start:end]
            k = keys.get(name)
            if k is None:
                k = keys[name] = self._key(name)
            found.append((start, end, k))
        return tuple(found)


def find_entities(
    doc: Document,
    vocab: Vocabulary,
    fields_of: Callable[[Table], Sequence[str | None]] | None = None,
) -> Entities:
    """Collect the company, its aliases, the model names and other organisations of a document.

    `fields_of(table)` is `header_fields(vocab, table)`, from a caller that reads them too.
    """
    if fields_of is None:
        fields_of = functools.partial(header_fields, vocab)
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
            fields = fields_of(block)
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


def header_fields(vocab: Vocabulary, table: Table) -> list[str | None]:
    """The field that each header cell of `table` names, or None."""
    return [vocab.column_field(c.inline.text) for c in table.header]


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
