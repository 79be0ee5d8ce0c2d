"""Several guides, each about one job, on small crafted input (fake encoder, real build and index
code): every test fails if its technique is removed."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder, build_index

from tpm_assistant.answer import Composer
from tpm_assistant.retrieval import Retriever, same_job
from tpm_assistant.weights import typed

TPM = """# How to Become a Technical Project Manager

## How much can you earn?

Entry-level technical project managers typically start around $76,683 USD per year.

## What internships can you apply for?

- Corporations: Companies like ServiceNow offer project internships.
- Government agencies: The Metropolitan Transportation Authority offers technology project internships.
- Nonprofits: Groups such as Code for America welcome project interns.

## What skills do you need?

- Communication: Explain technical trade-offs to business stakeholders.
- Scheduling: Build realistic timelines with engineering leads.
- Risk management: Track risks and dependencies before they become blockers.
- Budgeting: Keep spending within the approved plan.

## Tips for success

- Listen first: Understand how engineers estimate before you commit to dates.
- Write it down: Keep decisions and owners in one shared document.
- Stay calm: Escalate early when a dependency slips.
- Keep learning: Follow the tools your teams adopt.
"""

# The same guide for another job: most sentences shared, the figures and the job changed.
DATA = (
    TPM.replace("Technical Project Manager", "Data Engineer")
    .replace("technical project managers", "data engineers")
    .replace("76,683", "88,120")
    .replace("Metropolitan Transportation Authority", "Department of Energy")
)


def index_of(documents: dict[str, str]) -> object:
    return build_index(Path(tempfile.mkdtemp(prefix="tpm-guides-")) / "version", documents, FakeEncoder())


def passages_of(index, source: str) -> list[int]:
    return [i for i, c in enumerate(index.chunks) if c.source == source]


def test_a_guide_scores_as_it_would_alone():
    """BM25 and character-gram weights use each guide's own statistics: adding a guide that shares
    most words does not change how the first one's passages score."""
    alone = index_of({"tpm.md": TPM})
    both = index_of({"tpm.md": TPM, "data.md": DATA})
    terms = dict.fromkeys(["entri", "level", "earn", "intern", "govern"], 1.0)
    mine = passages_of(both, "tpm.md")
    assert np.allclose(alone.passage_bm25.score(terms), both.passage_bm25.score(terms)[mine], atol=1e-5)
    grams = {"ent": 0.5, "ear": 0.5}
    assert np.allclose(alone.grams.score(grams), both.grams.score(grams)[mine], atol=1e-5)
    # The question's side too: its tokens' and n-grams' IDF within the guide answering.
    guide = [s for s, _, _ in both.documents].index("tpm.md")
    tokens = alone.tok_idf_ids[:20].tolist()
    assert [round(both.tok_idf(t, guide), 5) for t in tokens] == [round(alone.tok_idf(t), 5) for t in tokens]
    assert [both.tok_idf(t) for t in tokens] != [alone.tok_idf(t) for t in tokens]  # the corpus-wide figure differs
    assert both.gram_idf_in(["ent", "ear"], guide) == pytest.approx({g: alone.gram_idf.get(g) for g in ("ent", "ear")})


def test_a_question_is_answered_from_the_guide_about_the_job_it_names_else_from_the_home_job():
    index = index_of({"tpm.md": TPM, "data.md": DATA})
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")

    def sources(found: Retriever, question: str) -> set[str]:
        return {index.chunks[h.chunk].source for h in found.search(question, 4).hits}

    assert sources(retriever, "What does an entry-level data engineer earn?") == {"data.md"}
    assert sources(retriever, "What does an entry-level technical project manager earn?") == {"tpm.md"}
    assert sources(retriever, "What does it pay at entry level?") == {"tpm.md"}  # no job named: the home job's
    anywhere = Retriever(index, FakeEncoder(), typed(None), home_job="")
    assert sources(anywhere, "What does it pay at entry level?") == {"tpm.md", "data.md"}


def test_the_job_a_question_names_is_compared_with_the_answering_guide_only():
    """A job no guide is about is far from the guide answering, even when another guide is about a
    job with similar words."""
    index = index_of({"tpm.md": TPM, "data.md": DATA})
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")
    home = retriever.documents_about(retriever.analyze("What does a data scientist earn?"))
    assert home is not None and {index.documents[d][0] for d in home} == {"tpm.md"}
    assert retriever.role_similarity("data scientist", home) < retriever.role_similarity("data scientist")


