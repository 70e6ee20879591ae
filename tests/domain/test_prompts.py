"""Prompts: bot messages that ask something, and the replies routed to the right service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from cjm.cards import Focus, resolve
from cjm.errors import (
    AlreadyHandled,
    ImportRefused,
    ItemGone,
    PromptUnknown,
    StaleButton,
    TextTooLong,
)
from cjm.models import (
    FocusKind,
    HandledMessage,
    Mode,
    PersonaField,
    Prompt,
    PromptKind,
    Stage,
    Step,
    SurveyKind,
)
from cjm.services import fixes, kpis, maps, persona, prompts, reviews, stages, surveys
from cjm.services.questions import QUESTIONS
from cjm.views import MapView, QuestionToAsk, Redraw
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    NewUow,
    make_full_map,
    make_map,
    read_map,
    remember_prompt,
)

CARD = 500  # the message id of the step card in these tests
PROMPT = 600  # the message id of a ForceReply prompt
REPLY = 700  # the member's reply


def answer(uow, text, *, prompt=PROMPT, reply=REPLY, actor=BOB, chat_id=TEAM_CHAT_ID):
    return prompts.answer(
        uow(),
        chat_id=chat_id,
        prompt_message_id=prompt,
        reply_message_id=reply,
        text=text,
        actor=actor,
    )


def stored_names(uow, journey):
    return [s.name for s in read_map(uow, journey.id).stages]


@pytest.fixture
def journey(uow):
    return make_full_map(uow)


@dataclass(frozen=True)
class Route:
    """One prompt kind: what it points at, the reply, and where the reply must land.

    `step` is the step card the prompt belongs to: the card itself for a "card.*" kind, else
    the card the bot sent the prompt from (None: sent from no step card).
    """

    kind: PromptKind
    step: Step | None
    text: str
    read: Callable[[MapView], object]
    expected: object
    target: Callable[[MapView], int] | None = None
    focus: FocusKind | None = None  # what a step card's target names
    persona_field: PersonaField | None = None


def _stage(index):
    return lambda m: m.stages[index].id


def _tp(index):
    return lambda m: m.touchpoints[index].id


def _pain(index):
    return lambda m: m.pains[index].id


def _fix(index):
    return lambda m: m.fixes[index].id


def _tp_names(index):
    return lambda m: [tp.name for tp in m.stages[index].touchpoints]


def _pain_texts(index):
    return lambda m: [p.text for p in m.pains_at(m.stages[index].id)]


def _fix_texts(index):
    return lambda m: [f.text for f in m.pains[index].fixes]


def _note(tp_index):
    return lambda m: [(v.user_name, v.note) for v in m.touchpoints[tp_index].notes]


ROUTES = {
    "card persona fills the next empty field": Route(
        kind=PromptKind.CARD_PERSONA,
        step=Step.PERSONA,
        text="Anna",
        read=lambda m: m.persona[PersonaField.NAME],
        expected="Anna",
    ),
    "persona field prompt": Route(
        kind=PromptKind.PERSONA_FIELD,
        step=Step.PERSONA,
        text="Mid",
        read=lambda m: m.persona[PersonaField.INCOME],
        expected="Mid",
        persona_field=PersonaField.INCOME,
    ),
    "card stages adds stages": Route(
        kind=PromptKind.CARD_STAGES,
        step=Step.STAGES,
        text="Use\nLeave",
        read=lambda m: [s.name for s in m.stages],
        expected=["Discover", "Buy", "Use", "Leave"],
    ),
    "stage add prompt": Route(
        kind=PromptKind.STAGE_ADD,
        step=Step.STAGES,
        text="Use",
        read=lambda m: [s.name for s in m.stages],
        expected=["Discover", "Buy", "Use"],
    ),
    "stage rename prompt": Route(
        kind=PromptKind.STAGE_RENAME,
        step=Step.STAGES,
        text="Pay",
        read=lambda m: [s.name for s in m.stages],
        expected=["Discover", "Pay"],
        target=_stage(1),
    ),
    "stage goal prompt": Route(
        kind=PromptKind.STAGE_GOAL,
        step=Step.STAGES,
        text="Find a gift",
        read=lambda m: m.stages[0].customer_goal,
        expected="Find a gift",
        target=_stage(0),
    ),
    "card touchpoints adds to the first stage": Route(
        kind=PromptKind.CARD_TOUCHPOINTS,
        step=Step.TOUCHPOINTS,
        text="Blog | website",
        read=_tp_names(0),
        expected=["Search ad", "Friend's tip", "Blog"],
    ),
    "card touchpoints adds to its focused stage": Route(
        kind=PromptKind.CARD_TOUCHPOINTS,
        step=Step.TOUCHPOINTS,
        text="Receipt",
        read=_tp_names(1),
        expected=["Checkout", "Receipt"],
        target=_stage(1),
    ),
    "card touchpoints adds to the focused touchpoint's stage": Route(
        kind=PromptKind.CARD_TOUCHPOINTS,
        step=Step.TOUCHPOINTS,
        text="Receipt",
        read=_tp_names(1),
        expected=["Checkout", "Receipt"],
        target=_tp(2),
        focus=FocusKind.TOUCHPOINT,
    ),
    "touchpoint add prompt": Route(
        kind=PromptKind.TOUCHPOINT_ADD,
        step=Step.TOUCHPOINTS,
        text="Receipt",
        read=_tp_names(1),
        expected=["Checkout", "Receipt"],
        target=_stage(1),
    ),
    "touchpoint rename prompt": Route(
        kind=PromptKind.TOUCHPOINT_RENAME,
        step=Step.TOUCHPOINTS,
        text="Word of mouth",
        read=_tp_names(0),
        expected=["Search ad", "Word of mouth"],
        target=_tp(1),
    ),
    "touchpoint channel prompt": Route(
        kind=PromptKind.TOUCHPOINT_CHANNEL,
        step=Step.TOUCHPOINTS,
        text="phone",
        read=lambda m: (m.touchpoints[1].channel, m.touchpoints[1].mode),
        expected=("phone", Mode.OFFLINE),
        target=_tp(1),
    ),
    "card emotions notes the first touchpoint": Route(
        kind=PromptKind.CARD_EMOTIONS,
        step=Step.EMOTIONS,
        text="Feels pushy",
        read=_note(0),
        expected=[("Bob", "Feels pushy")],
    ),
    "card emotions notes its focused touchpoint": Route(
        kind=PromptKind.CARD_EMOTIONS,
        step=Step.EMOTIONS,
        text="Slow",
        read=_note(2),
        expected=[("Alice", "Too many fields"), ("Bob", "Slow")],
        target=_tp(2),
    ),
    "emotion note prompt": Route(
        kind=PromptKind.EMOTION_NOTE,
        step=Step.EMOTIONS,
        text="Trusted",
        read=_note(1),
        expected=[("Bob", "Trusted")],
        target=_tp(1),
    ),
    "card pains adds to the first stage": Route(
        kind=PromptKind.CARD_PAINS,
        step=Step.PAINS,
        text="Ads everywhere",
        read=_pain_texts(0),
        expected=["Ads promise a discount that is gone", "Ads everywhere"],
    ),
    "card pains adds to its focused stage": Route(
        kind=PromptKind.CARD_PAINS,
        step=Step.PAINS,
        text="No PayPal",
        read=_pain_texts(1),
        expected=["Checkout asks for the address twice", "No PayPal"],
        target=_stage(1),
    ),
    "card pains adds to the focused pain's stage": Route(
        kind=PromptKind.CARD_PAINS,
        step=Step.PAINS,
        text="No PayPal",
        read=_pain_texts(1),
        expected=["Checkout asks for the address twice", "No PayPal"],
        target=_pain(1),
        focus=FocusKind.PAIN,
    ),
    "pain add prompt": Route(
        kind=PromptKind.PAIN_ADD,
        step=Step.PAINS,
        text="No PayPal",
        read=_pain_texts(1),
        expected=["Checkout asks for the address twice", "No PayPal"],
        target=_stage(1),
    ),
    "pain text prompt": Route(
        kind=PromptKind.PAIN_TEXT,
        step=Step.PAINS,
        text="Discount expired",
        read=lambda m: m.pains[0].text,
        expected="Discount expired",
        target=_pain(0),
    ),
    "card fixes adds to the first pain": Route(
        kind=PromptKind.CARD_FIXES,
        step=Step.FIXES,
        text="Pull expired ads",
        read=_fix_texts(0),
        expected=["Sync ad copy with the price list", "Pull expired ads"],
    ),
    "card fixes adds to its focused pain": Route(
        kind=PromptKind.CARD_FIXES,
        step=Step.FIXES,
        text="Autofill",
        read=_fix_texts(1),
        expected=["Remember the address", "Autofill"],
        target=_pain(1),
    ),
    "card fixes adds to the focused fix's pain": Route(
        kind=PromptKind.CARD_FIXES,
        step=Step.FIXES,
        text="Autofill",
        read=_fix_texts(1),
        expected=["Remember the address", "Autofill"],
        target=_fix(1),
        focus=FocusKind.FIX,
    ),
    "fix add prompt": Route(
        kind=PromptKind.FIX_ADD,
        step=Step.FIXES,
        text="Autofill",
        read=_fix_texts(1),
        expected=["Remember the address", "Autofill"],
        target=_pain(1),
    ),
    "fix text prompt": Route(
        kind=PromptKind.FIX_TEXT,
        step=Step.FIXES,
        text="Check ads weekly",
        read=lambda m: m.fixes[0].text,
        expected="Check ads weekly",
        target=_fix(0),
    ),
    "fix owner prompt": Route(
        kind=PromptKind.FIX_OWNER,
        step=Step.FIXES,
        text="me",
        read=lambda m: m.fixes[0].owner_name,
        expected="@bob",
        target=_fix(0),
    ),
    "fix due prompt": Route(
        kind=PromptKind.FIX_DUE,
        step=Step.FIXES,
        text="in 2 weeks",
        read=lambda m: m.fixes[0].due_on,
        expected=date(2026, 12, 10),
        target=_fix(0),
    ),
    "hotspot fix on a touchpoint without open pains adds a pain there": Route(
        kind=PromptKind.HOTSPOT_FIX,
        step=None,  # asked from the insights board, which is no step card
        text="Nobody hears about us",
        read=lambda m: [p.text for p in m.pains if p.touchpoint_id == m.touchpoints[1].id],
        expected=["Nobody hears about us"],
        target=_tp(1),
    ),
}


@dataclass(frozen=True)
class Subjects:
    """What the other features' questions are about: the map, a survey of it, a KPI on it."""

    journey: MapView
    survey_id: int
    kpi_id: int


