"""Each retrieval technique on small crafted input: every test fails if its technique is removed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder

from tpm_assistant.build import view_texts
from tpm_assistant.index import Index
from tpm_assistant.query import analyze
from tpm_assistant.retrieval import FEATURES, Retriever
from tpm_assistant.text import find_acronyms, stem
from tpm_assistant.weights import default_weights

GUIDE_LIKE = """# How much can you earn?

Entry-level technical project managers typically start around $76,683 USD per year.

Heavy workload and stress can create burnout risk, so set healthy boundaries.

# Where can you work?

- Cloud: Companies like Amazon Web Services (AWS) hire technical project managers, often called TPMs.
- Gaming: Employers such as Epic Games need project managers for game development workflows.
- Banking: Respect engineering expertise and avoid making commitments without technical input.
"""


def make_index(text: str = GUIDE_LIKE, encoder=None, known: set[str] | None = None) -> tuple[Index, object]:
    import tempfile

    from conftest import build_index

    encoder = encoder or FakeEncoder()
    folder = Path(tempfile.mkdtemp(prefix="tpm-index-")) / "version"
    index = build_index(folder, {"guide.md": text}, encoder)
    index.known_words.tokenizer = known if known is not None else {"grad", "wanting", "gaming"}
    return index, encoder


def feature(ranking, name: str) -> np.ndarray:
    return ranking.features[:, FEATURES.index(name)]


def chunk_with(index: Index, needle: str) -> int:
    return next(i for i, c in enumerate(index.chunks) if needle in c.text)


def test_views_point_at_real_text_and_add_heading_and_label_context():
    index, _ = make_index()
    chunk = index.chunks[chunk_with(index, "Epic Games")]
    views = {v[0]: v for v in view_texts(chunk, GUIDE_LIKE, first_in_section=False)}
    assert {"chunk", "context", "label", "headlabel"} <= set(views)
    _, _, start, end, embedded = views["label"]
    assert GUIDE_LIKE[start:end] == "Gaming" == embedded
    assert views["context"][4].startswith("Where can you work?\n")
    assert views["headlabel"][4] == "Where can you work?\nGaming"


def test_bm25_ranks_the_passage_holding_a_rare_exact_term_first():
    index, encoder = make_index()
    ranking = Retriever(index, encoder).search("Which employers need game development workflows?", 3)
    bm25 = feature(ranking, "bm25")
    assert int(np.argmax(bm25)) == chunk_with(index, "Epic Games")
    assert bm25.max() == pytest.approx(1.0)  # normalised per query


def test_a_word_and_its_ing_and_ed_forms_share_one_stem():
    """The guide says "hire"; a question says "hiring": the final silent e goes with the suffix."""
    for forms in (("hire", "hiring", "hired", "hires"), ("experience", "experienced"), ("process", "processes")):
        assert len({stem(w) for w in forms}) == 1, forms
    index, encoder = make_index()
    bm25 = feature(Retriever(index, encoder).search("Who is hiring?", 3), "bm25")
    assert int(np.argmax(bm25)) == chunk_with(index, "Amazon Web Services") and bm25.max() > 0


def test_contractions_are_stopwords_and_paid_is_pay():
    """"Will I'll get paid more?": "i'll" (either apostrophe) is no word of the subject, which read as
    a part of the question the guide does not cover; "paid" is the guide's "pay" ("higher pay")."""
    from tpm_assistant.text import content_terms

    assert content_terms("Does having a PMP mean I'll get paid more? We’ve heard you'd earn more") == [
        "pmp", "mean", "pay", "heard", "earn"]
    assert stem("paid") == stem("pay") == stem("paying")


def test_character_ngrams_match_a_misspelled_word_that_bm25_cannot():
    index, encoder = make_index()
    query = analyze("burnot", index, fix_typos=False)  # one letter short of "burnout"
    ranking = Retriever(index, encoder)._rank(query, 3, None, None)
    target = chunk_with(index, "burnout")
    assert feature(ranking, "bm25")[target] == 0.0
    assert int(np.argmax(feature(ranking, "char"))) == target


def test_typos_are_corrected_against_the_corpus_but_real_words_are_left_alone():
    index, _ = make_index()
    # "salery" has no corpus word within one edit here; "managrs" does.
    assert analyze("entry-level salery for managrs", index).corrections == {"managrs": "managers"}
    fixed = analyze("whats the starting salery in gameing", index)
    assert fixed.corrections == {"gameing": "gaming"}
    index_with_salary, _ = make_index(GUIDE_LIKE + "\nThe salary is good.\n")
    assert analyze("salery", index_with_salary).corrections == {"salery": "salary"}
    # "grad" is one edit from nothing here, "wanting" one edit from "warning" in other texts: both real words.
    assert analyze("grad school wanting", index).corrections == {}
    # One edit from both "coordinate" (a letter too many) and "coordinator" (a wrong letter): the
    # word of the same length, though "coordinate" comes first in the vocabulary.
    both, _ = make_index(GUIDE_LIKE + "\nA coordinator helps coordinate the team.\n")
    assert analyze("project coordinater", both).corrections == {"coordinater": "coordinator"}


