"""Faster parsing for factcheck's MarkdownIt instances, with markdown-it's exact tokens.

markdown-it tries its block rules in turn on every line a block starts on (eleven of them)
and a chain of "terminator" rules on every continuation line of a paragraph, list or quote;
its inline rules in turn at every markup character.  Almost every call returns False after
looking at one character.  The chains installed here look at that character once and call,
in markdown-it's own order, only the rules whose own first test can pass: the same rule
functions, the same calls, the same state, the same tokens.  Every skip below restates a
rule's own early ``return False`` (see the markdown-it sources named in the comments).
The chains live only in the rulers' caches of the instances given: enabling, disabling or
replacing a rule there drops them and markdown-it's plain chains come back.

Three paths make markdown-it's tokens without its rules, where what the rules would do is
known: a paragraph of one line (lheading.py and paragraph.py, in _blocks), an inline source
without markup characters (one text token, _plain_text), and core normalize on a text it
would not change (_quick_normalize).
Also, per instance: tokens made without the dataclass __init__ (_fast_tokens), ruler2's pair
rules skipped where there are no delimiters, and a C ``options.get``.
tests/test_parse_speed_equivalence.py and tests/test_parse_fast_paths.py compare the tokens
with plain markdown-it's.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

BlockRule = Callable[["StateBlock", int, int, bool], bool]
InlineRule = Callable[["StateInline", bool], bool]
PostRule = Callable[["StateInline"], None]

# markdown-it's block rules (commonmark preset + table) and the chains they terminate.
_BLOCK_RULES = (
    "table",
    "code",
    "fence",
    "blockquote",
    "hr",
    "list",
    "reference",
    "html_block",
    "heading",
    "lheading",
    "paragraph",
)
_BLOCK_ALT = {
    "table": ["paragraph", "reference"],
    "code": [],
    "fence": ["paragraph", "reference", "blockquote", "list"],
    "blockquote": ["paragraph", "reference", "blockquote", "list"],
    "hr": ["paragraph", "reference", "blockquote", "list"],
    "list": ["paragraph", "reference", "blockquote"],
    "reference": [],
    "html_block": ["paragraph", "reference", "blockquote"],
    "heading": ["paragraph", "reference", "blockquote"],
    "lheading": [],
    "paragraph": [],
}
# The first non-space character a rule needs on its line, else it returns False at once:
# fence.py (marker in "~`"), blockquote.py (">"), hr.py ("*-_"), list.py (skipBulletListMarker
# "*-+", skipOrderedListMarker an ASCII digit), reference.py ("["), html_block.py ("<"),
# heading.py ("#").  `code` needs an indent instead; `table`, `lheading` and `paragraph`
# are handled on their own.
_FIRST_CHARS = {
    "fence": "~`",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}
# Characters a setext underline (lheading.py) or a paragraph terminator (the rules in the
# "paragraph" chain, by _FIRST_CHARS; table by a "|" on the line) may start a line with.
_MAYBE_UNDERLINE_OR_END = "-=~`>*_+0123456789<#"
# hr.py matches only a line of its marker char, spaces and tabs, with at least three markers
# (a line with any other character strips to something).  list.py needs a bullet ("*-+") to
# be followed by a space, a tab or the line's end (skipBulletListMarker), and an ordered
# marker to start with a digit.  Both have no side effects before they return False.  At the
# first character of a line, the chains skip them where they cannot match: _by_char's
# `marked` is keyed by (character, hr may match, bullet may match).
_HR_CHARS = "*-_"
_HR_LINE = {ch: ch + " \t" for ch in _HR_CHARS}
_MARKERS = "*-_+"
_INLINE_RULES = (
    "text",
    "newline",
    "escape",
    "backticks",
    "strikethrough",
    "emphasis",
    "link",
    "image",
    "autolink",
    "html_inline",
    "entity",
)
# ruler2's rules that pair delimiters (emphasis and strikethrough markers, in balance_pairs.py,
# strikethrough.py and emphasis.py), before "fragments_join".
_PAIR_RULES = ("balance_pairs", "strikethrough", "emphasis")
# The character at state.pos each inline rule needs, else it returns False at once
# (rules_inline/*.py: each starts by testing ``state.src[state.pos]``).
_INLINE_CHARS = {
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "link": "[",
    "image": "!",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
}
# Any character at which an inline rule other than `text` may match.
_INLINE_MARKUP = re.compile(
    "[" + re.escape("".join(sorted({ch for chars in _INLINE_CHARS.values() for ch in chars}))) + "]"
)


def _by_char(
    names: Sequence[str], fns: dict[str, BlockRule]
) -> tuple[dict[str, tuple[BlockRule, ...]], dict[tuple[str, bool, bool], tuple[BlockRule, ...]]]:
    """First character -> the rules among `names` that may match it, in chain order; and for
    the markers of hr and bullet lists, the same keyed by (character, whether hr may match,
    whether a bullet may), without hr or list where they cannot (see _HR_CHARS)."""
    table: dict[str, list[BlockRule]] = {}
    for name in names:
        for ch in _FIRST_CHARS[name]:
            table.setdefault(ch, []).append(fns[name])
    by_char = {ch: tuple(rules) for ch, rules in table.items()}
    hr, bullet = fns["hr"], fns["list"]
    marked = {
        (ch, may_hr, may_bullet): tuple(
            r
            for r in by_char.get(ch, ())
            if (may_hr or r is not hr) and (may_bullet or r is not bullet)
        )
        for ch in _MARKERS
        for may_hr in (False, True)
        for may_bullet in (False, True)
    }
    return by_char, marked


def _terminators(
    chain: Sequence[BlockRule], names: Sequence[str], fns: dict[str, BlockRule]
) -> BlockRule:
    """One rule standing for a terminator chain (`names`, in order; may start with table)."""
    full = tuple(chain)
    table = fns["table"] if names[0] == "table" else None
    by_char, marked = _by_char([n for n in names if n != "table"], fns)
    none: tuple[BlockRule, ...] = ()

    def terminator(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[line] + state.tShift[line]
        maximum = state.eMarks[line]
        if pos >= maximum or state.sCount[line] - state.blkIndent >= 4:
            # blank or indented-code lines: rare here, run the whole chain
            return any(rule(state, line, end, silent) for rule in full)
        src = state.src
        # table.py returns False unless its first line holds a "|"
        if (
            table is not None
            and src.find("|", pos, maximum) >= 0
            and table(state, line, end, silent)
        ):
            return True
        rules = _line_rules(src, pos, maximum, by_char, marked, none)
        for rule in rules:  # (not any(): a generator costs more than these calls)
            if rule(state, line, end, silent):
                break
        else:
            return False
        return True

    return terminator


def _line_rules(
    src: str,
    pos: int,
    maximum: int,
    by_char: dict[str, tuple[BlockRule, ...]],
    marked: dict[tuple[str, bool, bool], tuple[BlockRule, ...]],
    none: tuple[BlockRule, ...],
) -> tuple[BlockRule, ...]:
    """The rules that may match a line whose first character is `src[pos]`."""
    c = src[pos]
    if c in _MARKERS:  # may hr match, may a bullet list (see _HR_CHARS)
        return marked[
            c,
            c in _HR_CHARS
            and src.count(c, pos, maximum) >= 3
            and not src[pos:maximum].strip(_HR_LINE[c]),
            pos + 1 >= maximum or src[pos + 1] in " \t",
        ]
    return by_char.get(c, none)


def _blocks(
    chain: Sequence[BlockRule], fns: dict[str, BlockRule], ends_paragraph: BlockRule
) -> BlockRule:
    """One rule standing for the main block chain (`ends_paragraph`: the "paragraph" chain).

    Its one-line paragraphs restate lheading.py and paragraph.py: only where `fns` has
    markdown-it's own (their code, as in factcheck's quiet copies), else those rules run.
    """
    from markdown_it import rules_block
    from markdown_it.common.utils import mdTrim

    restated = all(
        _same_code(fns[name], getattr(rules_block, name)) for name in ("lheading", "paragraph")
    )

    full = tuple(chain)
    table = fns["table"]
    lheading = fns["lheading"]
    paragraph = fns["paragraph"]
    by_char, marked = _by_char([n for n in _BLOCK_RULES if n in _FIRST_CHARS], fns)
    none: tuple[BlockRule, ...] = ()

    def one_line_paragraph(state: StateBlock, line: int) -> bool:
        """What lheading.py and then paragraph.py do with a paragraph ending at the next line.

        lheading sets state.parentType to "paragraph" and returns False; paragraph pushes its
        three tokens (the content: the line without its indent, trimmed) and restores the
        parentType it found, "paragraph".
        """
        end = line + 1
        content = mdTrim(state.getLines(line, end, state.blkIndent, False))
        state.line = end
        token = state.push("paragraph_open", "p", 1)
        token.map = [line, end]
        token = state.push("inline", "", 0)
        token.content = content
        token.map = [line, end]
        token.children = []
        state.push("paragraph_close", "p", -1)
        state.parentType = "paragraph"
        return True

    def block(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        bmarks = state.bMarks
        tshift = state.tShift
        emarks = state.eMarks
        pos = bmarks[line] + tshift[line]
        maximum = emarks[line]
        if pos >= maximum or state.sCount[line] - state.blkIndent >= 4:
            # indented code (or a blank line, which tokenize never passes): whole chain
            return any(rule(state, line, end, silent) for rule in full)
        src = state.src
        if src.find("|", pos, maximum) >= 0 and table(state, line, end, silent):
            return True
        rules = _line_rules(src, pos, maximum, by_char, marked, none)
        for rule in rules:
            if rule(state, line, end, silent):
                return True
        n = line + 1
        if n < end and end == state.lineMax and restated:
            # A paragraph of one line (most list items), where lheading.py and paragraph.py
            # both stop at the next line: lheading's loop (to `end`) and paragraph's (to
            # state.lineMax, here the same) stop at an empty line, or at a line that is no
            # underline (lheading tests that at an indent of blkIndent to blkIndent + 3) and
            # where the "paragraph" terminators match (the same call in both, with parentType
            # "paragraph"; silent calls change nothing).  Each goes on to the next line at a
            # larger indent or a negative sCount: those, and lines no terminator matches,
            # are left to them, with parentType as it was.
            p = bmarks[n] + tshift[n]
            e = emarks[n]
            if p >= e:
                return one_line_paragraph(state, line)
            count = state.sCount[n]
            indent = state.blkIndent
            if 0 <= count <= indent + 3 and (
                count < indent
                or src[p] not in "-="
                or src[p:e].lstrip(src[p]).lstrip(" \t") != ""
            ):
                parent = state.parentType
                state.parentType = "paragraph"
                if ends_paragraph(state, n, end, True):
                    return one_line_paragraph(state, line)
                state.parentType = parent
        # lheading.py only succeeds on an underline: a later line of the paragraph, before a
        # blank line or a line that ends the paragraph, starting with "-" or "=".  Look as far
        # as it would (stopping at any line a terminator might match, so never further): with
        # no such line it returns False, having set state.parentType to "paragraph" (and not
        # restored it).  Do the same without calling it.
        while n < end:
            p = bmarks[n] + tshift[n]
            e = emarks[n]
            if p >= e:
                break
            if src[p] in _MAYBE_UNDERLINE_OR_END or src.find("|", p, e) >= 0:
                if lheading(state, line, end, silent):
                    return True
                return paragraph(state, line, end, silent)
            n += 1
        state.parentType = "paragraph"
        return paragraph(state, line, end, silent)

    return block


def _inline(chain: Sequence[InlineRule], fns: dict[str, InlineRule]) -> InlineRule:
    """One rule standing for the inline chain."""
    text = fns["text"]
    table: dict[str, list[InlineRule]] = {}
    for name in _INLINE_RULES[1:]:
        for ch in _INLINE_CHARS[name]:
            table.setdefault(ch, []).append(fns[name])
    by_char = {ch: tuple(rules) for ch, rules in table.items()}

    def inline(state: StateInline, silent: bool) -> bool:
        rules = by_char.get(state.src[state.pos])
        if rules is None:
            return text(state, silent)
        # `text` stops at these characters (checked when installing): it would return False
        for rule in rules:
            if rule(state, silent):
                break
        else:
            return False
        return True

    return inline


def _post_process(rules: Sequence[PostRule]) -> PostRule:
    """One rule standing for ruler2's chain: the pair rules only where there are pairs."""
    *pairs, fragments_join = rules

    def post_process(state: StateInline) -> None:
        # balance_pairs.link_pairs, strikethrough.postProcess and emphasis.postProcess only
        # work through the delimiter lists: state.delimiters and those in state.tokens_meta
        # (None but for opening tags: links).  All empty, each does nothing.
        if state.delimiters or any(state.tokens_meta):
            for rule in pairs:
                rule(state)
        fragments_join(state)

    return post_process