@dataclass(frozen=True)
class FeatureRoute:
    """A question of another feature, asked from that feature's message (not a step card).

    `read` reads back what the reply changed; `redraw` is the message that shows it, whose
    id (CARD in these tests: the survey card, the /kpi board, the review card) comes back.
    """

    kind: PromptKind
    text: str
    target: Callable[[Subjects], int]
    read: Callable[[NewUow, Subjects], object]
    expected: object
    redraw: Redraw
    confirm: bool = False


def _survey(uow, subjects):
    return surveys.get_survey(uow(), chat_id=TEAM_CHAT_ID, survey_id=subjects.survey_id)


def _stored(uow, subjects):
    return read_map(uow, subjects.journey.id)


FEATURE_ROUTES = {
    "survey question": FeatureRoute(
        kind=PromptKind.SURVEY_QUESTION,
        text="Did the ad help?",
        target=lambda s: s.survey_id,
        read=lambda uow, s: _survey(uow, s).question,
        expected="Did the ad help?",
        redraw=Redraw.SURVEY_CARD,
    ),
    "survey end": FeatureRoute(
        kind=PromptKind.SURVEY_END,
        text="in 2 weeks",
        target=lambda s: s.survey_id,
        read=lambda uow, s: _survey(uow, s).ends_at.isoformat(),
        expected="2026-12-10T23:00:00+00:00",  # the Berlin midnight after 2026-12-10
        redraw=Redraw.SURVEY_CARD,
    ),
    "survey cap": FeatureRoute(
        kind=PromptKind.SURVEY_CAP,
        text="100",
        target=lambda s: s.survey_id,
        read=lambda uow, s: _survey(uow, s).max_responses,
        expected=100,
        redraw=Redraw.SURVEY_CARD,
    ),
    "kpi add": FeatureRoute(
        kind=PromptKind.KPI_ADD,
        text="Visits; ; ; up",
        target=lambda s: s.journey.stages[0].id,
        read=lambda uow, s: [k.name for k in _stored(uow, s).kpis_at(s.journey.stages[0].id)],
        expected=["Visits"],
        redraw=Redraw.KPI_BOARD,
        confirm=True,
    ),
    "kpi value": FeatureRoute(
        kind=PromptKind.KPI_VALUE,
        text="4,5",
        target=lambda s: s.kpi_id,
        read=lambda uow, s: [v.value for v in _stored(uow, s).kpi(s.kpi_id).values],
        expected=[4.5],
        redraw=Redraw.KPI_BOARD,
        confirm=True,
    ),
    "review time": FeatureRoute(
        kind=PromptKind.REVIEW_TIME,
        text="9:30",
        target=lambda s: s.journey.id,
        read=lambda uow, s: reviews.get_review_card(uow(), chat_id=TEAM_CHAT_ID).local_time,
        expected="09:30",
        redraw=Redraw.REVIEW_CARD,
    ),
}


