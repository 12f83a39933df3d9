"""Markdown documents: blocks, plain text and exact source locations."""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.document import (
    Cell,
    Document,
    Heading,
    Inline,
    ListItem,
    Location,
    Paragraph,
    Table,
    load,
    parse,
    parse_text,
)
from factcheck.encoding import Decoded, decode

ROOT = Path(__file__).resolve().parents[1]
AILABS = ROOT / "fixtures" / "corpus" / "ailabs"
CORPUS = sorted(AILABS.glob("*.md"))
STEPFUN = AILABS / "llm-chinese-stepfun.md"


def read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def doc_of(path: Path) -> Document:
    return parse_text(read(path), str(path))


@pytest.fixture(scope="module")
def stepfun() -> Document:
    return doc_of(STEPFUN)


@pytest.fixture(scope="module")
def stepfun_lines() -> list[str]:
    return read(STEPFUN).split("\n")


# ---------------------------------------------------------------- helpers


def inlines(doc: Document) -> Iterator[Inline]:
    for block in doc.blocks:
        if isinstance(block, Table):
            for row in (block.header, *block.rows):
                for cell in row:
                    yield cell.inline
        else:
            yield block.inline


def plain_char_matches(doc: Document, inline: Inline) -> tuple[int, int]:
    """(matching, total) non-space chars of inline.text that map to the identical char."""
    total = matched = 0
    for i, ch in enumerate(inline.text):
        if ch.isspace():
            continue
        total += 1
        if doc.text[inline.offsets[i]] == ch:
            matched += 1
    return matched, total


def line_of_block(doc: Document, block: Heading | Paragraph | ListItem) -> int:
    return doc.location(*block.inline.span()).line


def items(doc: Document) -> list[ListItem]:
    return [b for b in doc.blocks if isinstance(b, ListItem)]


def paragraphs(doc: Document) -> list[Paragraph]:
    return [b for b in doc.blocks if isinstance(b, Paragraph)]


def tables(doc: Document) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def only(doc: Document) -> Inline:
    [block] = doc.blocks
    assert not isinstance(block, Table)
    return block.inline


def where(doc: Document, inline: Inline, needle: str, nth: int = 0) -> str:
    """Source text under the span of the nth occurrence of needle in inline.text."""
    k = -1
    for _ in range(nth + 1):
        k = inline.text.index(needle, k + 1)
    start, end = inline.span(k, k + len(needle))
    return doc.text[start:end]


def check_invariants(doc: Document) -> None:
    text = doc.text
    lines = text.split("\n")
    n = len(text)

    def check_loc(start: int, end: int) -> None:
        assert 0 <= start <= end <= n
        loc = doc.location(start, end)
        assert 1 <= loc.line <= loc.end_line <= len(lines)
        assert loc.column >= 1 and loc.end_column >= 1
        assert loc.column <= len(lines[loc.line - 1]) + 1
        assert loc.end_column <= len(lines[loc.end_line - 1]) + 1
        if loc.line == loc.end_line:
            assert loc.column <= loc.end_column
        assert 1 <= doc.line_of(start) <= len(lines)

    for inline in inlines(doc):
        offs = inline.offsets
        assert len(offs) == len(inline.text) + 1
        assert all(0 <= o <= n for o in offs)
        assert all(a <= b for a, b in itertools.pairwise(offs))
        check_loc(*inline.span())
        if inline.text:
            check_loc(*inline.span(0, 1))
            check_loc(*inline.span(len(inline.text) - 1))
    for section in doc.sections:
        check_loc(section.start, section.end)
    for link in doc.links:
        check_loc(link.start, link.end)
    for comment in doc.comments:
        check_loc(comment.start, comment.end)
    for table in tables(doc):
        check_loc(table.start, table.end)


# ---------------------------------------------------------------- the StepFun dossier


def test_title(stepfun: Document) -> None:
    assert stepfun.title == "StepFun (阶跃星辰) - Deep Dive"
    assert stepfun.sections[0].path == ("StepFun (阶跃星辰) - Deep Dive",)


