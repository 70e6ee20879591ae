"""Touchpoint surveys, the team's side: /survey (setup), the survey card, /results.

The setup (touchpoint → kind → "why?") lives in the button payloads, the card is redrawn from
the database on every press, and questions about a survey are stored prompts: nothing is kept
in memory, so any member can carry on, across restarts.
"""

from bot.handlers.surveys import card, results, setup

HANDLERS = [*setup.HANDLERS, *card.HANDLERS, *results.HANDLERS]
