"""Markdown parsed into blocks whose plain text maps back to exact offsets in the source file."""

from __future__ import annotations

import functools
import gc
import logging
import os
import types
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkTitle

from factcheck import _mdrules

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

    from factcheck.encoding import Decoded, Repair

__all__ = [
    "Block",
    "Cell",
    "Comment",
    "Document",
    "Heading",
    "Inline",
    "Link",
    "ListItem",
    "Location",
    "Paragraph",
    "Section",
    "Table",
    "load",
    "parse",
    "parse_text",
]

# markdown-it's own guard against deep nesting (commonmark preset: 20, which loses lists
# nested more than about 9 deep).  With 64, lists nest 31 deep and quotes 63 deep; content
# nested deeper is dropped by markdown-it, and inline nesting deeper is kept as literal text.
# Parsing uses at most about 3 * _MAX_NESTING + 10 Python frames (measured on 10,000-deep
# lists, quotes, brackets and images), far below the default recursion limit of 1000 even
# from a deep caller such as a pre-commit hook; a RecursionError still retries at 12.
_MAX_NESTING = 64
_MIN_NESTING = 12
# Inline markup (links, images, emphasis) nests at most this deep, as in markdown-it's
# commonmark preset.  markdown-it's inline work per character grows with the limit: on text
# such as "[[[[..." or "*[_![*[_![..." it spends about 50 microseconds per character at 64
# and a third of that at 20.  Real text nests links and emphasis a few levels at most.
_MAX_INLINE_NESTING = 20
# How far past the cursor a token's source may be looked for before aligning char by char.
_WINDOW = 64
# Whitespace that markdown-it trims from table cells (CommonMark's set).
_MD_TRIM = " \t\n\r\f\v"
_LIST_BULLETS = "-+*"


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True, slots=True)
class Location:
    """A span in the file as on disk: 1-based lines and code-point columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Inline:
    """Plain text of an inline run, markup removed, with a map back to Document.text offsets.

    ``offsets[i]`` is where ``text[i]`` starts in Document.text and ``offsets[len(text)]``
    where the run ends: a sorted sequence of ``len(text) + 1`` ints (an ``array`` of
    machine ints, 4 bytes per character, rather than a tuple of int objects; it supports
    ``len``, indexing, slicing and ``bisect``).
    """

    text: str
    offsets: Sequence[int] = field(hash=False)
    # (index in text, end offset in Document.text) for chars whose source is wider than one
    # char (entities such as ``&amp;``); sorted by index.  Other chars end at offsets[i] + 1.
    _wide: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)

    def _end_of(self, index: int) -> int:
        wide = self._wide
        if wide:
            k = bisect_left(wide, index, key=_first)
            if k < len(wide) and wide[k][0] == index:
                return wide[k][1]
        return self.offsets[index] + 1

    def span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Document.text (start, end) covering ``text[start:end]``."""
        n = len(self.text)
        stop = n if end is None else end
        if start < 0:
            start = max(0, n + start)
        if stop < 0:
            stop = max(0, n + stop)
        start = min(start, n)
        stop = min(max(stop, start), n)
        first = self.offsets[start]
        if stop == start:
            return first, first
        if stop == n:
            return first, self.offsets[n]
        return first, self._end_of(stop - 1)


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the titles of the headings it sits under."""

    level: int
    title: str
    path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Heading:
    """An ATX or setext heading."""

    section: Section
    inline: Inline


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph outside list items (or after an item's nested blocks)."""

    section: Section | None
    inline: Inline
    quoted: bool


