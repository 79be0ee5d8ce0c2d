"""The Answer object (see CONTRACT.md) and the HTTP request bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictBool, field_validator

# One limit for a question wherever it comes from: HTTP, the command line, the chat.
MAX_QUESTION_CHARS = 2000
MAX_K = 20
MAX_MESSAGES = 50
MAX_ASSISTANT_CHARS = 20_000
# JSON Schema's way of saying "not only white space", so the schema rejects what the API rejects:
# a character outside Python's white space (what ``str.strip`` removes), spelled out because
# regex dialects disagree on ``\s``.
NOT_BLANK = "[^\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"


class Citation(BaseModel):
    n: int = Field(description="1-based number; the answer cites it as [n]")
    chunk_id: str = Field(description="stable across re-ingests of unchanged text")
    source: str = Field(description="path relative to the corpus folder")
    section: str = Field(description="the heading the passage sits under")
    text: str = Field(description="the passage, verbatim: the source file's text[start:end]")
    start: int
    end: int
    score: float = Field(description="retrieval score; higher is more relevant")


class Answer(BaseModel):
    answered: bool = Field(description="false when the guide does not cover the question")
    answer: str = Field(description="plain text citing passages with [n] markers")
    citations: list[Citation]
    missing: list[str] = Field(
        default_factory=list,
        description="what the question asks that the guide does not give (e.g. a place, an organisation, a figure); "
        "empty when answered",
    )


def _question(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _json_integer(value: object) -> object:
    """A JSON Schema integer: ``3`` or ``3.0``, never ``true`` or ``"3"`` (which pydantic's lax
    mode would take), so the API accepts exactly what its schema says."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


KValue = Annotated[int, Field(ge=1, le=MAX_K), BeforeValidator(_json_integer)]
K = Field(default=None, description=f"how many passages to cite (1-{MAX_K}; default 3)")


class AskRequest(BaseModel):
    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK, examples=["What does an entry-level TPM earn?"]
    )
    k: KValue | None = K

    _strip = field_validator("question")(_question)


class UserMessage(BaseModel):
    role: Literal["user"]
    content: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NOT_BLANK, description="a question: the same limits as /ask"
    )


class AssistantMessage(BaseModel):
    role: Literal["assistant"]
    content: str = Field(max_length=MAX_ASSISTANT_CHARS, description="an earlier answer")


Message = Annotated[UserMessage | AssistantMessage, Field(discriminator="role")]


class ChatRequest(BaseModel):
    messages: list[Message] = Field(
        min_length=1,
        max_length=MAX_MESSAGES,
        description="the conversation so far, oldest first, with at least one user message; the last user "
        "message is answered (assistant messages after it add nothing)",
        # JSON Schema for "at least one user message", so the schema says all that is checked.
        json_schema_extra={"contains": {"type": "object", "properties": {"role": {"const": "user"}}, "required": ["role"]}},
        examples=[[{"role": "user", "content": "What is the average TPM salary?"},
                   {"role": "assistant", "content": "..."},
                   {"role": "user", "content": "And in New York City?"}]],
    )  # fmt: skip
    k: KValue | None = K
    stream: StrictBool = Field(default=False, description="send the Answer as server-sent events (`delta` pieces, then `done`)")

    @field_validator("messages")
    @classmethod
    def _up_to_the_last_question(cls, messages: list[UserMessage | AssistantMessage]) -> list[UserMessage | AssistantMessage]:
        last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last is None:
            raise ValueError("there must be a user message to answer")
        return messages[: last + 1]


class ErrorDetail(BaseModel):
    """Every error response: one short line."""

    detail: str


class ReadyStatus(BaseModel):
    status: Literal["ready"]
    chunks: int = Field(description="passages in the active store version")
    model: str = Field(description="the embedding model the version was built with")
    version: str = Field(description="the active store version")
    store: str = Field(description="the store folder, or the Chroma server's URL")
    store_reachable: bool | None = Field(
        default=None,
        description="with a Chroma server: whether it answers right now (the service keeps answering from the "
        "version in memory while it does not)",
    )
    detail: str | None = Field(default=None, description="what is wrong while answering from memory")
