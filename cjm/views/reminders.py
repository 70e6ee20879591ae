"""Scheduled work: job-queue slots, fix reminders, and everything due at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cjm.views.digests import Digest


@dataclass(frozen=True)
class JobSlot:
    """A reminder the job queue should run: its unique name and when (aware UTC)."""

    name: str
    when: datetime


@dataclass(frozen=True)
class FixReminder:
    """A fix due soon (overdue=False) or past its due date (overdue=True).

    `days_left` counts from the chat's today: 1 is tomorrow, 0 today, below 0 overdue.
    """

    chat_id: int
    map_id: int
    language: str
    fix_id: int
    text: str
    owner_name: str | None
    due_on: date
    overdue: bool
    days_left: int = 1


@dataclass(frozen=True)
class DueWork:
    """Everything due now, already claimed (marked sent), plus the jobs to schedule next."""

    digests: tuple[Digest, ...]
    reminders: tuple[FixReminder, ...]
    slots: tuple[JobSlot, ...]
    paused_map_ids: tuple[int, ...] = ()