def test_a_typo_one_edit_from_two_words_is_the_far_more_common_one(monkeypatch):
    """"managrs" is one wrong letter from "manages" and one missing letter from "managers": where the
    corpus writes "managers" many times and "manages" once, it is "managers" (query.COMMON_SLIPS),
    not the word of the same length."""
    from tpm_assistant import query

    text = GUIDE_LIKE + "\nShe manages it.\n" + "Managers plan. " * 6 + "\n"
    index, _ = make_index(text)
    assert analyze("what do project managrs earn", index).corrections == {"managrs": "managers"}
    monkeypatch.setattr(query, "COMMON_SLIPS", False)
    assert analyze("what do project managrs earn", index).corrections == {"managrs": "manages"}


def test_a_typo_of_a_form_the_corpus_does_not_write_is_that_form(monkeypatch):
    """"agancy" is one edit from "agency", which the corpus writes only as "agencies" (three edits
    away): it is "agency", a word the tokenizer knows whose stem the corpus uses
    (query.INFLECTED_SLIPS). A word one edit from a known word whose stem the corpus does not use
    stays, and so does a form of a word the corpus uses ("payed" is not "paced")."""
    from tpm_assistant import query

    text = GUIDE_LIKE + "\nGovernment agencies offer internships. They pay well at a fast pace.\n"
    index, _ = make_index(text, known={"agency", "revolt", "paced", "grad"})
    assert analyze("goverment agancy internships", index).corrections == {"goverment": "government", "agancy": "agency"}
    assert analyze("internships at revolut", index).corrections == {}
    assert analyze("payed well", index).corrections == {}
    monkeypatch.setattr(query, "INFLECTED_SLIPS", False)
    assert analyze("goverment agancy internships", index).corrections == {"goverment": "government"}


def test_two_letters_swapped_in_a_short_word_are_swapped_back(monkeypatch):
    """"yrok" is "York" and "waht" is "what" (query.SHORT_SWAPS): too short for the other typo
    fixes, but two neighbouring letters swapped seldom make another real word. "hwo" could be
    "how" or "who", and stays."""
    from tpm_assistant import query

    index, _ = make_index(GUIDE_LIKE + "\nPay is high in New York City. What matters is who you know and how.\n")
    assert analyze("waht is the pay in new yrok", index).corrections == {"waht": "what", "yrok": "york"}
    assert analyze("hwo much", index).corrections == {}
    monkeypatch.setattr(query, "SHORT_SWAPS", False)
    assert analyze("waht is the pay in new yrok", index).corrections == {}


def test_texting_spellings_are_read_as_the_words_they_stand_for():
    """"how many yrs b4 ..." asks for years before something; "wat" and "shud" are question words,
    not unknown words the guide must use (query.CHAT_WORDS)."""
    index, _ = make_index()
    query = analyze("how many yrs b4 im ready, wat shud i do", index)
    assert query.corrections == {"yrs": "years", "b4": "before", "wat": "what", "shud": "should"}
    assert analyze("list em n the comp", index).corrections == {"em": "them", "n": "and", "comp": "compensation"}
    assert query.wants == frozenset({"duration"})  # "how many years"
    assert not {"yrs", "b4", "wat", "shud"} & set(query.oov)
    # Fillers and "WFH" name nothing the guide must use, whatever their case.
    from tpm_assistant.query import constraints_of

    assert analyze("can i wfh tbh", index).corrections == {"wfh": "work from home", "tbh": "really"}
    assert constraints_of("OK lol, how much does it cost?", index) == []
    used, _ = make_index(GUIDE_LIKE + "\nThe avg is not a texting word here.\n")
    assert "avg" not in analyze("avg salary", used).corrections  # a word the corpus uses is left alone


