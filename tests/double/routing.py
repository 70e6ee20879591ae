"""HTTP routing: the aiohttp app, `/bot<token>/<method>` dispatch and file downloads."""

from __future__ import annotations

import traceback
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web

from tests.double.methods import find_method
from tests.double.rules import MAX_UPLOAD_BYTES
from tests.double.wire import ApiError, JsonDict, read_call

if TYPE_CHECKING:
    from tests.double.world import World

__all__ = ["serve"]


async def serve(world: World) -> web.AppRunner:
    """Listen on 127.0.0.1 at a random port, set `world.url`, return the runner to clean up."""
    # Making Requests: https://api.telegram.org/bot<token>/METHOD_NAME, and getFile's
    # https://api.telegram.org/file/bot<token>/<file_path> for downloads.

    async def handle(request: web.Request) -> web.Response:
        return await _handle(world, request)

    async def handle_file(request: web.Request) -> web.Response:
        return _handle_file(world, request)

    # Telegram accepts 50 MB uploads; aiohttp's default body limit is 1 MB.
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", handle)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    # handler_cancellation: a long poll whose client went away must not linger.
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=2.0, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    world.url = f"http://{host}:{port}"
    return runner


async def _handle(world: World, request: web.Request) -> web.Response:
    world.busy += 1
    world.notify()
    try:
        if request.match_info["token"] != world.token:
            return _error_response(world, "?", ApiError(401, "Unauthorized"))
        name = request.match_info["method"]
        entry = find_method(name)
        if entry is None:
            world.stats[name] += 1
            return _error_response(world, name, ApiError(404, "Not Found: method not found"))
        canonical, handler = entry
        world.stats[canonical] += 1
        try:
            call = await read_call(request, canonical)
            world.calls.append((canonical, call.params))
            _maybe_fail(world, canonical)
            result = await handler(world, call)
        except ApiError as err:
            return _error_response(world, canonical, err)
        except Exception as exc:  # a bug in the double must surface, not hang the bot
            # Answer like a Telegram 500 but keep the traceback for the test report.
            world.crashes.append(traceback.format_exc())
            return _error_response(
                world,
                canonical,
                ApiError(500, f"Internal Server Error: double crashed: {exc!r}"),
            )
        return web.json_response({"ok": True, "result": result})
    finally:
        world.busy -= 1
        world.notify()


def _handle_file(world: World, request: web.Request) -> web.Response:
    if request.match_info["token"] != world.token:
        return _error_response(world, "file", ApiError(401, "Unauthorized"))
    stored = world.files_by_path.get(request.match_info["path"])
    if stored is None:
        return _error_response(world, "file", ApiError(404, "Not Found"))
    return web.Response(body=stored.data, content_type=stored.mime_type)


def _error_response(world: World, method: str, err: ApiError) -> web.Response:
    # Making Requests: "ok" false, an error_code, a description and, for floods and
    # migrations, ResponseParameters in "parameters".
    world.errors.append((method, err.code, err.description))
    body: JsonDict = {"ok": False, "error_code": err.code, "description": err.description}
    if err.parameters:
        body["parameters"] = err.parameters
    return web.json_response(body, status=err.code)


def _maybe_fail(world: World, method: str) -> None:
    # A failure fail_next queued comes before the method runs: the call changes nothing.
    queue = world.faults.get(method.lower())
    if not queue:
        return
    fault = queue[0]
    fault.times -= 1
    if fault.times <= 0:
        queue.popleft()
    world.stats["faults"] += 1
    if fault.retry_after is not None:
        world.stats["429"] += 1
        raise ApiError(
            429,
            fault.description or f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
    try:
        phrase = HTTPStatus(fault.status).phrase
    except ValueError:
        phrase = "Error"
    raise ApiError(fault.status, fault.description or phrase)
