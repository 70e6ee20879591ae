"""Step 6: fixes for pain points, with owner, status and due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from cjm.errors import (
    DateInPast,
    InvalidDate,
    ItemGone,
    TextBlank,
    TextEmpty,
    TextTooLong,
    TooManyItems,
)
from cjm.limits import MAX_FIXES_PER_PAIN, OWNER_MAX_CHARS, TEXT_MAX_CHARS
from cjm.models import Fix, FixStatus, Step
from cjm.services import fixes, maps, members
from cjm.services.members import SeenUser
from cjm.views import FixView
from tests.factories import (
    ALICE,
    BOB,
    CAROL,
    TEAM_CHAT_ID,
    make_fix,
    make_map,
    make_pain,
    make_stages,
    read_map,
)


def make_pain_on_new_map(uow, **map_options):
    journey = make_map(uow, **map_options)
    journey = make_stages(uow, journey.id, ["Buy"])
    return make_pain(uow, journey.stages[0].id, "Checkout is slow").pains[0]


@pytest.fixture
def pain(uow):
    return make_pain_on_new_map(uow)


@pytest.fixture
def fix(uow, pain):
    return make_fix(uow, pain.id, "Cache the cart").fixes[0]


def stored_map(uow):
    [summary] = maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)
    return read_map(uow, summary.id)


def stored_fix(uow, fix_id):
    found = stored_map(uow).fix(fix_id)
    assert found is not None
    return found


def owner_user_id(uow, fix_id):
    with uow() as unit:
        return unit.session.exec(select(Fix.owner_user_id).where(Fix.id == fix_id)).one()


class TestAddFix:
    def test_adds_an_idea_for_the_pain(self, uow, pain, changes):
        """A new fix is an idea with no owner or due date, listed under its pain, and logged."""
        fixes.add_fix(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, text=" Cache the cart\n", actor=BOB
        )

        changed = stored_map(uow)
        [fix] = changed.fixes
        assert fix == FixView(fix.id, pain.id, "Cache the cart", None, FixStatus.IDEA, None)
        assert changed.pain(pain.id).fixes == (fix,)
        assert changed.step_done(Step.FIXES)
        change = changes(changed.id)[-1]
        assert (change.action, change.item_id, change.summary, change.actor_id) == (
            "fix.added",
            fix.id,
            "Cache the cart",
            BOB.user_id,
        )

    def test_returns_the_new_fixs_id(self, uow, pain):
        """add_fix returns the id of the fix it stored, also next to other fixes of the pain."""
        first_id = fixes.add_fix(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, text="Cache the cart", actor=BOB
        )
        second_id = fixes.add_fix(
            uow(), chat_id=TEAM_CHAT_ID, pain_id=pain.id, text="Fewer fields", actor=BOB
        )

        assert first_id != second_id
        assert stored_fix(uow, first_id).text == "Cache the cart"
        assert stored_fix(uow, second_id).text == "Fewer fields"

    def test_pain_holds_at_most_max_fixes(self, uow, pain):
        """MAX_FIXES_PER_PAIN fixes fit on a pain; one more raises TooManyItems."""
        for number in range(MAX_FIXES_PER_PAIN):
            view = make_fix(uow, pain.id, f"Fix {number}")

        with pytest.raises(TooManyItems) as raised:
            make_fix(uow, pain.id, "One too many")

        assert raised.value.params == {"kind": "fix", "limit": MAX_FIXES_PER_PAIN}
        assert len(read_map(uow, view.id).fixes) == MAX_FIXES_PER_PAIN

    def test_too_long_fix_is_refused(self, uow, pain):
        """A fix over TEXT_MAX_CHARS raises TextTooLong for the fix field and stores nothing."""
        with pytest.raises(TextTooLong) as raised:
            make_fix(uow, pain.id, "f" * (TEXT_MAX_CHARS + 1))

        assert raised.value.params == {
            "field": "fix",
            "limit": TEXT_MAX_CHARS,
            "length": TEXT_MAX_CHARS + 1,
        }
        [summary] = maps.list_maps(uow(), chat_id=TEAM_CHAT_ID)
        assert read_map(uow, summary.id).fixes == []

    @pytest.mark.parametrize(
        "text", ["Use <b>one</b> form & go", "<script>", "Упростить ✅", "简化", "تبسيط"]
    )
    def test_text_is_stored_verbatim(self, uow, pain, text):
        """Markup, emoji and non-Latin (incl. right-to-left) fixes are kept as typed."""
        fix = make_fix(uow, pain.id, text).fixes[0]

        assert stored_fix(uow, fix.id).text == text

    def test_missing_pain_is_gone(self, uow, pain):
        """A fix for a pain that does not exist raises ItemGone naming the pain point."""
        with pytest.raises(ItemGone) as raised:
            make_fix(uow, 999, "Nothing to fix")

        assert raised.value.params == {"kind": "painpoint"}


class TestEditAndStatus:
    def test_rewords_a_fix(self, uow, fix, changes):
        """Rewording replaces the fix's text and is logged."""
        fixes.edit_fix_text(
            uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, text="Cache it all", actor=ALICE
        )

        stored = stored_map(uow)
        assert stored.fix(fix.id).text == "Cache it all"
        assert changes(stored.id)[-1].action == "fix.edited"

    def test_empty_rewording_is_refused(self, uow, fix):
        """Rewording to blank raises TextEmpty and keeps the old text."""
        with pytest.raises(TextEmpty):
            fixes.edit_fix_text(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, text=" ", actor=ALICE)

        assert stored_fix(uow, fix.id).text == "Cache the cart"

    def test_moves_a_fix_along(self, uow, pain, fix, changes):
        """A fix moves through its statuses; a done fix closes its pain point."""
        for status in (FixStatus.PLANNED, FixStatus.IN_PROGRESS):
            fixes.set_status(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, status=status, actor=ALICE
            )
            stored = stored_map(uow)
            assert stored.fix(fix.id).status is status
            assert stored.pain(pain.id).is_open

        fixes.set_status(
            uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, status=FixStatus.DONE, actor=ALICE
        )

        stored = stored_map(uow)
        assert stored.fix(fix.id).status is FixStatus.DONE
        assert not stored.pain(pain.id).is_open
        change = changes(stored.id)[-1]
        assert (change.action, change.summary) == ("fix.status_set", "Cache the cart: done")

    def test_deletes_a_fix(self, uow, pain, fix, changes):
        """Deleting a fix removes it from its pain and is logged with its text."""
        other = make_fix(uow, pain.id, "Other").fixes[1]

        fixes.delete_fix(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, actor=ALICE)

        stored = stored_map(uow)
        assert [f.id for f in stored.fixes] == [other.id]
        assert [f.id for f in stored.pain(pain.id).fixes] == [other.id]
        change = changes(stored.id)[-1]
        assert (change.action, change.item_id, change.summary) == (
            "fix.deleted",
            fix.id,
            "Cache the cart",
        )

    @pytest.mark.parametrize(
        "call",
        [
            lambda uow: fixes.edit_fix_text(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=99, text="x", actor=ALICE
            ),
            lambda uow: fixes.set_status(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=99, status=FixStatus.DONE, actor=ALICE
            ),
            lambda uow: fixes.set_owner(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=99, owner="me", actor=ALICE
            ),
            lambda uow: fixes.set_due_date(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=99, text="2026-12-01", actor=ALICE
            ),
            lambda uow: fixes.delete_fix(uow(), chat_id=TEAM_CHAT_ID, fix_id=99, actor=ALICE),
        ],
        ids=["edit", "status", "owner", "due", "delete"],
    )
    def test_missing_fix_is_gone(self, uow, fix, call):
        """Changing a fix that does not exist raises ItemGone naming the fix."""
        with pytest.raises(ItemGone) as raised:
            call(uow)

        assert raised.value.params == {"kind": "fix"}


