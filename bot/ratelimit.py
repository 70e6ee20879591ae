"""Flood control and retries: PTB's AIORateLimiter, plus retries of Telegram's 5xx answers."""

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError
from telegram.ext import AIORateLimiter
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def _is_server_error(error: BaseException) -> bool:
    # PTB raises plain NetworkError for 5xx and broken connections; its subclasses (BadRequest,
    # TimedOut) mean the request was refused or may have arrived, so retrying could duplicate.
    return type(error) is NetworkError


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (429 → wait retry_after) that also retries 5xx a few times with backoff."""

    def __init__(self, *, attempts: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._attempts = attempts

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Send through the rate limiter; on a 5xx, wait and send again."""
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_is_server_error),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.1, max=2),
            reraise=True,
        ):
            with attempt:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        raise AssertionError("unreachable: tenacity reraises the last error")