@dataclass(frozen=True, slots=True)
class ListItem:
    """A list item's own text: its leading paragraphs, without nested lists."""

    section: Section | None
    inline: Inline
    depth: int
    ordered: bool
    parent: ListItem | None


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell; row 0 is the header row."""

    inline: Inline
    row: int
    column: int


@dataclass(frozen=True, slots=True)
class Table:
    """A GFM table; rows excludes the header row."""

    section: Section | None
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Link:
    """A link (inline, reference or autolink); start/end span its whole source."""

    text: str
    target: str
    start: int
    end: int
    section: Section | None


@dataclass(frozen=True, slots=True)
class Comment:
    """An HTML comment; text is what is inside ``<!-- -->``, stripped."""

    text: str
    start: int
    end: int


Block = Heading | Paragraph | ListItem | Table


@dataclass(frozen=True)
class Document:
    """A parsed Markdown file: blocks, sections, links and comments with exact offsets."""

    path: str
    text: str
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    comments: tuple[Comment, ...]
    title: str | None
    repair: Repair | None = field(default=None, repr=False, compare=False)
    _original: str = field(default="", repr=False, compare=False)
    _to_original: Callable[[int], int] | None = field(default=None, repr=False, compare=False)
    _line_starts: tuple[int, ...] = field(default=(0,), repr=False, compare=False)

    @property
    def original(self) -> str:
        """The file's text as it is on disk (before any encoding repair)."""
        return self._original

    def _orig(self, offset: int) -> int:
        offset = min(max(offset, 0), len(self.text))
        mapped = offset if self._to_original is None else self._to_original(offset)
        return min(max(mapped, 0), len(self._original))

    def _line_col(self, off: int) -> tuple[int, int]:
        starts = self._line_starts
        line = bisect_right(starts, off)
        col = off - starts[line - 1] + 1
        orig = self._original
        # a position on the "\n" of "\r\n" is in the same column as the "\r"
        if col > 1 and off < len(orig) and orig[off] == "\n" and orig[off - 1] == "\r":
            col -= 1
        return line, col

    def location(self, start: int, end: int) -> Location:
        """On-disk line/column span of Document.text[start:end]."""
        # `_orig` and `_line_col` inlined: a location is taken for every claim.
        orig = self._original
        size = len(orig)
        to_original = self._to_original
        a = min(max(start, 0), len(self.text))
        if to_original is not None:
            a = to_original(a)
        a = min(max(a, 0), size)
        b = a
        if end > start:
            b = min(max(end, 0), len(self.text))
            if to_original is not None:
                b = to_original(b)
            b = max(a, min(max(b, 0), size))
        starts = self._line_starts
        line = bisect_right(starts, a)
        column = a - starts[line - 1] + 1
        # a position on the "\n" of "\r\n" is in the same column as the "\r"
        if column > 1 and a < size and orig[a] == "\n" and orig[a - 1] == "\r":
            column -= 1
        if b == a:
            return Location(line, column, line, column)
        # most spans end on the line they start on: no second search then
        end_line = line if line == len(starts) or b < starts[line] else bisect_right(starts, b)
        end_column = b - starts[end_line - 1] + 1
        if end_column > 1 and b < size and orig[b] == "\n" and orig[b - 1] == "\r":
            end_column -= 1
        return Location(line, column, end_line, end_column)

    def line_of(self, offset: int) -> int:
        """1-based on-disk line of a Document.text offset."""
        return bisect_right(self._line_starts, self._orig(offset))


# --------------------------------------------------------------------------- entry points


class _NoLog:
    """Stands in for the module loggers of markdown-it's block rules in factcheck's copies.

    ``"".format`` accepts and ignores any arguments and is a C call, about a third the cost
    of ``Logger.debug`` when logging is off.
    """

    __slots__ = ()
    debug = "".format


_NO_LOG = _NoLog()


def _quiet_rules(md: MarkdownIt) -> None:
    """Give `md` copies of its block rules that do not call ``LOGGER.debug``.

    Each block rule of markdown-it logs on entry ("entering paragraph: ..."), which is
    hundreds of thousands of no-op ``Logger.debug`` calls per corpus (about 4% of parsing).
    The copies share the rules' code and run in a copy of their module's namespace in which
    only ``LOGGER`` differs; the modules, their loggers and every other MarkdownIt instance in
    the process are left as they are.  The one difference: factcheck's own parsing writes
    nothing to the ``markdown_it`` debug log.
    """
    spaces: dict[int, dict[str, object]] = {}
    ruler = md.block.ruler
    for rule in ruler.__rules__:
        fn = rule.fn
        if not isinstance(fn, types.FunctionType):
            continue
        namespace = fn.__globals__
        if not isinstance(namespace.get("LOGGER"), logging.Logger):
            continue
        quiet = spaces.get(id(namespace))
        if quiet is None:
            quiet = spaces[id(namespace)] = {**namespace, "LOGGER": _NO_LOG}
        copy = types.FunctionType(
            fn.__code__, quiet, fn.__name__, fn.__defaults__, fn.__closure__
        )
        copy.__kwdefaults__ = fn.__kwdefaults__
        copy.__qualname__ = fn.__qualname__
        copy.__module__ = fn.__module__
        copy.__doc__ = fn.__doc__
        ruler.at(rule.name, copy, {"alt": list(rule.alt)})


def _make_md(nesting: int, inline_nesting: int | None = None) -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    _quiet_rules(md)
    # keep escapes and entities as separate `text_special` tokens so their source is known
    md.disable("text_join")
    md.options["maxNesting"] = nesting
    if inline_nesting is not None and inline_nesting != nesting:
        # markdown-it has one limit for blocks and inlines: parse inlines with a second
        # instance (same rules, lower limit) in place of the core rule "inline".
        inner = _make_md(inline_nesting)

        def inline(state: StateCore) -> None:
            env = state.env
            parse_inline = inner.inline.parse
            for token in state.tokens:
                if token.type == "inline":
                    if token.children is None:
                        token.children = []
                    parse_inline(token.content, inner, env, token.children)

        md.core.ruler.at("inline", inline)
    # last: changing any rule above would drop these chains again
    _mdrules.install(md)
    return md


_MD = _make_md(_MAX_NESTING, _MAX_INLINE_NESTING)


@functools.cache
def _shallow_md() -> MarkdownIt:
    """The parser for texts nested too deeply for Python's stack; made when first needed."""
    return _make_md(_MIN_NESTING)


def parse(decoded: Decoded) -> Document:
    """Parse the repaired text of a decoded file; locations refer to the file as on disk."""
    doc = _build(decoded.path, decoded.text, decoded.original, decoded.to_original)
    repair = getattr(decoded, "repair", None)
    return replace(doc, repair=repair) if repair is not None else doc


def parse_text(text: str, path: str = "<string>") -> Document:
    """Parse Markdown text that is also the text on disk."""
    return _build(path, text, text, None)


