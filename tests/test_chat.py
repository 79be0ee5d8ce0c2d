"""Follow-ups without an LLM: when a message leans on earlier turns, and what it then retrieves."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_retrieval import make_index

from tpm_assistant.chat import FollowUp, Turn, boosts, context_text, depends_on_history, quoted_passages, resolve
from tpm_assistant.weights import default_weights


@pytest.mark.parametrize(
    "message", ["And in New York City?", "what about entry level?", "which firms?", "why?", "Is it worth it?"]
)
def test_elliptical_messages_depend_on_history(message):
    assert depends_on_history(message)


@pytest.mark.parametrize(
    "message",
    ["What certifications help a technical project manager get promoted?", "How much do entry-level TPMs earn in Chicago?"],
)
def test_complete_questions_stand_alone(message):
    assert not depends_on_history(message)


def test_resolve_carries_the_earlier_question_and_answer_only_when_needed():
    turns = [
        Turn("user", "What is the average TPM salary?"),
        Turn("assistant", "About $104,711. [1]"),
        Turn("user", "And in New York City?"),
    ]
    follow = resolve(turns)
    assert follow.context == ("What is the average TPM salary?",) and follow.previous_answer == "About $104,711. [1]"
    assert follow.explicit and follow.substitutes
    new_question = Turn("user", "Which companies in healthcare hire technical project managers?")
    standalone = resolve([*turns, Turn("assistant", "..."), new_question])
    assert standalone.standalone
    chain = resolve([*turns, Turn("assistant", "$112,547 [1]"), Turn("user", "and entry level?")])
    assert chain.context == ("What is the average TPM salary?", "And in New York City?")


def test_a_short_question_that_says_what_it_asks_ends_the_chain_a_later_follow_up_reads():
    """"Which certification should I get first?" after two salary turns is short, but asks its own
    question: "what about after that one?" follows it alone, without the salary turns; a message
    naming one thing ("which firms?") still carries the question before it."""
    salary = [Turn("user", "What does an entry-level TPM earn?"), Turn("assistant", "$76,683 [1]"),
              Turn("user", "And in New York City?"), Turn("assistant", "$112,547 [1]")]  # fmt: skip
    then = [Turn("user", "Which certification should I get first?"), Turn("assistant", "CAPM [1]"),
            Turn("user", "what about after that one?")]  # fmt: skip
    assert resolve([*salary, *then]).context == ("Which certification should I get first?",)
    firms = [Turn("user", "Where do TPMs work?"), Turn("assistant", "..."), Turn("user", "which firms?"),
             Turn("assistant", "..."), Turn("user", "what about in finance?")]  # fmt: skip
    assert resolve(firms).context == ("Where do TPMs work?", "which firms?")


@pytest.mark.parametrize(
    ("message", "direction", "ordinal"),
    [("And what comes after that?", 1, None), ("what came before it?", -1, None), ("tell me about the second one", 0, 2),
     ("and the last stage?", 0, -1), ("and why?", 0, None)],
)  # fmt: skip
def test_a_follow_up_says_where_it_points(message, direction, ordinal):
    follow = resolve([Turn("user", "What are the career stages?"), Turn("assistant", "..."), Turn("user", message)])
    assert (follow.direction, follow.ordinal) == (direction, ordinal)


def test_a_bare_next_leans_on_the_conversation_a_next_from_a_named_place_does_not(monkeypatch):
    """"What role comes next?" steps on from where the conversation is (chat.BARE_NEXT); "What's the
    next step after senior?" names its own place and stands alone."""
    from tpm_assistant import chat

    stage = [Turn("user", "How long do coordinators stay at that stage?"), Turn("assistant", "1-2 years [1]")]
    follow = resolve([*stage, Turn("user", "What role comes next?")])
    assert follow.context == ("How long do coordinators stay at that stage?",) and follow.direction == 1
    assert not depends_on_history("What's the next step after senior project manager?")
    monkeypatch.setattr(chat, "BARE_NEXT", False)
    assert resolve([*stage, Turn("user", "What role comes next?")]).standalone


def test_what_about_swaps_the_earlier_questions_specific_words_for_the_new_ones():
    index, _ = make_index()
    gaming = "Gaming: Employers such as Epic Games need project managers for game development workflows. [1]"
    follow = resolve([Turn("user", "Which gaming employers hire?"), Turn("assistant", gaming), Turn("user", "what about cloud?")])
    assert context_text(follow, index) == "Which employers hire?"  # the quoted item's label gives way
    named = resolve([Turn("user", "Does Epic Games hire?"), Turn("assistant", "..."), Turn("user", "and Amazon?")])
    assert context_text(named, index) == "Does hire?"  # and so does a name
    same = FollowUp("and why?", ("Which gaming employers hire?",), None)
    assert context_text(same, index) == "Which gaming employers hire?"  # not a substitution: kept whole


