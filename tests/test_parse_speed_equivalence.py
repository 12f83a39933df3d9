"""factcheck's faster parsing paths give exactly what the plain ones give."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from factcheck import _mdrules, document
from factcheck.document import _Builder, _OffsetMap, _Parser

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "fixtures").rglob("*.md"))

# Line pieces that start or end every kind of block and inline markup, so that random
# documents reach the rules' early exits and their successes, at every nesting.
PIECES = [
    "-", "*", "_", "+", "=", ">", "#", "`", "~", "<", "[", "!", "&", "|", ":", "\\",
    " ", "  ", "\t", "1.", "2)", "a", "b c", "x|y", "---", "===", "***", "```", "~~~",
    "<!--", "-->", "<div>", "</div>", "[a]: /u", "[a]", "![i](u)", "&amp;", "**", "__",
    "~~", "- [ ]", "    ", "> ", "| a | b |", "|---|---|", ":-:", "1234567890.",
    "<http://x>", "<a href='x'>", "\\|", "#  h #", "\r\n", "\u00a0",
]  # fmt: skip


def _random_docs(seed: int, count: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        lines = [
            "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5)))
            for _ in range(rng.randint(1, 20))
        ]
        yield "\n".join(lines) + rng.choice(["", "\n"])


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in FIXTURES]
    texts += list(_random_docs(20240611, 1500))
    texts += [
        "".join(f"- item {i}\n" for i in range(300)),
        "".join("  " * (i % 12) + "- x\n" for i in range(300)),
        "".join(">" * (i % 9) + " x\n" for i in range(300)),
        "|a|b|\n|-|-|\n" + "".join(f"|{i}|x *y*|\n" for i in range(300)),
        "".join(f"text {i}\n-x\n" for i in range(100)) + "Setext\n---\n",
    ]
    return texts


@pytest.fixture(scope="module")
def plain_md() -> MarkdownIt:
    """factcheck's parser built without the faster rule chains and token factory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_mdrules, "install", lambda md: None)
        return document._make_md(document._MAX_NESTING, document._MAX_INLINE_NESTING)


def _dump(md: MarkdownIt, text: str) -> tuple[list[Any], dict[str, Any]]:
    env: dict[str, Any] = {}
    tokens = [t.as_dict() for t in md.parse(text, env)]
    return tokens, env


def test_fast_chains_are_installed_on_factcheck_instances_only() -> None:
    for md in (document._MD, document._shallow_md()):
        assert len(md.block.ruler.getRules("")) == 1
        for chain in ("paragraph", "reference", "blockquote", "list"):
            assert len(md.block.ruler.getRules(chain)) == 1
        assert "parse" in vars(md.block)
    plain = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    assert len(plain.block.ruler.getRules("")) == 11
    assert len(plain.inline.ruler.getRules("")) == 11
    assert "parse" not in vars(plain.block) and "parse" not in vars(plain.inline)
    assert "get" not in vars(plain.options)


def test_install_leaves_other_rule_sets_alone() -> None:
    md = MarkdownIt("commonmark").enable("table").disable("heading")
    _mdrules.install(md)
    assert len(md.block.ruler.getRules("")) == 10
    # inline rules differ too (no strikethrough): the plain chains stay
    assert len(md.inline.ruler.getRules("")) == 10


def test_tokens_match_plain_markdown_it(plain_md: MarkdownIt) -> None:
    fast = document._make_md(document._MAX_NESTING, document._MAX_INLINE_NESTING)
    for text in _texts():
        norm = document._normalize(text)[0]
        assert _dump(fast, norm) == _dump(plain_md, norm), repr(text[:200])


def test_shallow_tokens_match_plain_markdown_it() -> None:
    plain = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    plain.disable("text_join")
    plain.options["maxNesting"] = document._MIN_NESTING
    for text in list(_random_docs(7, 300)):
        assert _dump(document._shallow_md(), text) == _dump(plain, text), repr(text[:200])


def test_srcmap_ranges_match_char_by_char_maps() -> None:
    for text in _texts():
        parser = _Parser(text)
        tokens = document._tokens(parser.norm)
        for k, tok in enumerate(tokens):
            if tok.type != "inline" or not tok.map or k == 0:
                continue
            heading = tokens[k - 1].type == "heading_open" and tokens[k - 1].markup[:1] == "#"
            fast = parser.block_srcmap(tok.content, tok.map[0], heading)
            assert list(fast) == parser._srcmap(tok.content, tok.map[0], heading)


@pytest.mark.parametrize("collapsed", [[], [3, 40]])
def test_builder_runs_match_listed_offsets(collapsed: list[int]) -> None:
    om = _OffsetMap(collapsed)
    rng = random.Random(5)
    for _ in range(300):
        ranged, listed = _Builder(), _Builder()
        listed.offs = []  # built char by char from the start
        pos = rng.randint(0, 30)
        for _ in range(rng.randint(0, 6)):
            n = rng.randint(1, 8)
            s = "x" * n
            if rng.random() < 0.2:
                at = pos
                ranged.add_wide(s, at, at + 3)
                listed.add_wide(s, at, at + 3)
                pos += 3
            else:
                ranged.add(s, range(pos, pos + n))
                listed.add(s, list(range(pos, pos + n)))
                pos += n
            pos += rng.choice([0, 0, 1, 4])
        a, b = ranged.build(om, 7), listed.build(om, 7)
        assert (a.text, list(a.offsets), a._wide) == (b.text, list(b.offsets), b._wide)
        assert a.offsets.typecode == b.offsets.typecode == "I"  # type: ignore[attr-defined]


def test_iota_beyond_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "_IOTA_MAX", 100)
    assert list(document._iota(90, 130)) == list(range(90, 130))
    assert list(document._iota(5, 9)) == [5, 6, 7, 8]