def load(path: str | os.PathLike[str]) -> Document:
    """Read, repair and parse a Markdown file."""
    from factcheck.encoding import read  # lazily: parse_text needs no repair machinery

    return parse(read(path))


# --------------------------------------------------------------------------- internals


def _offsets(values: Sequence[int]) -> array[int]:
    """A compact copy of a list of non-negative offsets: 4 bytes each instead of ~36."""
    try:
        return array("I", values)
    except OverflowError:  # a text of 4 G characters or more
        return array("Q", values)


# 0, 1, 2, ... as machine ints, grown on demand: `_iota(a, b)` is a C-speed copy of
# range(a, b), where array("I", range(a, b)) converts one int object at a time.  It covers
# at most _IOTA_MAX offsets (4 bytes each, kept for the process); beyond them, the slow way.
_IOTA = array("I")
_IOTA_MAX = 1 << 22


def _iota(start: int, stop: int) -> array[int]:
    """array("I", range(start, stop)), for 0 <= start <= stop."""
    global _IOTA
    iota = _IOTA
    if stop > len(iota):
        if stop > _IOTA_MAX:
            return _offsets(range(start, stop))
        size = min(_IOTA_MAX, max(stop, 2 * len(iota), 1 << 16))
        grown = array("I", iota)  # a new array: a slice being taken of the old one is safe
        grown.extend(range(len(iota), size))
        _IOTA = iota = grown
    return iota[start:stop]


def _first(pair: tuple[int, int]) -> int:
    return pair[0]


def _line_starts(text: str) -> tuple[int, ...]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return tuple(starts)


def _normalize(text: str) -> tuple[str, list[int]]:
    """markdown-it's input normalisation, keeping lengths except for collapsed CRLFs.

    Returns the normalised text and the sorted normalised offsets of the "\\n" of each
    collapsed "\\r\\n" (for mapping offsets back).
    """
    collapsed: list[int] = []
    if "\r" in text:
        parts = text.split("\r\n")
        if len(parts) > 1:
            pos = -1
            for part in parts[:-1]:
                pos += len(part) + 1
                collapsed.append(pos)
        text = "\n".join(parts).replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    return text, collapsed


class _OffsetMap:
    """Normalised-text offsets to Document.text offsets (they differ only after CRLFs)."""

    __slots__ = ("collapsed",)

    def __init__(self, collapsed: list[int]) -> None:
        self.collapsed = collapsed

    def start(self, n: int) -> int:
        c = self.collapsed
        return n + bisect_right(c, n) if c else n

    def end(self, n: int) -> int:
        c = self.collapsed
        return n + bisect_left(c, n) if c else n

    def starts(self, values: list[int]) -> list[int]:
        c = self.collapsed
        if not c:
            return values
        return [v + bisect_right(c, v) for v in values]


class _Builder:
    """Accumulates the plain text of one Inline in normalised-text offsets.

    Most inline text is verbatim runs of the source (text between markup).  While every
    piece added comes as a ``range`` (a slice of a srcmap range), `offs` stays None and
    the builder keeps just the runs, flat in `runs` (start, stop, start, stop, ...); the
    offsets are then built from slices of `_IOTA`, about twenty times faster than an int
    at a time.
    """

    __slots__ = ("end", "length", "offs", "parts", "runs", "wide")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offs: list[int] | None = None
        self.runs: list[int] = []
        self.wide: list[tuple[int, int]] = []
        self.end = -1
        self.length = 0

    def _listed(self) -> list[int]:
        """`offs`, written out from the runs if need be."""
        offs = self.offs
        if offs is None:
            offs = self.offs = []
            runs = self.runs
            for k in range(0, len(runs), 2):
                offs.extend(range(runs[k], runs[k + 1]))
        return offs

    def add(self, s: str, offsets: Sequence[int]) -> None:
        if s:
            self.parts.append(s)
            if self.offs is None and type(offsets) is range:
                # step 1, one offset per char of s
                stop = offsets.stop
                if self.length and offsets.start == self.end:
                    self.runs[-1] = stop
                else:
                    self.runs += (offsets.start, stop)
                self.length += len(s)
                self.end = stop
                return
            self._listed().extend(offsets)
            self.length += len(s)
            self.end = offsets[-1] + 1

    def add_wide(self, s: str, at: int, end: int) -> None:
        if s:
            offs = self._listed()
            self.parts.append(s)
            for _ in s:
                self.wide.append((self.length, end))
                offs.append(at)
                self.length += 1
            self.end = end

    def build(self, om: _OffsetMap, empty_at: int) -> Inline:
        if not self.length:
            return Inline("", _offsets((om.end(empty_at),)))
        text = "".join(self.parts)
        if self.offs is None and not om.collapsed:
            runs = self.runs
            last = len(runs) - 2
            if not last:
                stop = runs[1] + 1
                if stop <= len(_IOTA):  # _iota, inlined for the commonest case
                    return Inline(text, _IOTA[runs[0] : stop])
                return Inline(text, _iota(runs[0], stop))
            offsets = _iota(runs[0], runs[1])
            for k in range(2, last, 2):
                offsets.extend(_iota(runs[k], runs[k + 1]))
            offsets.extend(_iota(runs[last], runs[last + 1] + 1))
            return Inline(text, offsets)
        starts = om.starts(self._listed())  # may be offs itself: the builder is done with it
        starts.append(om.end(self.end))
        offsets = _offsets(starts)
        wide = tuple((i, om.end(e)) for i, e in self.wide) if self.wide else ()
        return Inline(text, offsets, wide)


