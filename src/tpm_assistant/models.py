"""The Answer object (see CONTRACT.md) and the HTTP request bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

MAX_QUESTION_CHARS = 2000
MAX_K = 20


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


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["What does an entry-level TPM earn?"])
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="how many passages to cite")

    _strip = field_validator("question")(_question)


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class ChatRequest(BaseModel):
    messages: list[Message] = Field(
        min_length=1,
        max_length=50,
        examples=[[{"role": "user", "content": "What is the average TPM salary?"},
                   {"role": "assistant", "content": "..."},
                   {"role": "user", "content": "And in New York City?"}]],
    )
    k: int | None = Field(default=None, ge=1, le=MAX_K)
    stream: bool = Field(default=False, description="send the Answer as server-sent events (`delta` pieces, then `done`)")

    @field_validator("messages")
    @classmethod
    def _last_is_user(cls, messages: list[Message]) -> list[Message]:
        if messages[-1].role != "user":
            raise ValueError("the last message must come from the user")
        last = messages[-1].content.strip()
        if not last:
            raise ValueError("the last user message must not be empty")
        if len(last) > MAX_QUESTION_CHARS:
            raise ValueError(f"the last user message must be at most {MAX_QUESTION_CHARS} characters")
        return messages