# Token's fields (token.py) and the values Token(type, tag, nesting) gives the others.
_TOKEN_DEFAULTS: dict[str, object] = {
    "attrs": {},
    "map": None,
    "level": 0,
    "children": None,
    "content": "",
    "markup": "",
    "info": "",
    "meta": {},
    "block": False,
    "hidden": False,
}


def _token_factory() -> Callable[[str, str, int], Token] | None:
    """A function making the same tokens as ``Token(type, tag, nesting)``, in half the time.

    Token is a dataclass whose generated __init__ and __post_init__ (which converts attrs)
    cost about 0.5 microseconds, for some 200,000 tokens per corpus; setting its slots
    directly costs half.  None where Token's fields are not the ones known here.
    """
    import dataclasses

    from markdown_it.token import Token

    names = [f.name for f in dataclasses.fields(Token)]
    if names != ["type", "tag", "nesting", *_TOKEN_DEFAULTS]:
        return None
    new = object.__new__

    def token(ttype: str, tag: str, nesting: int) -> Token:
        tok: Token = new(Token)
        tok.type = ttype
        tok.tag = tag
        tok.nesting = nesting  # type: ignore[assignment]
        tok.attrs = {}
        tok.map = None
        tok.level = 0
        tok.children = None
        tok.content = ""
        tok.markup = ""
        tok.info = ""
        tok.meta = {}
        tok.block = False
        tok.hidden = False
        return tok

    for args in (("paragraph_open", "p", 1), ("text", "", 0), ("li_close", "li", -1)):
        made, plain = token(*args), Token(*args)
        if any(getattr(made, n) != getattr(plain, n) for n in names):
            return None
    return token


