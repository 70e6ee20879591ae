"""A file to send: the picture or an export."""

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputFile:
    """A file to send: its name and bytes; pictures say whether Telegram takes them as photos."""

    filename: str
    data: bytes
    as_photo: bool = False
