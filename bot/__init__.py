"""Journey Bot's Telegram adapter (python-telegram-bot v22): thin handlers over cjm services."""

import os

# Opt in to PTB's future behaviour (time periods as timedelta, e.g. RetryAfter.retry_after);
# without it every 429 logs a deprecation warning, and our tests treat warnings as errors.
os.environ.setdefault("PTB_TIMEDELTA", "1")