def test_the_askers_own_situation_and_set_aside_names_are_no_constraints(monkeypatch):
    """"I'm a nurse with 6 years in hospital IT - ...": the asker's words and numbers are not what
    the answer must be about (query.BACKGROUND); a name there still is ("I'm based in Sydney").
    "(not Jira)" sets a name aside (query.SET_ASIDE)."""
    from tpm_assistant import query
    from tpm_assistant.query import constraints_of

    index, _ = make_index()
    told = "I'm a nurse with 6 years in hospital IT - what do TPMs earn?"
    assert constraints_of(told, index) == []
    assert "nurse" not in analyze(told, index).oov
    assert [c.text for c in constraints_of("I'm based in Sydney. What would a TPM earn?", index)] == ["Sydney"]
    assert [c.text for c in constraints_of("Which tools other than Jira or Tableau?", index) if c.kind == "name"] == ["Tableau"]
    monkeypatch.setattr(query, "BACKGROUND", False)
    monkeypatch.setattr(query, "SET_ASIDE", False)
    assert {c.text for c in constraints_of(told, index)} >= {"nurse", "6"}
    names = [c.text for c in constraints_of("Which tools other than Jira or Tableau?", index) if c.kind == "name"]
    assert names == ["Jira", "Tableau"]


def test_other_spellings_of_a_word_or_place_are_the_guides(monkeypatch):
    """"licence" is the guide's "license" and "America" its "US" (query.SPELLINGS, PLACE_ALIASES);
    "how many weeks" asks for a time in weeks, a unit (query.COUNTED_UNITS)."""
    from tpm_assistant import query
    from tpm_assistant.query import constraints_of

    # "licence" is a dictionary word: it is no typo to correct
    index, _ = make_index(GUIDE_LIKE + "\nNo license is required in the US.\n", known={"licence"})
    assert analyze("is a licence needed", index).corrections == {"licence": "license"}
    [america] = constraints_of("What do TPMs earn in America?", index)
    assert america.terms == ("us",) and america.in_corpus
    weeks = constraints_of("How many weeks does it take?", index)[0]
    assert weeks.text == "weeks" and weeks.kind == "unit" and not weeks.in_corpus
    monkeypatch.setattr(query, "SPELLINGS", False)
    monkeypatch.setattr(query, "PLACE_ALIASES", False)
    monkeypatch.setattr(query, "COUNTED_UNITS", False)
    assert analyze("is a licence needed", index).corrections == {}
    assert not constraints_of("What do TPMs earn in America?", index)[0].in_corpus
    assert constraints_of("How many weeks does it take?", index)[0].kind == "term"


def test_light_words_and_short_figures(monkeypatch):
    """"Is it true that ... somewhere between 85k and 130k?": hedges and light verbs constrain nothing
    (query.LIGHT), and "85k" is the guide's "$85,000" (query.SHORT_NUMBERS)."""
    from tpm_assistant import query
    from tpm_assistant.query import constraints_of

    index, _ = make_index(GUIDE_LIKE + "\nSalaries range from $85,000 to $130,000.\n")
    question = analyze("Is it true that TPMs earn somewhere between 85k and 130k?", index)
    assert question.corrections == {"85k": "85,000", "130k": "130,000"}
    assert [(c.text, c.kind, c.in_corpus) for c in question.constraints] == [
        ("85,000", "number", True), ("130,000", "number", True)]
    monkeypatch.setattr(query, "LIGHT", False)
    monkeypatch.setattr(query, "SHORT_NUMBERS", False)
    off = analyze("Is it true that TPMs earn somewhere between 85k and 130k?", index)
    assert {"true", "somewhere"} <= {c.text for c in off.constraints}
    assert not any(c.in_corpus for c in constraints_of("earn 85k", index))


def test_a_follow_up_asking_about_pay_does_not_ask_for_the_figure_the_conversation_asked_for():
    """"what else would push my pay higher?" after "What's the pay in New York City?" asks what
    raises pay, not for a figure (it was declined for want of "a figure for else"); "and in Chicago?"
    still asks for the conversation's figure."""
    index, _ = make_index()
    context = "What's the pay like in New York City?"
    about = "what else would push my pay higher?"
    assert analyze(f"{context} {about}", index, focus=about).wants == set()
    assert analyze(f"{context} and in Chicago?", index, focus="and in Chicago?").wants == {"money"}


def test_acronyms_the_corpus_defines_are_spelled_out():
    assert find_acronyms(["Companies like Amazon Web Services (AWS) hire", "Project managers, often called PMs, help"]) == {
        "aws": ("Amazon Web Services", False),
        "pm": ("Project managers", True),
    }
    index, _ = make_index(GUIDE_LIKE)  # "... hire technical project managers, often called TPMs."
    assert analyze("Does aws hire?", index).expanded == "Does aws hire? (Amazon Web Services)"
    assert analyze("Does aws hire?", index, acronyms_inline=True).expanded == "Does Amazon Web Services hire?"
    assert analyze("What does a TPM earn?", index, acronyms_inline=True).expanded == "What does a technical project manager earn?"
    assert analyze("Do TPMs earn more?", index, acronyms_inline=True).expanded == "Do technical project managers earn more?"
    assert analyze("Does aws hire?", index, expand_acronyms=False).expanded == "Does aws hire?"


