"""Survey pictures: the results chart and the QR code are valid PNGs a phone can show."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from PIL import Image

from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.models import SurveyKind
from cjm.render.charts import ChartLabels, qr_png, results_chart_png
from cjm.services import responses, results, surveys
from cjm.views import SurveyResults
from tests.factories import ALICE, TEAM_CHAT_ID, make_full_map

NewUow = Callable[[], UnitOfWork]

LABELS = ChartLabels(
    titles=["NPS · Search ad", "CSAT · Checkout", "CES · Friend's tip"],
    answers="answers",
    trend="score by week",
    too_few="too few answers",
    groups={"promoters": "promoters", "passives": "passives", "detractors": "detractors"},
    scores={"nps": "NPS", "csat": "% satisfied", "ces": "mean"},
)


def image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    picture = Image.open(io.BytesIO(data))
    picture.verify()
    return Image.open(io.BytesIO(data))


@pytest.fixture
def survey_results(uow: NewUow, clock: FrozenClock) -> list[SurveyResults]:
    """Three surveys: NPS with answers over three weeks, CSAT with two answers, CES with none."""
    journey = make_full_map(uow)
    ad, tip, checkout = journey.touchpoints
    created = [
        surveys.create_survey(
            uow(),
            chat_id=TEAM_CHAT_ID,
            touchpoint_id=tp.id,
            kind=kind,
            ask_why=False,
            actor=ALICE,
        )
        for tp, kind in ((tip, SurveyKind.CES), (checkout, SurveyKind.CSAT), (ad, SurveyKind.NPS))
    ]
    _ces, csat, nps = created
    user = 1000
    for _week in range(3):
        for score in (10, 9, 7, 3, 10, 6):
            user += 1
            responses.open_survey(uow(), token=nps.token, user_id=user, language_code="en")
            responses.answer(
                uow(), survey_id=nps.id, user_id=user, language_code="en", score=score
            )
        clock.advance(timedelta(days=7))
    for score in (5, 2):
        user += 1
        responses.answer(uow(), survey_id=csat.id, user_id=user, language_code="en", score=score)
    return results.survey_results(uow(), chat_id=TEAM_CHAT_ID)


def test_the_results_chart_is_a_phone_wide_png(survey_results: list[SurveyResults]) -> None:
    """One row per survey, 1080 px wide; surveys with too few answers still get a row."""
    picture = image(results_chart_png(survey_results, LABELS))
    assert picture.width == 1080
    assert picture.height > 3 * 300


def test_dollar_signs_in_a_title_are_text_not_math(
    survey_results: list[SurveyResults],
) -> None:
    """A survey title with "$…$" draws: matplotlib's math text is off for user text."""
    titles = ["NPS · Pay $x^$ or $\\frac{a}{$ now", *LABELS.titles[1:]]
    labels = ChartLabels(**{**LABELS.__dict__, "titles": titles})
    assert image(results_chart_png(survey_results, labels)).width == 1080


def test_no_survey_no_chart() -> None:
    """There is nothing to draw without a survey."""
    with pytest.raises(ValueError, match="no survey"):
        results_chart_png([], LABELS)


def test_the_qr_code_is_a_square_png() -> None:
    """A deep link's QR code: a square PNG, big enough to scan."""
    picture = image(qr_png("https://t.me/journey_test_bot?start=AbC_dEf-123"))
    assert picture.width == picture.height >= 250