def _with_global(fn: Callable[..., Any], name: str, value: object) -> Callable[..., Any]:
    """A copy of function `fn` that sees `value` as its module's global `name`."""
    namespace = {**fn.__globals__, name: value}
    copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    copy.__module__ = fn.__module__
    copy.__doc__ = fn.__doc__
    return copy


def _fast_tokens(md: MarkdownIt, token: Callable[[str, str, int], Token]) -> None:
    """Make `md`'s block and inline parsers create their tokens with _token_factory.

    Each parser gets a copy of its ``parse`` method that creates a subclass of its state
    class whose ``push`` (and ``pushPending``) are copies of markdown-it's own in which only
    the name ``Token`` differs.  Other MarkdownIt instances and the classes are unchanged.
    """
    from markdown_it.parser_block import ParserBlock
    from markdown_it.parser_inline import ParserInline
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline

    block_state = type(
        "StateBlock", (StateBlock,), {"push": _with_global(StateBlock.push, "Token", token)}
    )
    inline_state = type(
        "StateInline",
        (StateInline,),
        {
            "push": _with_global(StateInline.push, "Token", token),
            "pushPending": _with_global(StateInline.pushPending, "Token", token),
        },
    )
    block_parse = _with_global(ParserBlock.parse, "StateBlock", block_state)
    inline_parse = _with_global(ParserInline.parse, "StateInline", inline_state)
    md.block.parse = types.MethodType(block_parse, md.block)  # type: ignore[method-assign]
    md.inline.parse = types.MethodType(inline_parse, md.inline)  # type: ignore[method-assign]