def test_quoted_passages_come_in_the_order_the_answer_quotes_them_with_their_neighbours():
    index, _ = make_index()
    entry = "Entry-level technical project managers typically start around $76,683 USD per year. [1]"
    assert quoted_passages(index, entry) == [0]
    assert quoted_passages(index, "Under “Where”, the guide lists: Gaming [1]; Cloud [2].") == [3, 2]
    follow = FollowUp("and what comes after that?", ("What is the pay?",), entry, direction=1)
    marks = boosts(index, follow)
    assert np.flatnonzero(marks.quoted).tolist() == [0] and np.flatnonzero(marks.neighbour).tolist() == [1]
    assert np.flatnonzero(marks.direction).tolist() == [1]
    second = FollowUp("the second one?", ("Where?",), "Under “Where”, the guide lists: Cloud [1]; Gaming [2].", ordinal=2)
    assert np.flatnonzero(boosts(index, second).ordinal).tolist() == [3]


def test_after_points_past_the_first_list_item_the_answer_quoted():
    """An answer quoting an introduction, then the first item of a list: "what comes after that?"
    means the item after that one, not the item after the introduction (the quoted item itself)."""
    index, _ = make_index()
    answer = f"{index.chunks[1].text} [1] {index.chunks[2].text} [2]"
    assert quoted_passages(index, answer) == [1, 2]
    follow = FollowUp("what comes after that?", ("What is the first stage?",), answer, direction=1)
    assert np.flatnonzero(boosts(index, follow).direction).tolist() == [3]


def test_a_place_in_a_list_is_no_constraint_of_the_question():
    """"the second one" points at an item: "second" is no word the answer must hold, however
    rarely the guide uses it."""
    from tpm_assistant.query import analyze, constraints_of

    index, _ = make_index()
    asked = [c.text for c in constraints_of("how long do people spend in the second or the 3rd one?", index)]
    assert "spend" in asked and not {"second", "3rd"} & set(asked)  # an unknown word still is one
    assert [c.text for c in constraints_of("and the second for Gaming?", index)] == ["Gaming"]
    assert "second" not in analyze("the second one?", index).oov


def conversation(assistant, first: str, then: str):
    return assistant.chat([Turn("user", first), Turn("assistant", assistant.ask(first).answer), Turn("user", then)])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("What is the average TPM salary?", "And in New York City?", "$112,547"),
        ("What industries hire technical project managers?", "Which companies in healthcare?", "Medtronic"),
        (
            "Which certification should a beginner get?",
            "What about someone who already has real project leadership experience?",
            "PMP",
        ),
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


def test_follow_up_scores_add_fitted_boosts_for_each_kind_of_reference():
    from conftest import FakeEncoder

    from tpm_assistant.retrieval import Retriever

    index, _ = make_index()
    weights = copy.deepcopy(default_weights())
    weights["followup"] = {"message": 0.0, "quoted": 2.0, "neighbour": 0.5, "direction": 3.0, "ordinal": 0.0}
    retriever = Retriever(index, FakeEncoder(), weights)
    entry = "Entry-level technical project managers typically start around $76,683 USD per year. [1]"
    marks = boosts(index, FollowUp("and later?", ("What is the pay?",), entry, direction=1))
    plain = retriever.search_followup("What is the pay?", "and later?", 5)
    boosted = retriever.search_followup("What is the pay?", "and later?", 5, marks)
    assert np.allclose(boosted.scores - plain.scores, 2.0 * marks.quoted + 0.5 * marks.neighbour + 3.0 * marks.direction)


@pytest.mark.parametrize("message", ["what kinds of projects?", "which firms?", "salary?"])
def test_a_message_with_one_content_word_is_read_with_the_conversation(message):
    """It cannot say on its own what it is about, so no standalone check lets it drop the
    conversation ("what kinds of projects?" after a question about energy companies)."""
    asked = Turn("user", "Which energy companies employ technical project managers?")
    follow = resolve([asked, Turn("assistant", "..."), Turn("user", message)])
    assert follow.context and follow.explicit
    two = resolve(
        [Turn("user", "What is the average TPM salary?"), Turn("assistant", "..."), Turn("user", "Which certification first?")]
    )
    assert two.context and not two.explicit  # two content words: may stand alone when the guide answers it


def test_a_message_pointing_at_another_item_does_not_ask_for_the_earlier_value():
    """"and in Chicago?" after a salary question asks for a salary; "what comes after it?" after
    "how long do people stay there?" asks what comes next, not how long."""
    from tpm_assistant.query import analyze

    index, _ = make_index()
    text = "How long do people stay in the first stage? what comes after it?"
    assert analyze(text, index, focus="what comes after it?").wants == frozenset({"duration"})
    assert analyze(text, index, focus="what comes after it?", inherit_wants=False).wants == frozenset()


