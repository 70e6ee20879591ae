"""The customer's side of surveys: one answer per customer, comments, consent, leaving."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, select

from cjm.clock import FrozenClock
from cjm.db import UnitOfWork, make_engine, unit_of_work_factory, upgrade
from cjm.errors import StaleButton, SurveyUnavailable, TextTooLong
from cjm.models import Respondent, SurveyKind, SurveyResponse, SurveyStatus
from cjm.services import responses, surveys
from cjm.views import AnswerOutcome, SurveyView
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

    def test_a_comment_over_1000_characters_is_refused_and_nothing_is_lost(
        self, uow: NewUow, survey: SurveyView
    ) -> None:
        """1001 characters: TextTooLong naming the limit; a shorter retry still lands."""
        answer(uow, survey.id, 3)

        with pytest.raises(TextTooLong) as error:
            responses.add_comment(uow(), user_id=CUSTOMER, text="x" * 1001)
        assert error.value.params == {"field": "comment", "limit": 1000, "length": 1001}
        assert responses.add_comment(uow(), user_id=CUSTOMER, text="y" * 1000)
        assert stored(uow, survey.id) == [(CUSTOMER, 3, "y" * 1000)]

    def test_skip_stops_waiting(self, uow: NewUow, survey: SurveyView) -> None:
        """Skip: no comment is awaited any more; a second Skip has nothing to skip."""
        answer(uow, survey.id, 3)

        assert responses.skip_comment(uow(), user_id=CUSTOMER)
        assert not responses.skip_comment(uow(), user_id=CUSTOMER)
        assert not responses.add_comment(uow(), user_id=CUSTOMER, text="late")


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
