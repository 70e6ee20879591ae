"""Properties that hold for any text a member may type."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cjm.errors import TextBlank, TextEmpty, TextTooLong
from cjm.limits import MAX_TOUCHPOINTS_PER_STAGE, NAME_MAX_CHARS, clean_text, name_key
from tests.factories import make_map, make_stages, make_touchpoints, read_map


def has_control_chars(text: str) -> bool:
    """Whether text holds a control character (Unicode category Cc) other than newline or tab."""
    return any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text)


# Text rich in what breaks naive cleaning: controls, odd whitespace, combining marks, RTL.
tricky = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            "\x00\x07\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9b\x9f"  # controls
            "\t\n \u00a0\u2028\u2029\u200b\u202e"  # whitespace, separators, bidi override
            "\u0301é👍🏽я中ع|"  # a combining accent, emoji, Cyrillic, Chinese, Arabic
        ),
    ),
    max_size=150,
)


def _clean(value, *, limit, multiline=False):
    """clean_text's result, or the error it raised."""
    try:
        return clean_text(value, field="f", limit=limit, multiline=multiline), None
    except (TextEmpty, TextBlank, TextTooLong) as error:
        return None, error


class TestCleanText:
    @given(value=tricky, limit=st.integers(1, 120), multiline=st.booleans())
    @example(value="\x00 a\x7f ", limit=1, multiline=False)
    @example(value=" \n\t ", limit=5, multiline=True)
    def test_result_is_clean_or_refused(self, value, limit, multiline):
        """clean_text returns stripped, NFKC text free of controls and format characters."""
        text, error = _clean(value, limit=limit, multiline=multiline)

        if isinstance(error, TextEmpty | TextBlank):
            assert error.params == {"field": "f"}
            return
        if isinstance(error, TextTooLong):
            assert error.params["field"] == "f"
            assert error.params["limit"] == limit < error.params["length"]
            return
        assert text
        assert text == text.strip()
        assert len(text) <= limit
        assert not has_control_chars(text)
        assert unicodedata.is_normalized("NFKC", text)
        # The one format character kept joins an emoji sequence (👩‍💼).
        assert not any(unicodedata.category(c) == "Cf" and c != "\u200d" for c in text)
        if not multiline:
            assert text == " ".join(text.split())
            assert "\n" not in text
            assert "\t" not in text

    @given(value=tricky, multiline=st.booleans())
    def test_cleaning_twice_changes_nothing(self, value, multiline):
        """Cleaned text comes through clean_text unchanged."""
        try:
            once = clean_text(value, field="f", limit=1000, multiline=multiline)
        except (TextEmpty, TextBlank):
            return

        assert clean_text(once, field="f", limit=1000, multiline=multiline) == once

    @given(value=st.text(max_size=60))
    def test_limit_counts_the_cleaned_text(self, value):
        """Text whose cleaned form fits the limit is accepted, whatever its raw length."""
        padded = f"  \x00{value}\x01  "
        try:
            text = clean_text(padded, field="f", limit=200)
        except (TextEmpty, TextBlank):
            return

        assert clean_text(padded, field="f", limit=len(text)) == text

    @pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f", "\x80", "\x85", "\x9b", "\x9f"])
    def test_control_characters_inside_a_line_are_stripped(self, control):
        """C0, DEL and C1 control characters are stripped; newlines stay in multiline text."""
        text = clean_text(f"Pay{control}ment\nstep", field="f", limit=50, multiline=True)

        assert text == "Payment\nstep"


# A touchpoint line: no line breaks, no "|" (it starts a channel), something visible.
line = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="|", exclude_categories=("Cs",)),
    min_size=1,
    max_size=NAME_MAX_CHARS + 20,
).filter(lambda s: len(s.splitlines()) == 1 and s.strip())


def _names(lines):
    try:
        names = [clean_text(item, field="touchpoint", limit=NAME_MAX_CHARS) for item in lines]
    except (TextEmpty, TextBlank, TextTooLong):
        return None
    return names if len({name_key(n) for n in names}) == len(names) else None


# The round trip reuses one database across examples: each example gets a chat of its own.
_chat_ids = itertools.count(1)

touchpoint_lines = st.lists(line, min_size=1, max_size=MAX_TOUCHPOINTS_PER_STAGE).filter(
    lambda lines: _names(lines) is not None
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(lines=touchpoint_lines)
@example(lines=["<b>Bold</b> & co", "Оплата 💳", "付款", "الدفع", "Cafe\u0301"])
def test_touchpoint_names_round_trip(uow, lines):
    """Any unicode touchpoint lines come back from storage as their cleaned names, in order."""
    journey = make_map(uow, chat_id=-next(_chat_ids))
    stage = make_stages(uow, journey.id, ["Stage"]).stages[0]

    changed = make_touchpoints(uow, stage.id, lines)

    expected = _names(lines)
    assert [tp.name for tp in changed.touchpoints] == expected
    assert [tp.name for tp in read_map(uow, journey.id).touchpoints] == expected
    assert all(tp.channel is None for tp in changed.touchpoints)
