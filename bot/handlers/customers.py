"""Touchpoint surveys: the customer's side."""

HANDLERS: list[object] = []