def without(weights: dict, *features: str) -> dict:
    """A copy of ``weights`` with the given ranker features switched off."""
    import copy

    out = copy.deepcopy(weights)
    for f in features:
        out["ranker"]["weights"][out["ranker"]["features"].index(f)] = 0.0
    return out


@pytest.mark.slow
def test_late_interaction_matches_word_forms_the_other_signals_miss(real_assistant):
    """MaxSim: "burning out" finds "burnout" token by token; without it another bullet wins."""
    question = "How do I avoid burning out as a TPM?"
    with_maxsim = real_assistant.ask(question)
    assert with_maxsim.citations[0].text.startswith("Heavy workload and stress")
    without_maxsim = real_assistant.with_weights(without(default_weights(), "maxsim")).ask(question)
    assert not without_maxsim.citations[0].text.startswith("Heavy workload")


def test_answer_type_features_link_a_how_much_question_to_passages_with_figures():
    index, encoder = make_index()
    ranking = Retriever(index, encoder).search("How much does a junior project manager make a year?", 3)
    money = feature(ranking, "money")
    assert money[chunk_with(index, "$76,683")] == 1.0
    assert money.sum() == 1.0
    no_money = Retriever(index, encoder).search("Which employers hire for game development?", 3)
    assert feature(no_money, "money").sum() == 0.0


def test_hub_score_is_highest_for_the_most_generic_passage():
    text = GUIDE_LIKE + "\n# Summary\n\nTechnical project managers earn pay, work in cloud and gaming, and manage stress.\n"
    index, _ = make_index(text)
    assert int(np.argmax(index.hub)) == chunk_with(index, "Technical project managers earn pay")


def test_the_shipped_ranker_fuses_dense_lexical_and_token_signals():
    """The learned weights give every family of signals a real say (none was fitted away)."""
    ranker = default_weights()["ranker"]
    weight = dict(zip(ranker["features"], ranker["weights"], strict=True))
    assert set(ranker["features"]) <= set(FEATURES)
    assert weight["sent"] > 0 and weight["ctx"] + weight["label"] + weight["headlabel"] > 0  # dense views
    assert weight["char"] > 0 and weight["bm25"] + weight["sbm25"] > 0  # lexical
    assert weight["maxsim"] > 0  # late interaction
    assert weight["hub"] < 0  # generic passages pay a penalty


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("How do I become a registered nurse?", "registered nurse"),
        ("What is the average salary of a data scientist?", "data scientist"),
        ("What does an early intervention specialist do?", "early intervention specialist"),
        ("How much do nurses earn in New York City?", "nurse"),
        ("tpm salary nyc", "tpm"),
        ("Which industries pay technical project managers the most?", None),
        ("Are these salary figures guaranteed?", None),
        ("How much experience do I need?", None),
        ("What does a student need to get an internship?", None),  # a stage of a person, not a job
        ("What do entry-level candidates need?", None),
        ("What certification do occupational health nurses need?", "occupational health nurse"),
        ("What skills do beginners need?", None),  # people at a stage need things too
        ("What tools do agile teams need?", None),  # so do the people a TPM works with
        ("starting pay for a brand new tpm?", "brand new tpm"),  # whose pay, not which ("starting")
        ("When does a PMP certificate become most useful in your career?", None),  # a quality, not a job
    ],
)
def test_the_job_a_question_names_is_found(question, role):
    from tpm_assistant.query import role_of

    assert role_of(question) == role


def test_the_guide_subject_comes_from_its_title():
    from tpm_assistant.text import guide_subject

    assert guide_subject(["2026 How to Become a Technical Project Manager: Education, Salary"]) == "Technical Project Manager"
    assert guide_subject(["Notes on project delivery"]) is None


def test_a_job_pointed_at_is_searched_for_as_the_home_job(monkeypatch):
    """"this kind of job", "go this route": the job meant is the assistant's own (query.THIS_JOB); a
    question naming a job, or naming the home job already, is left as asked."""
    from tpm_assistant import query

    index, _ = make_index()
    home = "technical project manager"
    pointed = analyze("Do I have to be a great programmer to land this kind of job?", index, home=home)
    assert pointed.expanded.endswith("(technical project manager)") and {"technical", "project", "manager"} <= set(pointed.terms)
    named = analyze("Is this kind of job good for a technical project manager?", index, home=home)
    assert "(technical project manager)" not in named.expanded
    assert analyze("Do I have to be a great programmer to land this kind of job?", index).expanded.endswith("job?")
    monkeypatch.setattr(query, "THIS_JOB", False)
    assert analyze("Do I have to be a great programmer to land this kind of job?", index, home=home).expanded.endswith("job?")


