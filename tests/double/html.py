"""Telegram-HTML (parse_mode="HTML") validation modelled on tdlib's parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HtmlParseError", "ParsedText", "parse_html", "utf16_len"]

_PREFIX = "Bad Request: can't parse entities: "

# Tag -> entity type; tdlib accepts exactly these (names are case-insensitive).
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
}
_SUPPORTED = frozenset({*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"})

_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\f\v"


class HtmlParseError(ValueError):
    """Raised for text Telegram would reject; `description` is the Bot API error text."""

    def __init__(self, detail: str) -> None:
        self.description = _PREFIX + detail
        super().__init__(self.description)


@dataclass
class ParsedText:
    """Plain text left after parsing plus the Bot API entities the tags produced."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    begin_byte: int
    offset: int  # UTF-16 offset in the output where the entity starts
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts limits and offsets in."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    # Only computed on the error path, so the O(n) encode does not matter.
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    match = _ENTITY.match(text, i)
    if match is None:
        return None
    name = match.group(1)
    if name in _NAMED:
        return _NAMED[name], match.end()
    code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_attr(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            decoded = _decode_entity(value, i)
            if decoded is not None:
                out.append(decoded[0])
                i = decoded[1]
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def _parse_attrs(text: str, i: int, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes starting at `i`; return them and the index just past '>'."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return attrs, i + 1
        start = i
        while i < n and text[i] not in _SPACE and text[i] not in "=>":
            i += 1
        name = text[start:i].lower()
        if not name:
            raise HtmlParseError(
                f"Empty attribute name in the tag at byte offset {_byte_offset(text, begin)}"
            )
        while i < n and text[i] in _SPACE:
            i += 1
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i] in _SPACE:
                i += 1
            if i >= n:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end < 0:
                    raise HtmlParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                    )
                raw = text[i + 1 : end]
                i = end + 1
            else:
                start = i
                while i < n and text[i] not in _SPACE and text[i] != ">":
                    i += 1
                raw = text[start:i]
            attrs[name] = _decode_attr(raw)
        else:
            attrs[name] = ""


def _entity_for(item: _Open, length: int, inner: list[dict[str, Any]]) -> dict[str, Any] | None:
    if length == 0:
        return None
    base: dict[str, Any] = {"offset": item.offset, "length": length}
    tag = item.tag
    if tag == "a":
        return {"type": "text_link", **base, "url": item.attrs["href"]}
    if tag in ("span", "tg-spoiler"):
        return {"type": "spoiler", **base}
    if tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in item.attrs else "blockquote"
        return {"type": kind, **base}
    if tag == "tg-emoji":
        return {"type": "custom_emoji", **base, "custom_emoji_id": item.attrs["emoji-id"]}
    if tag == "pre":
        # <pre><code class="language-x"> becomes one pre entity with a language.
        for child in inner:
            if child.get("type") == "code" and child.get("language"):
                language = child.pop("language")
                child["type"] = "_drop"
                return {"type": "pre", **base, "language": language}
        return {"type": "pre", **base}
    entity: dict[str, Any] = {"type": _SIMPLE_TAGS[tag], **base}
    if tag == "code":
        css = item.attrs.get("class", "")
        if css.startswith("language-"):
            entity["language"] = css[len("language-") :]
    return entity


def parse_html(text: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Validate `text` as Telegram HTML; return the plain text and entities or raise."""
    out: list[str] = []
    pos16 = 0  # UTF-16 length of everything appended to `out` so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        match = _SPECIAL.search(text, i)
        stop = match.start() if match else n
        if stop > i:
            run = text[i:stop]
            out.append(run)
            pos16 += utf16_len(run)
            i = stop
            if i >= n:
                break
        if text[i] == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                if strict_ampersand:
                    raise HtmlParseError(
                        f'Character "&" must be escaped as "&amp;" at byte offset '
                        f"{_byte_offset(text, i)}"
                    )
                decoded = ("&", i + 1)
            out.append(decoded[0])
            pos16 += utf16_len(decoded[0])
            i = decoded[1]
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            i += 1
            start = i
            while i < n and text[i] not in _SPACE and text[i] != ">":
                i += 1
            end_name = text[start:i].lower()
            while i < n and text[i] in _SPACE:
                i += 1
            if i >= n or text[i] != ">":
                raise HtmlParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            top = stack[-1]
            if end_name and end_name != top.tag:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top.tag}>", found "</{end_name}>"'
                )
            stack.pop()
            inner = [e for e in entities if e["offset"] >= top.offset]
            entity = _entity_for(top, pos16 - top.offset, inner)
            if entity is not None:
                entities.append(entity)
            continue
        start = i
        while i < n and text[i] not in _SPACE and text[i] != ">":
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[start:i].lower()
        if tag not in _SUPPORTED:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs, i = _parse_attrs(text, i, begin)
        where = _byte_offset(text, begin)
        if tag == "a" and not attrs.get("href"):
            raise HtmlParseError(f'Tag "a" must have attribute "href" at byte offset {where}')
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlParseError(
                "Custom emoji entity must contain a valid custom emoji identifier"
            )
        stack.append(_Open(tag, where, pos16, attrs))
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    result = [e for e in entities if e["type"] != "_drop"]
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), result)