def test_what_comes_after_a_stage_is_the_next_stage_after_asking_how_long(real_assistant):
    turns: list[Turn] = []
    for message in ("What is the first role on the career path?", "How long do people stay there?"):
        turns += [Turn("user", message), Turn("assistant", real_assistant.chat([*turns, Turn("user", message)]).answer)]
    answer = real_assistant.chat([*turns, Turn("user", "and what comes after it?")])
    assert answer.answered and answer.answer.startswith("Assistant Project Manager or Junior Technical Project Manager")


def test_a_follow_up_pointing_along_a_list_fills_no_slot_of_the_question_before():
    """ "and what's the next step after it?" opens like "and in Chicago?" but points at the next
    item: the earlier question keeps its words ("project coordinator"), which say where "it" is."""
    index, _ = make_index()
    earlier = [Turn("user", "How long is the Project Coordinator stage?"), Turn("assistant", "1-2 years [1]")]
    follow = resolve([*earlier, Turn("user", "and what's the next step after it?")])
    assert follow.direction == 1 and not follow.substitutes
    assert context_text(follow, index) == "How long is the Project Coordinator stage?"
    assert resolve([*earlier, Turn("user", "and in Chicago?")]).substitutes


def test_the_passage_an_answer_quoted_first_counts_most_as_what_it_is_about():
    """ "What kind of work do TPMs do there?" after an answer quoting the finance bullet, then an
    outlook sentence naming finance in passing: "there" is the answer's main point, quoted first."""
    from tpm_assistant.chat import QUOTED_LATER

    index, _ = make_index()
    answer = "Under “Where”, the guide lists: Gaming [1]; Cloud [2]."
    marks = boosts(index, FollowUp("what do they do there?", ("Where?",), answer))
    assert marks.quoted[3] == 1.0 and marks.quoted[2] == QUOTED_LATER < 1.0


def test_after_an_item_the_message_names_points_past_that_item():
    """ "what comes after senior manager?" after an answer quoting the path's introduction points
    past the item it names, not past what the answer quoted."""
    from test_answer import PATH_AND_QUOTES
    from test_retrieval import chunk_with

    index, _ = make_index(PATH_AND_QUOTES)
    intro = index.chunks[chunk_with(index, "The career path usually starts")].text
    follow = FollowUp("what comes after senior manager?", ("What is the career path?",), f"{intro} [1]", direction=1)
    assert np.flatnonzero(boosts(index, follow).direction).tolist() == [chunk_with(index, "Director: These roles")]
    vague = FollowUp("what comes after it?", ("What is the career path?",), f"{intro} [1]", direction=1)
    assert np.flatnonzero(boosts(index, vague).direction).tolist() == [chunk_with(index, "Coordinator: In this")]


def test_a_step_along_a_list_needs_a_sequence_and_goes_the_way_its_word_says():
    """Only a sequence (a path, stages) is stepped along; "before" steps back even after a
    connective "then"; "then" opening or closing a message is no direction."""
    from test_answer import PATH_AND_QUOTES
    from test_retrieval import chunk_with

    from tpm_assistant.chat import direction_of, named_item

    index, _ = make_index(PATH_AND_QUOTES)
    path = index.section_bullets(chunk_with(index, "Coordinator: In this entry stage"))
    senior = chunk_with(index, "Senior manager: With more years")
    assert named_item(index, "Then what comes before senior manager?", path) == (senior, -1)
    assert named_item(index, "What comes after senior manager?", path) == (senior, 1)
    index2, _ = make_index(GUIDE_LIKE_LIST)
    tools = index2.section_bullets(chunk_with(index2, "Jira:"))
    assert named_item(index2, "What should I learn after Jira?", tools) is None  # no sequence
    assert direction_of("What about Chicago, then?") == 0 and direction_of("and what comes next?") == 1


GUIDE_LIKE_LIST = """# Which tools should you know?

- Jira: Track issues and sprints in Jira.
- Asana: Plan work in Asana boards.
- Trello: Keep simple boards in Trello.
"""


def test_the_ways_a_message_says_it_changes_the_subject():
    """"switching topics -", "unrelated, but", "different q:", "by the way,": the message stands alone
    (chat._NEW_TOPIC), read without the marker; "switching topics" was read as a constraint."""
    from tpm_assistant.chat import Turn, resolve

    earlier = [Turn("user", "Which industries hire TPMs?"), Turn("assistant", "Energy [1]")]
    for marker in ("switching topics - ", "Unrelated, but ", "different q: ", "By the way, ", "Totally different question: "):
        follow = resolve([*earlier, Turn("user", f"{marker}what's the projected growth rate for the role?")])
        assert follow.standalone and follow.question == "what's the projected growth rate for the role?"
    assert not resolve([*earlier, Turn("user", "and what projects do they do there?")]).standalone


