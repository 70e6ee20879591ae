"""Review schedules: cadence, time, pause, skip, who reviewed, snooze, and time zones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cjm.errors import InvalidTime, ItemGone, ReviewNeedsADay, UnknownTimezone
from cjm.models import Cadence, Review
from cjm.services import reminders, reviews, timezones
from tests.factories import (
    ALICE,
    BOB,
    TEAM_CHAT_ID,
    chat_ref,
    make_full_map,
    make_weekly_review,
    read_review_schedule,
    utc,
)


@pytest.fixture
def journey(uow):
    return make_full_map(uow)  # Europe/Berlin; the clock says Thursday 2026-11-26 10:00 local


class TestSchedule:
    def test_a_weekly_review_starts_on_todays_weekday_and_says_today_has_passed(
        self, uow, journey
    ):
        """Thursday 10:00 local, 09:00 review: next Thursday, and the card says why."""
        card = make_weekly_review(uow, journey)
        assert card.cadence is Cadence.WEEKLY
        assert card.anchor_weekday == 3
        assert card.next_at == utc(2026, 12, 3, 8, 0)
        assert card.passed_today

    def test_a_later_time_today_is_today(self, uow, journey):
        """11:00 local is still ahead today."""
        make_weekly_review(uow, journey)
        card = reviews.set_review_time(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, text="11:00", actor=ALICE
        )
        assert card.next_at == utc(2026, 11, 26, 10, 0)
        assert not card.passed_today
        assert read_review_schedule(uow, journey.id).local_time == "11:00"

    @pytest.mark.parametrize("text", ["25:00", "9", "soon"])
    def test_a_bad_time_changes_nothing(self, uow, journey, text):
        """Garbage is InvalidTime and the stored time stays."""
        make_weekly_review(uow, journey)
        with pytest.raises(InvalidTime):
            reviews.set_review_time(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, text=text, actor=ALICE
            )
        assert read_review_schedule(uow, journey.id).local_time == "09:00"

    def test_the_last_weekday_cannot_be_unticked(self, uow, journey):
        """A cadence of zero days is impossible."""
        reviews.set_cadence(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, cadence=Cadence.WEEKDAYS, actor=ALICE
        )
        with pytest.raises(ReviewNeedsADay):
            reviews.set_weekday(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, weekday=3, actor=ALICE
            )
        card = reviews.set_weekday(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, weekday=0, actor=ALICE
        )
        assert card.runs_on(0)
        assert card.runs_on(3)
        assert card.next_at == utc(2026, 11, 30, 8, 0)

    def test_skip_next_skips_once(self, uow, journey):
        """The button names the run it skips: a second press changes nothing."""
        card = make_weekly_review(uow, journey)
        minute = reminders.minute_of(card.next_at)
        for _ in range(2):
            after = reviews.skip_next(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, next_minute=minute, actor=BOB
            )
        assert after.next_at == card.next_at + timedelta(days=7)

    def test_pause_and_resume(self, uow, journey, clock):
        """Paused reviews are not due; resuming plans from now."""
        make_weekly_review(uow, journey)
        reviews.set_paused(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, paused=True, actor=BOB)
        clock.advance(timedelta(days=30))
        assert reminders.claim_due(uow()).digests == ()
        card = reviews.set_paused(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, paused=False, actor=BOB
        )
        assert card.next_at is not None
        assert card.next_at > clock.now()

    def test_another_chats_map_is_gone(self, uow, journey):
        """A forged map id from another chat changes nothing: as if the map were deleted."""
        with pytest.raises(ItemGone):
            reviews.set_cadence(
                uow(), chat_id=-1, map_id=journey.id, cadence=Cadence.MONTHLY, actor=ALICE
            )


class TestReviewedAndSnooze:
    def test_two_members_are_both_logged_once(self, uow, journey, rows):
        """Alice and Bob review; Alice pressing again adds nothing."""
        make_weekly_review(uow, journey)
        counts = [
            reviews.log_review(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, message_id=77, actor=actor
            )
            for actor in (ALICE, BOB, ALICE)
        ]
        assert counts == [1, 2, 2]
        assert rows(Review) == 2

    def test_snoozing_twice_moves_the_review_once(self, uow, journey, clock):
        """Snooze counts from the digest's time: a day later, however often pressed."""
        card = make_weekly_review(uow, journey)
        clock.current = card.next_at
        (digest,) = reminders.claim_due(uow()).digests
        minute = reminders.minute_of(digest.at)
        for _ in range(2):
            clock.advance(timedelta(hours=1))
            until = reviews.snooze(
                uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, digest_minute=minute, actor=BOB
            )
        assert until == digest.at + timedelta(days=1)
        assert read_review_schedule(uow, journey.id).next_at == until
        clock.current = until
        assert len(reminders.claim_due(uow()).digests) == 1
        assert read_review_schedule(uow, journey.id).next_at == card.next_at + timedelta(days=7)


class TestTimezones:
    @pytest.mark.parametrize("text", ["Europe/Berlin", "europe/berlin", " Europe/Berlin "])
    def test_known_zones(self, text):
        """IANA names in any letter case."""
        assert timezones.resolve_zone(text) == "Europe/Berlin"

    @pytest.mark.parametrize(
        ("text", "suggested"),
        [
            ("berlin", "Europe/Berlin"),
            ("new york", "America/New_York"),
            ("Europe/Berlinn", "Europe/Berlin"),
        ],
    )
    def test_near_misses_get_suggestions(self, text, suggested):
        """A bare city or a typo: an error that names the zone meant."""
        with pytest.raises(UnknownTimezone) as error:
            timezones.resolve_zone(text)
        assert suggested in str(error.value.params["suggestions"]).split(", ")

    def test_nonsense_is_refused(self):
        """Mars/Olympus is no zone; at most three suggestions."""
        with pytest.raises(UnknownTimezone) as error:
            timezones.resolve_zone("Mars/Olympus")
        assert len(str(error.value.params["suggestions"]).split(", ")) <= 3

    def test_a_new_zone_keeps_the_local_review_time(self, uow, journey):
        """09:00 in Berlin becomes 09:00 in New York."""
        make_weekly_review(uow, journey)
        view = timezones.set_timezone(
            uow(), chat_ref(), text="America/New_York", default_language="en", default_tz="UTC"
        )
        assert view.tz == "America/New_York"
        assert read_review_schedule(uow, journey.id).next_at == utc(2026, 11, 26, 14, 0)
