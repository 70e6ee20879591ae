"""Keeping the map alive: time zone, review cadence, digests, history."""

HANDLERS: list[object] = []
