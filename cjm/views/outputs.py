"""A file to send: the picture or an export."""

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputFile:
    """A file to send: its name and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class OutputPicture(OutputFile):
    """A picture to send, with its size: the adapter decides by it between photo and file."""

    width_px: int
    height_px: int
