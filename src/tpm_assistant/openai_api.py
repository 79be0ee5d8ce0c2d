"""OpenAI-compatible routes, so the ``openai`` client and chat front-ends that speak its API work
unchanged: ``GET /v1/models`` and ``POST /v1/chat/completions`` (streamed or not).

``messages`` map to the stateless ``Assistant.chat``: system (and developer) messages are accepted
and ignored, unknown fields are ignored. The citations, ``answered`` and ``missing`` come once,
under the extra field ``tpm_assistant`` of the response (of the final chunk when streaming), and a
plain-text "Sources" list is appended to the content unless ``TPM_OPENAI_SOURCES=false``. Errors,
validation errors included, use OpenAI's shape ``{"error": {"message", "type", "param", "code"}}``
on these routes only.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .chat import Turn
from .deps import in_worker, ready_assistant
from .errors import TpmError
from .models import MAX_K, MAX_QUESTION_CHARS, NOT_BLANK, Answer, ChatRequest, Citation
from .streaming import SSE_EVENT, event_stream, frame, pieces

MODEL = "tpm-assistant"
EXTRA = "tpm_assistant"  # the one extra field holding the Answer's citations, answered and missing
SOURCES_HEADING = "\n\nSources:\n"
_STARTED = int(time.time())


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, type: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None):  # fmt: skip
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param

    def response(self) -> JSONResponse:
        error = {"message": self.message, "type": self.type, "param": self.param, "code": self.code}
        return JSONResponse({"error": error}, status_code=self.status)


class _OpenAIRoute(APIRoute):
    """Every error of these routes in OpenAI's shape; the rest of the service keeps ``{"detail"}``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except RequestValidationError as exc:
                return _invalid(exc.errors()).response()
            except StarletteHTTPException as exc:  # FastAPI raises Starlette's own for a body it cannot read
                kind, code = ("server_error", "not_ready") if exc.status_code == 503 else ("invalid_request_error", None)
                return OpenAIError(exc.status_code, str(exc.detail), kind, code).response()
            except TpmError as exc:
                return OpenAIError(503, str(exc), "server_error", "not_ready").response()

        return handle


def _invalid(errors: Any) -> OpenAIError:
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":  # its location is a character position, not a parameter
        return OpenAIError(400, f"the body is not valid JSON: {first.get('msg', '')}", code="invalid_json")
    param = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or None
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return OpenAIError(400, f"{param}: {message}" if param else message, code="invalid_value", param=param)


router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], route_class=_OpenAIRoute)

class ErrorInfo(BaseModel):
    message: str
    type: str = Field(description="`invalid_request_error` or `server_error`")
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    """Every error of the OpenAI-compatible routes, in OpenAI's shape."""

    error: ErrorInfo


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "invalid request (`type: invalid_request_error`)"},
    404: {"model": ErrorBody, "description": "unknown model (`code: model_not_found`)"},
    503: {"model": ErrorBody, "description": "not ready (`type: server_error`, `code: not_ready`)"},
}


# -- models ----------------------------------------------------------------------------------
class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: only text parts carry a question
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # temperature, max_tokens, user, ...: accepted, ignored
    model: str = Field(examples=[MODEL])
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=100,
        description="at least one user message with a question (blank user messages are skipped)",
        # JSON Schema for "a user message with a question", so the schema says all that is checked.
        json_schema_extra={"contains": {
            "type": "object",
            "properties": {"role": {"const": "user"},
                           "content": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": NOT_BLANK}},
            "required": ["role", "content"],
        }},
    )  # fmt: skip
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="extra: passages to cite (default 3)")


class AnswerExtra(BaseModel):
    answered: bool = Field(description="false when the guide does not cover the question")
    citations: list[Citation] = Field(description="the passages the content's [n] markers name")
    missing: list[str]


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    prompt_tokens: int = Field(description="words, not model tokens: no LLM writes the answer")
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL
    choices: list[Choice]
    usage: Usage
    tpm_assistant: AnswerExtra = Field(description="the Answer's citations, `answered` and `missing`, once")