def test_model_table(stepfun: Document, stepfun_lines: list[str]) -> None:
    [table] = [t for t in tables(stepfun) if stepfun.location(t.start, t.end).line == 102]
    header = [c.inline.text for c in table.header]
    assert header == [
        "Release Date",
        "Model",
        "Parameters",
        "Key Features",
        "Open Weights",
        "Technical Report",
    ]
    assert len(table.rows) == 9
    assert all(len(row) == 6 for row in table.rows)
    col = header.index("Open Weights")
    [row] = [r for r in table.rows if r[1].inline.text == "Step-Video-T2V"]
    cell = row[col]
    assert isinstance(cell, Cell) and (cell.row, cell.column) == (7, col)
    assert cell.inline.text == "❌"
    line = stepfun_lines[109]
    column = line.index("❌") + 1
    assert stepfun.location(*cell.inline.span()) == Location(110, column, 110, column + 1)
    assert table.section is not None
    assert table.section.title == "Model Lineage and Release Timeline"


def test_key_value_bullet(stepfun: Document, stepfun_lines: list[str]) -> None:
    [item] = [i for i in items(stepfun) if i.inline.text.startswith("Status:")]
    assert item.inline.text == "Status: Not a unicorn as of late 2024"
    assert (item.depth, item.ordered, item.parent) == (0, False, None)
    k = item.inline.text.index("late 2024")
    column = stepfun_lines[44].index("late 2024") + 1
    loc = stepfun.location(*item.inline.span(k, k + len("late 2024")))
    assert loc == Location(45, column, 45, column + len("late 2024"))


def test_nested_items(stepfun: Document) -> None:
    [step2] = [i for i in items(stepfun) if i.inline.text.startswith("Step-2: Approaches")]
    children = [i for i in items(stepfun) if i.parent is step2]
    assert [line_of_block(stepfun, c) for c in children] == list(range(123, 129))
    assert all(c.depth == 1 and not c.ordered for c in children)
    assert children[0].inline.text == "Mathematics: Strong performance"
    assert step2.depth == 0


def test_link(stepfun: Document, stepfun_lines: list[str]) -> None:
    [link] = [li for li in stepfun.links if stepfun.line_of(li.start) == 174]
    assert link.target == "ailabs-llm-chinese-stepfun-strategy.md"
    assert link.text == "ailabs-llm-chinese-stepfun-strategy.md"
    source = "[`ailabs-llm-chinese-stepfun-strategy.md`](ailabs-llm-chinese-stepfun-strategy.md)"
    assert stepfun.text[link.start : link.end] == source
    column = stepfun_lines[173].index(source) + 1
    assert stepfun.location(link.start, link.end) == Location(
        174, column, 174, column + len(source)
    )
    assert link.section is not None
    assert link.section.title == "Strategic Outlook and Business Performance"


def test_section_path(stepfun: Document) -> None:
    [item] = [i for i in items(stepfun) if line_of_block(stepfun, i) == 217]
    assert item.inline.text.startswith("Step-Video-T2V: World's largest")
    assert item.section is not None
    assert item.section.path == (
        "StepFun (阶跃星辰) - Deep Dive",
        "Strategic Outlook and Business Performance",
        "Differentiation Strategy",
    )


def test_blocks_in_source_order(stepfun: Document) -> None:
    starts = [b.start if isinstance(b, Table) else b.inline.span()[0] for b in stepfun.blocks]
    assert starts == sorted(starts)


def test_load_reads_through_encoding() -> None:
    doc = load(STEPFUN)
    assert doc.path == str(STEPFUN)
    assert doc.title == "StepFun (阶跃星辰) - Deep Dive"
    assert doc.text == read(STEPFUN)


