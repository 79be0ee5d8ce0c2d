"""Bounds on what a client can make the service read: body size and how long a client may take.

``BodyLimit`` reads a request's body before the app sees it: more than ``max_bytes`` is a 413
(at once when Content-Length says so), and a body that does not arrive within ``timeout`` seconds
is a 408. Slow request *headers* are cut off by the server protocol in ``serving.py``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float):
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        import anyio

        too_large = f"the request body is larger than {self.max_bytes} bytes (TPM_MAX_BODY_BYTES)"
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _reply(send, 400, "invalid Content-Length header")
                    return
                if declared > self.max_bytes:
                    await _reply(send, 413, too_large)
                    return
        body = bytearray()
        try:
            with anyio.fail_after(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body += message.get("body", b"")
                    if len(body) > self.max_bytes:
                        await _reply(send, 413, too_large)
                        return
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await _reply(send, 408, f"the request body did not arrive within {self.timeout:g} s")
            return
        replayed = False

        async def replay() -> Message:
            # The whole body once; afterwards the real channel (it reports a disconnect).
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