@dataclass(slots=True)
class _RawLink:
    text: str
    target: str
    start: int
    end: int


@dataclass(slots=True)
class _OpenItem:
    """A list item whose text is still being read: its paragraphs, joined by newlines."""

    level: int
    depth: int
    ordered: bool
    parent: ListItem | None
    first_line: int
    marker_end: int
    section: Section | None
    final: ListItem | None = None
    # The text while it is one plain paragraph on one verbatim run (text, start): most
    # items, built without a _Builder.  From a second piece on, `builder` holds it all.
    run: tuple[str, int] | None = None
    builder: _Builder | None = None

    def opened(self) -> _Builder:
        """The item's builder, made (from `run`, as _Builder.add would have had it) if need be."""
        b = self.builder
        if b is None:
            b = self.builder = _Builder()
            if self.run is not None:
                text, start = self.run
                b.add(text, range(start, start + len(text)))
                self.run = None
        return b

    def build(self, om: _OffsetMap) -> Inline:
        if self.builder is not None:
            return self.builder.build(om, self.marker_end)
        if self.run is not None:
            # what _Builder.build makes of one run, as in _Parser.inline
            text, start = self.run
            return Inline(text, _iota(start, start + len(text) + 1))
        return Inline("", _offsets((om.end(self.marker_end),)))


