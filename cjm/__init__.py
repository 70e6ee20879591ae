"""Journey Bot's domain core: maps, services, analytics, rendering and exports (no Telegram)."""
