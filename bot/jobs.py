"""Scheduled work: review digests and due-date reminders, rescheduled from the database."""

from typing import Any


async def reschedule_all(application: Any) -> None:
    """Put every stored reminder into the JobQueue again (called on start)."""
