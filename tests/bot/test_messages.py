"""The one packer: every part fits, keeps the text's lines, and parses as Telegram HTML."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.messages import fit_message, pack, size
from tests.double import parse_html

_WORDS = st.sampled_from(["a", "word", "é", "🙂", "&amp;", "&lt;b&gt;", " ", " ", "\n", "xyz "])
_TAGS = st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler", 'a href="https://x.io"'])


def _node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def wrap(pair: tuple[str, list[str]]) -> str:
        tag, inner = pair
        return f"<{tag}>{''.join(inner)}</{tag.split()[0]}>"

    return st.tuples(_TAGS, st.lists(children, min_size=1, max_size=6)).map(wrap)


_HTML = st.recursive(_WORDS, _node, max_leaves=16)
_BLOCK = st.lists(_HTML, min_size=1, max_size=30).map("".join).map(str.strip)


def _plain(text: str) -> str:
    return parse_html(text).text


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _line_costs(text: str) -> list[int]:
    """Each line's size with the tags a part must re-open before it and close after it."""
    costs, stack = [], []  # stack: the opening tags in force
    for line in text.split("\n"):
        head = sum(size(tag) for tag in stack)
        for tag in re.findall(r"<[^<>]*>", line):
            if tag.startswith("</"):
                stack.pop()
            else:
                stack.append(tag)
        tail = sum(len(tag.split()[0].strip("<>")) + 3 for tag in stack)
        costs.append(size(line) + head + tail)
    return costs


@settings(max_examples=100, deadline=None)
@given(blocks=st.lists(_BLOCK, min_size=1, max_size=6), limit=st.integers(300, 800))
def test_parts_fit_parse_and_keep_every_character(blocks, limit):
    """No part over the limit, none with a cut or unclosed tag, the text comes back in order."""
    parts = pack(blocks, limit)
    for part in parts:
        assert size(part) <= limit
        parse_html(part)  # raises on a cut tag, a cut entity or an unclosed tag
    whole = "".join(_plain("\n\n".join(b for b in blocks if b.strip())).split())
    assert "".join("".join(_plain(part).split()) for part in parts) == whole


@settings(max_examples=100, deadline=None)
@given(blocks=st.lists(_BLOCK, min_size=1, max_size=6), limit=st.integers(300, 800))
def test_lines_that_fit_are_never_cut(blocks, limit):
    """When each line fits a message with its open tags, the parts give back the text's lines."""
    text = "\n\n".join(b for b in blocks if b.strip())
    if any(cost > limit for cost in _line_costs(text)):
        return
    parts = pack(blocks, limit)
    assert _lines("\n".join(_plain(part) for part in parts)) == _lines(_plain(text))


def test_blocks_share_a_message_when_they_fit():
    """Two short blocks are one message, a blank line between them."""
    assert pack(["<b>one</b>", "two"], 100) == ["<b>one</b>\n\ntwo"]


def test_a_long_block_splits_at_lines_and_reopens_its_tags():
    """A quote over the limit goes on in the next message, still a quote."""
    block = "<blockquote>" + "\n".join(f"line {n}" for n in range(10)) + "</blockquote>"
    parts = pack([block], 60)
    assert len(parts) > 1
    assert all(p.startswith("<blockquote>") and p.endswith("</blockquote>") for p in parts)
    assert _lines("\n".join(_plain(p) for p in parts)) == [f"line {n}" for n in range(10)]


def test_fit_message_keeps_the_first_part_and_says_there_was_more():
    """fit_message: the first message, ending in "…"."""
    text = "\n".join(f"<b>line</b> {n}" for n in range(1000))
    fitted = fit_message(text)
    assert size(fitted) <= 4096
    assert fitted.endswith("\n…")
    parse_html(fitted)