def test_load_maps_repaired_text_to_mojibake_on_disk() -> None:
    received = ROOT / "fixtures" / "corpus" / "received" / "stepfun.md"
    doc = load(received)
    disk = read(received).split("\n")
    assert doc.title == "StepFun (阶跃星辰) - Deep Dive"
    assert doc.text == read(STEPFUN)
    [table] = [t for t in tables(doc) if doc.line_of(t.start) == 102]
    cell = table.rows[6][4]
    assert cell.inline.text == "❌"
    column = disk[109].index("\u201a\u00f9\u00e5") + 1  # "❌" read as Mac Roman
    assert doc.location(*cell.inline.span()) == Location(110, column, 110, column + 3)
    [link] = [li for li in doc.links if doc.line_of(li.start) == 174]
    column = disk[173].index("[`ailabs") + 1
    loc = doc.location(link.start, link.end)
    assert (loc.line, loc.column, loc.end_line) == (174, column, 174)
    assert loc.end_column == column + link.end - link.start
    heading = doc.blocks[0]
    assert isinstance(heading, Heading)
    assert doc.location(*heading.inline.span()) == Location(1, 3, 1, len(disk[0]) + 1)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_plain_text_maps_to_identical_source_chars(path: Path) -> None:
    doc = doc_of(path)
    matched = total = 0
    for inline in inlines(doc):
        m, t = plain_char_matches(doc, inline)
        matched += m
        total += t
    assert total > 1000
    assert matched == total
    check_invariants(doc)


# ---------------------------------------------------------------- inline constructs


def test_escapes() -> None:
    doc = parse_text("A \\*not em\\* here\n")
    inline = only(doc)
    assert inline.text == "A *not em* here"
    assert where(doc, inline, "*not em*") == "*not em\\*"
    assert plain_char_matches(doc, inline) == (12, 12)


def test_entities() -> None:
    doc = parse_text("AT&amp;T and &copy; 2024 &#x4E2D;\n")
    inline = only(doc)
    assert inline.text == "AT&T and © 2024 中"
    assert where(doc, inline, "&") == "&amp;"
    assert where(doc, inline, "AT&T") == "AT&amp;T"
    assert where(doc, inline, "©") == "&copy;"
    assert where(doc, inline, "中") == "&#x4E2D;"
    assert where(doc, inline, "T and") == "T and"


def test_code_spans() -> None:
    doc = parse_text("Run `x = 1` then ``a ` b`` done\n")
    inline = only(doc)
    assert inline.text == "Run x = 1 then a ` b done"
    assert where(doc, inline, "x = 1") == "x = 1"
    assert where(doc, inline, "a ` b") == "a ` b"
    assert where(doc, inline, "done") == "done"


def test_link_url_words_do_not_capture_later_text() -> None:
    doc = parse_text('See [the report](http://x.org/revenue "revenue title") revenue grew.\n')
    inline = only(doc)
    assert inline.text == "See the report revenue grew."
    k = inline.text.index("revenue")
    start, end = inline.span(k, k + 7)
    assert doc.text[start:end] == "revenue"
    assert doc.text[start - 2 : start] == ") "
    [link] = doc.links
    assert (link.text, link.target) == ("the report", "http://x.org/revenue")
    assert doc.text[link.start : link.end] == ('[the report](http://x.org/revenue "revenue title")')


def test_reference_and_shortcut_links() -> None:
    doc = parse_text("Go [here][ref] or [ref] or [ref][] now.\n\n[ref]: http://r.example/ref\n")
    inline = doc.blocks[0]
    assert isinstance(inline, Paragraph)
    assert inline.inline.text == "Go here or ref or ref now."
    assert [doc.text[li.start : li.end] for li in doc.links] == ["[here][ref]", "[ref]", "[ref][]"]
    assert {li.target for li in doc.links} == {"http://r.example/ref"}
    assert where(doc, inline.inline, "now") == "now"