def test_every_prompt_kind_has_a_route_case():
    """The routing tables below cover every PromptKind (a text reply to the import: below)."""
    routed = {route.kind for route in ROUTES.values()}
    routed |= {route.kind for route in FEATURE_ROUTES.values()}
    assert routed == set(PromptKind) - {PromptKind.MAP_IMPORT}
    assert set(QUESTIONS) == set(PromptKind)


def test_a_text_reply_to_the_import_question_asks_for_the_file(uow, rows):
    """The import question wants a document: text gets ImportRefused(not_a_file), unclaimed."""
    asked = prompts.prepare(uow(), chat_id=TEAM_CHAT_ID, kind=PromptKind.MAP_IMPORT)
    prompts.remember(uow(), chat_id=TEAM_CHAT_ID, message_id=PROMPT, asked=asked)

    with pytest.raises(ImportRefused) as raised:
        answer(uow, "here it is")

    assert raised.value.params == {"reason": "not_a_file"}
    assert rows(HandledMessage) == 0


def ask(uow, kind, *, target_id=None, persona_field=None, card=None, chat_id=TEAM_CHAT_ID):
    """Ask a question the way the bot does: prepare it, post it (as PROMPT), remember it."""
    asked = prompts.prepare(
        uow(),
        chat_id=chat_id,
        kind=kind,
        target_id=target_id,
        persona_field=persona_field,
        card_message_id=card,
    )
    prompts.remember(uow(), chat_id=chat_id, message_id=PROMPT, asked=asked)
    return asked


