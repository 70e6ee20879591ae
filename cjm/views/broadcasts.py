"""A survey broadcast: its progress message, its counts, and one recipient."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BroadcastView:
    """A broadcast as the team's progress message needs it."""

    id: int
    survey_id: int
    chat_id: int
    language: str
    progress_message_id: int | None
    recipients: int


@dataclass(frozen=True)
class BroadcastProgress:
    """How far a broadcast got; `left` includes messages on their way."""

    sent: int
    failed: int
    blocked: int
    left: int
    finished: bool

    @property
    def total(self) -> int:
        """Every recipient."""
        return self.sent + self.failed + self.blocked + self.left


@dataclass(frozen=True)
class Recipient:
    """One customer to send the question to."""

    delivery_id: int
    user_id: int
    language: str