def test_autolinks() -> None:
    doc = parse_text("Mail <me@x.org> or <https://x.org/a?b=1> after\n")
    inline = only(doc)
    assert inline.text == "Mail me@x.org or https://x.org/a?b=1 after"
    assert [doc.text[li.start : li.end] for li in doc.links] == [
        "<me@x.org>",
        "<https://x.org/a?b=1>",
    ]
    assert [li.target for li in doc.links] == ["mailto:me@x.org", "https://x.org/a?b=1"]
    assert where(doc, inline, "after") == "after"
    assert plain_char_matches(doc, inline)[0] == plain_char_matches(doc, inline)[1]


def test_images_keep_alt_text() -> None:
    doc = parse_text('See ![alt *text*](img.png "title") end ![](x.png) fin\n')
    inline = only(doc)
    assert inline.text == "See alt text end  fin"
    assert where(doc, inline, "text") == "text"
    assert where(doc, inline, "end") == "end"
    assert where(doc, inline, "fin") == "fin"
    assert doc.links == ()


def test_nested_emphasis_and_strikethrough() -> None:
    doc = parse_text("***bold italic*** and **b *i* b** ~~gone~~ _u_\n")
    inline = only(doc)
    assert inline.text == "bold italic and b i b gone u"
    assert plain_char_matches(doc, inline) == (21, 21)
    assert where(doc, inline, "bold italic") == "bold italic"
    assert where(doc, inline, "b i b") == "b *i* b"


def test_cjk_and_emoji_columns() -> None:
    doc = parse_text("# 标题\n\n- 🚀 **阶跃星辰**: 30B 参数 ✅\n")
    item = items(doc)[0]
    assert item.inline.text == "🚀 阶跃星辰: 30B 参数 ✅"
    k = item.inline.text.index("30B")
    assert doc.location(*item.inline.span(k, k + 3)) == Location(3, 15, 3, 18)
    k = item.inline.text.index("✅")
    assert doc.location(*item.inline.span(k, k + 1)) == Location(3, 22, 3, 23)
    assert doc.title == "标题"


def test_soft_and_hard_breaks() -> None:
    doc = parse_text("one  \ntwo\\\nthree\nfour\n")
    inline = only(doc)
    assert inline.text == "one two three four"
    k = inline.text.index("four")
    assert doc.location(*inline.span(k, k + 4)) == Location(4, 1, 4, 5)
    k = inline.text.index("three")
    assert doc.text[inline.offsets[k - 1]] == "\n"


# ---------------------------------------------------------------- blocks


def test_block_quotes() -> None:
    doc = parse_text("> Quoted **claim** here\n> and more\n\nplain\n")
    quoted, plain = paragraphs(doc)
    assert quoted.quoted and not plain.quoted
    assert quoted.inline.text == "Quoted claim here and more"
    k = quoted.inline.text.index("more")
    assert doc.location(*quoted.inline.span(k, k + 4)) == Location(2, 7, 2, 11)


def test_ordered_and_nested_lists() -> None:
    text = "1. first\n2. second\n   1. sub *a*\n   2. sub b\n      - deep\n3. third\n"
    doc = parse_text(text)
    got = [(i.inline.text, i.depth, i.ordered) for i in items(doc)]
    assert got == [
        ("first", 0, True),
        ("second", 0, True),
        ("sub a", 1, True),
        ("sub b", 1, True),
        ("deep", 2, False),
        ("third", 0, True),
    ]
    by_text = {i.inline.text: i for i in items(doc)}
    assert by_text["sub a"].parent is by_text["second"]
    assert by_text["deep"].parent is by_text["sub b"]
    assert by_text["third"].parent is None
    assert doc.location(*by_text["deep"].inline.span()) == Location(5, 9, 5, 13)


def test_list_item_text_excludes_sublists_and_later_blocks() -> None:
    text = "- - nested first\n- Key: value\n\n  continued\n\n  - child\n\n  after child\n"
    doc = parse_text(text)
    got = [(type(b).__name__, b.inline.text) for b in doc.blocks if not isinstance(b, Table)]
    assert got == [
        ("ListItem", ""),
        ("ListItem", "nested first"),
        ("ListItem", "Key: value\ncontinued"),
        ("ListItem", "child"),
        ("Paragraph", "after child"),
    ]
    loose = items(doc)[2]
    assert where(doc, loose.inline, "continued") == "continued"
    assert items(doc)[3].parent is loose
    check_invariants(doc)