def test_a_name_typed_in_lower_case_among_other_capitals(monkeypatch):
    """"So I asked: how much does medtronic pay TPMs?": no word is capitalised but the opening one, "I" and an
    acronym, so a word the guide writes as a name ("Medtronic") is one here too (query.LOWER_NAMES);
    a name the guide writes that is also a common word ("New" York) is not: "brand new"."""
    from tpm_assistant import query
    from tpm_assistant.query import constraints_of

    text = GUIDE_LIKE + "\n- Health: Organizations like Medtronic hire TPMs in New York City.\n- Data: Teams use Tableau daily.\n"
    index, _ = make_index(text, known={"new", "brand", "city"})
    asked = "So I asked: how much does medtronic pay TPMs?"
    def names(question: str) -> list[tuple[str, bool]]:
        return [(c.text, c.in_corpus) for c in constraints_of(question, index) if c.kind == "name"]

    assert names(asked) == [("medtronic", True)]
    assert names("What's the salary for someone brand new to TPM work?") == []
    # a word the question did not have, but typo correction made ("keep tabs on" -> "tableau"), is none
    corrected = "What costs might a TPM keep tableau on?"
    typed = "What costs might a TPM keep tabs on?"
    assert [c.text for c in constraints_of(corrected, index, typed=typed) if c.kind == "name"] == []
    assert [c.text for c in constraints_of(corrected, index) if c.kind == "name"] == ["tableau"]
    monkeypatch.setattr(query, "LOWER_NAMES", False)
    assert names(asked) == []


def test_a_figure_asked_of_a_setting_no_figure_is_given_beside(monkeypatch):
    """"What do TPMs earn in gaming?": a figure asked "in", "at" or "for" a word the guide knows but
    gives no figure beside is a constraint, as a name is (query.QUALIFIERS); a place in the range
    ("at the top end"), an adverb ("for a highly ..."), a word a figure is given beside ("entry-level")
    and a question asking no
    figure add none."""
    from tpm_assistant import query

    index, _ = make_index(GUIDE_LIKE + "\nThe top end of a schedule needs buffers. Highly skilled teams help.\n")

    def added(question: str) -> list[tuple[str, str, bool]]:
        return [(c.text, c.in_corpus) for c in analyze(question, index).constraints if c.kind == "name"]

    assert added("What do TPMs earn in gaming?") == [("gaming", True)]
    assert added("What do TPMs earn at the top end?") == []
    assert added("What do TPMs earn at entry-level?") == []
    assert added("What do TPMs earn for a highly skilled role?") == []  # "highly" says how, not where
    assert added("Do TPMs work in gaming?") == []
    monkeypatch.setattr(query, "QUALIFIERS", False)
    assert added("What do TPMs earn in gaming?") == []


def test_a_place_named_another_way_is_searched_for_as_the_guide_names_it(monkeypatch):
    """"the Big Apple" is the guide's "New York City" (query.SAME_PLACE), and the question is searched
    for with the guide's name too, as an acronym is spelled out; "actual" is a hedge (query.LIGHT)."""
    from tpm_assistant import query

    index, _ = make_index(GUIDE_LIKE + "\nIn New York City, salaries average $112,547 USD.\n")
    asked = analyze("Do TPMs in the Big Apple earn more?", index)
    assert [(c.text, c.in_corpus) for c in asked.constraints] == [("Big Apple", True)]
    assert asked.expanded.endswith("(new york city)") and {"york", "city"} <= set(asked.terms)
    assert "actual" not in {c.text for c in analyze("What's the actual figure in New York City?", index).constraints}
    monkeypatch.setattr(query, "PLACE_ALIASES", False)
    assert "(new york city)" not in analyze("Do TPMs in the Big Apple earn more?", index).expanded


def test_a_number_word_typed_in_lower_case_is_no_name(monkeypatch):
    """"how long do people stay in the first one?": with another guide naming "Capital One", "one"
    is a word the corpus writes capitalised; typed in lower case it is a number word, no name."""
    index, _ = make_index(GUIDE_LIKE + "\n- Banking: Employers such as Capital One hire TPMs.\n")
    from tpm_assistant.query import constraints_of

    assert [c for c in constraints_of("how long do people stay in the first one?", index) if c.kind == "name"] == []
