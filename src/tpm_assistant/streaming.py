"""Answers as server-sent events, for ``POST /chat`` with ``"stream": true``.

An extractive answer is computed whole in a few milliseconds, so streaming sends that Answer in
pieces: ``delta`` events carrying the answer text a few words at a time, then one ``done`` event
with the citations, ``answered`` and ``missing``. Errors (bad input, not ready) are the ordinary
JSON responses, sent before any event, because the answer is complete before the stream starts.

The response is FastAPI's own ``EventSourceResponse`` (``text/event-stream``, since FastAPI 0.135):
no extra dependency. Its ``yield``-based path operations always stream, and ``/chat`` answers JSON
unless asked to stream, so the route returns the response itself; each event's data is one line
of JSON, so writing the frames here is three lines.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi.sse import EventSourceResponse
from pydantic import BaseModel, Field

from .models import Answer, Citation

PIECE_WORDS = 4  # words per delta: about as fast as a reader follows, and few events per answer
_WORD = re.compile(r"\S+")
# Proxies must not buffer the stream; clients must not cache it.
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class Delta(BaseModel):
    """``event: delta``: the next piece of the answer text."""

    text: str = Field(description="the next piece; all pieces joined are the Answer's `answer`")


class Done(BaseModel):
    """``event: done``: the rest of the Answer, once, last."""

    answered: bool
    citations: list[Citation]
    missing: list[str]


def pieces(text: str, words: int = PIECE_WORDS) -> list[str]:
    """``text`` cut before every ``words``-th word; joined, the pieces are ``text`` exactly."""
    cuts = [m.start() for i, m in enumerate(_WORD.finditer(text)) if i and i % words == 0]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a] or [text]


def frame(data: str, event: str | None = None) -> bytes:
    """One event in the wire format; ``data`` must be a single line (compact JSON is)."""
    return (f"event: {event}\n" if event else "").encode() + b"data: " + data.encode() + b"\n\n"


def answer_frames(answer: Answer) -> Iterator[bytes]:
    for piece in pieces(answer.answer):
        yield frame(json.dumps({"text": piece}, ensure_ascii=False), "delta")
    done = Done(answered=answer.answered, citations=answer.citations, missing=answer.missing)
    yield frame(done.model_dump_json(), "done")


async def _iterate(frames: Iterator[bytes]) -> AsyncIterator[bytes]:
    for item in frames:
        yield item


def event_stream(frames: Iterator[bytes]) -> EventSourceResponse:
    return EventSourceResponse(_iterate(frames), headers=STREAM_HEADERS)


EXAMPLE = (
    'event: delta\ndata: {"text": "Entry-level technical project managers "}\n\n'
    'event: delta\ndata: {"text": "typically start around $76,683 "}\n\n'
    "…\n\n"
    'event: done\ndata: {"answered": true, "citations": [{"n": 1, "chunk_id": "…", "source": "…", "section": "…", '
    '"text": "…", "start": 11075, "end": 11282, "score": 17.1}], "missing": []}\n\n'
)

# The 200 response of POST /chat with "stream": true, for OpenAPI.
# One server-sent event as clients parse it: its name and its data (one line of JSON).
SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {"event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"}},
    "required": ["data"],
}
CHAT_STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": 'The Answer; with `"stream": true`, the same Answer as server-sent events: `delta` events '
        '(`{"text": str}`: the answer text in pieces, which joined give `answer`), then one `done` event '
        '(`{"answered", "citations", "missing"}`).',
        "content": {"text/event-stream": {"schema": SSE_EVENT, "example": EXAMPLE}},
    }
}