def test_crlf_line_endings() -> None:
    text = (
        "# Title\r\n\r\nfirst line\r\nsecond **line** two\r\n\r\n"
        "| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n"
    )
    doc = parse_text(text)
    para = paragraphs(doc)[0]
    assert para.inline.text == "first line second line two"
    k = para.inline.text.index("two")
    assert doc.location(*para.inline.span(k, k + 3)) == Location(4, 17, 4, 20)
    assert doc.text[slice(*para.inline.span())] == "first line\r\nsecond **line** two"
    [table] = tables(doc)
    cell = table.rows[0][1]
    assert doc.location(*cell.inline.span()) == Location(8, 7, 8, 8)
    assert doc.text[table.start : table.end] == "| a | b |\r\n|---|---|\r\n| 1 | 2 |"
    assert doc.location(doc.sections[0].start, doc.sections[0].end) == Location(1, 3, 1, 8)
    assert doc.location(0, 7) == Location(1, 1, 1, 8)
    assert doc.location(0, 8) == Location(1, 1, 1, 8)
    assert doc.location(0, 9) == Location(1, 1, 2, 1)
    check_invariants(doc)


def test_tabs() -> None:
    doc = parse_text("-\tTab item\n\nstop\n\n\tcode block\n\npara\twith tab\n\n>\tquoted\ttab\n")
    item = items(doc)[0]
    assert item.inline.text == "Tab item"
    assert doc.location(*item.inline.span()) == Location(1, 3, 1, 11)
    _, para, quoted = paragraphs(doc)
    assert para.inline.text == "para\twith tab"
    assert quoted.inline.text == "quoted\ttab"
    assert doc.location(*quoted.inline.span()) == Location(9, 3, 9, 13)
    check_invariants(doc)


def test_tables_with_escaped_pipes_and_missing_cells() -> None:
    text = "| a | b | c |\n|---|:-:|---|\n| x \\| y | **z** |\nno | pipes\n| 1 | 2 | 3 | 4 |\n"
    doc = parse_text(text)
    [table] = tables(doc)
    assert [c.inline.text for c in table.header] == ["a", "b", "c"]
    rows = [[c.inline.text for c in row] for row in table.rows]
    assert rows == [["x | y", "z", ""], ["no", "pipes", ""], ["1", "2", "3"]]
    x = table.rows[0][0].inline
    assert doc.text[slice(*x.span())] == "x \\| y"
    assert doc.location(*x.span()) == Location(3, 3, 3, 9)
    assert doc.text[slice(*table.rows[0][1].inline.span())] == "z"
    missing = table.rows[0][2].inline
    assert missing.text == "" and len(missing.offsets) == 1
    assert doc.location(*table.rows[1][1].inline.span()) == Location(4, 6, 4, 11)
    assert [(c.row, c.column) for c in table.rows[2]] == [(3, 0), (3, 1), (3, 2)]
    check_invariants(doc)


def test_table_inside_quote_and_list() -> None:
    doc = parse_text(
        "> | a | b |\n> |---|---|\n> | 1 | 2 |\n\n- | k | v |\n  |---|---|\n  | 3 | 4 |\n"
        "\n>| x |\n|---|---|\n"
    )
    quoted, listed, unquoted = tables(doc)
    assert [c.inline.text for c in unquoted.header] == [">", "x"]
    assert doc.text[unquoted.start : unquoted.end] == ">| x |\n|---|---|"
    assert doc.location(*quoted.rows[0][1].inline.span()) == Location(3, 9, 3, 10)
    assert doc.location(*listed.header[0].inline.span()) == Location(5, 5, 5, 6)
    assert doc.location(*listed.rows[0][1].inline.span()) == Location(7, 9, 7, 10)


