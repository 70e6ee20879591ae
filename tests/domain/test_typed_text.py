"""Text a team really types: invisible characters, case-only duplicates, strangers, far dates."""

from __future__ import annotations

from datetime import date

import pytest

from cjm.errors import DuplicateName, PromptCancelled, StaleButton, TextBlank, TextEmpty
from cjm.limits import NAME_MAX_CHARS, clean_text, name_key, normalise
from cjm.models import Fix, PendingKind, PromptKind
from cjm.services import confirmations, fixes, maps, members, pending, prompts, stages, touchpoints
from cjm.services.members import SeenUser
from cjm.views import MapView, Unconfirmed
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    chat_ref,
    make_full_map,
    make_map,
    make_stages,
    read_map,
    remember_prompt,
)


def new_map(uow, title):
    return maps.create_map(
        uow(),
        chat=chat_ref(TEAM_CHAT_ID),
        actor=ALICE,
        title=title,
        default_language="en",
        default_tz="UTC",
    )


def titles(uow):
    return sorted(s.title for s in maps.list_maps(uow(), chat_id=TEAM_CHAT_ID))


class TestNormalise:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("По\u200bиск", "Поиск"),
            ("  Check\u2060out \u00a0 page  ", "Checkout page"),
            ("ｆｕｌｌ ｗｉｄｔｈ", "full width"),
            ("\ufeffBOM first", "BOM first"),
            ("Soft\u00adhyphen", "Softhyphen"),
            ("\u3164Hangul\u3164filler", "Hangulfiller"),
        ],
        ids=["zero-width space", "word joiner, nbsp", "NFKC", "BOM", "soft hyphen", "filler"],
    )
    def test_text_is_stored_without_invisible_characters(self, typed, stored):
        """NFKC, no format characters or fillers, one space between words."""
        assert clean_text(typed, field="stage", limit=NAME_MAX_CHARS) == stored

    def test_an_emoji_sequence_keeps_its_joiner(self):
        """👩‍💼 stays one picture; elsewhere the joiner goes, and names compare without it."""
        assert normalise("Анна 👩\u200d💼") == "Анна 👩\u200d💼"
        assert normalise("По\u200dиск") == "Поиск"
        assert name_key("👩\u200d💼") == name_key("👩💼")

    def test_multiline_text_keeps_its_lines(self):
        """A multi-line answer keeps one line per line, each with its spaces collapsed."""
        assert normalise(" a  b \n\u200b c ", multiline=True) == "a b\nc"

    @pytest.mark.parametrize(
        "typed", ["\u3164", "\u200b\u2060", "\u2800", "\u115f\u1160\uffa0", " \u200d "]
    )
    def test_invisible_text_is_empty(self, typed):
        """Only invisible characters: nothing was typed."""
        with pytest.raises(TextEmpty):
            clean_text(typed, field="stage", limit=NAME_MAX_CHARS)

    @pytest.mark.parametrize("typed", [".", "—", "...", "\u200b-\u200b", "?!"])
    def test_lone_punctuation_is_not_a_name(self, typed):
        """Punctuation alone says nothing: refused with its own reason."""
        with pytest.raises(TextBlank) as raised:
            clean_text(typed, field="touchpoint", limit=NAME_MAX_CHARS)
        assert raised.value.params == {"field": "touchpoint"}

    @pytest.mark.parametrize("typed", ["🛒", "A", "7", "C++", "(ツ)"])
    def test_one_letter_digit_or_symbol_is_enough(self, typed):
        """An emoji, a letter or a digit is a name."""
        assert clean_text(typed, field="stage", limit=NAME_MAX_CHARS) == typed

    def test_names_compare_without_case_or_invisible_characters(self):
        """Two names are the same when they read the same."""
        assert name_key("По\u200bиск") == name_key("поиск") == name_key(" ПОИСК ")