def send(uow, journey, route):
    """Store the route's prompt as the bot sends it; return the message id of its step card."""
    target = route.target(journey) if route.target else None
    if route.kind.startswith("card."):
        remember_prompt(uow, PROMPT, route.kind, journey.id, target_id=target, focus=route.focus)
        return PROMPT
    card = None
    if route.step is not None:
        card = CARD
        remember_prompt(uow, CARD, prompts.card_kind(route.step), journey.id)
    ask(uow, route.kind, target_id=target, persona_field=route.persona_field, card=card)
    return card


class TestRouting:
    @pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
    def test_reply_lands_where_the_prompt_points(self, uow, journey, route):
        """A reply is applied by the service the prompt's kind names; its step card is redrawn."""
        card = send(uow, journey, route)

        answered = answer(uow, route.text)

        assert (answered.kind, answered.card_message_id) == (route.kind, card)
        assert answered.redraw is (Redraw.STEP_CARD if route.step else Redraw.NOTHING)
        assert route.read(read_map(uow, journey.id)) == route.expected
        if card is not None:  # the card, read as it will be redrawn, shows the reply
            shown = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=card)
            assert shown.step is route.step
            assert route.read(shown.map) == route.expected

    @pytest.fixture
    def subjects(self, uow, journey):
        survey = surveys.create_survey(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=journey.touchpoints[0].id,
            kind=SurveyKind.NPS,
            ask_why=True,
            actor=ALICE,
        )
        kpi = kpis.add_kpi(
            uow(),
            chat_id=TEAM_CHAT_ID,
            stage_id=journey.stages[1].id,
            text="Conversion; %; 5; up",
            actor=ALICE,
        )
        return Subjects(journey, survey.id, kpi.id)

    @pytest.mark.parametrize("route", FEATURE_ROUTES.values(), ids=FEATURE_ROUTES.keys())
    def test_reply_to_another_features_question(self, uow, subjects, route):
        """Surveys, KPIs and reviews take the same path; their own message is redrawn."""
        ask(uow, route.kind, target_id=route.target(subjects), card=CARD)

        answered = answer(uow, route.text)

        assert (answered.kind, answered.redraw, answered.card_message_id, answered.confirm) == (
            route.kind,
            route.redraw,
            CARD,
            route.confirm,
        )
        assert answered.outcome is not None
        assert route.read(uow, subjects) == route.expected

    def test_reply_is_logged_as_the_replying_member(self, uow, journey, changes):
        """The change a reply makes is logged under the member who replied."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        answer(uow, "Use", actor=BOB)

        change = changes(journey.id)[-1]
        assert (change.action, change.summary, change.actor_id) == ("stage.added", "Use", 2)


class TestCardRefresh:
    def test_reply_to_a_card_refreshes_that_card(self, uow, journey):
        """A reply to a card names that card to redraw; the card keeps its focus."""
        buy = journey.stages[1]
        remember_prompt(uow, CARD, PromptKind.CARD_PAINS, journey.id, target_id=buy.id)

        assert answer(uow, "No PayPal", prompt=CARD).card_message_id == CARD

        card = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert (card.step, card.message_id, card.focus_id, card.focus) == (
            Step.PAINS,
            CARD,
            buy.id,
            None,
        )
        assert [p.text for p in card.map.pains_at(buy.id)][-1] == "No PayPal"

    def test_reply_to_a_force_reply_prompt_refreshes_its_card(self, uow, journey):
        """A reply to a prompt sent from a card names that card to redraw, focus kept."""
        checkout = journey.touchpoints[2]
        remember_prompt(
            uow,
            CARD,
            PromptKind.CARD_TOUCHPOINTS,
            journey.id,
            target_id=checkout.id,
            focus=FocusKind.TOUCHPOINT,
        )
        remember_prompt(
            uow,
            PROMPT,
            PromptKind.TOUCHPOINT_CHANNEL,
            journey.id,
            target_id=checkout.id,
            card_message_id=CARD,
        )

        assert answer(uow, "app").card_message_id == CARD

        card = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert (card.step, card.message_id, card.focus_id, card.focus) == (
            Step.TOUCHPOINTS,
            CARD,
            checkout.id,
            FocusKind.TOUCHPOINT,
        )
        assert card.map.touchpoint(checkout.id).channel == "app"

    def test_prompt_without_a_card_refreshes_none(self, uow, journey):
        """A prompt not sent from a card names no card to redraw; the reply is still applied."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        assert answer(uow, "Use").card_message_id is None

        assert stored_names(uow, journey) == ["Discover", "Buy", "Use"]

    def test_card_message_id_of_a_non_card_is_ignored(self, uow, journey):
        """A prompt whose card_message_id points at another prompt, not a card, refreshes none."""
        remember_prompt(uow, 599, PromptKind.STAGE_ADD, journey.id)
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id, card_message_id=599)

        assert answer(uow, "Use").card_message_id is None

        assert stored_names(uow, journey) == ["Discover", "Buy", "Use"]