def test_setext_headings() -> None:
    doc = parse_text("Main *Title*\n===\n\nSub\ntitle\n---\n\ntext\n")
    h1, h2 = (b for b in doc.blocks if isinstance(b, Heading))
    assert (h1.section.level, h1.section.title) == (1, "Main Title")
    assert (h2.section.level, h2.section.title) == (2, "Sub title")
    assert h2.section.path == ("Main Title", "Sub title")
    assert doc.location(h2.section.start, h2.section.end) == Location(4, 1, 5, 6)
    assert doc.title == "Main Title"
    assert paragraphs(doc)[0].section is h2.section


def test_headings_with_closing_hashes() -> None:
    doc = parse_text("## Closing ##   \n# #hash tag #\n### Foo # bar ###\n#### #\n")
    titles = [s.title for s in doc.sections]
    assert titles == ["Closing", "#hash tag", "Foo # bar", ""]
    spans = [doc.text[s.start : s.end] for s in doc.sections]
    assert spans == ["Closing", "#hash tag", "Foo # bar", ""]
    assert doc.title == "#hash tag"
    assert [s.path for s in doc.sections][-1] == ("#hash tag", "Foo # bar", "")


def test_title_falls_back_to_first_heading() -> None:
    assert parse_text("## Two\n\n### Three\n").title == "Two"
    assert parse_text("no headings\n").title is None


def test_html_comments() -> None:
    text = (
        "<!-- block one --> <!-- two -->\n\ntext <!-- inline --> more\n\n"
        "<!--\nmulti\nline\n-->\n\n<div>\n<!--x-->\n</div>\n"
    )
    doc = parse_text(text)
    assert [c.text for c in doc.comments] == ["block one", "two", "inline", "multi\nline", "x"]
    for c in doc.comments:
        source = doc.text[c.start : c.end]
        assert source.startswith("<!--") and source.endswith("-->")
    assert doc.location(doc.comments[3].start, doc.comments[3].end) == Location(5, 1, 8, 4)
    assert paragraphs(doc)[0].inline.text == "text  more"


def test_front_matter_does_not_crash() -> None:
    doc = parse_text("---\ntitle: x\ntags: [a, b]\n---\n\n# Real\n\nBody.\n")
    assert "Real" in [s.title for s in doc.sections]
    check_invariants(doc)


def test_links_in_headings_and_cells_have_sections() -> None:
    doc = parse_text("# [Top](top.md)\n\n| [c](c.md) |\n|---|\n| [d](d.md) |\n")
    assert [(li.text, li.target, li.section is not None) for li in doc.links] == [
        ("Top", "top.md", True),
        ("c", "c.md", True),
        ("d", "d.md", True),
    ]
    assert doc.sections[0].title == "Top"


# ---------------------------------------------------------------- Inline.span and locations


def test_inline_span() -> None:
    doc = parse_text("ab **cd** &amp;\n")
    inline = only(doc)
    assert inline.text == "ab cd &"
    assert inline.span() == (0, 15)
    assert inline.span(3, 5) == (5, 7)
    assert inline.span(3, 3) == (5, 5)
    assert inline.span(6) == (10, 15)
    assert inline.span(5, 7) == (9, 15)
    assert inline.span(0, 100) == (0, 15)
    empty = parse_text("- \n").blocks[0]
    assert isinstance(empty, ListItem) and empty.inline.text == ""
    assert empty.inline.span() == (empty.inline.offsets[0], empty.inline.offsets[0])


@dataclass(frozen=True)
class FakeDecoded:
    """A Decoded whose on-disk text has a BOM and a mis-encoded word before the repair."""

    path: str
    original: str
    text: str
    mapping: Callable[[int], int]

    def to_original(self, offset: int) -> int:
        return self.mapping(offset)


