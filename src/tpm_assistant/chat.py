"""Follow-up questions without an LLM.

A message that leans on earlier turns ("And in New York City?", "what does it stand for?") is
searched together with the question it follows, and the passages quoted in the previous answer
(plus their neighbours in the guide, for "what comes after that?") get a boost fitted on
training conversations. Everything needed comes in the request: the API stays stateless.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import content_terms, words

if TYPE_CHECKING:
    import numpy as np

    from .index import Index

# Openers and pronouns that only make sense with something said before.
_CONNECTOR = re.compile(
    r"^(and|also|but|or|so|then|what about|how about|what if|and what|same for|in|for|at|with|why|how come)\b", re.I
)
_ANAPHORA = {"it", "its", "that", "this", "those", "these", "they", "them", "their", "there", "one", "ones", "such", "else", "same"}
_MARKER = re.compile(r"\s*\[\d+\]")
MAX_CONTEXT_TURNS = 2  # a chain of follow-ups carries at most this many earlier questions


@dataclass(frozen=True)
class Turn:
    role: str
    content: str


@dataclass(frozen=True)
class FollowUp:
    question: str  # the last user message
    context: str | None  # the earlier question(s) it depends on, if any
    previous_answer: str | None = None  # the assistant's last answer, if it depends on it


def depends_on_history(message: str) -> bool:
    """Short or elliptical messages ("And in New York City?") need the previous question."""
    text = message.strip()
    if _CONNECTOR.match(text):
        return True
    if set(words(text)) & _ANAPHORA:
        return True
    return len(content_terms(text)) <= 2


def resolve(messages: Sequence[Turn]) -> FollowUp:
    """The last user message and, when it depends on them, the earlier question(s) and answer."""
    users = [i for i, m in enumerate(messages) if m.role == "user" and m.content.strip()]
    question = messages[users[-1]].content.strip()
    if len(users) < 2 or not depends_on_history(question):
        return FollowUp(question, None)
    context: list[str] = []
    for i in reversed(users[:-1]):
        context.insert(0, messages[i].content.strip())
        if len(context) >= MAX_CONTEXT_TURNS or not depends_on_history(messages[i].content):
            break
    answers = [m.content for m in messages[users[-2] : users[-1]] if m.role == "assistant"]
    return FollowUp(question, " ".join(context), answers[-1] if answers else None)


def previous_passages(index: Index, answer: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(quoted, neighbour) masks over passages: those the previous answer quoted a sentence of,
    and the passages right before or after them in the same file."""
    import numpy as np

    n = len(index.chunks)
    quoted = np.zeros(n, dtype=np.float32)
    neighbour = np.zeros(n, dtype=np.float32)
    if not answer:
        return quoted, neighbour
    said = _MARKER.sub("", answer)
    for i, chunk in enumerate(index.chunks):
        if any(chunk.text[s - chunk.start : e - chunk.start] in said for s, e in chunk.sentences) or (
            chunk.label and f"{chunk.label} [" in answer
        ):
            quoted[i] = 1.0
    for i in np.flatnonzero(quoted).tolist():
        for j in (i - 1, i + 1):
            if 0 <= j < n and index.chunks[j].source == index.chunks[i].source and not quoted[j]:
                neighbour[j] = 1.0
    return quoted, neighbour