class TestRedelivery:
    def test_same_reply_twice_changes_nothing_the_second_time(self, uow, journey, rows):
        """Answering with the same reply message twice raises AlreadyHandled; nothing doubles."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)
        answer(uow, "Use")

        with pytest.raises(AlreadyHandled):
            answer(uow, "Use")

        assert [s.name for s in read_map(uow, journey.id).stages] == [
            "Discover",
            "Buy",
            "Use",
        ]
        assert rows(Stage) == 3

    def test_each_reply_to_a_prompt_counts(self, uow, journey):
        """Several members may reply to one prompt; each reply is applied."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        answer(uow, "Use", reply=701, actor=ALICE)
        answer(uow, "Leave", reply=702, actor=BOB)

        assert stored_names(uow, journey) == ["Discover", "Buy", "Use", "Leave"]

    def test_a_refused_reply_is_not_marked_handled(self, uow, journey, rows):
        """A reply that breaks a rule stores nothing, not even the mark that it was handled."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        with pytest.raises(TextTooLong):
            answer(uow, "Ok\n" + "x" * 101)

        assert rows(HandledMessage) == 0
        assert rows(Stage) == 2

    def test_a_reply_to_a_gone_target_is_not_marked_handled(self, uow, journey, rows):
        """A reply whose target was deleted raises ItemGone and is not marked handled."""
        buy = journey.stages[1]
        remember_prompt(uow, PROMPT, PromptKind.STAGE_RENAME, journey.id, target_id=buy.id)
        stages.delete_stage(uow(), chat_id=TEAM_CHAT_ID, stage_id=buy.id, actor=ALICE)

        with pytest.raises(ItemGone):
            answer(uow, "Pay")

        assert rows(HandledMessage) == 0


class TestUnknownPrompts:
    def test_reply_to_a_message_that_asked_nothing(self, uow, journey):
        """A reply to a bot message that is no prompt raises PromptUnknown without params."""
        with pytest.raises(PromptUnknown) as raised:
            answer(uow, "Hello", prompt=12345)

        assert raised.value.params == {}

    def test_prompts_belong_to_their_chat(self, uow, journey):
        """A prompt is found only in the chat it was sent to."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        with pytest.raises(PromptUnknown):
            answer(uow, "Use", chat_id=-42)

    def test_prompt_of_a_deleted_map(self, uow, journey, rows):
        """A reply to a prompt whose map was deleted raises PromptUnknown(map_deleted=True)."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)
        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)

        with pytest.raises(PromptUnknown) as raised:
            answer(uow, "Use")

        assert raised.value.params == {"map_deleted": True}
        assert rows(Stage) == 0
        assert rows(HandledMessage) == 0

    @pytest.mark.parametrize(
        ("kind", "missing"),
        [
            (PromptKind.CARD_TOUCHPOINTS, "stage"),
            (PromptKind.CARD_EMOTIONS, "touchpoint"),
            (PromptKind.CARD_PAINS, "stage"),
            (PromptKind.CARD_FIXES, "pain"),
        ],
    )
    def test_card_with_nothing_to_add_to(self, uow, kind, missing):
        """A reply to a card of an empty map raises ItemGone for what is missing."""
        empty = make_map(uow)
        remember_prompt(uow, CARD, kind, empty.id)

        with pytest.raises(ItemGone) as raised:
            answer(uow, "Something", prompt=CARD)

        assert raised.value.params == {"kind": missing}

    def test_kind_of(self, uow, journey):
        """kind_of tells what a bot message asks for, and None for its other messages, per chat."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        assert (
            prompts.kind_of(uow(), chat_id=TEAM_CHAT_ID, message_id=PROMPT) is PromptKind.STAGE_ADD
        )
        assert prompts.kind_of(uow(), chat_id=TEAM_CHAT_ID, message_id=PROMPT + 1) is None
        assert prompts.kind_of(uow(), chat_id=-42, message_id=PROMPT) is None


