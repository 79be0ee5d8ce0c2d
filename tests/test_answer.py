"""Answer composition: markers, citations, sentence choice, two figures, lists, abstention."""

from __future__ import annotations

import copy
import re

import pytest
from conftest import GUIDE

from tpm_assistant.weights import SentenceWeights, Weights, default_weights

MARKER = re.compile(r"\[(\d+)\]")
pytestmark = pytest.mark.slow
GUIDE_TEXT = GUIDE.read_bytes().decode("utf-8")



def sentence_weights(section: dict) -> SentenceWeights:
    """The typed composer weights of a ``weights.json`` "sentence" section."""
    return Weights.from_dict({"sentence": section}).sentence

def check_citations(answer) -> None:
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert {int(n) for n in MARKER.findall(answer.answer)} <= set(numbers)
    for c in answer.citations:
        assert GUIDE_TEXT[c.start : c.end] == c.text
        assert len(c.text) <= 1000


def test_the_entry_level_salary_is_answered_with_its_figure_and_cited(real_assistant):
    answer = real_assistant.ask("What does an entry-level TPM earn?")
    assert answer.answered
    assert "$76,683" in answer.answer.split("[1]")[0]  # the first sentence answers, cited [1]
    assert "$76,683" in answer.citations[0].text
    assert answer.citations[0].section == "How much can you earn as a technical project manager?"
    check_citations(answer)


def test_the_answer_leads_with_the_sentence_that_answers_not_the_first_of_its_passage(real_assistant):
    answer = real_assistant.ask("What is the average TPM salary in New York City?")
    assert answer.answer.startswith("In major metropolitan areas like New York City, salaries are higher, averaging $112,547")
    check_citations(answer)


def test_two_figures_for_the_same_thing_are_both_shown_each_with_its_citation(real_assistant):
    answer = real_assistant.ask("What is the salary range for technical project managers?")
    assert "$85,000 to $130,000" in answer.answer and "$104,000 and $140,000" in answer.answer
    assert len(set(MARKER.findall(answer.answer))) >= 2
    check_citations(answer)
    weights = copy.deepcopy(default_weights())
    weights["sentence"].update(second_sentence_margin=-1.0, restatement_margin=-1.0)  # one sentence, unless a second figure
    question = "What is the salary range for technical project managers?"
    assert len(set(MARKER.findall(real_assistant.with_weights(weights).ask(question).answer))) == 2
    weights["sentence"]["second_figure_margin"] = -1.0  # the rule switched off: one figure only
    assert len(set(MARKER.findall(real_assistant.with_weights(weights).ask(question).answer))) == 1


def test_a_question_about_a_list_gets_every_item_cited_in_the_guide_order(real_assistant):
    answer = real_assistant.ask("What are the main challenges of being a technical project manager?")
    items = ["Heavy workload and stress", "Ambiguous requirements", "Keeping pace with emerging technologies",
             "Leading diverse and remote teams", "Managing stakeholder conflict",
             "Navigating regulatory and ESG requirements"]  # fmt: skip
    positions = [answer.answer.index(item) for item in items]
    assert positions == sorted(positions)
    assert answer.citations[0].text.startswith("Heavy workload")
    check_citations(answer)


def test_a_question_naming_one_item_of_a_list_gets_that_item_not_the_list(real_assistant):
    answer = real_assistant.ask("Which project management tools should I be familiar with?")
    assert "Jira" in answer.answer and "the guide lists" not in answer.answer
    check_citations(answer)


def test_a_sentence_that_points_back_keeps_the_sentence_it_points_to():
    from test_retrieval import make_index

    from tpm_assistant.answer import Composer, Sentence

    text = (
        "# Certs\n\n"
        "- PMP: PMP certification is widely recognized. It is usually more useful after real experience.\n"
        "- Agile: Scrum is common. Kanban too.\n"
    )
    index, _ = make_index(text)
    pmp, agile = index.chunks
    spans = [(s, e) for s, e in pmp.sentences]
    first = Sentence(0, 0, *spans[0], text[spans[0][0] : spans[0][1]], True, [])
    second = Sentence(0, 0, *spans[1], text[spans[1][0] : spans[1][1]], False, [])
    assert Composer._group_text(index, [first, second], [second]) == (
        "PMP: PMP certification is widely recognized. It is usually more useful after real experience."
    )
    # A later sentence that does not point back keeps only the bullet's label for context.
    s, e = agile.sentences[1]
    later = Sentence(0, 1, s, e, text[s:e], False, [])
    assert Composer._group_text(index, [later], [later]) == "Agile: Kanban too."


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How do I become a geoscientist?", "asdkjh qwe zzzz",
     "What's a good recipe for banana bread?", "How much does a registered nurse make?",
     "What is the average salary of a data scientist?"],
)
def test_questions_the_guide_does_not_cover_are_declined_plainly(real_assistant, question):
    answer = real_assistant.ask(question)
    assert not answer.answered
    assert answer.answer.startswith("The guide does not cover that. The nearest topics it covers: “")
    # The nearest topics are cited, so a reader (or the chat page) can open them.
    assert {int(n) for n in MARKER.findall(answer.answer)} == {c.n for c in answer.citations} and answer.citations
    check_citations(answer)


