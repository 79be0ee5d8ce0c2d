"""Follow-up questions without an LLM: decide whether the last message leans on earlier turns and,
if so, carry the earlier question into retrieval."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .text import content_terms, words

# Openers and pronouns that only make sense with something said before.
_CONNECTOR = re.compile(r"^(and|also|but|or|so|then|what about|how about|what if|and what|same for|in|for|at|with)\b", re.I)
_ANAPHORA = {"it", "its", "that", "this", "those", "these", "they", "them", "their", "there", "one", "ones", "such", "else", "same"}


@dataclass(frozen=True)
class Turn:
    role: str
    content: str


@dataclass(frozen=True)
class FollowUp:
    question: str  # the last user message
    context: str | None  # the earlier user question it depends on, if any


def depends_on_history(message: str) -> bool:
    """Short or elliptical messages ("And in New York City?") need the previous question."""
    text = message.strip()
    if _CONNECTOR.match(text):
        return True
    tokens = set(words(text))
    if tokens & _ANAPHORA:
        return True
    return len(content_terms(text)) <= 2


def resolve(messages: Sequence[Turn]) -> FollowUp:
    """The last user message and, when it depends on it, the previous user question."""
    users = [m.content.strip() for m in messages if m.role == "user" and m.content.strip()]
    question = users[-1]
    if len(users) > 1 and depends_on_history(question):
        return FollowUp(question, users[-2])
    return FollowUp(question, None)
