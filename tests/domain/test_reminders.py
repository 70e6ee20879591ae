"""Due work claimed once: review digests, fix reminders before and after the due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cjm.models import Fix
from cjm.render.texts import Texts
from cjm.services import chats, fixes, maps, reminders, reviews, supergroups
from cjm.views import JobSlot
from tests.factories import (
    ALICE,
    TEAM_CHAT_ID,
    make_fix,
    make_full_map,
    make_weekly_review,
    read_review_schedule,
    utc,
)


@pytest.fixture
def journey(uow):
    return make_full_map(uow)  # Europe/Berlin; the clock says Thursday 2026-11-26 10:00 local


class TestClaimDue:
    def test_a_due_review_is_claimed_once(self, uow, journey, clock):
        """One digest when due; claiming again finds nothing; the next run is a week on."""
        card = make_weekly_review(uow, journey)
        clock.current = card.next_at + timedelta(minutes=1)
        first = reminders.claim_due(uow())
        assert [d.map_id for d in first.digests] == [journey.id]
        assert reminders.claim_due(uow()).digests == ()
        row = read_review_schedule(uow, journey.id)
        assert row.next_at == card.next_at + timedelta(days=7)
        assert JobSlot(f"review:{journey.id}", row.next_at) in first.slots

    def test_missed_reviews_make_one_digest_and_plan_from_now(self, uow, journey, clock):
        """Three weeks down: one digest, and the next run is after now."""
        card = make_weekly_review(uow, journey)
        clock.current = card.next_at + timedelta(days=20)
        assert len(reminders.claim_due(uow()).digests) == 1
        assert read_review_schedule(uow, journey.id).next_at > clock.now()

    def test_a_deleted_maps_review_is_gone(self, uow, journey, clock):
        """Deleting the map deletes its schedule: nothing due, no error."""
        make_weekly_review(uow, journey)
        maps.delete_map(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id)
        clock.advance(timedelta(days=8))
        assert reminders.claim_due(uow()).digests == ()
        assert reminders.pending_slots(uow()) == []

    def test_an_unreachable_chat_pauses_its_reviews(self, uow, journey, clock):
        """The bot was removed: the review pauses with a reason instead of posting."""
        make_weekly_review(uow, journey)
        chats.mark_unreachable(uow(), chat_id=TEAM_CHAT_ID)
        clock.advance(timedelta(days=8))
        work = reminders.claim_due(uow())
        assert work.digests == ()
        assert work.paused_map_ids == (journey.id,)
        row = read_review_schedule(uow, journey.id)
        assert row.paused
        assert row.pause_reason == reminders.UNREACHABLE

    def test_a_migrated_group_keeps_its_reviews(self, uow, journey, clock):
        """Schedules hang off maps, and maps follow the group to its new id."""
        make_weekly_review(uow, journey)
        supergroups.migrate(uow(), old_id=TEAM_CHAT_ID, new_id=-100999)
        clock.advance(timedelta(days=8))
        (digest,) = reminders.claim_due(uow()).digests
        assert digest.chat_id == -100999


class TestFixReminders:
    @pytest.fixture
    def fix_due(self, uow, journey):
        pain = journey.pains[0]
        view = make_fix(uow, pain.id, "Ship it", owner="@bob", due="2026-11-28")
        return max(f.id for f in view.fixes)

    def test_the_day_before_and_overdue_each_once(self, uow, fix_due, clock):
        """09:00 local the day before, then the day after the due date; never twice."""
        clock.current = utc(2026, 11, 27, 7, 59)
        assert reminders.claim_due(uow()).reminders == ()
        clock.current = utc(2026, 11, 27, 8, 0)
        (before,) = reminders.claim_due(uow()).reminders
        assert (before.owner_name, before.overdue, before.due_on) == (
            "@bob",
            False,
            date(2026, 11, 28),
        )
        assert reminders.claim_due(uow()).reminders == ()
        clock.current = utc(2026, 11, 29, 8, 0)
        (overdue,) = reminders.claim_due(uow()).reminders
        assert overdue.overdue
        assert reminders.claim_due(uow()).reminders == ()

    def test_a_new_due_date_rearms_the_reminders(self, uow, fix_due, clock):
        """reminded_*_for hold the date they were sent for."""
        clock.current = utc(2026, 11, 29, 8, 0)
        assert len(reminders.claim_due(uow()).reminders) == 1
        fixes.set_due_date(
            uow(), chat_id=TEAM_CHAT_ID, fix_id=fix_due, text="2026-12-10", actor=ALICE
        )
        clock.current = utc(2026, 12, 9, 8, 0)
        (again,) = reminders.claim_due(uow()).reminders
        assert again.due_on == date(2026, 12, 10)
        assert not again.overdue
        with uow() as unit:
            row = unit.session.get(Fix, fix_due)
            assert row.reminded_before_for == date(2026, 12, 10)

    def test_reminders_follow_the_review_time(self, uow, journey, fix_due):
        """With a 14:30 review the reminder job is at 14:30 local the day before."""
        make_weekly_review(uow, journey)
        reviews.set_review_time(
            uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, text="14:30", actor=ALICE
        )
        slots = {s.name: s.when for s in reminders.pending_slots(uow())}
        assert slots[f"fix:{fix_due}"] == utc(2026, 11, 27, 13, 30)


class TestDueDayInTheChatsZone:
    """Today, tomorrow and overdue are the chat's days, not UTC's (Shanghai is UTC+8)."""

    @pytest.fixture
    def pain_id(self, uow):
        return make_full_map(uow, tz="Asia/Shanghai").pains[0].id

    def due(self, uow, pain_id, day: str) -> int:
        return max(f.id for f in make_fix(uow, pain_id, "Validate promo codes", due=day).fixes)

    def test_set_just_after_midnight_for_today_it_is_due_today(self, uow, pain_id, clock):
        """00:30 in Shanghai is 16:30 the day before in UTC: "today" is the 27th."""
        clock.current = utc(2026, 11, 26, 16, 30)
        self.due(uow, pain_id, "2026-11-27")
        (reminder,) = reminders.claim_due(uow()).reminders
        assert (reminder.days_left, reminder.overdue) == (0, False)
        text = Texts().render("en", "chat/reviews/reminder.html", reminder=reminder)
        assert text.splitlines()[0].startswith("📅 Due today,")
        ru = Texts().render("ru", "chat/reviews/reminder.html", reminder=reminder)
        assert ru.splitlines()[0].startswith("📅 Срок — сегодня,")

    def test_set_just_before_midnight_for_the_next_day_it_is_due_tomorrow(
        self, uow, pain_id, clock
    ):
        """23:59 in Shanghai: the 27th is tomorrow; two minutes later nothing is sent again."""
        clock.current = utc(2026, 11, 26, 15, 59)
        self.due(uow, pain_id, "2026-11-27")
        (reminder,) = reminders.claim_due(uow()).reminders
        assert (reminder.days_left, reminder.overdue) == (1, False)
        text = Texts().render("en", "chat/reviews/reminder.html", reminder=reminder)
        assert text.splitlines()[0].startswith("📅 Due tomorrow,")
        clock.current = utc(2026, 11, 26, 16, 1)
        assert reminders.claim_due(uow()).reminders == ()

    def test_the_day_after_in_shanghai_it_is_overdue(self, uow, pain_id, clock):
        """Down over the due day: at 00:30 local the next day the one reminder says overdue."""
        clock.current = utc(2026, 11, 26, 9, 0)
        self.due(uow, pain_id, "2026-11-28")
        clock.current = utc(2026, 11, 28, 16, 30)  # 2026-11-29 00:30 in Shanghai
        (reminder,) = reminders.claim_due(uow()).reminders
        assert (reminder.days_left, reminder.overdue) == (-1, True)
        assert reminders.claim_due(uow()).reminders == ()
        text = Texts().render("en", "chat/reviews/reminder.html", reminder=reminder)
        assert text.splitlines()[0].startswith("⏰ Overdue since")