def test_parse_maps_locations_through_to_original() -> None:
    original = "\ufeff# Caf\u00c3\u00a9\n\nA caf\u00c3\u00a9 is *here*.\n"
    text = "# Café\n\nA café is *here*.\n"

    def to_original(offset: int) -> int:
        # "é" (one char) was "Ã©" (two chars) on disk, plus a BOM in front
        shift = 1 + sum(1 for k, ch in enumerate(text) if ch == "é" and k < offset)
        return offset + shift

    doc = parse(cast(Decoded, FakeDecoded("x.md", original, text, to_original)))
    assert doc.path == "x.md" and doc.title == "Café"
    para = paragraphs(doc)[0]
    k = para.inline.text.index("here")
    assert doc.location(*para.inline.span(k, k + 4)) == Location(3, 13, 3, 17)
    heading = doc.blocks[0]
    assert isinstance(heading, Heading)
    assert doc.location(*heading.inline.span()) == Location(1, 4, 1, 9)
    assert doc.line_of(len(text)) == 4


def test_parse_decoded_bytes_with_bom_and_crlf() -> None:
    doc = parse(decode(b"\xef\xbb\xbf# T\r\n\r\nSome **text** here\r\n", "x.md"))
    para = paragraphs(doc)[0]
    k = para.inline.text.index("here")
    assert doc.location(*para.inline.span(k, k + 4)) == Location(3, 15, 3, 19)
    assert doc.location(doc.sections[0].start, doc.sections[0].end) == Location(1, 3, 1, 4)


# ---------------------------------------------------------------- robustness and speed


@pytest.mark.parametrize(
    "text",
    [
        "- " * 10_000 + "x\n",
        "".join("  " * i + "- x\n" for i in range(300)),
        ">" * 10_000 + " x\n",
        "> - " * 5_000 + "x\n",
        "1. " * 10_000 + "x\n",
        "[" * 10_000 + "x" + "](u)" * 10_000 + "\n",
        "![" * 3_000 + "x" + "](u)" * 3_000 + "\n",
        "*" * 10_000 + "x" + "*" * 10_000 + "\n",
        "*[_![" * 2_000 + "x" + "](u)_]*" * 2_000 + "\n",
        "`" * 5_000 + "\n",
        "<!--" * 3_000 + "\n",
        "|" * 5_000 + "\n|-|\n",
    ],
    ids=lambda t: repr(t[:8]),
)
def test_deep_nesting_never_raises(text: str) -> None:
    check_invariants(parse_text(text))


def test_large_inputs_stay_linear() -> None:
    rows = 20_000
    table = "| a | b | c |\n|---|---|---|\n" + "".join(
        f"| r{i} | x &amp; y | `z` |\n" for i in range(rows)
    )
    unit = "word **bold** [l](http://x) `c` &amp; \\* "
    long_line = unit * 25_000 + "\n"  # about 1 MB on one line
    doc = parse_text(table)
    assert len(tables(doc)[0].rows) == rows
    last = tables(doc)[0].rows[-1][1].inline
    column = f"| r{rows - 1} | x &amp; y |".index("x") + 1
    assert doc.location(*last.span()) == Location(rows + 2, column, rows + 2, column + 9)
    doc = parse_text(long_line)
    inline = only(doc)
    assert inline.text == ("word bold l c & * " * 25_000).rstrip()
    k = len(inline.text) - 1
    assert doc.location(*inline.span(k)) == Location(1, len(long_line) - 2, 1, len(long_line) - 1)
    assert len(doc.links) == 25_000