class TestFocus:
    def test_points_a_card_at_another_item(self, uow, journey):
        """focus points a card at an item; the card keeps that focus when read back."""
        remember_prompt(uow, CARD, PromptKind.CARD_EMOTIONS, journey.id)
        checkout = journey.touchpoints[2]

        prompts.focus(
            uow(),
            chat_id=TEAM_CHAT_ID,
            card_message_id=CARD,
            focus=FocusKind.TOUCHPOINT,
            target_id=checkout.id,
        )

        card = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert (card.step, card.message_id, card.focus_id, card.focus) == (
            Step.EMOTIONS,
            CARD,
            checkout.id,
            FocusKind.TOUCHPOINT,
        )
        assert card.map == read_map(uow, journey.id)
        assert resolve(card) == Focus(stage=journey.stages[1], touchpoint=checkout)

    def test_the_focus_names_the_kind_of_item(self, uow, journey):
        """The kind stored with the focus says what the id names: here a fix, with its pain."""
        remember_prompt(uow, CARD, PromptKind.CARD_FIXES, journey.id)
        second = journey.fixes[1]

        prompts.focus(
            uow(),
            chat_id=TEAM_CHAT_ID,
            card_message_id=CARD,
            focus=FocusKind.FIX,
            target_id=second.id,
        )

        card = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert (card.focus_id, card.focus) == (second.id, FocusKind.FIX)
        assert resolve(card) == Focus(pain=journey.pains[1], fix=second)

    def test_replies_follow_the_new_focus(self, uow, journey):
        """After the card's focus moves, a reply to the card lands on the new item."""
        remember_prompt(uow, CARD, PromptKind.CARD_FIXES, journey.id)
        second = journey.pains[1]
        prompts.focus(
            uow(),
            chat_id=TEAM_CHAT_ID,
            card_message_id=CARD,
            focus=FocusKind.PAIN,
            target_id=second.id,
        )

        assert answer(uow, "Autofill", prompt=CARD).card_message_id == CARD

        card = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert [f.text for f in card.map.pain(second.id).fixes][-1] == "Autofill"
        assert card.focus_id == second.id
        assert resolve(card).pain == card.map.pain(second.id)

    def test_focus_can_be_cleared(self, uow, journey):
        """Focusing a card on nothing brings back its default focus."""
        remember_prompt(
            uow,
            CARD,
            PromptKind.CARD_PAINS,
            journey.id,
            target_id=journey.pains[1].id,
            focus=FocusKind.PAIN,
        )

        prompts.focus(
            uow(),
            chat_id=TEAM_CHAT_ID,
            card_message_id=CARD,
            focus=FocusKind.PAIN,
            target_id=None,
        )

        card = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert (card.focus_id, card.focus) == (None, FocusKind.PAIN)
        assert resolve(card) == Focus(stage=journey.stages[0])

    def test_only_cards_have_focus(self, uow, journey):
        """Focusing a message that is not a card raises ItemGone naming the card."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, journey.id)

        with pytest.raises(ItemGone) as raised:
            prompts.focus(
                uow(),
                chat_id=TEAM_CHAT_ID,
                card_message_id=PROMPT,
                focus=FocusKind.STAGE,
                target_id=1,
            )

        assert raised.value.params == {"kind": "card"}
        with pytest.raises(ItemGone):
            prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=PROMPT)

    def test_card_of_a_deleted_map_is_gone(self, uow, journey):
        """A card whose map was deleted can no longer be focused or read."""
        remember_prompt(uow, CARD, PromptKind.CARD_STAGES, journey.id)
        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)

        with pytest.raises(ItemGone):
            prompts.focus(
                uow(),
                chat_id=TEAM_CHAT_ID,
                card_message_id=CARD,
                focus=FocusKind.STAGE,
                target_id=None,
            )
        with pytest.raises(ItemGone):
            prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)

    def test_an_item_of_another_map_is_refused(self, uow, journey):
        """Focusing an item that is not on the card's map raises StaleButton; the focus stays."""
        other = make_full_map(uow)
        remember_prompt(uow, CARD, PromptKind.CARD_PAINS, journey.id)
        before = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)

        with pytest.raises(StaleButton):
            prompts.focus(
                uow(),
                chat_id=TEAM_CHAT_ID,
                card_message_id=CARD,
                focus=FocusKind.PAIN,
                target_id=other.pains[1].id,
            )

        after = prompts.get_card(uow(), chat_id=TEAM_CHAT_ID, card_message_id=CARD)
        assert (after.focus_id, after.focus) == (before.focus_id, before.focus)


def items_of(journey):
    """The ids of a map's items, by the kind names buttons use."""
    return {
        "map": {journey.id},
        "stage": {s.id for s in journey.stages},
        "touchpoint": {tp.id for tp in journey.touchpoints},
        "pain": {p.id for p in journey.pains},
        "fix": {f.id for f in journey.fixes},
    }


KINDS = ["map", "stage", "touchpoint", "pain", "fix"]


def check(uow, kind, item_id, *, card=CARD, chat_id=TEAM_CHAT_ID):
    prompts.check_on_card(uow(), chat_id=chat_id, card_message_id=card, kind=kind, item_id=item_id)


