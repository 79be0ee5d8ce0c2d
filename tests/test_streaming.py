"""``POST /chat`` with ``"stream": true``: the Answer as server-sent events, read end to end by an
SSE client (httpx-sse) from a real ``tpm-assistant serve`` on loopback."""

from __future__ import annotations

import json

import httpx
import pytest

from tpm_assistant.streaming import pieces


@pytest.mark.parametrize(
    "text",
    ["", "one", "  leading and trailing  ", "a b c d e f g h i", "Pay is $76,683 a year. [1] More\nlines\n\n[2]"],
)
def test_the_pieces_join_to_the_text_exactly(text: str):
    parts = pieces(text)
    assert "".join(parts) == text
    assert all(len(p.split()) <= 4 for p in parts)


def test_a_long_answer_comes_in_several_pieces():
    text = " ".join(f"word{i}" for i in range(40))
    assert len(pieces(text)) == 10


def stream(url: str, body: dict) -> tuple[httpx.Response, list[tuple[str, dict]]]:
    from httpx_sse import connect_sse

    with httpx.Client(timeout=30) as client, connect_sse(client, "POST", url + "/chat", json=body) as source:
        events = [(event.event, json.loads(event.data)) for event in source.iter_sse()]
        return source.response, events


def messages(*texts: str) -> list[dict]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(texts)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "conversation",
    [
        messages("What does an entry-level TPM earn?"),
        messages("What is the average TPM salary?", "The average is $104,711 USD. [1]", "And in New York City?"),
        messages("How do I become a dentist?"),
    ],
    ids=["answer", "follow-up", "not-covered"],
)
def test_the_stream_sends_the_same_answer_in_pieces_then_the_rest_once(real_service: str, conversation: list[dict]):
    whole = httpx.post(real_service + "/chat", json={"messages": conversation}, timeout=30).json()
    response, events = stream(real_service, {"messages": conversation, "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    names = [name for name, _ in events]
    assert names == ["delta"] * (len(events) - 1) + ["done"]
    assert "".join(data["text"] for name, data in events if name == "delta") == whole["answer"]
    assert events[-1][1] == {"answered": whole["answered"], "citations": whole["citations"], "missing": whole["missing"]}
    if whole["answered"]:
        assert len(events) > 2  # really in pieces


@pytest.mark.slow
def test_without_stream_the_chat_response_is_the_plain_answer(real_service: str):
    for body in ({"messages": messages("Do I need a PMP?")}, {"messages": messages("Do I need a PMP?"), "stream": False}):
        response = httpx.post(real_service + "/chat", json=body, timeout=30)
        assert response.headers["content-type"] == "application/json"
        assert set(response.json()) == {"answered", "answer", "citations", "missing"}


@pytest.mark.slow
def test_bad_input_is_refused_before_any_event(real_service: str):
    response = httpx.post(real_service + "/chat", json={"messages": [], "stream": True}, timeout=30)
    assert response.status_code == 422 and response.headers["content-type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


@pytest.mark.slow
def test_the_stream_is_documented(real_service: str):
    spec = httpx.get(real_service + "/openapi.json").json()
    operation = spec["paths"]["/chat"]["post"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "text/event-stream"} <= set(content)
    assert "event: delta" in content["text/event-stream"]["example"] and "event: done" in content["text/event-stream"]["example"]
    body = spec["components"]["schemas"]["ChatRequest"]["properties"]
    assert "stream" in body