class TestOwner:
    @pytest.mark.parametrize(
        "word", ["me", "Me", "ME", "i", "myself", "я", "Я", "мне", "меня", "我", "我自己"]
    )
    def test_self_word_means_the_member_answering(self, uow, fix, word):
        """ "me" (or "я", …) makes the answering member the owner, shown as @username."""
        fixes.set_owner(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, owner=f" {word} ", actor=ALICE)

        assert stored_fix(uow, fix.id).owner_name == "@alice"
        assert owner_user_id(uow, fix.id) == ALICE.user_id

    def test_member_without_username_is_shown_by_name(self, uow, fix):
        """A member without a @username who says "me" is named by their display name."""
        fixes.set_owner(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, owner="me", actor=CAROL)

        assert stored_fix(uow, fix.id).owner_name == "Carol"
        assert owner_user_id(uow, fix.id) == CAROL.user_id

    @pytest.mark.parametrize("owner", ["@bob", "Bob Smith", "Дмитрий", "@me_too", "meme"])
    def test_other_owners_are_kept_as_typed(self, uow, fix, owner):
        """An @mention of a member seen in the chat, or a name, is stored as typed (no id)."""
        seen = [SeenUser(20, "bob", False), SeenUser(21, "me_too", False)]
        members.note(uow(), chat_id=TEAM_CHAT_ID, users=seen)
        fixes.set_owner(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, owner="me", actor=ALICE)

        fixes.set_owner(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, owner=owner, actor=ALICE)

        assert stored_fix(uow, fix.id).owner_name == owner
        assert owner_user_id(uow, fix.id) is None

    def test_records_the_owner(self, uow, fix, changes):
        """Setting an owner writes a fix.owner_set change naming the owner."""
        fixes.set_owner(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix.id, owner="me", actor=BOB)

        change = changes(stored_map(uow).id)[-1]
        assert (change.action, change.summary, change.actor_id) == (
            "fix.owner_set",
            "Cache the cart: @bob",
            BOB.user_id,
        )

    def test_too_long_owner_is_refused(self, uow, fix):
        """An owner over OWNER_MAX_CHARS raises TextTooLong and stores no owner."""
        with pytest.raises(TextTooLong) as raised:
            fixes.set_owner(
                uow(),
                chat_id=TEAM_CHAT_ID,
                fix_id=fix.id,
                owner="o" * (OWNER_MAX_CHARS + 1),
                actor=ALICE,
            )

        assert raised.value.params == {
            "field": "owner",
            "limit": OWNER_MAX_CHARS,
            "length": OWNER_MAX_CHARS + 1,
        }
        assert stored_fix(uow, fix.id).owner_name is None