class _Parser:
    """One pass over markdown-it's token stream."""

    def __init__(self, text: str) -> None:
        self.norm, collapsed = _normalize(text)
        self.om = _OffsetMap(collapsed)
        self.starts = _line_starts(self.norm)
        self.nlines = len(self.starts)
        self.blocks: list[Block] = []
        self.sections: list[Section] = []
        self.links: list[Link] = []
        self.comments: list[Comment] = []
        self.title: str | None = None
        self.first_heading: str | None = None

    # ---- lines

    def line_bounds(self, line: int) -> tuple[int, int]:
        line = min(max(line, 0), self.nlines - 1)
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < self.nlines else len(self.norm)
        return start, end

    def block_srcmap(self, content: str, first_line: int, heading: bool = False) -> Sequence[int]:
        """Normalised offsets of each char of a block's inline source, plus its end.

        Usually the source is one verbatim run of the text and this is a ``range``.
        """
        if not content:
            return self._srcmap(content, first_line, heading)
        norm = self.norm
        starts = self.starts
        last = self.nlines - 1
        if not heading and 0 <= first_line < last:
            # The commonest block: one line of text that ends its line.  The loop below
            # gives the same: _place returns ``le - len(content)`` where the line without
            # its trailing whitespace ends with the text; a stripped text found ending at
            # `le` ends in a non-space, so the line has no trailing whitespace to drop.
            le = starts[first_line + 1] - 1
            lo = le - len(content)
            if (
                lo >= starts[first_line]
                and norm.startswith(content, lo)
                and "\n" not in content
                and content.strip() is content
            ):
                return range(lo, le + 1)
        line = first_line
        lo = hi = le = -1  # the map so far: range(lo, hi)
        for cl in content.split("\n") if "\n" in content else (content,):
            if line != first_line:
                if hi != le:  # the "\n" maps to the end of the line before
                    return self._srcmap(content, first_line, heading)
                hi += 1
            ln = line if 0 <= line <= last else min(max(line, 0), last)
            line += 1
            ls = starts[ln]
            le = starts[ln + 1] - 1 if ln < last else len(norm)
            # CPython's strip returns the string itself when there is nothing to strip
            if not cl or cl.strip() is not cl:
                return self._srcmap(content, first_line, heading)
            pos = _place(norm, cl, ls, le, heading)
            if pos < 0 or (hi >= 0 and pos != hi):
                return self._srcmap(content, first_line, heading)
            if hi < 0:
                lo = pos
            hi = pos + len(cl)
        return range(lo, hi + 1)

    def _srcmap(self, content: str, first_line: int, heading: bool) -> list[int]:
        """block_srcmap, char by char."""
        norm = self.norm
        m: list[int] = []
        prev_end = -1
        for k, cl in enumerate(content.split("\n")):
            ls, le = self.line_bounds(first_line + k)
            if k:
                m.append(prev_end if prev_end >= 0 else ls)
            prev_end = le
            if not cl:
                continue
            core = cl.strip()
            lead = len(cl) - len(cl.lstrip())
            if not core:
                m.extend(min(ls + i, le) for i in range(len(cl)))
                continue
            pos = _place(norm, core, ls, le, heading)
            if pos < 0:
                m.extend(_align(cl, norm, ls, le))
                continue
            base = pos - lead
            n_core = len(core)
            for i in range(lead):
                m.append(max(ls, base + i))
            m.extend(range(pos, pos + n_core))
            for i in range(lead + n_core, len(cl)):
                m.append(min(le, base + i))
        if content:
            m.append(m[-1] + 1 if m else 0)
        else:
            ls, le = self.line_bounds(first_line)
            m.append(le)
        return m

    def row_start(self, line: int, item_lines: set[int], quotes: int) -> int:
        """Where a table row starts: after indentation, quote markers and list markers."""
        norm = self.norm
        ls, le = self.line_bounds(line)
        p = ls
        while True:
            while p < le and norm[p] in " \t":
                p += 1
            if quotes and p < le and norm[p] == ">":
                quotes -= 1
                p += 1
                continue
            if line in item_lines:
                q = _skip_marker(norm, p, le)
                if q > p:
                    p = q
                    continue
            break
        return p

    def cell_srcmaps(
        self, line: int, contents: list[str], item_lines: set[int], quotes: int
    ) -> list[Sequence[int]]:
        """Normalised-offset maps for the cells of one table row (ranges where verbatim)."""
        norm = self.norm
        _, le = self.line_bounds(line)
        p = self.row_start(line, item_lines, quotes)
        e = le
        while e > p and norm[e - 1] in _MD_TRIM:
            e -= 1
        while p < e and norm[p] in _MD_TRIM:
            p += 1
        # markdown-it's escapedSplit, keeping positions
        pieces: list[tuple[int, int]] = []
        last = p
        k = norm.find("|", p, e)
        while k >= 0:
            if k > p and norm[k - 1] == "\\":
                pass
            else:
                pieces.append((last, k))
                last = k + 1
            k = norm.find("|", k + 1, e)
        pieces.append((last, e))
        if pieces and pieces[0][0] == pieces[0][1]:
            pieces.pop(0)
        if pieces and pieces[-1][0] == pieces[-1][1]:
            pieces.pop()
        maps: list[Sequence[int]] = []
        for j, content in enumerate(contents):
            if j >= len(pieces):
                maps.append([e])
                continue
            a, b = pieces[j]
            if not content:
                maps.append([a])
                continue
            seg = norm[a:b]
            if "\\|" not in seg:
                # the usual cell: its text is a run of the source
                lead = len(seg) - len(seg.lstrip(_MD_TRIM))
                if seg.startswith(content, lead):
                    maps.append(range(a + lead, a + lead + len(content) + 1))
                    continue
                mm = _align(content, norm, a, b)
            else:
                positions = [
                    x
                    for x in range(a, b)
                    if not (norm[x] == "\\" and x + 1 < b and norm[x + 1] == "|")
                ]
                unescaped = "".join(norm[x] for x in positions)
                lead = len(unescaped) - len(unescaped.lstrip(_MD_TRIM))
                if unescaped.startswith(content, lead):
                    mm = positions[lead : lead + len(content)]
                else:
                    mm = _align(content, norm, a, b)
            mm.append(mm[-1] + 1)
            maps.append(mm)
        return maps

    # ---- inline walking

    def walk(
        self,
        children: list[Token],
        src: str,
        m: Sequence[int],
        b: _Builder,
        links: list[_RawLink],
        depth: int = 0,
    ) -> None:
        """Append the plain text of inline children (source `src`, offsets `m`) to b."""
        n = len(src)
        c = 0
        open_links: list[tuple[int, int, str, bool]] = []  # (start, parts index, href, auto)
        auto_end = -1
        for tok in children:
            t = tok.type
            if t == "text":
                s = tok.content
                if not s:
                    continue
                if auto_end >= 0 and src[c:auto_end] != s:
                    b.add(s, [m[x] for x in _align(s, src, c, auto_end)])
                    c = auto_end
                    continue
                # _seek, inlined
                j = c if src.startswith(s, c) else src.find(s, c, c + len(s) + _WINDOW)
                if j >= 0:
                    b.add(s, m[j : j + len(s)])
                    c = j + len(s)
                else:
                    idx = _align(s, src, c, min(n, c + len(s) + _WINDOW))
                    b.add(s, [m[x] for x in idx])
                    c = max(c, idx[-1] + 1)
            elif t == "text_special":
                s, markup = tok.content, tok.markup
                j = _seek(src, c, markup) if markup else -1
                if j < 0:
                    if s:
                        idx = _align(s, src, c, min(n, c + len(s) + _WINDOW))
                        b.add(s, [m[x] for x in idx])
                        c = max(c, idx[-1] + 1)
                    continue
                c = j + len(markup)
                if s == markup:
                    b.add(s, m[j:c])
                elif tok.info == "escape" and len(markup) == len(s) + 1:
                    b.add(s, m[j + 1 : c])
                else:
                    b.add_wide(s, m[j], m[c - 1] + 1)
            elif t in ("softbreak", "hardbreak"):
                j = src.find("\n", c)
                if j < 0:
                    continue
                b.add(" ", m[j : j + 1])
                c = j + 1
                while c < n and src[c] in " \t":
                    c += 1
            elif t == "code_inline":
                c = self._code(tok, src, m, c, b)
            elif t.endswith("_open") or t.endswith("_close"):
                if t == "link_open":
                    auto = tok.markup == "autolink"
                    j = _seek(src, c, "<" if auto else "[")
                    if j < 0:
                        j = c
                    href = str(tok.attrs.get("href", ""))
                    open_links.append((j, len(b.parts), href, auto))
                    c = min(n, j + 1)
                    if auto:
                        gt = src.find(">", c)
                        auto_end = gt if gt >= 0 else n
                elif t == "link_close":
                    if not open_links:
                        continue
                    start, parts_at, href, auto = open_links.pop()
                    target = href
                    if auto:
                        end = min(n, auto_end + 1)
                        auto_end = -1
                    else:
                        end, dest = _link_tail(src, c)
                        if dest is not None:
                            target = dest
                    c = max(c, end)
                    text = "".join(b.parts[parts_at:])
                    links.append(_RawLink(text, target, m[start], m[max(start, end - 1)] + 1))
                else:
                    markup = tok.markup
                    if markup:
                        j = _seek(src, c, markup)
                        if j >= 0:
                            c = j + len(markup)
            elif t == "image":
                j = _seek(src, c, "![")
                if j < 0:
                    continue
                alt_src = tok.content
                a = j + 2
                if tok.children and depth < _MAX_NESTING and src.startswith(alt_src, a):
                    self.walk(
                        tok.children, alt_src, m[a : a + len(alt_src) + 1], b, links, depth + 1
                    )
                    c = a + len(alt_src)
                else:
                    c = a
                end, _ = _link_tail(src, c)
                c = max(c, end)
            elif t == "html_inline":
                s = tok.content
                j = _seek(src, c, s)
                if j < 0:
                    continue
                c = j + len(s)
                if s.startswith("<!--"):
                    inner = _comment_inner(s)
                    self.comments.append(
                        Comment(inner, self.om.start(m[j]), self.om.end(m[c - 1] + 1))
                    )
            else:
                s = tok.content
                if s:
                    j = _seek(src, c, s)
                    if j >= 0:
                        b.add(s, m[j : j + len(s)])
                        c = j + len(s)

    def _code(self, tok: Token, src: str, m: Sequence[int], c: int, b: _Builder) -> int:
        ticks = tok.markup or "`"
        nt = len(ticks)
        j = _seek(src, c, ticks)
        if j < 0:
            return c
        a = j + nt
        n = len(src)
        k = src.find(ticks, a)
        while k >= 0:
            run_end = k
            while run_end < n and src[run_end] == "`":
                run_end += 1
            if run_end - k == nt:
                break
            k = src.find(ticks, run_end)
        close = k if k >= 0 else n
        content = tok.content
        raw_len = close - a
        if len(content) == raw_len:
            b.add(content, m[a:close])
        elif len(content) == raw_len - 2:
            b.add(content, m[a + 1 : close - 1])
        elif content:
            b.add(content, [m[x] for x in _align(content, src, a, close)])
        return min(n, close + nt) if k >= 0 else close

    def inline_of(
        self, tok: Token, srcmap: Sequence[int], b: _Builder | None = None
    ) -> tuple[_Builder, list[_RawLink]]:
        builder = b if b is not None else _Builder()
        links: list[_RawLink] = []
        children = tok.children
        if children:
            src = tok.content
            if len(children) == 1 and children[0].type == "text" and children[0].content == src:
                # plain text, the commonest block: what walk does with it, in short
                builder.add(src, srcmap[: len(src)])
            else:
                self.walk(children, src, srcmap, builder, links)
        return builder, links

    def plain_run(self, tok: Token, srcmap: Sequence[int]) -> str | None:
        """The source of an inline token that is plain text on one verbatim run, else None.

        For those (most blocks) inline_of gives its builder ``srcmap[:len(src)]``, a range;
        with no collapsed CRLF, _Builder.build makes of it the offsets ``range(start,
        start + len(src) + 1)`` (where ``start = srcmap.start``), a slice of _IOTA.
        """
        children = tok.children
        if children and len(children) == 1 and type(srcmap) is range and not self.om.collapsed:
            src = tok.content
            child = children[0]
            if src and child.type == "text" and child.content == src:
                return src
        return None

    def inline(self, tok: Token, srcmap: Sequence[int]) -> tuple[Inline, list[_RawLink]]:
        """The Inline of a block's whole inline source (a paragraph, heading or cell) and its
        links: ``inline_of`` built."""
        src = self.plain_run(tok, srcmap)
        if src is not None:
            start = srcmap[0]
            return Inline(src, _iota(start, start + len(src) + 1)), []
        builder, raw = self.inline_of(tok, srcmap)
        return builder.build(self.om, srcmap[-1]), raw

    def finish_links(self, raw: list[_RawLink], section: Section | None) -> None:
        om = self.om
        for r in raw:
            self.links.append(Link(r.text, r.target, om.start(r.start), om.end(r.end), section))

    # ---- blocks

    def html_block(self, tok: Token) -> None:
        content = tok.content
        if "<!--" not in content or tok.map is None:
            return
        m = self.block_srcmap(content.rstrip("\n"), tok.map[0])
        body = content.rstrip("\n")
        n = len(body)
        i = body.find("<!--")
        while 0 <= i < n:
            if body.startswith("<!-->", i):
                k = i + 5
            elif body.startswith("<!--->", i):
                k = i + 6
            else:
                k = body.find("-->", i + 4)
                k = n if k < 0 else k + 3
            s = body[i:k]
            self.comments.append(
                Comment(_comment_inner(s), self.om.start(m[i]), self.om.end(m[k - 1] + 1))
            )
            i = body.find("<!--", k)

    def run(self, tokens: list[Token]) -> None:
        om = self.om
        section: Section | None = None
        heads: list[Section] = []
        lists: list[bool] = []
        items: list[_OpenItem] = []
        quotes = 0
        i = 0
        ntok = len(tokens)

        def finalize(it: _OpenItem) -> None:
            if it.final is None:
                it.final = ListItem(it.section, it.build(om), it.depth, it.ordered, it.parent)
                self.blocks.append(it.final)

        while i < ntok:
            tok = tokens[i]
            t = tok.type
            i += 1
            if tok.nesting == -1:
                if t == "list_item_close" and items:
                    it = items.pop()
                    finalize(it)
                elif t in ("bullet_list_close", "ordered_list_close") and lists:
                    lists.pop()
                elif t == "blockquote_close":
                    quotes -= 1
                continue
            if t == "inline":
                continue
            pending = items[-1] if items and items[-1].final is None else None
            nxt = tokens[i] if i < ntok else None
            if t == "paragraph_open":
                if nxt is None or nxt.type != "inline":
                    continue
                i += 1
                first = nxt.map[0] if nxt.map else (tok.map[0] if tok.map else 0)
                srcmap = self.block_srcmap(nxt.content, first)
                if pending is not None and tok.level == pending.level + 1:
                    if pending.builder is None and pending.run is None:
                        src = self.plain_run(nxt, srcmap)
                        if src is not None:
                            pending.run = (src, srcmap[0])
                            continue
                    pb = pending.opened()
                    if pb.length:
                        pb.add("\n", range(pb.end, pb.end + 1))
                    _, raw = self.inline_of(nxt, srcmap, pb)
                    if raw:
                        self.finish_links(raw, pending.section)
                    continue
                if pending is not None:
                    finalize(pending)
                inline, raw = self.inline(nxt, srcmap)
                self.blocks.append(Paragraph(section, inline, quotes > 0))
                if raw:
                    self.finish_links(raw, section)
                continue
            if t == "html_block":
                self.html_block(tok)
                continue
            if pending is not None:
                finalize(pending)
            if t == "heading_open":
                if nxt is None or nxt.type != "inline":
                    continue
                i += 1
                first = nxt.map[0] if nxt.map else (tok.map[0] if tok.map else 0)
                srcmap = self.block_srcmap(nxt.content, first, heading=tok.markup.startswith("#"))
                inline, raw = self.inline(nxt, srcmap)
                level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
                while heads and heads[-1].level >= level:
                    heads.pop()
                title = inline.text
                path = (*(h.title for h in heads), title)
                start, end = inline.span()
                section = Section(level, title, path, start, end)
                heads.append(section)
                self.sections.append(section)
                self.blocks.append(Heading(section, inline))
                if raw:
                    self.finish_links(raw, section)
                if self.first_heading is None:
                    self.first_heading = title
                if level == 1 and self.title is None:
                    self.title = title
            elif t in ("bullet_list_open", "ordered_list_open"):
                lists.append(t == "ordered_list_open")
            elif t == "list_item_open":
                line = tok.map[0] if tok.map else 0
                ls, le = self.line_bounds(line)
                marker = tok.markup or "-"
                k = self.norm.find(marker, ls, le)
                marker_end = k + len(marker) if k >= 0 else ls
                parent = items[-1].final if items else None
                # (by position: a dataclass __init__ called with keywords costs several
                # times as much, about 3% of building a Document)
                items.append(
                    _OpenItem(
                        tok.level,  # level
                        max(0, len(lists) - 1),  # depth
                        lists[-1] if lists else False,  # ordered
                        parent,
                        line,  # first_line
                        marker_end,
                        section,
                    )
                )
            elif t == "blockquote_open":
                quotes += 1
            elif t == "table_open":
                i = self.table(tokens, i, section, {it.first_line for it in items}, quotes, tok)
        if items:
            for it in items:
                finalize(it)

    def table(
        self,
        tokens: list[Token],
        i: int,
        section: Section | None,
        item_lines: set[int],
        quotes: int,
        open_tok: Token,
    ) -> int:
        """Consume tokens up to table_close; returns the index after it."""
        om = self.om
        rows: list[tuple[Cell, ...]] = []
        row_line = 0
        cells: list[Token] = []
        raw_links: list[_RawLink] = []
        ntok = len(tokens)
        while i < ntok:
            tok = tokens[i]
            i += 1
            t = tok.type
            if t == "tr_open":
                row_line = tok.map[0] if tok.map else row_line
                cells = []
            elif t == "inline":
                cells.append(tok)
            elif t == "tr_close":
                maps = self.cell_srcmaps(row_line, [c.content for c in cells], item_lines, quotes)
                r = len(rows)
                row: list[Cell] = []
                for col, (ctok, srcmap) in enumerate(zip(cells, maps, strict=True)):
                    inline, raw = self.inline(ctok, srcmap)
                    raw_links.extend(raw)
                    row.append(Cell(inline, r, col))
                rows.append(tuple(row))
            elif t == "table_close":
                break
        lines = open_tok.map or [0, 1]
        start = self.row_start(lines[0], item_lines, quotes)
        last_ls, last_le = self.line_bounds(max(lines[0], lines[1] - 1))
        end = last_le
        while end > last_ls and self.norm[end - 1].isspace():
            end -= 1
        header = rows[0] if rows else ()
        table = Table(section, header, tuple(rows[1:]), om.start(start), om.end(max(start, end)))
        self.blocks.append(table)
        self.finish_links(raw_links, section)
        return i