MARKDOWNISH = st.lists(
    st.sampled_from([*"#*-_`[]()<>!|\\&;:=~.1 \t\n\r>aZé中😀", "\r\n", "&amp;", "<!--", "-->"]),
    max_size=150,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses(text: str) -> None:
    check_invariants(parse_text(text))


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_markdownish_text_parses(text: str) -> None:
    check_invariants(parse_text(text))


CORPUS_TEXTS = [read(p) for p in CORPUS]


@st.composite
def mutated_corpus(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(CORPUS_TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "char+", "char-", "crlf"]))
        k = draw(st.integers(0, len(lines) - 1))
        if op == "insert":
            lines.insert(k, draw(MARKDOWNISH))
        elif op == "delete" and len(lines) > 1:
            del lines[k]
        elif op == "duplicate":
            lines.insert(k, lines[k])
        elif op == "crlf":
            lines[k] += "\r"
        else:
            line = lines[k]
            j = draw(st.integers(0, len(line)))
            if op == "char+":
                lines[k] = line[:j] + draw(st.sampled_from(list("*`[]|\\#>- \t&<!"))) + line[j:]
            else:
                lines[k] = line[:j] + line[j + 1 :]
    return "\n".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_corpus())
def test_mutated_corpus_parses(text: str) -> None:
    check_invariants(parse_text(text))


def test_offsets_are_compact_and_bisectable() -> None:
    """Inline.offsets holds machine ints (4 bytes a character, not a tuple of int objects)
    and still works as a sorted sequence: len, indexing, slicing and bisect."""
    doc = parse_text("# T\n\nsome **bold** text and a [link](u) &amp; more\n")
    inline = paragraphs(doc)[0].inline
    offsets = inline.offsets
    assert isinstance(offsets, array) and offsets.itemsize == 4
    assert len(offsets) == len(inline.text) + 1
    k = inline.text.index("link")
    assert doc.text[offsets[k] : offsets[k] + 4] == "link"
    assert list(offsets[k : k + 2]) == [offsets[k], offsets[k] + 1]
    assert bisect_left(offsets, offsets[k], hi=len(inline.text)) == k
    assert hash(inline) == hash(paragraphs(parse_text(doc.text))[0].inline)


def _location_by_search(doc: Document, start: int, end: int) -> Location:
    """`Document.location` as two independent line searches (the definition)."""
    a = doc._orig(start)
    b = max(a, doc._orig(end)) if end > start else a
    return Location(*doc._line_col(a), *doc._line_col(b))


@pytest.mark.parametrize(
    "text",
    ["", "abc", "a\nb\n", "a\r\nbc\r\n\r\nd", "x\r\ny\r\n", "a\rb\r\nc\n", "\r\n\r\n", "é\r\n"],
)
def test_location_same_line_shortcut(text: str) -> None:
    # a span within one line skips the second search; every pair of offsets agrees with it
    doc = parse_text(text)
    for start, end in itertools.product(range(-2, len(text) + 3), repeat=2):
        assert doc.location(start, end) == _location_by_search(doc, start, end), (start, end)


def test_quiet_block_rules_are_local() -> None:
    import importlib
    import logging

    from markdown_it import MarkdownIt

    from factcheck import document

    # factcheck's parser runs copies of markdown-it's block rules that do not log; the
    # modules and their loggers, and other MarkdownIt instances, are left as they were
    paragraph_module = importlib.import_module("markdown_it.rules_block.paragraph")
    assert isinstance(paragraph_module.LOGGER, logging.Logger)
    plain = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    plain.disable("text_join")
    plain_rules = {r.name: r for r in plain.block.ruler.__rules__}
    for rule in document._MD.block.ruler.__rules__:
        original = plain_rules[rule.name]
        assert rule.alt == original.alt and rule.enabled == original.enabled
        assert rule.fn.__code__ is getattr(original.fn, "__code__", None)
        assert rule.fn.__globals__.get("LOGGER") in (None, document._NO_LOG)
        assert getattr(original.fn, "__globals__", {}).get("LOGGER") is not document._NO_LOG
    text = STEPFUN.read_text(encoding="utf-8")
    text += "\n> quote\n\n    code\n\n```\nfence\n```\n\n***\n\n<div>\nhtml\n</div>\n\n[r]: /u\n"
    text += "Setext\n======\n"
    quiet = [t.as_dict() for t in document._shallow_md().parse(text)]
    assert quiet == [t.as_dict() for t in plain.parse(text)]