def _quick_normalize(md: MarkdownIt) -> None:
    """Give `md` a core rule "normalize" that leaves alone a text it would not change.

    markdown-it's normalize (rules_core/normalize.py) replaces every match of ``\\r\\n?|\\n``
    with "\\n", which is every line break even in a text without "\\r", and every "\\0" with
    U+FFFD: a new string equal to the old one, made a match at a time (about 2% of parsing).
    Without "\\r" or "\\0" (factcheck normalises its texts before parsing) it is skipped.
    """
    from markdown_it.rules_core import normalize
    from markdown_it.rules_core.state_core import StateCore

    core = md.core.ruler
    if not any(r.name == "normalize" and r.fn is normalize and r.enabled for r in core.__rules__):
        return

    def quick_normalize(state: StateCore) -> None:
        src = state.src
        if "\r" in src or "\0" in src:
            normalize(state)

    core.at("normalize", quick_normalize)


def install(md: MarkdownIt) -> None:
    """Give `md`'s block and inline rulers the chains above.

    Only where its active rules are exactly markdown-it's commonmark + table (+ strikethrough)
    ones, in markdown-it's order: for any other set of rules `md` is left as it is.
    """
    from markdown_it import rules_inline
    from markdown_it.rules_inline import StateInline

    token = _token_factory()
    if token is not None:
        _fast_tokens(md, token)
    # Rules read options with `md.options.get(...)` (tasklists, html, alerts, ...) tens of
    # thousands of times per corpus: the Mapping mixin's `get` is two Python calls, while
    # the dict behind OptionsDict answers the same in C.
    options = md.options
    backing = getattr(options, "_options", None)
    if isinstance(backing, dict) and dict(options) == backing:
        options.get = backing.get  # type: ignore[method-assign]

    _quick_normalize(md)

    ruler = md.block.ruler
    rules = [r for r in ruler.__rules__ if r.enabled]
    if tuple(r.name for r in rules) == _BLOCK_RULES and all(
        r.alt == _BLOCK_ALT[r.name] for r in rules
    ):
        fns = {r.name: r.fn for r in rules}
        chains = {}
        for chain in ("paragraph", "reference", "blockquote", "list"):
            names = [n for n in _BLOCK_RULES if chain in _BLOCK_ALT[n]]
            chains[chain] = [_terminators(ruler.getRules(chain), names, fns)]
        chains[""] = [_blocks(ruler.getRules(""), fns, chains["paragraph"][0])]
        ruler.__cache__ = chains

    iruler = md.inline.ruler
    irules = [r for r in iruler.__rules__ if r.enabled]
    if tuple(r.name for r in irules) != _INLINE_RULES:
        return
    ifns = {r.name: r.fn for r in irules}
    text = ifns["text"]
    # the chain skips `text` at the characters other rules start with: only if it stops there
    if any(text(StateInline(ch + "a", md, {}, []), True) for ch in "".join(_INLINE_CHARS.values())):
        return
    inline_chain = iruler.__cache__ = {"": [_inline(iruler.getRules(""), ifns)]}

    ruler2 = md.inline.ruler2
    post = [r.fn for r in ruler2.__rules__ if r.enabled]
    if [r.name for r in ruler2.__rules__ if r.enabled] == [*_PAIR_RULES, "fragments_join"]:
        post_chain = ruler2.__cache__ = {"": [_post_process(post)]}
        # the plain-text path restates `text` and fragments_join: markdown-it's own only
        joins = post[-1]
        if _same_code(text, rules_inline.text) and _same_code(joins, rules_inline.fragments_join):
            _plain_text(md, inline_chain, post_chain, token)


