"""Survey answers read the fast SQLite way equal those read row by row (any database)."""

from datetime import timedelta

from cjm.models import SurveyKind
from cjm.services import responses, results, surveys
from tests.factories import ALICE, make_full_map


def test_packed_and_row_reads_give_the_same_answers(uow, clock):
    """Scores 0..10 (10 packs as one character too) and microsecond timestamps survive both."""
    journey = make_full_map(uow)
    survey = surveys.create_survey(
        uow(),
        chat_id=journey.chat_id,
        touchpoint_id=journey.touchpoints[0].id,
        kind=SurveyKind.NPS,
        ask_why=False,
        actor=ALICE,
    )
    for customer in range(11):
        clock.advance(timedelta(hours=7, microseconds=123_457))
        responses.open_survey(
            uow(), token=survey.token, user_id=500 + customer, language_code="en"
        )
        responses.answer(
            uow(), survey_id=survey.id, user_id=500 + customer, language_code="en", score=customer
        )

    with uow() as session_uow:
        packed = results._answers(session_uow, [survey.id])
        plain = results.answers_by_rows(session_uow, [survey.id])

    def ordered(frame):
        return frame.sort_values("answered_at").reset_index(drop=True)

    assert sorted(packed["score"]) == list(range(11))
    assert ordered(packed).equals(ordered(plain))