def _place(norm: str, core: str, ls: int, le: int, heading: bool) -> int:
    """Where the stripped text of one line of a block's content sits in norm[ls:le], or -1.

    At the end of the line's text if it is there (after list and quote markers), else the
    first occurrence (for a heading, after its "#" marker).
    """
    n = len(core)
    rs = le
    while rs > ls and norm[rs - 1].isspace():
        rs -= 1
    if not heading and rs - ls >= n and norm.startswith(core, rs - n):
        return rs - n
    hint = ls
    if heading:
        while hint < le and norm[hint] in " \t":
            hint += 1
        while hint < le and norm[hint] == "#":
            hint += 1
    pos = norm.find(core, hint, le)
    if pos < 0 and norm.startswith(core, rs - n) and rs - n >= ls:
        pos = rs - n
    return pos


def _seek(src: str, c: int, s: str) -> int:
    """Position of s at or shortly after c, or -1."""
    if src.startswith(s, c):
        return c
    return src.find(s, c, c + len(s) + _WINDOW)


def _align(content: str, src: str, a: int, b: int) -> list[int]:
    """Greedy monotone alignment of content's chars onto src[a:b]; one position per char."""
    out: list[int] = []
    p = a
    last = max(a, b - 1) if b > a else a
    for ch in content:
        if p < b and src[p] == ch:
            out.append(p)
            p += 1
            continue
        q = src.find(ch, p, min(b, p + _WINDOW)) if p < b else -1
        if q >= 0:
            out.append(q)
            p = q + 1
        else:
            out.append(min(p, last))
    return out


