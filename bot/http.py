"""Bot API requests over aiohttp: PTB's networking interface, a cheaper client underneath.

PTB talks HTTP through `BaseRequest`; its default is httpx. Measured against the Bot API double,
a sendMessage costs ~0.63 ms of CPU through httpx and ~0.26 ms through aiohttp, and httpcore's
pool scans every connection for every queued request, so its cost grows with the requests in
flight. A bot mostly sends messages, so this halves its own work per update. aiohttp is already
what the double serves with.
"""

from __future__ import annotations

import io

import aiohttp

# PTB's own request classes type their defaults this way; it exports no public names for them.
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import mask_secrets

DEFAULT_TIMEOUT_S = 5.0  # PTB's own defaults for reads, writes, connects
POOL_TIMEOUT_S = 1.0


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session with a bounded connection pool."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = DEFAULT_TIMEOUT_S,
        connect_timeout: float | None = DEFAULT_TIMEOUT_S,
        pool_timeout: float | None = POOL_TIMEOUT_S,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """How long to wait for Telegram's answer unless a call says otherwise."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (its connection pool) in the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; map aiohttp's failures to PTB's TimedOut and NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        # aiohttp has no write timeout: a send that stalls runs into the read timeout instead.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_given(pool_timeout, self._pool_timeout),  # waiting for a free connection
            sock_connect=_given(connect_timeout, self._connect_timeout),
            sock_read=_given(read_timeout, self._read_timeout),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(_describe(error)) from error


def _describe(error: aiohttp.ClientError) -> str:
    """What went wrong, without the request URL: a Bot API URL carries the token.

    The class name helps when the message is empty (as httpx's path does in PTB).
    """
    name = f"aiohttp.{type(error).__name__}"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"{name}: {error.status} {error.message}"
    if isinstance(error, aiohttp.InvalidURL):
        return name
    return f"{name}: {mask_secrets(str(error))}"


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, as PTB's default client sends them; multipart when files go along."""
    if request_data is None:
        return None
    files = request_data.multipart_data
    if not files:
        return request_data.json_parameters
    # Telegram shows the plain filename="…" parameter as it arrives, read as UTF-8: aiohttp's
    # default %-escapes it (a Chinese title became "%E8%A1%97….json"), so send it raw, escaping
    # only what would end the parameter, as browsers do (HTML's multipart/form-data encoding).
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        # A stream, not bytes: aiohttp warns that bytes over 1 MB might block the event loop.
        stream = io.BytesIO(content) if isinstance(content, bytes) else content
        shown = filename.translate(_UNSAFE_IN_FILENAME)
        form.add_field(name, stream, filename=shown, content_type=mime_type)
    return form


_UNSAFE_IN_FILENAME = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A"})