def test_postings_read_within_a_budget_rarest_terms_first():
    index = index_of({"tpm.md": TPM, "data.md": DATA})
    terms = dict.fromkeys(["metropolitan", "intern", "project"], 1.0)
    full = index.passage_bm25.score(terms)
    best = index.passage_bm25.top(terms, 3)
    assert set(best.tolist()) == set(np.argsort(-full, kind="stable")[:3].tolist())
    # With room for one term only, the rarest ("metropolitan", in one passage) is the one read.
    only_rare = index.passage_bm25.top(terms, 5, budget=1)
    assert [index.chunks[i].label for i in only_rare] == ["Government agencies"]


def test_a_question_naming_one_item_of_a_list_gets_that_item():
    index = index_of({"tpm.md": TPM})
    retriever = Retriever(index, FakeEncoder())
    ranking = retriever.search("Which government agency offers internships?", 3)
    composer = Composer(typed(None).sentence)
    assert composer.list_items(index, ranking)  # the best passage is in a list...
    assert composer.list_section(index, ranking) is None  # ...but the question asks for one item
    answer = composer.compose(index, ranking)
    assert "Metropolitan Transportation Authority" in answer.answer and "Nonprofits" not in answer.answer


def test_the_same_passage_in_two_guides_is_cited_once():
    index = index_of({"tpm.md": TPM, "data.md": DATA})
    ranking = Retriever(index, FakeEncoder(), typed(None), home_job="").search("Which groups welcome project interns?", 4)
    texts = [index.chunks[h.chunk].text for h in ranking.hits]
    assert len(texts) > len(set(texts))  # both guides' copies are found...
    answer = Composer(typed(None).sentence).compose(index, ranking)
    cited = [c.text for c in answer.citations]
    assert len(cited) == len(set(cited))  # ...and cited once


@pytest.mark.parametrize(
    ("role", "subject", "similarity", "same"),
    [
        ("data scientist", "Data Engineer", 0.81, False),  # close in meaning, another kind of worker
        ("electrician", "Electrical Engineer", 0.81, False),
        ("tech project manager", "Technical Project Manager", 0.95, True),
        ("frontend dev", "Front-End Developer", 0.84, True),  # a clipped last word
        ("devops", "DevOps Engineer", 0.86, True),  # part of the subject's name
        ("web designer", "Web Developer", 0.79, False),  # not close enough
    ],
)
def test_a_job_is_a_guides_subject_when_close_and_the_same_kind_of_worker(role, subject, similarity, same):
    assert same_job(role, subject, similarity) is same


def test_a_name_another_guide_uses_is_still_unknown_to_the_guide_answering():
    """"Seattle" in the data engineers' guide does not make a question about TPM pay in Seattle
    one the TPM guide answers: a constraint is known when the guide answering uses its terms."""
    from tpm_assistant.answerable import known_in_guide
    from tpm_assistant.query import Constraint

    data = DATA.replace("Department of Energy", "Seattle Department of Transportation")
    index = index_of({"tpm.md": TPM, "data.md": data})
    sources = [s for s, _, _ in index.documents]
    tpm, other = sources.index("tpm.md"), sources.index("data.md")
    term = "seattl" if index.knows("seattl") else "seattle"
    assert index.knows(term) and index.knows_in(term, other) and not index.knows_in(term, tpm)
    assert index.knows_in("intern", tpm) and index.knows_in("intern", other)
    seattle = Constraint("Seattle", 0, 7, "name", (term,), True)
    assert not known_in_guide(index, seattle, passages_of(index, "tpm.md")[0])
    assert known_in_guide(index, seattle, passages_of(index, "data.md")[0])
    alone = index_of({"tpm.md": TPM})
    assert alone.knows_in("intern", 0) and not alone.knows_in(term, 0)


def test_a_question_answered_from_one_guide_reads_that_guides_words():
    """Another guide's "Space Force" does not make "space" a name, and its "pipelines" do not make
    the word known to the guide answering: to the TPM guide both are words it never uses, as they
    would be with that guide alone."""
    data = DATA.replace("Keep learning: Follow the tools", "Keep learning: Build pipelines with the tools") + (
        "\n## Where do they work?\n\nSome support the Space Force.\n"
    )
    index = index_of({"tpm.md": TPM, "data.md": data})
    assert "space" in index.proper and index.knows("pipelin" if index.knows("pipelin") else "pipeline")
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")
    question = "what do technical project managers earn building pipelines in the space industry?"
    found = retriever.search(question, 4)
    assert {index.chunks[h.chunk].source for h in found.hits} == {"tpm.md"}
    kinds = {c.text: c.kind for c in found.query.constraints}
    assert kinds.get("space") == "term" and kinds.get("pipelines") == "term", kinds
    assert "pipelines" in found.query.oov
    # Read by the corpus's words instead, "space" is a name and "pipelines" a known word.
    corpus_wide = {c.text: c.kind for c in retriever.analyze(question).constraints}
    assert corpus_wide.get("space") == "name" and "pipelines" not in corpus_wide, corpus_wide


