"""How ``tpm-assistant serve`` runs uvicorn: limits, timeouts and logging.

uvicorn times out idle keep-alive connections but not a client that is slow to send its request
headers (slowloris): ``ReadTimeoutProtocol`` closes a connection whose headers have not all
arrived within ``TPM_READ_TIMEOUT`` seconds. Slow bodies and large bodies are handled by
``limits.BodyLimit`` inside the app.
"""

from __future__ import annotations

import asyncio
import copy
import functools
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .config import Settings, load_settings


@functools.lru_cache(maxsize=1)
def _read_timeout() -> float:
    # Read once per process: worker processes import this module anew, with the same environment.
    return load_settings().read_timeout


class ReadTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus a deadline for each request's headers."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:  # the next request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(_read_timeout(), self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings, access_log: bool) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` beyond the app, host, port and workers."""
    log_config = copy.deepcopy(LOGGING_CONFIG)
    # The service's own lines (versions loaded and switched, a missing store) go where uvicorn's go.
    log_config["loggers"]["tpm_assistant"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return {
        "http": ReadTimeoutProtocol,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": 5,
        "timeout_graceful_shutdown": 10,
        "log_config": log_config,
        "log_level": "info",
        "access_log": access_log,
    }
