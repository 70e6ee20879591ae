"""The token never shows in a log line or an error text, whatever carries it there."""

from __future__ import annotations

import io
import json
import logging

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.http import _describe
from bot.logs import MASK, JsonFormatter, MaskingFormatter, mask_secrets

# Shaped as BotFather issues them; never a real one.
TOKEN = "7012345678:AAH3xq_fake-token-for-tests-0123456789"  # noqa: S105


def test_a_token_is_masked_wherever_it_stands() -> None:
    """Known or not, in a URL or bare, the token goes; the rest of the text stays."""
    line = f"POST http://127.0.0.1:8081/bot{TOKEN}/sendMessage failed; token {TOKEN}."
    assert mask_secrets(line) == (
        f"POST http://127.0.0.1:8081/bot{MASK}/sendMessage failed; token {MASK}."
    )
    local = "GET http://127.0.0.1:8081/file/botlocal-server-token/documents/a.json"
    assert mask_secrets(local) == f"GET http://127.0.0.1:8081/file/bot{MASK}/documents/a.json"
    assert mask_secrets("short 12:ab", ("12:ab",)) == f"short {MASK}"


def test_a_traceback_with_the_token_is_masked() -> None:
    """The whole formatted record goes through the mask, traceback and chained causes too."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter(secrets=(TOKEN,)))
    log = logging.getLogger("tests.logs.traceback")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise ValueError(f"url='https://api.telegram.org/bot{TOKEN}/getMe'")
        except ValueError as cause:
            raise RuntimeError("request failed") from cause
    except RuntimeError:
        log.exception("update %s failed for %s", 1, TOKEN)
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert "request failed" in written
    assert "ValueError" in written
    assert TOKEN not in written
    assert TOKEN.split(":")[1] not in written


def test_an_aiohttp_error_text_carries_no_url() -> None:
    """aiohttp puts the request URL into ClientResponseError's text; ours has none."""
    url = URL(f"http://127.0.0.1:8081/bot{TOKEN}/getMe")
    info = aiohttp.RequestInfo(url, "POST", CIMultiDictProxy(CIMultiDict()), url)
    error = aiohttp.ClientResponseError(info, (), status=502, message="Bad Gateway")
    assert TOKEN in str(error)  # what aiohttp itself would have logged
    assert _describe(error) == "aiohttp.ClientResponseError: 502 Bad Gateway"
    assert TOKEN not in _describe(aiohttp.InvalidURL(str(url)))


def test_json_lines_carry_the_text_lines_fields_masked() -> None:
    """BOT_LOG_FORMAT=json: one object per line with time, level, logger and message."""
    record = logging.LogRecord(
        "bot.app", logging.INFO, __file__, 1, "update %s via bot%s/x", (7, TOKEN), None
    )
    entry = json.loads(JsonFormatter(secrets=(TOKEN,)).format(record))
    assert entry.keys() == {"time", "level", "logger", "message"}
    assert (entry["level"], entry["logger"]) == ("INFO", "bot.app")
    assert entry["message"] == f"update 7 via bot{MASK}/x"