def _same_code(fn: Callable[..., Any], own: Callable[..., Any]) -> bool:
    """Whether `fn` runs markdown-it's function `own` (itself or a copy, as _quiet_rules's)."""
    return getattr(fn, "__code__", None) is getattr(own, "__code__", False)


def _plain_text(
    md: MarkdownIt,
    chain: dict[str, list[InlineRule]],
    post_chain: dict[str, list[PostRule]],
    token: Callable[[str, str, int], Token] | None,
) -> None:
    """Make `md.inline.parse` answer a source without inline markup with one text token.

    Three inline sources in four (plain sentences, table cells) hold none of the characters
    _INLINE_MARKUP matches.  On those the tokenizer calls no rule but `text`, which moves the
    source to ``state.pending`` (one char at a time past its other terminators, "#", ":" and
    the like, which no rule matches), and at the end ``pushPending`` makes one text token of
    all of it: ``Token("text", "", 0)``, content the source, level 0.  ruler2's chain then
    finds no delimiters to pair, and fragments_join one token at level 0.  So the token is
    made directly, while the chains installed above are the ones in use (a rule enabled or
    replaced since drops them: then markdown-it parses), for a non-empty source (an empty one
    has no token) pushed into an empty list (fragments_join would join it to a text before).
    """
    from markdown_it.token import Token

    inline = md.inline
    parse = inline.parse
    ruler = inline.ruler
    ruler2 = inline.ruler2
    make = token if token is not None else Token
    search = _INLINE_MARKUP.search

    def plain_parse(src: str, md: MarkdownIt, env: Any, tokens: list[Token]) -> list[Token]:
        if (
            src
            and not tokens
            and search(src) is None
            and ruler.__cache__ is chain
            and ruler2.__cache__ is post_chain
        ):
            text = make("text", "", 0)
            text.content = src
            tokens.append(text)
            return tokens
        return parse(src, md, env, tokens)

    inline.parse = plain_parse  # type: ignore[method-assign]