def test_abstention_is_the_fitted_model_not_a_default(real_assistant):
    """With the abstention threshold at 0 everything is answered: the declines above come from it."""
    weights = copy.deepcopy(default_weights())
    weights["abstain"]["threshold"] = 0.0
    assert real_assistant.with_weights(weights).ask("What is the capital of France?").answered


def test_a_question_about_another_job_is_declined_because_of_the_job(real_assistant, monkeypatch):
    """The data scientist's pay question finds the guide's salary passages; only the job tells them
    apart from a TPM pay question: the fitted job-mismatch signal, and the rule that a job far
    from the guide's subject is another job (abstain.OTHER_JOB), each alone."""
    from tpm_assistant import abstain

    question = "What is the average salary of a data scientist?"
    assert not real_assistant.ask(question).answered
    weights = copy.deepcopy(default_weights())
    weights["abstain"]["weights"][weights["abstain"]["features"].index("other_job")] = 0.0
    assert not real_assistant.with_weights(weights).ask(question).answered  # the rule
    monkeypatch.setattr(abstain, "OTHER_JOB", 0.0)
    assert not real_assistant.ask(question).answered  # the signal
    assert real_assistant.with_weights(weights).ask(question).answered
    assert real_assistant.ask("What is the average salary of a technical project manager?").answered


def test_a_second_statement_elsewhere_is_found_by_the_fitted_restatement_model():
    """The restatement model reads what a second statement of the same thing shares with the
    answer: here the kind of value (a salary figure), which an unrelated sentence lacks."""
    from test_retrieval import make_index

    from tpm_assistant.answer import RESTATEMENT_FEATURES, Composer, restatement_candidates, sentence_candidates
    from tpm_assistant.retrieval import Retriever

    text = """# Benefits

- Pay: Average salaries range from $85,000 to $130,000 annually.
- Teams: Managers coordinate engineers and analysts every day.

# How much can you earn?

In 2025 manager salaries range between $104,000 and $140,000 annually.
"""
    index, encoder = make_index(text)
    plain = {"features": ["cos"], "weights": [1.0], "restatement_margin": 1.0, "max_restatements": 1}
    ranking = Retriever(index, encoder).search("What salary range do managers earn?", 3)
    composer = Composer(sentence_weights(plain | {"restatement_model": {"weights": {"same_value": 2.0}, "bias": -1.0}}))
    candidates = sentence_candidates(index, ranking)
    composer.score(candidates)
    best = max(candidates, key=lambda s: s.score)
    found = restatement_candidates(index, ranking, best, composer)
    assert all(set(r.features) == set(RESTATEMENT_FEATURES) for r in found)
    said = [s.text for s in composer.restatements(index, ranking, best, found)]
    assert len(said) == 1 and "$" in said[0] and said[0] != best.text
    # Without the value feature the same model keeps nothing.
    blind = Composer(sentence_weights(plain | {"restatement_model": {"weights": {"same_value": 0.0}, "bias": -1.0}}))
    assert blind.restatements(index, ranking, best, found) == []


def test_a_question_about_a_place_in_a_list_gets_that_item():
    """"What is the first stage on the path?" is answered by the first bullet of the list its best
    passage sits in, and "the last" by the last; "first" as an adverb is no place in a list."""
    from test_retrieval import make_index

    from tpm_assistant.answer import Composer
    from tpm_assistant.retrieval import Retriever

    text = """# What is the career path?

The path usually starts with support work and grows into ownership of delivery.

- Coordinator: In this entry stage you organize meetings and update plans.
- Manager: After some years you manage full projects and budgets.
- Director: These roles focus on strategy and portfolio planning.
"""
    index, encoder = make_index(text)
    retriever = Retriever(index, encoder)
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    first = composer.compose(index, retriever.search("What is the first stage on the career path?", 3))
    assert first.answer.startswith("Coordinator: In this entry stage") and first.citations[0].text.startswith("Coordinator")
    last = composer.compose(index, retriever.search("What is the last stage of the career path?", 3))
    assert last.answer.startswith("Director:")
    assert composer.ordinal_item(index, retriever.search("Which stage should I aim for first?", 3)) is None
    blind = Composer(sentence_weights({"features": ["cos"], "weights": [1.0], "ordinals": False}))
    assert blind.ordinal_item(index, retriever.search("What is the first stage on the career path?", 3)) is None


