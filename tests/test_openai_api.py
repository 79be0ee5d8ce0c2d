"""The OpenAI-compatible routes with the real ``openai`` client against a real ``tpm-assistant
serve`` on loopback (and, for settings and not-ready cases, through TestClient)."""

from __future__ import annotations

import time

import httpx
import pytest
from conftest import fake_encoder_factory
from fastapi.testclient import TestClient

from tpm_assistant.api import create_app
from tpm_assistant.assistant import Assistant
from tpm_assistant.config import Settings

pytestmark = pytest.mark.slow

SALARY = "What does an entry-level TPM earn?"


@pytest.fixture(scope="module")
def client(real_service: str):
    from openai import OpenAI

    with OpenAI(base_url=real_service + "/v1", api_key="not-needed", max_retries=0, timeout=30) as client:
        yield client


def native(url: str, messages: list[dict]) -> dict:
    return httpx.post(url + "/chat", json={"messages": messages}, timeout=30).json()


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def extra(obj) -> dict:
    """The extra field ``tpm_assistant`` as the openai client keeps it (unknown fields are kept)."""
    return obj.model_extra["tpm_assistant"]


def test_models_lists_the_one_model(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["tpm-assistant"]
    card = models.data[0]
    assert card.object == "model" and card.owned_by == "tpm-assistant" and isinstance(card.created, int)
    assert client.models.retrieve("tpm-assistant").id == "tpm-assistant"


def test_a_non_streamed_answer_carries_the_answer_and_its_sources_once(client, real_service: str):
    completion = client.chat.completions.create(model="tpm-assistant", messages=[user(SALARY)])
    expected = native(real_service, [user(SALARY)])
    assert completion.object == "chat.completion"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    assert content.startswith(expected["answer"]) and "$76,683" in content
    # The plain-text sources list, for clients that show only the content.
    sources = content[len(expected["answer"]) :]
    assert sources.startswith("\n\nSources:\n[1] ")
    for c in expected["citations"]:
        assert f"[{c['n']}] {c['section']} ({c['source']})" in sources
    assert extra(completion) == {"answered": True, "citations": expected["citations"], "missing": []}
    assert completion.usage.completion_tokens == len(content.split()) and completion.usage.total_tokens > 0


def test_a_streamed_answer_equals_the_non_streamed_one_with_citations_once_at_the_end(client):
    whole = client.chat.completions.create(model="tpm-assistant", messages=[user(SALARY)])
    chunks = list(client.chat.completions.create(model="tpm-assistant", messages=[user(SALARY)], stream=True))
    assert len(chunks) > 3
    assert {c.id for c in chunks} == {chunks[0].id} and {c.created for c in chunks} == {chunks[0].created}
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    deltas = [c.choices[0].delta.content or "" for c in chunks]
    assert "".join(deltas) == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks] == [None] * (len(chunks) - 1) + ["stop"]
    with_sources = [i for i, c in enumerate(chunks) if c.model_extra and "tpm_assistant" in c.model_extra]
    assert with_sources == [len(chunks) - 1]  # once, on the final chunk
    assert extra(chunks[-1]) == extra(whole)


def test_a_stream_can_end_with_usage(client):
    chunks = list(client.chat.completions.create(model="tpm-assistant", messages=[user(SALARY)], stream=True,
                                                 stream_options={"include_usage": True}))  # fmt: skip
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_a_system_message_is_accepted_and_ignored(client):
    plain = client.chat.completions.create(model="tpm-assistant", messages=[user(SALARY)])
    told = client.chat.completions.create(
        model="tpm-assistant",
        messages=[{"role": "system", "content": "Answer in French, in one word."}, user(SALARY)],
        temperature=0.2,  # unknown to this service: ignored
        max_tokens=5,
    )
    assert told.choices[0].message.content == plain.choices[0].message.content


def test_a_three_turn_conversation_ends_in_a_follow_up(client):
    messages: list = [user("What does an entry-level TPM earn?")]
    for question in ["What is the average TPM salary?", "And in New York City?"]:
        reply = client.chat.completions.create(model="tpm-assistant", messages=messages)
        # Sent back as a client does: the content with its sources list.
        messages += [{"role": "assistant", "content": reply.choices[0].message.content}, user(question)]
    last = client.chat.completions.create(model="tpm-assistant", messages=messages)
    assert len(messages) == 5
    assert "$112,547" in last.choices[0].message.content


