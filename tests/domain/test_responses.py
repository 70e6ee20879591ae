"""The customer's side of surveys: one answer per customer, comments, consent, leaving."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from cjm.clock import FrozenClock
from cjm.db import UnitOfWork, make_engine, unit_of_work_factory, upgrade
from cjm.errors import StaleButton, SurveyUnavailable, TextTooLong
from cjm.models import Respondent, SurveyKind, SurveyResponse, SurveyStatus
from cjm.services import responses, surveys
from cjm.views import AnswerOutcome, CommentState, CommentVerdict, SurveyView
from tests.factories import ALICE, NOW, TEAM_CHAT_ID, make_full_map

NewUow = Callable[[], UnitOfWork]
CUSTOMER = 555_001
OTHER = 555_002


def make_survey(
    uow: NewUow, *, kind: SurveyKind = SurveyKind.NPS, ask_why: bool = True
) -> SurveyView:
    """A survey on the first touchpoint of a fresh full map (or of the chat's current map)."""
    journey = make_full_map(uow)
    return surveys.create_survey(
        uow(),
        chat_id=TEAM_CHAT_ID,
        touchpoint_id=journey.touchpoints[0].id,
        kind=kind,
        ask_why=ask_why,
        actor=ALICE,
    )


def answer(
    uow: NewUow, survey_id: int, score: int, user_id: int = CUSTOMER, **kw: bool
) -> AnswerOutcome:
    return responses.answer(
        uow(), survey_id=survey_id, user_id=user_id, language_code="en", score=score, **kw
    )


def stored(uow: NewUow, survey_id: int) -> list[tuple[int, int, str | None]]:
    """(user_id, score, comment) of every stored answer to the survey."""
    with uow() as unit:
        rows = unit.session.exec(
            select(Respondent.user_id, SurveyResponse.score, SurveyResponse.comment)
            .join(Respondent, col(Respondent.id) == col(SurveyResponse.respondent_id))
            .where(SurveyResponse.survey_id == survey_id)
        ).all()
        return [(user_id, score, comment) for user_id, score, comment in rows]


@pytest.fixture
def survey(uow: NewUow) -> SurveyView:
    return make_survey(uow)


class TestAnswer:
    def test_answering_again_changes_the_one_answer(self, uow: NewUow, survey: SurveyView) -> None:
        """Five presses by one customer leave one answer: the last score."""
        outcomes = [answer(uow, survey.id, score) for score in (3, 9, 10, 0, 7)]

        assert [o.changed for o in outcomes] == [False, True, True, True, True]
        assert stored(uow, survey.id) == [(CUSTOMER, 7, None)]

    def test_only_a_group_answer_counts_the_answers(self, uow: NewUow, survey: SurveyView) -> None:
        """A group post shows the count, so its presses count; a private answer needs none."""
        assert answer(uow, survey.id, 3).responses is None
        assert answer(uow, survey.id, 9, via_group=True).responses == 1
        assert answer(uow, survey.id, 5, user_id=OTHER, via_group=True).responses == 2

    def test_each_customer_has_their_own_answer(self, uow: NewUow, survey: SurveyView) -> None:
        """Two customers, two answers."""
        answer(uow, survey.id, 9)
        answer(uow, survey.id, 2, user_id=OTHER)

        assert sorted(stored(uow, survey.id)) == [(CUSTOMER, 9, None), (OTHER, 2, None)]

    @pytest.mark.parametrize(
        ("survey_id_offset", "score"),
        [(0, 11), (0, -1), (10_000, 5)],
        ids=["score over the scale", "score under the scale", "unknown survey"],
    )
    def test_forged_presses_are_stale_buttons(
        self, uow: NewUow, survey: SurveyView, survey_id_offset: int, score: int
    ) -> None:
        """A score off the scale or a survey that never existed is a stale button."""
        with pytest.raises(StaleButton):
            answer(uow, survey.id + survey_id_offset, score)
        assert stored(uow, survey.id) == []

    def test_a_closed_survey_takes_no_answers(self, uow: NewUow, survey: SurveyView) -> None:
        """After the team closed it, an old question's buttons say the survey is closed."""
        answer(uow, survey.id, 9)
        surveys.set_status(
            uow(),
            chat_id=TEAM_CHAT_ID,
            survey_id=survey.id,
            status=SurveyStatus.CLOSED,
            actor=ALICE,
        )

        with pytest.raises(SurveyUnavailable) as error:
            answer(uow, survey.id, 3)
        assert error.value.params == {"reason": "closed"}
        assert stored(uow, survey.id) == [(CUSTOMER, 9, None)]

    def test_a_group_answer_never_waits_for_a_comment(
        self, uow: NewUow, survey: SurveyView
    ) -> None:
        """In a group a comment would show who said it, so nobody is asked why."""
        outcome = answer(uow, survey.id, 4, via_group=True)

        assert not outcome.ask_why
        assert not responses.add_comment(uow(), user_id=CUSTOMER, text="because")

    def test_concurrent_first_answers_leave_one_row(self, tmp_path: Path) -> None:
        """Eight writers answering for one customer at once: one answer, no error."""
        engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
        upgrade(engine)
        new_uow = unit_of_work_factory(engine, FrozenClock(NOW))
        survey = make_survey(new_uow)
        start = threading.Barrier(8)
        errors: list[BaseException] = []

        def press(score: int) -> None:
            start.wait()
            try:
                answer(new_uow, survey.id, score)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=press, args=(score,)) for score in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        rows = stored(new_uow, survey.id)
        assert len(rows) == 1
        assert rows[0][0] == CUSTOMER
        engine.dispose()


