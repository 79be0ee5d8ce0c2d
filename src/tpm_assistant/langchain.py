"""LangChain integration: the optional extra ``pip install 'tpm-assistant[langchain]'``.

- ``TpmRetriever``: a ``BaseRetriever`` returning the cited passages of the answer as
  ``Document``s (page_content = the passage; metadata = chunk_id, source, section, start, end, score).
- ``TpmAssistant``: the assistant as a ``Runnable`` from a question (or messages) to an ``Answer``.

Both answer in-process from the same settings as the CLI (``load_settings()``, the ``TPM_*``
variables), or, given ``url=``, ask a running ``tpm-assistant serve`` over HTTP. Nothing else in
the package imports this module, so the package runs without langchain-core.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

try:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import Runnable, RunnableConfig
except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
    raise ImportError("tpm_assistant.langchain needs langchain-core: pip install 'tpm-assistant[langchain]'") from exc
from pydantic import Field, PrivateAttr

from .chat import Turn
from .config import Settings, load_settings
from .embeddings import langchain_embeddings  # the embedder as LangChain Embeddings, re-exported
from .errors import TpmError
from .models import MAX_K, Answer, ChatRequest

if TYPE_CHECKING:
    from .assistant import Assistant

__all__ = ["TpmAssistant", "TpmRetriever", "documents", "langchain_embeddings"]


class Backend(Protocol):
    def chat(self, turns: Sequence[Turn], k: int | None) -> Answer: ...


@cache
def _assistant(settings: Settings) -> Assistant:
    """One loaded assistant per settings, shared by every retriever and runnable in the process."""
    from .assistant import Assistant

    return Assistant(settings)


class LocalBackend:
    """Answers in this process (the store and the model load on first use)."""

    def __init__(self, settings: Settings | None = None):
        self.assistant = _assistant(settings or load_settings())

    def chat(self, turns: Sequence[Turn], k: int | None) -> Answer:
        return self.assistant.chat(list(turns), k)


class HttpBackend:
    """Asks a running service (``POST /chat``)."""

    def __init__(self, url: str, timeout: float = 30.0):
        import httpx

        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)

    def chat(self, turns: Sequence[Turn], k: int | None) -> Answer:
        import httpx

        body: dict[str, Any] = {"messages": [{"role": t.role, "content": t.content} for t in turns]}
        if k is not None:
            body["k"] = k
        try:
            response = self.client.post("/chat", json=body)
        except httpx.HTTPError as exc:
            raise TpmError(f"cannot reach the tpm-assistant service at {self.client.base_url}: {exc}") from exc
        if response.status_code != 200:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise TpmError(f"the tpm-assistant service answered {response.status_code}: {detail}")
        return Answer.model_validate_json(response.content)


def _backend(url: str | None, settings: Settings | None, timeout: float) -> Backend:
    return HttpBackend(url, timeout) if url else LocalBackend(settings)


def documents(answer: Answer) -> list[Document]:
    """The answer's citations as LangChain documents, best first."""
    return [
        Document(
            page_content=c.text,
            metadata={
                "chunk_id": c.chunk_id,
                "source": c.source,
                "section": c.section,
                "start": c.start,
                "end": c.end,
                "score": c.score,
            },
            id=c.chunk_id,
        )
        for c in answer.citations
    ]


def _checked(turns: list[Turn]) -> list[Turn]:
    """The same rules as ``POST /chat``, in-process or over HTTP: a ``ValueError`` with one line
    naming the message and the reason otherwise."""
    from pydantic import ValidationError

    try:
        request = ChatRequest.model_validate({"messages": [{"role": t.role, "content": t.content} for t in turns]})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("user", "assistant"))
        reason = "must not be blank" if first.get("type") == "string_pattern_mismatch" else str(first.get("msg", ""))
        raise ValueError(f"{where}: {reason.removeprefix('Value error, ')}" if where else reason) from None
    return [Turn(m.role, m.content) for m in request.messages]


_ROLES = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant", "system": None, "developer": None}


def to_turns(value: Any) -> list[Turn]:
    """A question, a list of messages (LangChain messages, ``{"role", "content"}`` dicts or
    ``(role, content)`` pairs), a prompt value, or ``{"question": ...}`` / ``{"messages": [...]}``.
    System messages are dropped: the guide, not a prompt, decides what the answer says."""
    if isinstance(value, str):
        return _checked([Turn("user", value)])
    if isinstance(value, dict):
        if "question" in value:
            return to_turns(str(value["question"]))
        if "messages" in value:
            return to_turns(value["messages"])
        raise ValueError("expected a question, messages, or a dict with 'question' or 'messages'")
    if hasattr(value, "to_messages"):  # a PromptValue
        return to_turns(value.to_messages())
    turns = []
    for message in value:
        if isinstance(message, dict):
            role, content = message.get("role"), message.get("content")
        elif isinstance(message, tuple | list) and len(message) == 2:
            role, content = message
        else:
            role, content = getattr(message, "type", None), str(getattr(message, "text", ""))
        if role not in _ROLES:
            raise ValueError(f"unsupported message role {role!r}")
        mapped = _ROLES[role]
        if mapped is not None:
            turns.append(Turn(mapped, str(content or "")))
    return _checked(turns)


class TpmRetriever(BaseRetriever):
    """The passages the assistant cites for a query, as ``Document``s.

    ``TpmRetriever()`` answers in-process from the ``TPM_*`` settings; ``TpmRetriever(url=...)``
    asks a running service. A question the guide does not cover returns the passages its answer
    cites (possibly none).
    """

    url: str | None = None
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="passages to return; the service's default (3) when unset")
    settings: Settings | None = None
    timeout: float = 30.0
    _backend: Backend | None = PrivateAttr(default=None)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        if self._backend is None:
            self._backend = _backend(self.url, self.settings, self.timeout)
        return documents(self._backend.chat(to_turns(query), self.k))


class TpmAssistant(Runnable[Any, Answer]):
    """The assistant as a ``Runnable``: a question or a conversation in, an ``Answer`` out."""

    def __init__(self, url: str | None = None, *, settings: Settings | None = None, k: int | None = None,
                 timeout: float = 30.0):  # fmt: skip
        if k is not None and not 1 <= k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}")
        self.url, self.settings, self.k, self.timeout = url, settings, k, timeout
        self._backend: Backend | None = None

    def _answer(self, value: Any) -> Answer:
        if self._backend is None:
            self._backend = _backend(self.url, self.settings, self.timeout)
        return self._backend.chat(to_turns(value), self.k)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return self._call_with_config(self._answer, input, config)
