"""The parse fast paths give exactly what the paths they skip give.

Those of factcheck._mdrules answer some inputs without calling markdown-it's rules: their
tokens are compared with those of a MarkdownIt instance without them, on inputs built to sit
on both sides of each path's test.  Those of the Document builder are compared with the
general _Builder path.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt, rules_block, rules_inline
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import normalize
from markdown_it.rules_inline import StateInline

from factcheck import _mdrules, document

_FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures").rglob("*.md"))

# Characters at which some inline rule may match, characters that stop markdown-it's `text`
# rule but start no rule, and plain ones (letters, spaces, non-ASCII).
_MARKUP = "\n\\`~*_[]()!<>&;#"
_TERMINATORS_ONLY = "#$%+-:=>@]^{}"
_PLAIN = "ab1 .,\t\u00e9\u00a0|"

# Whole constructs, each alone enough for a rule to match.
_CONSTRUCTS = [
    "&amp;", "&#35;", "&copy;", "\\*", "\\#", "\\\n", "`x`", "*a*", "_a_", "**a**", "~~s~~",
    "[a](b)", "[a]", "![i](u)", "<http://a>", "<b>", "<!-- c -->", "a  \n", "a\nb",
]  # fmt: skip

inline_sources = (
    st.text(alphabet=st.sampled_from(_MARKUP + _TERMINATORS_ONLY + _PLAIN), max_size=40)
    # one markup character among plain ones: each rule's character alone
    | st.sampled_from(["", *_MARKUP]).flatmap(
        lambda markup: st.text(
            alphabet=st.sampled_from(markup + _TERMINATORS_ONLY + _PLAIN), max_size=20
        )
    )
    | st.lists(
        st.sampled_from(_CONSTRUCTS) | st.text(alphabet=st.sampled_from(_PLAIN), max_size=5),
        max_size=4,
    ).map("".join)
)

# Line pieces around the block chains' tests: hr and bullet markers, with and without the
# spaces, tabs and other characters after them that decide whether those rules can match.
_BLOCK_PIECES = [
    "*", "-", "_", "+", "=", " ", "  ", "\t", "**", "--", "__", "***", "---", "___",
    "* ", "- ", "+ ", "a", "**b**", "1.", "2)", "> ", "#", "`", "|", "x|y", "    ",
]  # fmt: skip

block_documents = st.lists(
    st.lists(st.sampled_from(_BLOCK_PIECES), max_size=6).map("".join), min_size=1, max_size=12
).map("\n".join)


def _plain(nesting: int) -> MarkdownIt:
    """factcheck's rule set on a MarkdownIt instance without _mdrules.install."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.disable("text_join")
    md.options["maxNesting"] = nesting
    return md


def _fast(nesting: int) -> MarkdownIt:
    md = _plain(nesting)
    _mdrules.install(md)
    return md