class TestComment:
    def test_the_next_text_is_the_comment(self, uow: NewUow, survey: SurveyView) -> None:
        """After a score, the customer's text becomes its comment; later text is not."""
        assert answer(uow, survey.id, 3).ask_why

        assert responses.add_comment(uow(), user_id=CUSTOMER, text="  Too <b>slow</b>  ")
        assert not responses.add_comment(uow(), user_id=CUSTOMER, text="again")
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "Too <b>slow</b>")]

    def test_a_comment_over_the_limit_is_refused_and_nothing_is_lost(
        self, uow: NewUow, survey: SurveyView
    ) -> None:
        """10,001 characters at once: TextTooLong naming the limit; a shorter retry lands."""
        answer(uow, survey.id, 3)

        with pytest.raises(TextTooLong) as error:
            responses.add_comment(uow(), user_id=CUSTOMER, text="x" * 10_001)
        assert error.value.params == {"field": "comment", "limit": 10_000, "length": 10_001}
        assert responses.add_comment(uow(), user_id=CUSTOMER, text="y" * 10_000)
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "y" * 10_000)]

    def test_skip_stops_waiting(self, uow: NewUow, survey: SurveyView) -> None:
        """Skip: no comment is awaited any more; a second Skip has nothing to skip."""
        answer(uow, survey.id, 3)

        assert responses.skip_comment(uow(), user_id=CUSTOMER).state is CommentState.STORED
        again = responses.skip_comment(uow(), user_id=CUSTOMER)
        assert again.state is CommentState.NOTHING_ASKED
        assert not responses.add_comment(uow(), user_id=CUSTOMER, text="late")

    def test_a_changed_score_after_the_comment_asks_nothing_more(
        self, uow: NewUow, survey: SurveyView
    ) -> None:
        """Commented, then a new score: no "why?" again; changed before commenting: still one."""
        assert answer(uow, survey.id, 3).ask_why
        assert answer(uow, survey.id, 4).ask_why  # a change before commenting still waits
        assert responses.add_comment(uow(), user_id=CUSTOMER, text="Slow")

        assert not answer(uow, survey.id, 8).ask_why
        assert stored(uow, survey.id) == [(CUSTOMER, 8, "Slow")]


def parts(uow: NewUow, *texts: str) -> list[list[CommentVerdict]]:
    return [responses.add_comment_part(uow(), user_id=CUSTOMER, text=text) for text in texts]


def states(verdicts: list[CommentVerdict]) -> list[CommentState]:
    return [v.state for v in verdicts]