class TestListReplies:
    def test_a_zero_width_twin_is_a_duplicate(self, uow):
        """ "По\u200bиск" next to "Поиск" is the same stage: refused, nothing added."""
        journey = make_stages(uow, make_map(uow).id, ["Поиск"])
        with pytest.raises(DuplicateName) as raised:
            stages.add_stages(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, text="По\u200bиск", actor=ALICE
            )
        assert raised.value.params == {"kind": "stage", "name": "Поиск"}
        assert [s.name for s in read_map(uow, journey.id).stages] == ["Поиск"]

    def test_one_duplicate_line_is_skipped_and_named(self, uow):
        """The other lines are added; the duplicate is returned, not raised."""
        journey = make_stages(uow, make_map(uow).id, ["Search"])
        skipped = stages.add_stages(
            uow(),
            chat_id=TEAM_CHAT_ID,
            map_id=journey.id,
            text="Compare\nsearch\nBuy\nBUY",
            actor=ALICE,
        )
        assert skipped == ("search", "BUY")
        names = [s.name for s in read_map(uow, journey.id).stages]
        assert names == ["Search", "Compare", "Buy"]

    def test_touchpoint_lines_skip_duplicates_and_keep_channels(self, uow):
        """A touchpoint the stage has is skipped; the new ones keep their channels."""
        journey = make_stages(uow, make_map(uow).id, ["Search"])
        stage_id = journey.stages[0].id
        touchpoints.add_touchpoints(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=stage_id, text="Ad", actor=ALICE
        )
        skipped = touchpoints.add_touchpoints(
            uow(),
            chat_id=TEAM_CHAT_ID,
            stage_id=stage_id,
            text="a\u200bd | email\nBlog | website",
            actor=ALICE,
        )
        assert skipped == ("ad",)
        (stage,) = read_map(uow, journey.id).stages
        assert [(t.name, t.channel) for t in stage.touchpoints] == [
            ("Ad", None),
            ("Blog", "website"),
        ]

    def test_blank_lines_are_not_items(self, uow):
        """Lines of invisible characters between names are dropped, not stored."""
        journey = make_map(uow)
        stages.add_stages(
            uow(),
            chat_id=TEAM_CHAT_ID,
            map_id=journey.id,
            text="A\n\u3164\n\u200b\nB",
            actor=ALICE,
        )
        assert [s.name for s in read_map(uow, journey.id).stages] == ["A", "B"]


class TestMapTitles:
    def test_a_case_only_twin_waits_for_a_yes(self, uow):
        """ "onboarding" next to "Onboarding" creates nothing until a member confirms."""
        assert isinstance(new_map(uow, "Onboarding"), MapView)
        held = new_map(uow, "onboard\u200bing")
        assert isinstance(held, Unconfirmed)
        assert (held.kind, held.value, held.reason, held.names) == (
            PendingKind.MAP_TITLE,
            "onboarding",
            "title_taken",
            ("Onboarding",),
        )
        assert titles(uow) == ["Onboarding"]

        kept = confirmations.keep(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id, actor=BOB)
        assert kept.map is not None
        assert kept.map.is_current
        assert titles(uow) == ["Onboarding", "onboarding"]

    def test_a_held_answer_is_kept_once(self, uow):
        """A second Yes (or one from another chat) is a stale button."""
        new_map(uow, "Onboarding")
        held = new_map(uow, "ONBOARDING")
        with pytest.raises(StaleButton):
            confirmations.keep(uow(), chat_id=-1, pending_id=held.id, actor=BOB)
        confirmations.keep(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id, actor=BOB)
        with pytest.raises(StaleButton):
            confirmations.keep(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id, actor=BOB)
        assert len(titles(uow)) == 2

    def test_no_forgets_the_title(self, uow):
        """Dropping the held title creates nothing."""
        new_map(uow, "Onboarding")
        held = new_map(uow, "onboarding")
        assert pending.drop(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id) == "onboarding"
        assert titles(uow) == ["Onboarding"]


@pytest.fixture
def fix_id(uow):
    journey = make_full_map(uow)
    return journey.fixes[0].id


def owner(uow, fix_id):
    with uow() as unit:
        return unit.get(Fix, fix_id).owner_name


class TestOwners:
    @pytest.mark.parametrize(
        ("typed", "reason", "names"),
        [
            ("@journey_bot", "owner_bot", ("@journey_bot",)),
            ("@GroupAnonymousBot", "owner_bot", ("@GroupAnonymousBot",)),
            ("@nobody_here", "owner_unknown", ("@nobody_here",)),
            ("@bob and @stranger", "owner_unknown", ("@stranger",)),
        ],
        ids=["our bot", "anonymous admin bot", "stranger", "one of two"],
    )
    def test_a_bot_or_a_stranger_waits_for_a_yes(self, uow, fix_id, typed, reason, names):
        """The owner is not set; the answer is held with why."""
        held = fixes.set_owner(
            uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, owner=typed, actor=ALICE
        )
        assert isinstance(held, Unconfirmed)
        assert (held.reason, held.names) == (reason, names)
        assert owner(uow, fix_id) == "@bob"  # as make_full_map set it

        confirmations.keep(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id, actor=ALICE)
        assert owner(uow, fix_id) == typed

    def test_a_member_seen_in_the_chat_is_taken_at_once(self, uow, fix_id):
        """A username the chat has seen (any case) is set without asking."""
        members.note(uow(), chat_id=TEAM_CHAT_ID, users=[SeenUser(42, "Dima_K", False)])
        assert (
            fixes.set_owner(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, owner="@dima_k", actor=ALICE
            )
            is None
        )
        assert owner(uow, fix_id) == "@dima_k"

    def test_a_member_seen_in_another_chat_is_a_stranger_here(self, uow, fix_id):
        """Members are per chat."""
        members.note(uow(), chat_id=-5, users=[SeenUser(42, "dima_k", False)])
        held = fixes.set_owner(
            uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, owner="@dima_k", actor=ALICE
        )
        assert isinstance(held, Unconfirmed)

    def test_a_human_whose_name_ends_in_bot_is_fine_once_seen(self, uow, fix_id):
        """ "@abbot", seen writing as a person, is no bot."""
        members.note(uow(), chat_id=TEAM_CHAT_ID, users=[SeenUser(43, "abbot", False)])
        assert (
            fixes.set_owner(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, owner="@abbot", actor=ALICE
            )
            is None
        )

    @pytest.mark.parametrize("word", ["me", "я", "Я", "我"])
    def test_me_in_every_language_is_the_member_answering(self, uow, fix_id, word):
        """ "me", "я", "我": the answering member, no question asked."""
        assert (
            fixes.set_owner(uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, owner=word, actor=ALICE)
            is None
        )
        assert owner(uow, fix_id) == "@alice"


