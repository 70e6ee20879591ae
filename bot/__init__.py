"""Journey Bot's Telegram adapter (python-telegram-bot v22): thin handlers over cjm services."""
