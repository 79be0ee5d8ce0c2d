"""The HTTP service: a thin FastAPI layer over ``Assistant``.

The store and the model load in the background after start-up, so ``/health`` answers at once and
``/ready`` says 503 (with the reason) until answering works. Answering runs in worker threads,
never on the event loop. A background task picks up store versions written by a later ingest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from . import __version__, openai_api, streaming, web
from .assistant import Assistant
from .chat import Turn
from .config import Settings, load_settings
from .deps import Ready, in_worker
from .errors import TpmError
from .models import Answer, AskRequest, ChatRequest

log = logging.getLogger("tpm_assistant")


class _State:
    def __init__(self, assistant: Assistant, max_concurrency: int):
        self.assistant = assistant
        self.problem: str | None = "loading the store and the model"
        # Model work runs in worker threads, at most this many at once: more would only make
        # the cores take turns, and each request would wait longer.
        self.limiter = anyio.CapacityLimiter(max_concurrency)


async def _keep_loaded(state: _State, interval: float) -> None:
    """Load at start; afterwards look for a newer version every ``interval`` seconds."""
    while True:
        try:
            if state.assistant.loaded is None:
                await asyncio.to_thread(state.assistant.load)
            else:
                await asyncio.to_thread(state.assistant.refresh)
            state.problem = None
        except TpmError as exc:
            state.problem = str(exc)
        except Exception as exc:  # keep serving what is loaded; say why it is not ready
            log.exception("loading failed")
            state.problem = f"loading failed: {exc}"
        await asyncio.sleep(interval)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = _State(assistant or Assistant(settings), settings.max_concurrency)
        app.state.tpm = state
        task = asyncio.create_task(_keep_loaded(state, settings.reload_seconds))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="tpm-assistant",
        version=__version__,
        summary="Answers career questions from the guide 'How to Become a Technical Project Manager', with citations.",
        lifespan=lifespan,
    )
    if settings.cors_origins:  # off by default: only the service's own page calls it
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["*"])  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # One short line instead of FastAPI's list of error objects (which echoes the input back).
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        return JSONResponse({"detail": f"{where}: {message}" if where else message}, status_code=422)

    @app.exception_handler(TpmError)
    async def _domain(request: Request, exc: TpmError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    async def answer(request: Request, work: Callable[[], Answer]) -> Response:
        result = await in_worker(request, work)
        # Serialised once here; the declared response_model still documents it in OpenAPI.
        return Response(result.model_dump_json(), media_type="application/json")

    @app.post("/ask", response_model=Answer, summary="Answer one question from the guide")
    async def ask(body: AskRequest, assistant: Ready, request: Request) -> Response:
        return await answer(request, lambda: assistant.ask(body.question, body.k))

    @app.post("/chat", response_model=Answer, summary="Answer the last user message, using earlier turns",
              responses=streaming.CHAT_STREAM_RESPONSES)  # fmt: skip
    async def chat(body: ChatRequest, assistant: Ready, request: Request) -> Response:
        turns = [Turn(m.role, m.content) for m in body.messages]
        if body.stream:
            result = await in_worker(request, lambda: assistant.chat(turns, body.k))
            return streaming.event_stream(streaming.answer_frames(result))
        return await answer(request, lambda: assistant.chat(turns, body.k))

    @app.get("/health", summary="Liveness: 200 while the process is up")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        summary="Readiness: 200 once the model is loaded and the store is open and matches it",
        responses={503: {"description": "not ready, with the reason in `detail`"}},
    )
    async def ready(request: Request) -> Any:
        state: _State = request.app.state.tpm
        loaded = state.assistant.loaded
        if loaded is None:
            return JSONResponse({"detail": state.problem or "not ready"}, status_code=503)
        return {"status": "ready", "chunks": len(loaded.index), "model": loaded.version.pin.name}

    app.include_router(web.router)
    app.include_router(openai_api.router)
    return app
