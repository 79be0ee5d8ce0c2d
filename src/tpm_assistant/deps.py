"""What the routers share: the loaded assistant as a dependency, and model work off the event loop.

The application state (``app.state.tpm``) is set up by ``api.create_app``'s lifespan; the
routers (``api``, ``web``, ``openai_api``) reach it only through these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, HTTPException, Request

from .assistant import Assistant

T = TypeVar("T")


async def ready_assistant(request: Request) -> Assistant:
    """The loaded assistant, or 503 with the reason it is not ready."""
    state = request.app.state.tpm
    if state.assistant.loaded is None:
        raise HTTPException(503, state.problem or "not ready")
    return state.assistant


Ready = Annotated[Assistant, Depends(ready_assistant)]


async def in_worker(request: Request, work: Callable[[], T]) -> T:
    """Run model work in a worker thread, at most ``max_concurrency`` at once (see ``api._State``)."""
    return await anyio.to_thread.run_sync(work, limiter=request.app.state.tpm.limiter)
