"""The map as Mermaid `journey` text: a section per stage, a task per touchpoint."""

import re

from cjm.limits import CONTROL_CHARACTERS
from cjm.views import MapView, TouchpointView

# Mermaid's journey lexer ends a name at ":" "#" ";" or a newline, and "%%" starts a comment.
_MERMAID_SUBSTITUTES = str.maketrans({":": "∶", ";": ",", "#": "", "\n": " ", "\r": " "})
# A task line starting with one of these words would be read as that statement instead.
_MERMAID_KEYWORD = re.compile(r"(title|section|acctitle|accdescr)\b", re.IGNORECASE)


def mermaid_score(tp: TouchpointView) -> int:
    """The touchpoint's mood on Mermaid's 1..5 scale: round(average) + 3, or 3 without votes."""
    return 3 if tp.emotion is None else round(tp.emotion) + 3


def map_to_mermaid(view: MapView) -> str:
    """The map as a Mermaid `journey` diagram: a section per stage, a task per touchpoint."""
    lines = ["journey"]
    title = _mermaid_text(view.title)
    if title:
        lines.append(f"    title {title}")
    for stage in view.stages:
        lines.append(f"    section {_mermaid_text(stage.name) or '-'}")
        lines.extend(_mermaid_task(tp) for tp in stage.touchpoints)
    return "\n".join(lines) + "\n"


def _mermaid_task(tp: TouchpointView) -> str:
    name = _mermaid_text(tp.name) or "-"
    if _MERMAID_KEYWORD.match(name):
        name = "\u200b" + name  # a zero-width space: looks the same, parses as a task
    # Commas separate voters, so a comma inside a name would make two voters of one.
    names = (_mermaid_text(v.user_name.replace(",", " ")) for v in tp.votes if v.score is not None)
    voters = ", ".join(name for name in names if name)
    line = f"      {name}: {mermaid_score(tp)}"
    return f"{line}: {voters}" if voters else line


def _mermaid_text(text: str) -> str:
    text = re.sub("%{2,}", "%", CONTROL_CHARACTERS.sub("", text.translate(_MERMAID_SUBSTITUTES)))
    return " ".join(text.split())
