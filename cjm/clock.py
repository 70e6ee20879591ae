"""Where the current time comes from: the system in production, a frozen clock in tests."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware UTC time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock that moves only when told to: tests and demos drive time explicitly."""

    current: datetime

    def now(self) -> datetime:
        """Return the frozen time."""
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self.current += delta