# -- mapping ---------------------------------------------------------------------------------
def _turns(body: ChatCompletionRequest) -> list[Turn]:
    """The conversation as ``/chat`` takes it, checked by the same rules."""
    messages = []
    for m in body.messages:
        if m.role in ("user", "assistant"):
            content = m.text()
            if m.role == "user" and not content.strip():
                continue  # an empty part of the conversation; the question is in another message
            if m.role == "assistant":  # a client sends back our content: the sources list is not the answer
                content = content.split(SOURCES_HEADING, 1)[0]
            messages.append({"role": m.role, "content": content})
    if not messages:
        raise OpenAIError(400, "messages: at least one user message is needed", code="invalid_value", param="messages")
    try:
        request = ChatRequest.model_validate({"messages": messages})
    except ValidationError as exc:
        raise _invalid([e | {"loc": ("messages",)} for e in exc.errors()]) from None
    return [Turn(m.role, m.content) for m in request.messages]


def content_of(answer: Answer, with_sources: bool) -> str:
    if not (with_sources and answer.citations):
        return answer.answer
    lines = [f"[{c.n}] {c.section} ({c.source})" for c in answer.citations]
    return answer.answer + SOURCES_HEADING + "\n".join(lines)


def _words(text: str) -> int:
    return len(text.split())


def _usage(turns: list[Turn], content: str) -> Usage:
    prompt = sum(_words(t.content) for t in turns)
    completion = _words(content)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _extra(answer: Answer) -> AnswerExtra:
    return AnswerExtra(answered=answer.answered, citations=answer.citations, missing=answer.missing)


def _chunks(cid: str, created: int, content: str, answer: Answer, usage: Usage | None) -> Iterator[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]} | extra  # fmt: skip
        return frame(json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces(content):
        yield chunk({"content": piece})
    yield chunk({}, "stop", **{EXTRA: _extra(answer).model_dump()})
    if usage is not None:  # as OpenAI does with stream_options.include_usage: a last chunk without choices
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL, "choices": [],
                "usage": usage.model_dump()}  # fmt: skip
        yield frame(json.dumps(body))
    yield frame("[DONE]")


# -- routes ----------------------------------------------------------------------------------
def _card() -> ModelCard:
    return ModelCard(id=MODEL, created=_STARTED, owned_by=MODEL)


@router.get("/models", response_model=ModelList, summary="The one model: tpm-assistant")
async def list_models() -> ModelList:
    return ModelList(data=[_card()])


@router.get("/models/{model}", response_model=ModelCard, summary="One model", responses={404: ERRORS[404]})
async def get_model(model: str) -> ModelCard:
    if model != MODEL:
        raise OpenAIError(404, f"The model '{model[:100]}' does not exist; use '{MODEL}'", code="model_not_found", param="model")
    return _card()


STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}}}
STREAM_DOC = (
    'With `"stream": true`: `text/event-stream` of `chat.completion.chunk` frames sharing one `id` and `created`: '
    'the role first, then content deltas, then a chunk with `finish_reason: "stop"` and the extra field '
    "`tpm_assistant` (`answered`, `citations`, `missing`), then (with `stream_options.include_usage`) a usage "
    "chunk, then `data: [DONE]`."
)


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="Answer the last user message (OpenAI-compatible)",
    description="System messages are accepted and ignored, unknown fields ignored. " + STREAM_DOC,
    responses=STREAM_RESPONSE | ERRORS,
)
async def chat_completions(body: ChatCompletionRequest, request: Request) -> Response:
    if body.model != MODEL:
        raise OpenAIError(404, f"The model '{body.model[:100]}' does not exist; use '{MODEL}'", code="model_not_found",
                          param="model")  # fmt: skip
    turns = _turns(body)
    assistant = await ready_assistant(request)
    answer = await in_worker(request, lambda: assistant.chat(turns, body.k))
    content = content_of(answer, assistant.settings.openai_sources)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        usage = _usage(turns, content) if body.stream_options and body.stream_options.include_usage else None
        return event_stream(_chunks(cid, created, content, answer, usage))
    completion = ChatCompletion(id=cid, created=created, choices=[Choice(message=AssistantMessage(content=content))],
                                usage=_usage(turns, content), tpm_assistant=_extra(answer))  # fmt: skip
    return Response(completion.model_dump_json(), media_type="application/json")