def _skip_marker(s: str, p: int, e: int) -> int:
    """Position after a list marker and its following space at p, or p."""
    if p < e and s[p] in _LIST_BULLETS:
        q = p + 1
    else:
        q = p
        while q < e and q - p < 9 and s[q].isdigit():
            q += 1
        if q == p or q >= e or s[q] not in ".)":
            return p
        q += 1
    if q < e and s[q] not in " \t":
        return p
    return q


def _link_tail(src: str, c: int) -> tuple[int, str | None]:
    """End of a link's source after its text, and the destination of an inline link."""
    n = len(src)
    r = c if c < n and src[c] == "]" else src.find("]", c, c + _WINDOW)
    if r < 0:
        return c, None
    pos = r + 1
    if pos < n and src[pos] == "(":
        p = pos + 1
        while p < n and src[p] in " \t\n":
            p += 1
        dest: str | None = ""
        if p < n and src[p] != ")":
            res = parseLinkDestination(src, p, n)
            if res.ok:
                dest = res.str
                p = res.pos
                start = p
                while p < n and src[p] in " \t\n":
                    p += 1
                if p < n and start < p:
                    title = parseLinkTitle(src, p, n)
                    if title.ok:
                        p = title.pos
                        while p < n and src[p] in " \t\n":
                            p += 1
            else:
                dest = None
        if p < n and src[p] == ")" and dest is not None:
            return p + 1, dest
    if pos < n and src[pos] == "[":
        q = pos + 1
        while q < n and src[q] != "]":
            q += 2 if src[q] == "\\" else 1
        if q < n:
            return q + 1, None
    return pos, None