def test_an_acknowledgement_run_into_a_follow_up_is_read_past(monkeypatch):
    """"ok and what about people with a lot of experience?" fills the earlier question's slot as
    "and what about ...?" does (chat._ACK); "ok thanks. and ..." ends the acknowledgement in a sentence
    of its own and is read as before."""
    import re

    from tpm_assistant import chat
    from tpm_assistant.chat import Turn, resolve

    earlier = [Turn("user", "how much do entry level TPMs make?"), Turn("assistant", "$76,683 [1]")]
    follow = resolve([*earlier, Turn("user", "ok and what about people with a lot of experience?")])
    assert follow.substitutes and follow.context == ("how much do entry level TPMs make?",)
    assert not resolve([*earlier, Turn("user", "ok thanks. Which certifications help a new TPM most?")]).context
    monkeypatch.setattr(chat, "_SUBSTITUTION", re.compile(chat._SUBSTITUTION.pattern.replace(chat._ACK, ""), re.I))
    assert not resolve([*earlier, Turn("user", "ok and what about people with a lot of experience?")]).substitutes


def test_my_role_is_the_job_the_asker_said_they_have(monkeypatch):
    """"how long do people usually stay in my role?" after "I'm a project coordinator right now"
    (three turns back) is read naming it (chat.ASKER_ROLE); "I'm a bit confused" says no job."""
    from tpm_assistant import chat
    from tpm_assistant.chat import Turn, resolve

    turns = [Turn("user", "I'm a project coordinator right now"), Turn("assistant", "..."),
             Turn("user", "which sectors have special credential needs?"), Turn("assistant", "..."),
             Turn("user", "how long do people usually stay in my role?")]  # fmt: skip
    assert resolve(turns).question == "how long do people usually stay in my role? (project coordinator)"
    assert chat.asker_role([Turn("user", "I'm a bit confused")], 1) is None
    monkeypatch.setattr(chat, "ASKER_ROLE", False)
    assert resolve(turns).question == "how long do people usually stay in my role?"


def test_the_first_stage_is_the_sequences_first_whichever_the_answer_quoted_first(monkeypatch):
    """An answer quoting the path's stages last first (the ones a question matched best): "the
    first stage" is the path's first stage (chat.SEQUENCE_ORDINALS), "the first one" the one quoted
    first."""
    from test_answer import PATH_AND_QUOTES
    from test_retrieval import chunk_with

    from tpm_assistant import chat

    index, _ = make_index(PATH_AND_QUOTES)
    director, senior = chunk_with(index, "Director: These"), chunk_with(index, "Senior manager: With")
    answer = f"{index.chunks[director].text} [1] {index.chunks[senior].text} [2]"
    history = [Turn("user", "What does the career ladder look like?"), Turn("assistant", answer)]

    def pointed(message: str) -> list[int]:
        return np.flatnonzero(boosts(index, resolve([*history, Turn("user", message)])).ordinal).tolist()

    assert pointed("How long do people spend in the first stage?") == [chunk_with(index, "Coordinator: In this")]
    assert pointed("How long do people spend in the first one?") == [director]
    monkeypatch.setattr(chat, "SEQUENCE_ORDINALS", False)
    assert pointed("How long do people spend in the first stage?") == [director]


def test_before_an_action_is_no_step_back_along_a_list(monkeypatch):
    """"what should I weigh before enrolling?" asks about the asker's own timing, and "prior
    experience" about what they bring: neither steps along a list (chat.TIMED_ACTIONS), as "what
    comes before that?" does."""
    from tpm_assistant import chat
    from tpm_assistant.chat import direction_of

    assert direction_of("If I still want one, what should I weigh before enrolling?") == 0
    assert direction_of("and what about someone with prior experience?") == 0
    assert direction_of("and after getting the PMP?") == 0
    assert direction_of("what comes before that?") == -1 and direction_of("what is the stage after something else?") == 1
    monkeypatch.setattr(chat, "TIMED_ACTIONS", False)
    assert direction_of("If I still want one, what should I weigh before enrolling?") == -1


def test_one_of_those_points_at_what_the_answer_named_and_fills_no_slot(monkeypatch):
    """"and what would I actually do at one of those?" after healthcare employers opens like "and
    in Chicago?", but points at what the answer named: the earlier question keeps "healthcare"
    (chat.POINTED_ITEMS)."""
    from tpm_assistant import chat

    earlier = [Turn("user", "which healthcare orgs hire project managers?"), Turn("assistant", "Medtronic [1]")]
    message = Turn("user", "and what would I actually do at one of those?")
    assert not resolve([*earlier, message]).substitutes
    assert resolve([*earlier, Turn("user", "and in Chicago?")]).substitutes
    monkeypatch.setattr(chat, "POINTED_ITEMS", False)
    assert resolve([*earlier, message]).substitutes