def test_a_word_of_another_guides_subject_is_no_topic_word_of_the_guide_answering():
    """Another guide is about the Administrative Assistant: "Assistant" in a question about TPM
    pay is still a name the TPM guide must give a figure beside, as it would be alone."""
    tpm = TPM + "\n## Stages\n\n- Assistant Project Manager: You own smaller workstreams.\n"
    assistant = DATA.replace("Data Engineer", "Administrative Assistant").replace("data engineers", "administrative assistants")
    index = index_of({"tpm.md": tpm, "assistant.md": assistant})
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")
    tpm_guide = [s for s, _, _ in index.documents].index("tpm.md")
    assert index.generic("assistant") and not index.generic("assistant", tpm_guide)
    found = retriever.search("How much does an Assistant Project Manager get paid?", 4)
    assert "Assistant" in [c.text for c in found.query.constraints]


def test_a_question_scoped_to_one_guide_keeps_its_words_that_only_other_guides_subjects_use():
    """Another guide is about the Emergency Management Director: "director" in a question about a
    TPM stage's pay is still a word the TPM guide must answer (its stage "Project Director" gives
    no pay), as it would be alone; read against every subject, the stage was lost and the question
    answered with the entry-level figure at 100 guides."""
    from tpm_assistant.answerable import specific_terms

    tpm = TPM + "\n## Stages\n\n- Project Director: You set strategy across programmes.\n"
    director = DATA.replace("Data Engineer", "Emergency Management Director").replace("data engineers", "directors")
    index = index_of({"tpm.md": tpm, "director.md": director})
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")
    found = retriever.search("How much does a project director earn?", 4)
    assert found.query.guide == [s for s, _, _ in index.documents].index("tpm.md")
    assert "director" in specific_terms(index, found.query)
    assert "director" not in specific_terms(index, dataclasses.replace(found.query, guide=None))  # every subject's words


def test_a_question_names_a_guides_subject_only_with_two_words_of_that_one_subject():
    """ "data" of the data engineers' guide and "scientist" of a research scientists' guide do not
    make "What degree does a data scientist need?" about a guide's own job: the job is still
    another one."""
    from tpm_assistant.abstain import other_job

    research = DATA.replace("Data Engineer", "Research Scientist").replace("data engineers", "research scientists")
    index = index_of({"tpm.md": TPM, "data.md": DATA, "research.md": research})
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")
    ranking = retriever.search("What degree does a data scientist need?", 4)
    assert ranking.query.role == "data scientist"
    ranking = dataclasses.replace(ranking, role_similarity=0.3)  # far from the guide answering (a real encoder's view)
    assert other_job(index, ranking)
    assert not other_job(index, dataclasses.replace(ranking, query=retriever.analyze("What does a data engineer need?")))


def test_a_question_naming_only_one_guides_job_gets_that_guides_opening():
    """"What does a data engineer do?" names only the data engineers' guide's subject: its opening
    (retrieval's overview, found by the subject's words, not by a pass over every guide), not the
    other guide's; a word of the question's own ("earn") names no opening."""
    opening = "\n\nThis guide covers pay, internships, skills and tips for the job.\n"
    tpm = TPM.replace("# How to Become a Technical Project Manager\n", "# How to Become a Technical Project Manager" + opening)
    data = DATA.replace("# How to Become a Data Engineer\n", "# How to Become a Data Engineer" + opening)
    index = index_of({"tpm.md": tpm, "data.md": data})
    retriever = Retriever(index, FakeEncoder(), typed(None), home_job="technical project manager")

    def opening_of(question: str) -> set[str]:
        return {index.chunks[c].source for c in retriever._overview(retriever.analyze(question), None)}

    assert opening_of("What does a data engineer do?") == {"data.md"}
    assert opening_of("What do technical project managers do?") == {"tpm.md"}
    assert opening_of("What do data engineers earn?") == set()
