"""Where the map needs work: hotspots, KPIs per stage, moments of truth."""

HANDLERS: list[object] = []