PATH_AND_QUOTES = """# What is the career path?

The career path usually starts with support work and grows into ownership of delivery.

- Coordinator: In this entry stage you organize meetings and update plans.
- Manager: After some years you manage full projects and budgets.
- Senior manager: With more years you lead larger initiatives and mentor others.
- Director: These roles focus on strategy and portfolio planning.

# What do professionals say?

- "The career path here offers real development for every job holder."
- "The job gives a clear path for career advancement."
- "I found the job rewarding from the first day."
"""


def test_a_place_in_a_list_is_taken_from_the_best_passages_own_section():
    """ "The first job on the career path": when the best passage opens a section with a list, the
    place is in that list, though another list (quotes that say "job" and "path") gathers more of the
    best passages."""
    import dataclasses

    import numpy as np
    from test_retrieval import chunk_with, make_index

    from tpm_assistant.answer import Composer
    from tpm_assistant.retrieval import Hit, Retriever

    index, encoder = make_index(PATH_AND_QUOTES)
    ranking = Retriever(index, encoder).search("What is the first job on the career path?", 3)
    intro = chunk_with(index, "The career path usually starts")
    quotes = [chunk_with(index, q) for q in ("real development", "clear path", "rewarding")]
    scores = np.full(len(index.chunks), 1.0)
    scores[intro] = 10.0
    scores[quotes] = 9.0  # three quotes just below the intro outvote the path's one passage
    ranking = dataclasses.replace(ranking, scores=scores, hits=[Hit(intro, 10.0)] + [Hit(q, 9.0) for q in quotes])
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    assert composer.list_items(index, ranking) == quotes  # what the whole-list questions use
    assert composer.ordinal_item(index, ranking) == chunk_with(index, "Coordinator: In this entry stage")


def test_of_two_lists_the_best_passages_vote_for_about_equally_the_closer_heading_wins(monkeypatch):
    """"The abilities a TPM brings" may match a bullet of another list as well as the skills: the
    list whose heading is closer in meaning to the question is chosen (answer.LIST_HEADING); by the
    passages' votes alone, the other list wins."""
    import dataclasses

    import numpy as np
    from test_retrieval import chunk_with, make_index

    from tpm_assistant import answer
    from tpm_assistant.answer import Composer
    from tpm_assistant.retrieval import FEATURE_COLUMN, Hit, Retriever

    index, encoder = make_index(PATH_AND_QUOTES)
    ranking = Retriever(index, encoder).search("What does the job bring?", 3)
    path = [chunk_with(index, t) for t in ("Coordinator: In this entry", "Manager: After some", "Senior manager:", "Director:")]
    quotes = [chunk_with(index, q) for q in ("real development", "clear path", "rewarding")]
    scores = np.full(len(index.chunks), 1.0)
    scores[quotes[0]], scores[path[0]] = 3.02, 3.0  # one passage each, the quote a little higher
    features = np.array(ranking.features, copy=True)
    features[:, FEATURE_COLUMN["head"]] = 0.2
    features[path, FEATURE_COLUMN["head"]] = 0.6  # the path's heading is the closer
    ranking = dataclasses.replace(ranking, scores=scores, features=features, hits=[Hit(quotes[0], 3.02), Hit(path[0], 3.0)])
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    assert composer.list_items(index, ranking) == path
    monkeypatch.setattr(answer, "LIST_HEADING", 0.0)
    assert composer.list_items(index, ranking) == quotes


def test_a_question_from_one_item_to_another_gets_the_items_between_in_order():
    """ "The path from coordinator to director" is the list from the item one end names to the
    item the other names, in the guide's order, whichever way the question goes."""
    from test_retrieval import chunk_with, make_index

    from tpm_assistant.answer import Composer
    from tpm_assistant.retrieval import Retriever

    index, encoder = make_index(PATH_AND_QUOTES)
    retriever = Retriever(index, encoder)
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    stages = [chunk_with(index, f"{s}:") for s in ("Coordinator", "Manager", "Senior manager", "Director")]
    whole = composer.compose(index, retriever.search("What does the career path look like from coordinator to director?", 3))
    assert whole.answer.index("Coordinator") < whole.answer.index("Manager [") < whole.answer.index("Director")
    assert [c.chunk_id for c in whole.citations] == [index.chunks[s].id for s in stages]
    # "manager" names two items: the one named by just that word is meant.
    assert composer.range_items(index, retriever.search("How do I get from director down to manager?", 3)) == stages[1:]
    assert composer.range_items(index, retriever.search("I moved from engineering to the career path", 3)) is None
    blind = Composer(sentence_weights({"features": ["cos"], "weights": [1.0], "ranges": False}))
    assert blind.range_items(index, retriever.search("the career path from coordinator to director", 3)) is None


