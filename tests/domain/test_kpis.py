"""KPIs per stage: adding them from one line, recording values per local day, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from cjm.clock import FrozenClock
from cjm.db import UnitOfWork
from cjm.errors import InvalidDate, KpiInvalid, TextEmpty, TooManyItems
from cjm.limits import MAX_KPIS_PER_STAGE
from cjm.models import KpiDirection, KpiValue
from cjm.services import kpis
from cjm.views import MapView
from tests.factories import ALICE, BOB, TEAM_CHAT_ID, make_full_map, read_map

NewUow = Callable[[], UnitOfWork]


@pytest.fixture
def journey(uow: NewUow) -> MapView:
    """The full small map: ad (+1, one open medium pain), tip (+2), checkout (−2)."""
    return make_full_map(uow)


class TestKpis:
    def add(self, uow: NewUow, journey: MapView, text: str = "Conversion; %; 3.5; up"):  # type: ignore[no-untyped-def]
        return kpis.add_kpi(
            uow(), chat_id=TEAM_CHAT_ID, stage_id=journey.stages[1].id, text=text, actor=ALICE
        )

    def test_a_kpi_is_created_from_one_line(self, uow: NewUow, journey: MapView) -> None:
        """ "name; unit; target; up|down" makes a KPI on the stage, listed by /kpi."""
        kpi = self.add(uow, journey)

        assert (kpi.name, kpi.unit, kpi.target, kpi.direction) == (
            "Conversion",
            "%",
            3.5,
            KpiDirection.UP,
        )
        board = kpis.list_kpis(uow(), chat_id=TEAM_CHAT_ID)
        assert [(s.stage.name, [k.name for k in s.kpis]) for s in board.stages] == [
            ("Discover", []),
            ("Buy", ["Conversion"]),
        ]

    def test_unit_and_target_may_be_empty(self, uow: NewUow, journey: MapView) -> None:
        """ "Tickets; ; ; down" is a unitless KPI without a target, better when lower."""
        kpi = self.add(uow, journey, "Tickets; ; ; DOWN")
        assert (kpi.unit, kpi.target, kpi.direction) == ("", None, KpiDirection.DOWN)

    def test_values_are_recorded_per_local_day_and_replaced(
        self, uow: NewUow, journey: MapView, clock: FrozenClock
    ) -> None:
        """Today in the chat's zone; a second value the same day replaces the first."""
        kpi = self.add(uow, journey)
        first = kpis.record_kpi_value(
            uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3.1", actor=ALICE
        )
        again = kpis.record_kpi_value(
            uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3,4 %", actor=BOB
        )
        clock.advance(timedelta(hours=14, minutes=30))  # 23:30 UTC is 00:30 in Berlin
        late = kpis.record_kpi_value(
            uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3.2", actor=BOB
        )

        assert (first.measured_on, first.replaced) == (date(2026, 11, 26), False)
        assert (again.measured_on, again.replaced) == (date(2026, 11, 26), True)
        assert late.measured_on == date(2026, 11, 27)
        assert [(p.measured_on.day, p.value) for p in late.kpi.values] == [(26, 3.4), (27, 3.2)]
        assert late.kpi.trend == -1
        assert late.kpi.improving is False
        assert late.kpi.on_target is False

    def test_a_value_on_another_day(self, uow: NewUow, journey: MapView) -> None:
        """ "3.6 on 2026-12-01" records on that date; values stay in date order."""
        kpi = self.add(uow, journey)
        kpis.record_kpi_value(uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3.0", actor=ALICE)
        recorded = kpis.record_kpi_value(
            uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text="3.6 on 2026-12-01", actor=ALICE
        )

        assert recorded.measured_on == date(2026, 12, 1)
        assert recorded.kpi.latest is not None
        assert recorded.kpi.latest.value == 3.6
        assert (recorded.kpi.trend, recorded.kpi.improving, recorded.kpi.on_target) == (
            1,
            True,
            True,
        )
        view = read_map(uow, journey.id)
        assert view.kpis_at(journey.stages[1].id)[0].values == recorded.kpi.values

    @pytest.mark.parametrize(
        ("text", "error", "reason"),
        [
            ("Conversion; %; 3.5", KpiInvalid, "format"),
            ("Conversion, %, 3.5, up", KpiInvalid, "format"),
            ("Conversion; %; lots; up", KpiInvalid, "target"),
            ("Conversion; %; 3.5; sideways", KpiInvalid, "direction"),
            ("  ; %; 3.5; up", TextEmpty, None),
            (f"Conversion; %; {'9' * 400}; up", KpiInvalid, "target"),
        ],
        ids=[
            "three-parts",
            "commas",
            "target-not-a-number",
            "unknown-direction",
            "no-name",
            "target-too-big-for-a-float",
        ],
    )
    def test_bad_kpis_are_refused_and_nothing_is_stored(
        self,
        uow: NewUow,
        journey: MapView,
        rows: Callable[[type], int],
        text: str,
        error: type[Exception],
        reason: str | None,
    ) -> None:
        """A clear error naming what is wrong; no KPI row."""
        with pytest.raises(error) as raised:
            self.add(uow, journey, text)
        if reason:
            assert raised.value.params["reason"] == reason  # type: ignore[attr-defined]
        assert read_map(uow, journey.id).kpis == ()

    @pytest.mark.parametrize(
        ("text", "error"),
        [
            ("lots", KpiInvalid),
            ("3.5 on someday maybe", InvalidDate),
            ("", KpiInvalid),
            ("9" * 400, KpiInvalid),  # a float infinity, which no JSON export could carry
        ],
        ids=["not-a-number", "bad-date", "empty", "too-big-for-a-float"],
    )
    def test_bad_values_are_refused_and_nothing_is_stored(
        self,
        uow: NewUow,
        journey: MapView,
        rows: Callable[[type], int],
        text: str,
        error: type[Exception],
    ) -> None:
        """A value that is no number, or a date nobody can read: refused, no value row."""
        kpi = self.add(uow, journey)
        with pytest.raises(error):
            kpis.record_kpi_value(
                uow(), chat_id=TEAM_CHAT_ID, kpi_id=kpi.id, text=text, actor=ALICE
            )
        assert rows(KpiValue) == 0

    def test_a_stage_holds_at_most_five_kpis(self, uow: NewUow, journey: MapView) -> None:
        """The sixth KPI is TooManyItems."""
        for i in range(MAX_KPIS_PER_STAGE):
            self.add(uow, journey, f"KPI {i}; ; ; up")
        with pytest.raises(TooManyItems):
            self.add(uow, journey, "One more; ; ; up")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("reason", ["format", "target", "value", "direction"])
def test_every_kpi_error_reads_well(language: str, reason: str) -> None:
    """Each KpiInvalid reason renders a message that says nothing was saved."""
    from cjm.render.texts import Texts

    text = Texts().macro(language, "chat/errors.html", "kpi_invalid", reason=reason, text="x")
    assert len(text) > 20
    if language == "en":
        assert "Nothing was saved" in text
