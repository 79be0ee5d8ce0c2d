"""Follow-ups without an LLM: when a message leans on earlier turns, and what it then retrieves."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_retrieval import make_index

from tpm_assistant.chat import Turn, depends_on_history, previous_passages, resolve
from tpm_assistant.retrieval import default_weights


@pytest.mark.parametrize("message", ["And in New York City?", "what about entry level?", "which firms?", "why?", "Is it worth it?"])
def test_elliptical_messages_depend_on_history(message):
    assert depends_on_history(message)


@pytest.mark.parametrize("message", ["What certifications help a technical project manager get promoted?", "How much do entry-level TPMs earn in Chicago?"])
def test_complete_questions_stand_alone(message):
    assert not depends_on_history(message)


def test_resolve_carries_the_earlier_question_and_answer_only_when_needed():
    turns = [Turn("user", "What is the average TPM salary?"), Turn("assistant", "About $104,711. [1]"), Turn("user", "And in New York City?")]
    follow = resolve(turns)
    assert follow.context == "What is the average TPM salary?" and follow.previous_answer == "About $104,711. [1]"
    standalone = resolve([*turns, Turn("assistant", "..."), Turn("user", "Which companies in healthcare hire technical project managers?")])
    assert standalone.context is None
    chain = resolve([*turns, Turn("assistant", "$112,547 [1]"), Turn("user", "and entry level?")])
    assert chain.context == "What is the average TPM salary? And in New York City?"


def test_previous_passages_marks_what_the_last_answer_quoted_and_its_neighbours():
    index, _ = make_index()
    quoted, neighbour = previous_passages(index, "Entry-level technical project managers typically start around $76,683 USD per year. [1]")
    assert np.flatnonzero(quoted).tolist() == [0]
    assert np.flatnonzero(neighbour).tolist() == [1]
    listed, _ = previous_passages(index, "Under “Where”, the guide lists: Cloud [1]; Gaming [2].")
    assert np.flatnonzero(listed).tolist() == [2, 3]


def conversation(assistant, first: str, then: str):
    return assistant.chat([Turn("user", first), Turn("assistant", assistant.ask(first).answer), Turn("user", then)])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("What is the average TPM salary?", "And in New York City?", "$112,547"),
        ("What industries hire technical project managers?", "Which companies in healthcare?", "Medtronic"),
        ("Which certification should a beginner get?", "What about someone who already has real project leadership experience?", "PMP"),
        ("Which cybersecurity companies hire TPMs?", "what do they work on?", "security infrastructure"),
        ("What does a project coordinator do?", "how long do people stay in that role?", "1-2 years"),
    ],
)
def test_follow_ups_are_answered_in_the_context_of_the_conversation(real_assistant, first, then, expected):
    follow = conversation(real_assistant, first, then)
    assert follow.answered and expected in follow.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("Which cybersecurity companies hire TPMs?", "what do they work on?", "security infrastructure"),
    ],
)
def test_without_the_conversation_the_same_message_misses(real_assistant, first, then, expected):
    alone = real_assistant.ask(then)
    assert not (alone.answered and expected in alone.answer)


def test_follow_up_scores_add_fitted_boosts_for_the_previous_answer_and_its_neighbours():
    from conftest import FakeEncoder

    from tpm_assistant.retrieval import Retriever

    index, _ = make_index()
    weights = copy.deepcopy(default_weights())
    weights["followup"] = {"message": 0.0, "quoted": 2.0, "neighbour": 0.5}
    retriever = Retriever(index, FakeEncoder(), weights)
    quoted, neighbour = previous_passages(index, "Entry-level technical project managers typically start around $76,683 USD per year. [1]")
    plain = retriever.search_followup("What is the pay?", "and later?", 5)
    boosted = retriever.search_followup("What is the pay?", "and later?", 5, quoted, neighbour)
    assert np.allclose(boosted.scores - plain.scores, 2.0 * quoted + 0.5 * neighbour)
