"""Touchpoint surveys: the team's side."""

HANDLERS: list[object] = []