class TestCheckOnCard:
    """Buttons are pressed on a card of a second map; `journey` is the chat's other map."""

    @pytest.fixture
    def second(self, uow, journey):
        """A second full map in the chat, with a card at CARD."""
        second = make_full_map(uow)
        remember_prompt(uow, CARD, PromptKind.CARD_FIXES, second.id)
        return second

    @pytest.mark.parametrize("kind", KINDS)
    def test_item_on_the_cards_map_passes(self, uow, second, kind):
        """Every item of the kind named that is on the card's map passes the check."""
        for item_id in items_of(second)[kind]:
            check(uow, kind, item_id)

    @pytest.mark.parametrize("kind", KINDS)
    def test_item_of_another_map_is_stale(self, uow, journey, second, kind):
        """An item of another map of the chat raises StaleButton (an old or forged button)."""
        for item_id in items_of(journey)[kind]:
            with pytest.raises(StaleButton):
                check(uow, kind, item_id)

    @pytest.mark.parametrize("kind", KINDS)
    def test_missing_item_is_stale(self, uow, second, kind):
        """An id that names no item of the kind raises StaleButton."""
        with pytest.raises(StaleButton):
            check(uow, kind, 999)

    @pytest.mark.parametrize("kind", KINDS)
    def test_the_id_is_read_as_the_kind_named(self, uow, second, kind):
        """An id of another kind of item on the card's map does not pass as this kind."""
        items = items_of(second)
        borrowed = set().union(*(ids for other, ids in items.items() if other != kind))
        borrowed -= items[kind]
        assert borrowed  # ids of different kinds overlap only in part: some are left to try

        for item_id in borrowed:
            with pytest.raises(StaleButton):
                check(uow, kind, item_id)

    def test_deleted_item_is_stale(self, uow, second):
        """A button naming an item deleted since the card was drawn raises StaleButton."""
        doomed = second.fixes[0]
        fixes.delete_fix(uow(), chat_id=TEAM_CHAT_ID, fix_id=doomed.id, actor=ALICE)

        with pytest.raises(StaleButton):
            check(uow, "fix", doomed.id)

    @pytest.mark.parametrize(
        ("card", "chat_id"),
        [(CARD + 1, TEAM_CHAT_ID), (PROMPT, TEAM_CHAT_ID), (CARD, -42)],
        ids=["never sent", "a prompt, not a card", "another chat"],
    )
    def test_unknown_card_is_gone(self, uow, second, card, chat_id):
        """A message that is no card of this chat raises ItemGone naming the card."""
        remember_prompt(uow, PROMPT, PromptKind.STAGE_ADD, second.id)

        with pytest.raises(ItemGone) as raised:
            check(uow, "map", second.id, card=card, chat_id=chat_id)

        assert raised.value.params == {"kind": "card"}

    def test_card_of_a_deleted_map_is_gone(self, uow, journey, second):
        """A card whose map was deleted raises ItemGone naming the card, whatever the item."""
        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=second.id)

        with pytest.raises(ItemGone) as raised:
            check(uow, "map", journey.id)

        assert raised.value.params == {"kind": "card"}


class TestCardKind:
    def test_card_kind(self):
        """Each step's card has the kind "card.<step>"."""
        assert [prompts.card_kind(step).value for step in Step] == [
            f"card.{step.value}" for step in Step
        ]


