"""The HTTP service: a thin FastAPI layer over ``Assistant``.

The store and the model load in the background after start-up, so ``/health`` answers at once and
``/ready`` says 503 (with the reason) until answering works. Answering runs in worker threads,
never on the event loop. A background task picks up store versions written by a later ingest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from . import __version__, openai_api, streaming, web
from .assistant import Assistant
from .chat import Turn
from .config import Settings, load_settings
from .deps import Ready, in_worker
from .docs import add_offline_docs
from .errors import StoreMissing, TpmError
from .limits import BodyLimit
from .metrics import Metrics, RequestMetrics
from .models import Answer, AskRequest, ChatRequest, ErrorDetail, ReadyStatus

log = logging.getLogger("tpm_assistant")


class _State:
    def __init__(self, assistant: Assistant, max_concurrency: int):
        self.assistant = assistant
        self.problem: str | None = "loading the store and the model"
        # Model work runs in worker threads, at most this many at once: more would only make
        # the cores take turns, and each request would wait longer.
        self.limiter = anyio.CapacityLimiter(max_concurrency)


async def _keep_loaded(
    state: _State,
    interval: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> None:
    """Load at start; afterwards look for a newer version, so that a version written by ingest is
    served within ``interval`` seconds: the pointer is read four times per interval on a fixed
    beat (not ``interval`` after the previous look ended), leaving the rest for loading."""
    period = interval / 4
    next_look = clock()
    while True:
        try:
            if state.assistant.loaded is None:
                await asyncio.to_thread(state.assistant.load)
            else:
                await asyncio.to_thread(state.assistant.refresh)
            state.problem = None
        except TpmError as exc:
            if str(exc) != state.problem and isinstance(exc, StoreMissing):
                log.warning("%s (answering 503 until then)", exc)
            state.problem = str(exc)
        except Exception as exc:  # keep serving what is loaded; say why it is not ready
            log.exception("loading failed")
            state.problem = f"loading failed: {exc}"
        next_look = max(next_look + period, clock())
        await sleep(next_look - clock())


# What each answering route may return besides the Answer, all as one short line in ``detail``.
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDetail, "description": "the body is not valid UTF-8 or cannot be parsed"},
    408: {"model": ErrorDetail, "description": "the body did not arrive within TPM_READ_TIMEOUT seconds"},
    413: {"model": ErrorDetail, "description": "the body is larger than TPM_MAX_BODY_BYTES"},
    422: {"model": ErrorDetail, "description": "invalid request: which field and why"},
    503: {"model": ErrorDetail, "description": "not ready (no store yet, another model, loading), with the reason"},
}


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or load_settings()
    metrics = Metrics()

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
        docs_url=None,
        redoc_url=None,
    )
    add_offline_docs(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.read_timeout)
    app.add_middleware(RequestMetrics, metrics=metrics)
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
        if first.get("type") == "string_pattern_mismatch":  # the only pattern: models.NOT_BLANK
            message = "must not be blank"
        return JSONResponse({"detail": f"{where}: {message}" if where else message}, status_code=422)

    @app.exception_handler(TpmError)
    async def _domain(request: Request, exc: TpmError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    async def answer(request: Request, work: Callable[[], Answer]) -> Response:
        result = await in_worker(request, work)
        metrics.answer(result.answered)
        # Serialised once here; the declared response_model still documents it in OpenAPI.
        return Response(result.model_dump_json(), media_type="application/json")

    @app.post("/ask", response_model=Answer, responses=_ERRORS, summary="Answer one question from the guide")
    async def ask(body: AskRequest, assistant: Ready, request: Request) -> Response:
        return await answer(request, lambda: assistant.ask(body.question, body.k))

    @app.post("/chat", response_model=Answer, summary="Answer the last user message, using earlier turns",
              responses=_ERRORS | streaming.CHAT_STREAM_RESPONSES)  # fmt: skip
    async def chat(body: ChatRequest, assistant: Ready, request: Request) -> Response:
        turns = [Turn(m.role, m.content) for m in body.messages]
        if body.stream:
            result = await in_worker(request, lambda: assistant.chat(turns, body.k))
            metrics.answer(result.answered)
            return streaming.event_stream(streaming.answer_frames(result))
        return await answer(request, lambda: assistant.chat(turns, body.k))

    @app.get("/health", summary="Liveness: 200 while the process is up")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        summary="Readiness: 200 once the model is loaded and the store is open and matches it",
        response_model=ReadyStatus,
        response_model_exclude_none=True,
        responses={503: {"model": ErrorDetail, "description": "not ready, with the reason in `detail`"}},
    )
    async def ready(request: Request) -> Any:
        state: _State = request.app.state.tpm
        loaded = state.assistant.loaded
        if loaded is None:
            return JSONResponse({"detail": state.problem or "not ready"}, status_code=503)
        status = ReadyStatus(
            status="ready",
            chunks=len(loaded.index),
            model=loaded.version.pin.name,
            version=loaded.version.collection,
            store=state.assistant.store.describe(),
        )
        if settings.chroma_url:
            reachable = await asyncio.to_thread(state.assistant.store.reachable)
            status.store_reachable = reachable
            if not reachable:
                status.detail = f"the Chroma server at {settings.chroma_url} does not answer: serving the version in memory"
        return status

    @app.get("/metrics", summary="Prometheus metrics of this service process", response_class=PlainTextResponse)
    async def metrics_text(request: Request) -> PlainTextResponse:
        loaded = request.app.state.tpm.assistant.loaded
        text = metrics.render(loaded.version.collection if loaded else None, len(loaded.index) if loaded else None)
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    app.include_router(web.router)
    app.include_router(openai_api.router)
    _document_validation_errors(app)
    return app


def _document_validation_errors(app: FastAPI) -> None:
    """FastAPI documents every route's invalid input as its own 422 list of error objects; this
    service answers ``{"detail": str}`` with 422 instead, and the OpenAI-compatible routes answer 400
    in OpenAI's shape. The schema says so."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = make()
            for path, operations in spec.get("paths", {}).items():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    if "HTTPValidationError" not in str(responses.get("422", "")):
                        continue
                    if path.startswith(openai_api.router.prefix):
                        del responses["422"]
                    else:
                        schema = {"$ref": "#/components/schemas/ErrorDetail"}
                        responses["422"] = {
                            "description": "invalid request: which field and why",
                            "content": {"application/json": {"schema": schema}},
                        }
            schemas = spec.get("components", {}).get("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