def set_due(uow, fix_id, text):
    fixes.set_due_date(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, text=text, actor=ALICE)


class TestDueDate:
    @pytest.mark.parametrize(
        ("text", "due"),
        [
            ("2026-12-01", date(2026, 12, 1)),
            ("in 2 weeks", date(2026, 12, 10)),
            ("next friday", date(2026, 11, 27)),
            ("tomorrow", date(2026, 11, 27)),
            ("today", date(2026, 11, 26)),
            ("12/01/2026", date(2026, 12, 1)),
        ],
    )
    def test_reads_english_dates_relative_to_now(self, uow, fix, text, due):
        """English due dates are read relative to the chat's today (Thu 2026-11-26)."""
        set_due(uow, fix.id, text)

        assert stored_fix(uow, fix.id).due_on == due

    @pytest.mark.parametrize(
        ("text", "due"),
        [
            ("через 2 недели", date(2026, 12, 10)),
            ("завтра", date(2026, 11, 27)),
            ("01.12.2026", date(2026, 12, 1)),
            ("1 декабря", date(2026, 12, 1)),
            ("in 2 weeks", date(2026, 12, 10)),
        ],
    )
    def test_reads_dates_in_the_chats_language(self, uow, text, due):
        """A Russian chat's due dates are read in Russian (day first), English still works."""
        pain = make_pain_on_new_map(uow, language="ru")
        fix = make_fix(uow, pain.id, "Исправить").fixes[0]

        set_due(uow, fix.id, text)

        assert stored_fix(uow, fix.id).due_on == due

    def test_today_is_the_chats_today(self, uow):
        """Dates are read in the chat's zone: at 09:00 UTC it is still the 25th in Honolulu."""
        pain = make_pain_on_new_map(uow, tz="Pacific/Honolulu")
        fix = make_fix(uow, pain.id).fixes[0]

        set_due(uow, fix.id, "today")
        assert stored_fix(uow, fix.id).due_on == date(2026, 11, 25)
        set_due(uow, fix.id, "2026-12-31")
        set_due(uow, fix.id, "2026-11-25")
        assert stored_fix(uow, fix.id).due_on == date(2026, 11, 25)

    def test_late_evening_utc_is_tomorrow_in_berlin(self, uow, fix, clock):
        """At 23:30 UTC it is already the next day in Berlin, so the 26th is past there."""
        clock.advance(timedelta(hours=14, minutes=30))

        set_due(uow, fix.id, "today")
        assert stored_fix(uow, fix.id).due_on == date(2026, 11, 27)
        with pytest.raises(DateInPast):
            set_due(uow, fix.id, "2026-11-26")

    @pytest.mark.parametrize(
        ("text", "past"), [("yesterday", "2026-11-25"), ("2020-01-01", "2020-01-01")]
    )
    def test_past_date_is_refused(self, uow, fix, text, past):
        """A date before the chat's today raises DateInPast and keeps the earlier due date."""
        set_due(uow, fix.id, "2026-12-24")

        with pytest.raises(DateInPast) as raised:
            set_due(uow, fix.id, text)

        assert raised.value.params == {"date": past}
        assert stored_fix(uow, fix.id).due_on == date(2026, 12, 24)

    @pytest.mark.parametrize("text", ["blah blah", "qwerty uiop", "soon"])
    def test_gibberish_is_refused(self, uow, fix, text):
        """Text that is no date raises InvalidDate quoting the text, and stores nothing."""
        with pytest.raises(InvalidDate) as raised:
            set_due(uow, fix.id, text)

        assert raised.value.params == {"text": text}
        assert stored_fix(uow, fix.id).due_on is None

    def test_punctuation_alone_is_no_answer(self, uow, fix):
        """ "???" says nothing: refused as blank before any date is read."""
        with pytest.raises(TextBlank):
            set_due(uow, fix.id, "???")
        assert stored_fix(uow, fix.id).due_on is None

    def test_too_long_date_is_refused(self, uow, fix):
        """A due date text over OWNER_MAX_CHARS raises TextTooLong for the due field."""
        with pytest.raises(TextTooLong) as raised:
            set_due(uow, fix.id, "1" * (OWNER_MAX_CHARS + 1))

        assert raised.value.params["field"] == "due"

    def test_records_the_due_date(self, uow, fix, changes):
        """Setting a due date writes a fix.due_set change with the ISO date."""
        set_due(uow, fix.id, "in 2 weeks")

        change = changes(stored_map(uow).id)[-1]
        assert (change.action, change.summary) == ("fix.due_set", "Cache the cart: 2026-12-10")