class TestPrepare:
    """A question is checked and named before it goes out; refused, it stores nothing."""

    @pytest.fixture
    def card(self, uow, journey):
        """A fixes card of `journey` at CARD, the card the questions are asked from."""
        remember_prompt(uow, CARD, PromptKind.CARD_FIXES, journey.id)
        return CARD

    def test_a_question_about_an_item_names_it(self, uow, journey, card):
        """A question about an item on the card's map names the item and belongs to the map."""
        pain = journey.pains[1]

        asked = ask(uow, PromptKind.FIX_ADD, target_id=pain.id, card=card)

        assert asked == QuestionToAsk(
            kind=PromptKind.FIX_ADD,
            map_id=journey.id,
            target_id=pain.id,
            persona_field=None,
            card_message_id=CARD,
            params={"name": pain.text},
        )
        answer(uow, "Autofill")
        assert [f.text for f in read_map(uow, journey.id).pain(pain.id).fixes] == [
            "Remember the address",
            "Autofill",
        ]

    @pytest.mark.parametrize(
        ("kind", "item"),
        [
            (PromptKind.STAGE_RENAME, lambda m: m.stages[1].id),
            (PromptKind.TOUCHPOINT_CHANNEL, lambda m: m.touchpoints[2].id),
            (PromptKind.PAIN_TEXT, lambda m: m.pains[1].id),
            (PromptKind.FIX_OWNER, lambda m: m.fixes[1].id),
        ],
        ids=["stage", "touchpoint", "pain", "fix"],
    )
    @pytest.mark.parametrize("owner", [-42, TEAM_CHAT_ID], ids=["another chat", "another map"])
    def test_an_item_not_on_the_cards_map_is_refused(
        self, uow, journey, card, rows, kind, item, owner
    ):
        """An item of another chat's map, or of another map of the chat, is refused."""
        other = make_full_map(uow, chat_id=owner)
        before = read_map(uow, other.id)

        with pytest.raises((StaleButton, ItemGone)):
            prompts.prepare(
                uow(),
                chat_id=TEAM_CHAT_ID,
                kind=kind,
                target_id=item(other),
                card_message_id=card,
            )

        assert rows(Prompt) == 1  # the card alone
        assert read_map(uow, other.id) == before

    @pytest.mark.parametrize(
        ("card", "chat_id"),
        [(None, TEAM_CHAT_ID), (CARD + 1, TEAM_CHAT_ID), (CARD, -42)],
        ids=["no card", "never sent", "another chat's card"],
    )
    def test_a_question_from_no_card_of_the_chat_is_refused(self, uow, journey, card, chat_id):
        """A step card's question asked from no card of the acting chat raises ItemGone(card)."""
        remember_prompt(uow, CARD, PromptKind.CARD_STAGES, journey.id)

        with pytest.raises(ItemGone) as raised:
            prompts.prepare(
                uow(),
                chat_id=chat_id,
                kind=PromptKind.STAGE_RENAME,
                target_id=journey.stages[0].id,
                card_message_id=card,
            )

        assert raised.value.params == {"kind": "card"}

    @pytest.mark.parametrize(
        ("field", "current"),
        [(PersonaField.ROLE, "Teacher"), (PersonaField.INCOME, None)],
        ids=["filled in", "empty"],
    )
    def test_a_persona_question_names_the_field_and_its_value(self, uow, journey, field, current):
        """A persona question names its field and what the field holds now."""
        persona.set_persona_field(
            uow(),
            chat_id=TEAM_CHAT_ID,
            map_id=journey.id,
            field=PersonaField.ROLE,
            value="Teacher",
            actor=ALICE,
        )
        remember_prompt(uow, CARD, PromptKind.CARD_PERSONA, journey.id)

        asked = ask(uow, PromptKind.PERSONA_FIELD, persona_field=field, card=CARD)

        assert asked == QuestionToAsk(
            kind=PromptKind.PERSONA_FIELD,
            map_id=journey.id,
            target_id=None,
            persona_field=field,
            card_message_id=CARD,
            params={"field": field.value, "current": current},
        )

    def test_a_persona_question_without_a_field_is_refused(self, uow, journey, rows):
        """A persona question must name its field: without one it raises StaleButton."""
        remember_prompt(uow, CARD, PromptKind.CARD_PERSONA, journey.id)

        with pytest.raises(StaleButton):
            prompts.prepare(
                uow(), chat_id=TEAM_CHAT_ID, kind=PromptKind.PERSONA_FIELD, card_message_id=CARD
            )

        assert rows(Prompt) == 1

    def test_a_survey_question_names_the_survey(self, uow, journey):
        """A question about one of the chat's surveys names it and belongs to its map."""
        survey = surveys.create_survey(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=journey.touchpoints[0].id,
            kind=SurveyKind.NPS,
            ask_why=True,
            actor=ALICE,
        )

        asked = ask(uow, PromptKind.SURVEY_CAP, target_id=survey.id, card=CARD)

        assert (asked.map_id, asked.target_id, asked.params) == (
            journey.id,
            survey.id,
            {"survey": survey},
        )

    @pytest.mark.parametrize(
        "kind", [PromptKind.SURVEY_QUESTION, PromptKind.SURVEY_END, PromptKind.SURVEY_CAP]
    )
    def test_a_survey_of_another_chat_is_refused(self, uow, journey, rows, kind):
        """A question about another chat's survey is refused; nothing is stored or changed."""
        other = make_full_map(uow, chat_id=-42)
        theirs = surveys.create_survey(
            uow(),
            chat_id=-42,
            touchpoint_id=other.touchpoints[0].id,
            kind=SurveyKind.NPS,
            ask_why=True,
            actor=ALICE,
        )

        with pytest.raises((StaleButton, ItemGone)):
            prompts.prepare(
                uow(), chat_id=TEAM_CHAT_ID, kind=kind, target_id=theirs.id, card_message_id=CARD
            )

        assert rows(Prompt) == 0
        assert surveys.get_survey(uow(), chat_id=-42, survey_id=theirs.id) == theirs

    def test_a_step_card_is_posted_not_asked(self, uow, journey):
        """prepare refuses a step card's kind (StaleButton): a card is posted, not asked."""
        with pytest.raises(StaleButton):
            prompts.prepare(uow(), chat_id=TEAM_CHAT_ID, kind=PromptKind.CARD_STAGES)