class TestDueDates:
    def test_a_date_years_ahead_waits_for_a_yes(self, uow, fix_id):
        """2999-01-01 is held; Yes stores it."""
        held = fixes.set_due_date(
            uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, text="2999-01-01", actor=ALICE
        )
        assert isinstance(held, Unconfirmed)
        assert (held.reason, held.due_on) == ("due_far", date(2999, 1, 1))
        journey = maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID)
        assert journey.fixes[0].due_on is None

        kept = confirmations.keep(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id, actor=ALICE)
        assert kept.due_on == date(2999, 1, 1)
        journey = maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID)
        assert journey.fixes[0].due_on == date(2999, 1, 1)

    def test_a_date_within_two_years_is_stored(self, uow, fix_id):
        """Next year is a plan, not a typo."""
        assert (
            fixes.set_due_date(
                uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_id, text="2027-06-01", actor=ALICE
            )
            is None
        )
        journey = maps.get_current_map(uow(), chat_id=TEAM_CHAT_ID)
        assert journey.fixes[0].due_on == date(2027, 6, 1)


class TestCancel:
    def test_cancel_with_nothing_open_says_so(self, uow):
        """Nothing asked, nothing held: zero of each."""
        make_map(uow)
        cancelled = prompts.cancel_open(uow(), chat_id=TEAM_CHAT_ID)
        assert (cancelled.questions, cancelled.held) == (0, 0)

    def test_a_cancelled_question_takes_no_answer(self, uow):
        """A reply to a question closed by /cancel is refused and changes nothing."""
        journey = make_map(uow)
        remember_prompt(uow, 500, PromptKind.STAGE_ADD, journey.id, target_id=journey.id)
        remember_prompt(uow, 501, PromptKind.CARD_STAGES, journey.id)
        cancelled = prompts.cancel_open(uow(), chat_id=TEAM_CHAT_ID)
        assert (cancelled.questions, cancelled.held) == (1, 0)

        with pytest.raises(PromptCancelled):
            prompts.answer(
                uow(),
                chat_id=TEAM_CHAT_ID,
                prompt_message_id=500,
                reply_message_id=600,
                text="Search",
                actor=ALICE,
            )
        assert read_map(uow, journey.id).stages == ()
        # The step card is no question: it still takes replies.
        prompts.answer(
            uow(),
            chat_id=TEAM_CHAT_ID,
            prompt_message_id=501,
            reply_message_id=601,
            text="Search",
            actor=ALICE,
        )
        assert [s.name for s in read_map(uow, journey.id).stages] == ["Search"]

    def test_a_cancelled_import_question_takes_no_file(self, uow):
        """A file answer asks kind_of first: a cancelled question is refused there too."""
        journey = make_map(uow)
        remember_prompt(uow, 502, PromptKind.MAP_IMPORT, journey.id)
        assert (
            prompts.kind_of(uow(), chat_id=TEAM_CHAT_ID, message_id=502) is PromptKind.MAP_IMPORT
        )
        prompts.cancel_open(uow(), chat_id=TEAM_CHAT_ID)
        with pytest.raises(PromptCancelled):
            prompts.kind_of(uow(), chat_id=TEAM_CHAT_ID, message_id=502)

    def test_an_answered_question_is_not_open(self, uow):
        """Once answered, a question is not counted by /cancel."""
        journey = make_map(uow)
        remember_prompt(uow, 500, PromptKind.STAGE_ADD, journey.id, target_id=journey.id)
        prompts.answer(
            uow(),
            chat_id=TEAM_CHAT_ID,
            prompt_message_id=500,
            reply_message_id=600,
            text="Search",
            actor=ALICE,
        )
        assert prompts.cancel_open(uow(), chat_id=TEAM_CHAT_ID).questions == 0

    def test_cancel_drops_held_answers(self, uow):
        """An answer waiting for a yes is forgotten; its button is then stale."""
        new_map(uow, "Onboarding")
        held = new_map(uow, "onboarding")
        assert prompts.cancel_open(uow(), chat_id=TEAM_CHAT_ID).held == 1
        with pytest.raises(StaleButton):
            confirmations.keep(uow(), chat_id=TEAM_CHAT_ID, pending_id=held.id, actor=ALICE)