class TestCommentInParts:
    """A client sends a text over 4,096 characters as several messages: one comment."""

    def test_a_short_comment_is_stored_at_once(self, uow: NewUow, survey: SurveyView) -> None:
        """One short message is the whole comment: stored and told about at once."""
        answer(uow, survey.id, 3)

        ((verdict,),) = parts(uow, "Too slow")
        assert verdict.state is CommentState.STORED
        assert verdict.survey_id == survey.id
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "Too slow")]

    def test_parts_within_the_window_are_joined_and_judged_once(
        self, uow: NewUow, survey: SurveyView, clock: FrozenClock
    ) -> None:
        """4,095 + 904 characters: nothing told after the first, one comment after the last."""
        answer(uow, survey.id, 3)
        first, tail = "a" * 4095, "b" * 904

        (going,) = parts(uow, first)[0]
        assert going.state is CommentState.GOING_ON
        assert going.finish_at == clock.now() + responses.COMMENT_JOIN_WINDOW
        assert stored(uow, survey.id) == [(CUSTOMER, 3, None)]
        clock.advance(timedelta(seconds=2))
        assert states(parts(uow, tail)[0]) == [CommentState.STORED]

        assert stored(uow, survey.id) == [(CUSTOMER, 3, f"{first} {tail}")]
        assert responses.finish_comments(uow()) == []

    def test_a_long_last_part_is_judged_when_the_window_passes(
        self, uow: NewUow, survey: SurveyView, clock: FrozenClock
    ) -> None:
        """A part long enough to be continued waits; 15 s of quiet, and it is the comment."""
        answer(uow, survey.id, 3)
        parts(uow, "c" * 3000)

        assert responses.finish_comments(uow()) == []  # the window is still open
        clock.advance(responses.COMMENT_JOIN_WINDOW)
        (verdict,) = responses.finish_comments(uow())
        assert verdict.state is CommentState.STORED
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "c" * 3000)]
        assert responses.finish_comments(uow()) == []

    def test_over_the_limit_in_all_is_refused_whole(self, uow: NewUow, survey: SurveyView) -> None:
        """4,096 × 3 + 100: refused once with the length of all parts; nothing stored."""
        answer(uow, survey.id, 3)

        verdicts = parts(uow, "d" * 4096, "e" * 4096, "f" * 4096, "g" * 100)
        assert [states(v) for v in verdicts] == [
            [CommentState.GOING_ON],
            [CommentState.GOING_ON],
            [CommentState.GOING_ON],
            [CommentState.TOO_LONG],
        ]
        refused = verdicts[-1][0]
        assert (refused.length, refused.limit) == (4096 * 3 + 100 + 3, 10_000)
        assert stored(uow, survey.id) == [(CUSTOMER, 3, None)]

        assert states(parts(uow, "Too slow")[0]) == [CommentState.STORED]  # may try again
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "Too slow")]

    def test_a_part_after_the_window_is_a_new_text(
        self, uow: NewUow, survey: SurveyView, clock: FrozenClock
    ) -> None:
        """A long part whose window passed unnoticed is judged first; the next text is new."""
        answer(uow, survey.id, 3)
        parts(uow, "h" * 3000)
        clock.advance(timedelta(seconds=16))

        assert states(parts(uow, "later")[0]) == [
            CommentState.STORED,
            CommentState.NOTHING_ASKED,
        ]
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "h" * 3000)]

    def test_text_with_nothing_asked_says_so(self, uow: NewUow) -> None:
        """A customer the bot never asked: NOTHING_ASKED."""
        assert states(parts(uow, "hello")[0]) == [CommentState.NOTHING_ASKED]


def respondent(uow: NewUow, user_id: int = CUSTOMER) -> tuple[bool, bool] | None:
    """(stopped, may_ask_again) of the customer, or None when they are not stored."""
    with uow() as unit:
        row = unit.session.exec(
            select(Respondent.stopped, Respondent.may_ask_again).where(
                Respondent.user_id == user_id
            )
        ).first()
        return None if row is None else (row[0], row[1])


class TestLeaving:
    def test_forget_me_deletes_every_answer_and_the_customer(self, uow: NewUow) -> None:
        """/forgetme: both answers and the customer are gone; others' answers stay."""
        first = make_survey(uow)
        second = make_survey(uow, kind=SurveyKind.CSAT)
        answer(uow, first.id, 9)
        answer(uow, second.id, 4)
        answer(uow, first.id, 1, user_id=OTHER)

        assert responses.forget_me(uow(), user_id=CUSTOMER) == 2
        assert respondent(uow) is None
        assert stored(uow, first.id) == [(OTHER, 1, None)]
        assert stored(uow, second.id) == []
        assert responses.forget_me(uow(), user_id=CUSTOMER) == 0

    def test_stop_ends_being_asked_and_keeps_the_answers(
        self, uow: NewUow, survey: SurveyView
    ) -> None:
        """/stop: never asked again (consent withdrawn); the anonymous answer stays."""
        answer(uow, survey.id, 9)
        responses.set_may_ask_again(uow(), user_id=CUSTOMER, agreed=True)

        responses.stop(uow(), user_id=CUSTOMER)

        assert respondent(uow) == (True, False)
        assert stored(uow, survey.id) == [(CUSTOMER, 9, None)]

    def test_consent_is_stored(self, uow: NewUow, survey: SurveyView) -> None:
        """Yes, then No: the latest answer counts."""
        answer(uow, survey.id, 9)
        responses.set_may_ask_again(uow(), user_id=CUSTOMER, agreed=True)
        assert respondent(uow) == (False, True)
        responses.set_may_ask_again(uow(), user_id=CUSTOMER, agreed=False)
        assert respondent(uow) == (False, False)