def _plain_factcheck() -> MarkdownIt:
    """factcheck's own parser (two instances, see document._make_md) without the fast paths."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_mdrules, "install", lambda md: None)
        return document._make_md(document._MAX_NESTING, document._MAX_INLINE_NESTING)


FAST = _fast(document._MAX_INLINE_NESTING)
PLAIN = _plain(document._MAX_INLINE_NESTING)
PLAIN_FACTCHECK = _plain_factcheck()


def _inline(md: MarkdownIt, src: str) -> list[MutableMapping[str, Any]]:
    return [t.as_dict() for t in md.inline.parse(src, md, {}, [])]


def _dump(md: MarkdownIt, text: str) -> list[MutableMapping[str, Any]]:
    return [t.as_dict() for t in md.parse(text, {})]


def test_the_fast_paths_are_installed() -> None:
    assert "parse" in vars(FAST.inline)
    assert FAST.core.ruler.__rules__[0].fn is not normalize
    src = "A plain sentence: 12 # 3."
    expected = _inline(PLAIN, src)

    def no_state(*args: object) -> None:
        raise AssertionError("tokenized")

    # a source without markup gets its one text token without a StateInline, in factcheck's
    # own parser too
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StateInline, "__init__", no_state)
        assert _inline(FAST, src) == expected
        document._MD.parse(f"# {src}\n\n{src}\n\n- {src}\n- {src}\n\n| a |\n|---|\n| {src} |\n")


@pytest.mark.parametrize("construct", _CONSTRUCTS)
def test_each_construct_matches_plain_markdown_it(construct: str) -> None:
    for src in (construct, f"a {construct} b", f"#{construct}:", f"{construct}{construct}"):
        assert _inline(FAST, src) == _inline(PLAIN, src), repr(src)


@settings(max_examples=500)
@given(src=inline_sources)
def test_inline_tokens_match_plain_markdown_it(src: str) -> None:
    assert _inline(FAST, src) == _inline(PLAIN, src)


@pytest.mark.parametrize(
    "text", ["a\r\nb", "a\rb\r", "a\0b", "\r", "\0", "a\n\nb\n", "", "| a |\r\n|---|\r\n| \0 |"]
)
def test_normalize_matches_plain_markdown_it(text: str) -> None:
    assert _dump(FAST, text) == _dump(PLAIN, text)


_MARKER_LINES = [
    "* * *", "-\t-\t-", "_ _ _ ", "___", "***x", "*\t*\t*x", "**b**", "* *", "--", "-",
    "*", "+", "- a", "-\ta", "-a", "+ a", "+a", "*\t", "_a_", "1. a", "1.a", "- - -",
    "---", "===", "=", "--  ", "-- -", "==\t", "---\t", "--- ", "=a", "2) a", "1) a",
    "| b |", "|-|", "p\n---", "p\n===",
]  # fmt: skip


@pytest.mark.parametrize("line", _MARKER_LINES)
def test_marker_lines_match_plain_markdown_it(line: str) -> None:
    contexts = [
        "{}", "p\n{}", "- x\n{}", "- x\n  {}", "> {}", "> p\n> {}", "p\n{}\nq", "p\n  {}",
        "p\n   {}", "p\n    {}", "> p\n{}", "1. x\n{}", "- x\n   {}", "- x\n      {}",
        "- p\n\n{}", "  - x\n {}", "p\n{}\n===", "- x\n{}\n---",
    ]  # fmt: skip
    for context in contexts:
        text = context.format(line)
        assert _dump(FAST, text) == _dump(PLAIN, text), repr(text)


def test_one_line_paragraphs_leave_a_replaced_paragraph_rule_alone() -> None:
    md = _plain(20)

    def paragraph(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        found = rules_block.paragraph(state, start, end, silent)
        state.tokens[-3].meta = {"mine": True}
        return found

    md.block.ruler.at("paragraph", paragraph)
    _mdrules.install(md)
    assert len(md.block.ruler.getRules("")) == 1  # the chains are installed
    opened = [t for t in md.parse("- a\n- b\n\nc\n") if t.type == "paragraph_open"]
    assert [t.meta for t in opened] == [{"mine": True}] * 3


@settings(max_examples=300)
@given(text=block_documents)
def test_block_tokens_match_plain_markdown_it(text: str) -> None:
    assert _dump(FAST, text) == _dump(PLAIN, text)


@settings(max_examples=200)
@given(text=block_documents)
def test_factcheck_parser_matches_plain_markdown_it(text: str) -> None:
    # factcheck's own instance: inline nesting apart, through the core rule it replaces
    assert _dump(document._MD, text) == _dump(PLAIN_FACTCHECK, text)


def test_plain_text_path_follows_rule_changes() -> None:
    """A rule added after install is used: the fast path stands down with the chains."""
    md = _fast(20)
    assert _inline(md, "a # b") == _inline(PLAIN, "a # b")

    def hash_rule(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != "#":
            return False
        if not silent:
            state.push("hash", "", 0)
        state.pos += 1
        return True

    md.inline.ruler.push("hash", hash_rule)
    assert [t["type"] for t in _inline(md, "a # b")] == ["text", "hash", "text"]


def test_plain_text_path_leaves_a_replaced_text_rule_alone() -> None:
    md = _plain(20)
    seen: list[int] = []

    def text(state: StateInline, silent: bool) -> bool:
        seen.append(state.pos)
        return rules_inline.text(state, silent)

    md.inline.ruler.at("text", text)
    _mdrules.install(md)
    seen.clear()  # (install tries the rule)
    assert _inline(md, "plain") == _inline(PLAIN, "plain")
    assert seen == [0]


def test_plain_text_path_leaves_existing_tokens_to_markdown_it() -> None:
    """Into a list with a text token, markdown-it joins the two: so does the fast path."""
    md, plain = _fast(20), _plain(20)
    fast_tokens = md.inline.parse("b", md, {}, md.inline.parse("a", md, {}, []))
    plain_tokens = plain.inline.parse("b", plain, {}, plain.inline.parse("a", plain, {}, []))
    assert [t.as_dict() for t in fast_tokens] == [t.as_dict() for t in plain_tokens]


# Documents for the Document builder's own fast paths: list items of one or more paragraphs,
# nested, with links and emphasis, quoted; headings; tables; CRLF line ends.
_BUILDER_TEXTS = [
    "- one\n- two\n  - nested\n- three [link](u) here\n",
    "- first\n\n  second paragraph\n- *emphasis* item\n\n  > quoted\n",
    "1. a\n2. b\n\n   c\n3. \n",
    "# Title\n\nPlain paragraph.\n\nTwo\nlines.\n\n## Sub *em*\n\n- x\n",
    "| a | b |\n|---|---|\n| plain | *em* |\n| [l](u) |  |\n",
    "- a\r\n- b\r\n\r\ntext\r\n",
    "> - quoted item\n> - another\n>\n> para\n",
    "-\n- \n  - \n",
    "- item\n\n  | t | u |\n  |---|---|\n  | 1 | 2 |\n",
]


def _inlines(doc: document.Document) -> list[document.Inline]:
    found: list[document.Inline] = []
    for block in doc.blocks:
        if isinstance(block, document.Table):
            found += [cell.inline for row in (block.header, *block.rows) for cell in row]
        else:
            found.append(block.inline)
    return found


@pytest.mark.parametrize("text", _BUILDER_TEXTS + [p.read_text() for p in _FIXTURES])
def test_plain_runs_build_what_the_builder_builds(text: str) -> None:
    """_Parser.plain_run's shortcut (for paragraphs, headings, cells and list items) against
    the _Builder path it skips."""
    fast = document.parse_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document._Parser, "plain_run", lambda self, tok, srcmap: None)
        general = document.parse_text(text)
    assert fast == general
    for x, y in zip(_inlines(fast), _inlines(general), strict=True):
        assert x._wide == y._wide
        assert x.offsets.typecode == y.offsets.typecode  # type: ignore[attr-defined]