def test_an_out_of_scope_question_is_declined(client, real_service: str):
    question = "How do I become a dentist?"
    completion = client.chat.completions.create(model="tpm-assistant", messages=[user(question)])
    expected = native(real_service, [user(question)])
    assert extra(completion)["answered"] is False
    assert extra(completion) == {k: expected[k] for k in ("answered", "citations", "missing")}
    assert completion.choices[0].message.content.startswith(expected["answer"])


def test_bad_input_gets_an_openai_shaped_error(client, real_service: str):
    import openai

    with pytest.raises(openai.BadRequestError) as empty:
        client.chat.completions.create(model="tpm-assistant", messages=[])
    assert empty.value.status_code == 400
    assert empty.value.body["type"] == "invalid_request_error" and "messages" in empty.value.body["message"]
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="gpt-4o", messages=[user(SALARY)])
    assert unknown.value.body["code"] == "model_not_found"
    # As in /chat, the last user message is answered; an assistant message after it adds nothing.
    trailing = client.chat.completions.create(
        model="tpm-assistant", messages=[user(SALARY), {"role": "assistant", "content": "x"}]
    )
    alone = client.chat.completions.create(model="tpm-assistant", messages=[user(SALARY)])
    assert trailing.choices[0].message.content == alone.choices[0].message.content
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="tpm-assistant", messages=[{"role": "system", "content": "only a system message"}])
    # The wire format itself, including a body that is not JSON.
    for body in [b"{not json", b'{"model": "tpm-assistant"}',
                 b'{"model": "tpm-assistant", "messages": [{"role": "tool", "content": "x"}]}',
                 b'{"model": "tpm-assistant", "messages": [{"role": "user", "content": "pay?"}], "k": 0}']:  # fmt: skip
        response = httpx.post(real_service + "/v1/chat/completions", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400
        error = response.json()["error"]
        assert set(error) >= {"message", "type", "code"} and error["type"] == "invalid_request_error"
        assert isinstance(error["message"], str) and 0 < len(error["message"]) < 200
    # The native routes keep their own shape.
    assert "detail" in httpx.post(real_service + "/chat", json={"messages": []}).json()


def test_content_parts_and_the_k_extra_are_understood(client):
    completion = client.chat.completions.create(
        model="tpm-assistant", messages=[{"role": "user", "content": [{"type": "text", "text": SALARY}]}], extra_body={"k": 5}
    )
    assert "$76,683" in completion.choices[0].message.content
    assert len(extra(completion)["citations"]) == 5


def test_the_sources_list_can_be_turned_off(real_store: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TPM_OPENAI_SOURCES", "false")
    from tpm_assistant.config import load_settings

    assert load_settings().openai_sources is False
    settings = real_store.model_copy(update={"openai_sources": False})
    with TestClient(create_app(settings)) as app:
        deadline = time.monotonic() + 60
        while app.get("/ready").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        body = app.post("/v1/chat/completions", json={"model": "tpm-assistant", "messages": [user(SALARY)]}).json()
        answer = app.post("/ask", json={"question": SALARY}).json()
        assert body["choices"][0]["message"]["content"] == answer["answer"]
        assert body["tpm_assistant"]["citations"] == answer["citations"]


def test_not_ready_is_a_503_in_openai_shape(fake_settings: Settings):
    with TestClient(create_app(fake_settings, Assistant(fake_settings, encoder_factory=fake_encoder_factory))) as app:
        time.sleep(0.2)
        response = app.post("/v1/chat/completions", json={"model": "tpm-assistant", "messages": [user(SALARY)]})
        assert response.status_code == 503
        assert response.json()["error"]["type"] == "server_error" and "ingest" in response.json()["error"]["message"]
        assert app.get("/v1/models").status_code == 200  # listing the model needs no store


def test_the_openai_routes_are_documented(real_service: str):
    spec = httpx.get(real_service + "/openapi.json").json()
    assert {"/v1/models", "/v1/chat/completions"} <= set(spec["paths"])
    operation = spec["paths"]["/v1/chat/completions"]["post"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert "tpm_assistant" in spec["components"]["schemas"]["ChatCompletion"]["properties"]
