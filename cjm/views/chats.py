"""Who and where: the member acting, the chat an update came from, a chat's settings."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The member who did something: Telegram user id and display name."""

    user_id: int
    name: str
    username: str | None = None
    anonymous: bool = False  # an anonymous admin, writing as the group: no person to name


@dataclass(frozen=True)
class ChatRef:
    """The chat an update came from, as the adapter saw it."""

    id: int
    title: str
    language_code: str | None = None
    is_group: bool = True


@dataclass(frozen=True)
class ChatView:
    """A chat's settings."""

    id: int
    title: str
    language: str
    tz: str
    current_map_id: int | None
    brand: str | None = None  # what survey questions name ("recommend Acme"); /brand sets it