def _comment_inner(s: str) -> str:
    body = s[4:]
    if body.endswith("-->"):
        body = body[:-3]
    elif body in (">", "->"):
        body = ""
    return body.strip()


def _tokens(norm: str) -> list[Token]:
    try:
        tokens: list[Token] = _MD.parse(norm)
    except RecursionError:
        tokens = _shallow_md().parse(norm)
    return tokens


def _build(
    path: str, text: str, original: str, to_original: Callable[[int], int] | None
) -> Document:
    parser = _Parser(text)
    # markdown-it makes hundreds of thousands of short-lived tokens per megabyte, all freed
    # by reference counting (parsing creates no reference cycles).  Left on, the cyclic
    # collector runs many times per file, promotes tokens that are still in use and so keeps
    # triggering full collections that walk every Document the caller holds: a third of the
    # parse time with the 187 files of benchmarks/ held at once.  It is paused only for this
    # call, and left as it was (another caller may have paused it too).
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        parser.run(_tokens(parser.norm))
    finally:
        if paused:
            gc.enable()
    title = parser.title if parser.title is not None else parser.first_heading
    return Document(
        path=path,
        text=text,
        blocks=tuple(parser.blocks),
        sections=tuple(parser.sections),
        links=tuple(parser.links),
        comments=tuple(parser.comments),
        title=title,
        _original=original,
        _to_original=to_original,
        # the parser's line starts are those of `original` when normalising changed nothing
        _line_starts=parser.starts if parser.norm is original else _line_starts(original),
    )