def test_a_question_asking_for_a_value_opens_with_the_sentence_that_gives_one():
    """"How long do people stay there?": when the best sentence gives no duration and another
    sentence of the answer does, that one leads; the answer keeps the same sentences."""
    from types import SimpleNamespace

    from tpm_assistant.answer import Composer, Sentence

    def sentence(chunk: int, text: str) -> Sentence:
        return Sentence(hit=chunk, chunk=chunk, start=0, end=len(text), text=text, first=True, features=[])

    intro = sentence(0, "The path starts with support work and grows into ownership of delivery.")
    stage = sentence(1, "Expect to spend 1-2 years developing documentation discipline.")
    how_long = SimpleNamespace(query=SimpleNamespace(wants=frozenset({"duration"})))
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    assert composer._value_first([intro, stage], how_long) == [stage, intro]  # type: ignore[arg-type]
    what = SimpleNamespace(query=SimpleNamespace(wants=frozenset()))
    assert composer._value_first([intro, stage], what) == [intro, stage]  # type: ignore[arg-type]
    blind = Composer(sentence_weights({"features": ["cos"], "weights": [1.0], "value_first": False}))
    assert blind._value_first([intro, stage], how_long) == [intro, stage]  # type: ignore[arg-type]


INTERNSHIPS = """# How to Become a Technical Project Manager

Technical project managers, often called TPMs, plan technical work. Technical project managers lead delivery.

# Where to intern

Internships give you real project experience.

- Corporations: Companies like ServiceNow offer an Associate Program Manager Intern role. Regular check-ins help interns grow.
- Healthcare providers: NYU Langone Health offers internships in project software. TPMs there support project delivery.
- Engineering firms: AtkinsRéalis, which specializes in design, offers project controls internships.
- Government agencies: The Metropolitan Transportation Authority (MTA) offers technology project internships.
"""


def test_a_whole_list_names_what_each_item_gives_not_the_guides_subject_or_a_sentence_opener():
    """ "Which hospitals offer internships?" is answered by "NYU Langone Health", which the list
    of kinds of organisation shows beside its item (a name with the acronym the guide gives it); a
    capitalised word opening a sentence ("Regular") and the guide's own subject ("TPMs") are no
    names."""
    from test_retrieval import chunk_with, make_index

    from tpm_assistant.answer import Composer
    from tpm_assistant.retrieval import Retriever

    index, encoder = make_index(INTERNSHIPS)
    ranking = Retriever(index, encoder).search("Which hospitals offer internships?", 3)
    labels = ("Corporations", "Healthcare providers", "Engineering firms", "Government agencies")
    items = [chunk_with(index, label) for label in labels]
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    answer = composer.compose_list(index, ranking, items).answer
    assert "Corporations (ServiceNow, Associate Program Manager Intern) [" in answer
    assert "Healthcare providers (NYU Langone Health) [" in answer
    assert "Engineering firms (AtkinsRéalis) [" in answer
    assert "Government agencies (Metropolitan Transportation Authority (MTA)) [" in answer  # with its acronym
    assert "Regular" not in answer and "TPMs" not in answer


def test_a_question_naming_an_item_gets_the_one_after_or_before_it():
    """ "What comes after the senior manager stage?" is answered by the item after the one its words
    name (the item named by just those words: "Senior manager", not "Manager"); "how long before
    ...?" asks for a time, not an item."""
    from test_retrieval import chunk_with, make_index

    from tpm_assistant.answer import Composer
    from tpm_assistant.retrieval import Retriever

    index, encoder = make_index(PATH_AND_QUOTES)
    retriever = Retriever(index, encoder)
    composer = Composer(sentence_weights({"features": ["cos"], "weights": [1.0]}))
    after = retriever.search("What comes after the senior manager stage on the career path?", 3)
    assert composer.beside_item(index, after) == chunk_with(index, "Director: These roles")
    assert composer.compose(index, after).answer.startswith("Director:")
    before = retriever.search("What comes before the manager stage on the career path?", 3)
    assert composer.beside_item(index, before) == chunk_with(index, "Coordinator: In this entry stage")
    assert composer.beside_item(index, retriever.search("How long before I am a senior manager on the path?", 3)) is None
    # "above" and "below" a stage step along the path too
    above = retriever.search("Which roles sit above the senior manager stage on the career path?", 3)
    assert composer.beside_item(index, above) == chunk_with(index, "Director: These roles")
    below = retriever.search("What is below the manager stage on the career path?", 3)
    assert composer.beside_item(index, below) == chunk_with(index, "Coordinator: In this entry stage")
