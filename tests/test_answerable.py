"""Answerability on small crafted input: each test fails if its technique is removed.

A question can be on the guide's topic and still ask for what the guide does not give: a place, an
organisation's pay, a comparison. These tests build a small guide with the fake encoder and check
each signal of ``answerable.coverage`` and the constraints ``query.analyze`` finds.
"""

from __future__ import annotations

import pytest
from test_retrieval import GUIDE_LIKE, make_index

from tpm_assistant.answerable import coverage
from tpm_assistant.query import analyze
from tpm_assistant.retrieval import Retriever

GUIDE = GUIDE_LIKE + """
# Which certification first?

CAPM is a better starting point than PMP for beginners.

Salaries in New York City are higher than elsewhere. New York City averages $112,547.
"""


@pytest.fixture(scope="module")
def small():
    index, encoder = make_index(GUIDE)
    return index, Retriever(index, encoder)


def constraints(question: str, index) -> list[tuple[str, str, bool]]:
    return [(c.kind, c.text, c.in_corpus) for c in analyze(question, index).constraints]


def test_constraints_are_names_numbers_units_and_unknown_words_not_the_topic(small):
    index, _ = small
    assert constraints("What do technical project managers earn in Sydney per hour?", index) == [
        ("name", "Sydney", False),
        ("unit", "hour", False),
    ]
    # A name the guide uses; the guide's topic words ("project managers") and the answer type
    # ("earn") are not constraints; a number the guide never gives is.
    assert constraints("Do Epic Games project managers earn more in 2030?", index) == [
        ("name", "Epic Games", True),
        ("number", "2030", False),
    ]
    assert constraints("how much do managers make in chicago", index) == [("name", "Chicago", False)]  # a place
    assert constraints("how much do managers make in gamedev", index) == [("term", "gamedev", False)]
    # An indefinite pronoun is no word the guide fails to give.
    assert constraints("how much do managers make, or anybody starting as someone entry-level?", index) == []
    # Nor is an "-ever" pronoun ("trust whatever they say"): the question is about trusting.
    assert constraints("Do managers earn whatever the gaming employer pays, whichever it is?", index) == []
    assert constraints("Do managers earn more so nothing is missed?", index) == [("term", "missed", False)]
    # Nor are words about the asking ("according to", "roughly", "the name of", "the FAQ").
    assert constraints("Roughly what is the name of the gaming employer, according to you?", index) == []
    assert constraints("According to the FAQ, what gaming employer is there?", index) == []


def test_a_unit_that_is_also_an_everyday_word_is_one_only_where_a_quantity_is_asked(small, monkeypatch):
    from tpm_assistant import query

    index, _ = small

    def units(question: str) -> list[str]:
        return [text for kind, text, _ in constraints(question, index) if kind == "unit"]

    assert units("What are the weekly tasks of a project manager?") == []
    assert units("Does a real project count as experience?") == []
    assert units("What is the weekly salary of a manager?") == ["weekly"]
    assert units("Do managers earn 900 pounds?") == ["pounds"]
    monkeypatch.setattr(query, "PLAIN_WORD_UNITS", False)
    assert units("What are the weekly tasks of a project manager?") == ["weekly"]


def test_title_case_questions_carry_no_name_evidence(small):
    index, _ = small
    assert constraints("What Do Managers Earn At Entry Level?", index) == []


def test_an_abbreviation_the_guide_never_uses_is_read_as_the_phrase_it_stands_for(small):
    index, _ = small
    query = analyze("salary nyc", index, acronyms_inline=True)
    assert "New York City" in query.expanded
    assert [c.text for c in query.constraints] == ["New York City"]


def test_a_place_the_guide_never_names_is_missing(small):
    index, retriever = small
    asked = coverage(index, retriever.search("What do entry-level managers earn in Sydney?", 3))
    assert asked.name_unmatched == 1.0 and asked.name_unknown == 1.0
    assert asked.missing() == ["Sydney"]
    assert coverage(index, retriever.search("What do entry-level managers earn?", 3)).name_unmatched == 0.0


def test_a_name_the_guide_gives_without_the_value_asked_for_is_a_missing_figure(small):
    index, retriever = small
    asked = coverage(index, retriever.search("What does Epic Games pay?", 3))
    assert asked.name_unmatched == 0.0  # the guide names Epic Games...
    assert asked.type_unmet == 1.0 and asked.type_unmet_named == 1.0  # ...but gives no figure for it
    assert asked.missing() == ["a figure for Epic Games"]
    assert asked.describe(asked.missing()) == "The guide does not give a figure for Epic Games."


def test_an_age_asked_for_is_a_number_the_passage_must_hold():
    # "At what age ...?" wants a number, as "how old" does: a passage naming the stages without one
    # does not answer it.
    assert "count" in analyze_wants("At what age do people become managers?")
    assert "count" in analyze_wants("What age do most managers start at?")
    assert "count" in analyze_wants("How old are most managers?")
    assert "count" not in analyze_wants("How do managers deal with an ageing system?")


def analyze_wants(question: str) -> frozenset[str]:
    from tpm_assistant.query import intents_of

    return frozenset(name for name, on in intents_of(question).items() if on)


def test_a_place_written_in_lower_case_is_still_a_name(small):
    index, retriever = small
    # Casing says nothing here; the shipped list of place names does (places.txt).
    assert constraints("how much do managers earn in seattle", index) == [("name", "Seattle", False)]
    assert constraints("managers pay in new york city", index) == [("name", "New York City", True)]
    assert constraints("What Do Managers Earn In São Paulo?", index) == [("name", "São Paulo", False)]
    # "Reading" is a city, but an everyday word first: not a name.
    assert all(kind != "name" for kind, _, _ in constraints("do managers need to be reading a lot", index))
    asked = coverage(index, retriever.search("what do entry-level managers earn in seattle", 3))
    assert asked.name_unknown == 1.0 and asked.missing() == ["Seattle"]


def test_a_figure_is_an_answer_only_beside_what_the_question_asks_about(small):
    index, retriever = small
    entry = coverage(index, retriever.search("What do entry-level managers earn?", 3))
    assert entry.value_unmatched == 0.0  # "$76,683" sits in the entry-level sentence
    gaming = coverage(index, retriever.search("What do gaming workflow managers earn?", 3))
    assert gaming.value_unmatched == 1.0  # figures exist, none beside "gaming" or "workflow"


def test_a_name_is_answered_by_a_figure_only_beside_it(small):
    index, retriever = small
    # The guide gives figures, and names Amazon Web Services, but no figure beside it.
    aws = coverage(index, retriever.search("What do entry-level managers earn at Amazon Web Services?", 3))
    assert aws.name_value_unmatched == 1.0
    nyc = coverage(index, retriever.search("What do managers earn in New York City?", 3))
    assert nyc.name_value_unmatched == 0.0  # "$112,547" sits beside New York City
    assert coverage(index, retriever.search("What do entry-level managers earn?", 3)).name_value_unmatched == 0.0


def test_a_name_the_guide_uses_elsewhere_without_the_figure_asked_is_its_own_signal(small):
    """Amazon Web Services is in the guide (as an employer), with no figure beside it: the signal
    for a known name is set; for a name the guide never uses (Sydney) only the general one is."""
    index, retriever = small
    aws = coverage(index, retriever.search("What do entry-level managers earn at Amazon Web Services?", 3))
    assert aws.known_name_value_unmatched == 1.0
    sydney = coverage(index, retriever.search("What do entry-level managers earn in Sydney?", 3))
    assert sydney.name_value_unmatched == 1.0 and sydney.known_name_value_unmatched == 0.0
    nyc = coverage(index, retriever.search("What do managers earn in New York City?", 3))
    assert nyc.known_name_value_unmatched == 0.0  # "$112,547" sits beside New York City


def test_a_follow_up_naming_its_own_place_is_checked_for_that_place_alone(small):
    """After a question about New York City, "What about Amazon Web Services?" asks for a figure
    beside Amazon Web Services: New York City's figure, asked and answered before, does not count."""
    index, retriever = small
    follow = coverage(index, retriever.search_followup("What do managers earn in New York City?",
                                                       "What about Amazon Web Services?", 3))  # fmt: skip
    assert [m.constraint.text for m in follow.matches] == ["Amazon Web Services"]
    assert follow.known_name_value_unmatched == 1.0


def test_a_name_does_not_run_on_into_the_next_sentence(small):
    index, _ = small
    assert constraints("What do managers earn in the US? And in New York City?", index) == [
        ("name", "US", False),
        ("name", "New York City", True),
    ]


def test_a_comparison_is_answered_only_where_the_guide_compares(small):
    index, retriever = small
    unmet = coverage(index, retriever.search("Is Epic Games better than Amazon Web Services for managers?", 3))
    assert unmet.comparison_unmet == 1.0
    assert unmet.describe(unmet.missing()) == "The guide does not compare Epic Games and Amazon Web Services."
    met = coverage(index, retriever.search("Is CAPM better than PMP for beginners?", 3))
    assert met.comparison_unmet == 0.0


NAMED = GUIDE_LIKE + """
# What internships are there?

- Agencies: The Metropolitan Transportation Authority (MTA) offers internships on technology projects.

Salaries in metropolitan areas may be higher.
"""


def test_an_acronym_the_guide_defines_for_a_name_is_a_name_and_one_for_its_topic_is_not():
    """"MTA" is spelled out as the name it stands for (even though the guide also writes
    "metropolitan" in lower case), so a question about it has a name to check; "TPMs" is spelled out
    as the topic it stands for, not a constraint."""
    index, _ = make_index(NAMED)
    query = analyze("Is the MTA internship paid or unpaid?", index, acronyms_inline=True)
    assert "Metropolitan Transportation Authority" in query.expanded
    assert ("name", "Metropolitan Transportation Authority") in [(c.kind, c.text) for c in query.constraints]
    assert [c for c in analyze("What do TPMs earn?", index, acronyms_inline=True).constraints if c.kind == "name"] == []


def test_rather_than_is_no_comparison_but_a_comparative_adjective_is():
    from tpm_assistant.answerable import compares

    text = GUIDE_LIKE + """
# Pay

Salary figures for startups and enterprise firms are benchmarks rather than guarantees.

# Settings

Government roles offer structured processes, while startups offer faster-paced work and broader responsibility.
"""
    index, _ = make_index(text)
    benchmarks = next(i for i, c in enumerate(index.chunks) if "benchmarks" in c.text)
    settings = next(i for i, c in enumerate(index.chunks) if "faster-paced" in c.text)
    assert not compares(index, benchmarks, {"startup", "enterprise"})
    assert compares(index, settings, {"startup", "government"})


def test_a_comparing_word_compares_only_what_stands_next_to_it():
    """ "Tools such as Tableau or Power BI help you ... make better decisions" does not compare
    Tableau and Power BI: the comparing word is many words away."""
    from tpm_assistant.answerable import compares

    text = GUIDE_LIKE + """
# Tools

Tools such as Tableau or Power BI help you read delivery metrics, spot bottlenecks, forecast risks and make better decisions.

# Certificates

CAPM can be a better starting point than PMP for students.
"""
    index, _ = make_index(text)
    tools = next(i for i, c in enumerate(index.chunks) if "Tableau" in c.text)
    capm = next(i for i, c in enumerate(index.chunks) if "CAPM" in c.text)
    assert not compares(index, tools, {"tableau", "power", "bi"})
    assert compares(index, capm, {"capm", "pmp"})


def test_a_choice_between_alternatives_is_a_comparison_of_its_two_sides():
    """ "X or Y: which one pays more?" and "X vs Y, which should I learn?" compare X with Y (not the
    attribute asked about); named alternatives are compared only by a sentence naming both, a
    heading compares what it sets side by side, and a superlative compares."""
    from tpm_assistant.answerable import alternatives, compares

    text = GUIDE_LIKE + """
# Certificates

Certified Associate in Project Management (CAPM): CAPM can be a better starting point for students.

Advanced degrees such as an MBA or a master's in project management support long-term advancement.

# Hard skills vs. leadership skills

Technical knowledge earns credibility. Leadership skills help you deliver results through people.

# Certification and experience

Combining certifications with hands-on experience provides the strongest advantage.
"""
    index, encoder = make_index(text)
    for question in ("PMP or Scrum Master: which one raises your salary more?", "Tableau vs Power BI, which should a TPM learn?"):
        assert analyze(question, index).intents["comparison"], question
    assert not analyze("Which tools or methods do managers use?", index).intents["comparison"]

    sides = alternatives(index, analyze("Which matters more for managers: hard skills or leadership?", index))
    assert sides == (frozenset({"hard", "skill"}), frozenset({"leadership"}))
    headed = next(i for i, c in enumerate(index.chunks) if "Leadership skills help" in c.text)
    assert compares(index, headed, {"hard", "leadership"})  # its heading, "Hard skills vs. leadership skills"

    mba = analyze("Which is the better degree: an MBA or a master's in project management?", index)
    both = alternatives(index, mba)
    capm = next(i for i, c in enumerate(index.chunks) if "CAPM can be" in c.text)
    assert compares(index, capm, set().union(*both))  # "better" next to "Project Management" ...
    assert not compares(index, capm, set().union(*both), both)  # ... but no sentence names both sides

    strongest = next(i for i, c in enumerate(index.chunks) if "strongest" in c.text)
    assert compares(index, strongest, {"certification", "experienc"})

    retriever = Retriever(index, encoder)
    assert coverage(index, retriever.search(mba.text, 3)).comparison_unmet == 1.0
    skills = retriever.search("Which matters more for managers: hard skills or leadership?", 3)
    assert coverage(index, skills).comparison_unmet == 0.0


def test_a_choice_needs_two_sides_and_the_names_asked_inside_it(small):
    """ "one or two years" is no choice; ", or should I get experience first?" is one side only, and
    the names asked (CAPM, PMP) stand outside it: the comparison is checked on the names, as before;
    "Which books or courses help me learn more?" compares nothing."""
    from tpm_assistant.answerable import alternatives

    index, retriever = small
    years = "Is CAPM better than PMP for beginners with one or two years of experience?"
    assert alternatives(index, analyze(years, index)) == ()
    first = "Is CAPM better than PMP for beginners, or should I get experience first?"
    assert coverage(index, retriever.search(first, 3)).comparison_unmet == 0.0
    assert coverage(index, retriever.search(years, 3)).comparison_unmet == 0.0
    assert not analyze("Which books or courses help me learn more about pay?", index).intents["comparison"]


def test_answer_type_words_are_no_specific_terms_whatever_their_stem(small):
    """ "make" stems to "mak" (a final silent e goes): still a word of the answer type, not a word
    a figure must stand beside."""
    from tpm_assistant.answerable import specific_terms

    index, _ = small
    asked = analyze("How much do managers make, at what rate and price?", index)
    assert not {"mak", "rat", "pric"} & specific_terms(index, asked)


def test_a_follow_up_without_an_answer_type_asks_for_the_conversations():
    """"and in Chicago?" after a salary question asks for a salary: the value check applies."""
    index, _ = make_index(NAMED)
    follow = analyze("What do entry-level managers earn? and in Chicago?", index, focus="and in Chicago?")
    assert follow.wants == frozenset({"money"})
    assert analyze("and in Chicago?", index).wants == frozenset()
    # A follow-up that asks for its own type keeps it.
    own = analyze("What do managers earn? and how long is the first stage?", index, focus="and how long is the first stage?")
    assert own.wants == frozenset({"duration"})


def test_what_the_tuition_is_asks_for_a_figure_a_tuition_related_question_does_not():
    from tpm_assistant.query import wanted

    assert wanted("What is the tuition for the certificate course?") == frozenset({"money"})
    assert wanted("What's the tuition at the university for the program?") == frozenset({"money"})
    assert wanted("What tuition-related things should I weigh before a master's?") == frozenset()


def test_whether_something_is_paid_asks_for_pay_not_for_a_description():
    from tpm_assistant.query import wanted

    assert wanted("Is the agency's internship paid or unpaid?") == frozenset({"money"})
    assert wanted("Are the internships at the hospital paid?") == frozenset({"money"})
    assert wanted("Are technical project managers paid well?") == frozenset()  # about pay, not for a figure


def test_a_job_is_a_noun_phrase_not_a_clause_that_ends_in_a_small_word():
    from tpm_assistant.query import role_of

    assert role_of("What's the salary of a data scientist?") == "data scientist"
    assert role_of("certs vs results for salary") is None
    assert role_of("tips for salary") is None
    assert role_of("How can I become a better communicator?") is None  # a quality, not a job
    assert role_of("How do I become a senior TPM?") == "senior tpm"
    # the asker's job now is not the job asked about; a person or a state of knowing is no job
    assert role_of("i currently work as a software tester. which jobs lead into this work?") is None
    assert role_of("i work as a nurse. can i become a tpm?") == "tpm"
    assert role_of("can i work as a tpm without a degree?") == "tpm without a degree"
    assert role_of("does a person have to be an expert programmer?") is None
    assert role_of("which tools should an aspiring tpm become comfortable using?") is None
    assert role_of("how do i become a certified occupational health nurse?") == "certified occupational health nurse"
    # "what's a X do", "get into X": a job or field asked about
    assert role_of("whats a security auditor do all day") == "security auditor"
    assert role_of("how to get into data science with no degree") == "data science"
    assert role_of("how do i get into technical project management?") == "technical project management"
    assert role_of("how do i break into the field?") is None


def test_what_someone_will_be_earning_asks_for_a_figure():
    from tpm_assistant.query import wanted

    assert wanted("What will managers be earning in 2040?") == frozenset({"money"})
    assert wanted("What would the course be costing me?") == frozenset({"money"})
    assert wanted("What will I be making decisions about?") == frozenset()


RATES = GUIDE_LIKE + """
# What is the outlook?

The role is projected to grow by 10% through 2025.

Some managers work fully remotely, while others work on-site for hardware deployments.
"""


def test_a_rate_is_an_answer_only_beside_what_it_is_a_rate_of():
    """A percentage is always of something: "What percentage of managers work remotely?" is not
    answered by the growth rate, and is declined whatever the fitted model says; a figure of pay
    asked in words the passage need not use ("the top end of pay") is left to the model."""
    from tpm_assistant.abstain import DECIDING

    index, encoder = make_index(RATES)
    retriever = Retriever(index, encoder)
    remote = coverage(index, retriever.search("What percentage of managers work fully remotely?", 3))
    assert remote.rate_unmatched == 1.0 and "rate_unmatched" in DECIDING
    assert remote.missing()[0].startswith("a rate for ") and "remotely" in remote.missing()[0]
    growth = coverage(index, retriever.search("By what percentage is the role projected to grow?", 3))
    assert growth.rate_unmatched == 0.0  # "10%" sits beside "grow"
    pay = coverage(index, retriever.search("What is the top end of pay?", 3))
    assert pay.value_unmatched == 1.0 and pay.rate_unmatched == 0.0


def test_a_choice_put_to_the_guide_between_things_it_never_names_is_a_comparison_it_does_not_make(small):
    """"Should I get A or B?" compares A and B only where a side holds a word the guide never uses;
    between things the guide names, the question is left as any other (the guide may answer it
    without comparing words)."""
    index, retriever = small
    unknown = coverage(index, retriever.search("Should I get a zoology degree or a botany degree?", 3))
    assert unknown.comparison_unmet == 1.0
    known = coverage(index, retriever.search("Should I choose cloud or banking?", 3))
    assert known.comparison_unmet == 0.0
    not_a_choice = coverage(index, retriever.search("Should I get a zoology degree or not?", 3))
    assert not_a_choice.comparison_unmet == 0.0
    # a word the guide writes as two ("health tech" / "healthtech") is no unknown side
    compound = coverage(index, retriever.search("Should I choose cloudbanking or gaming?", 3))
    assert compound.comparison_unmet == 0.0


def test_how_quickly_someone_gets_somewhere_asks_for_a_time_how_fast_something_grows_for_a_rate():
    """"How quickly can a project coordinator become a TPM?" was read as asking for a percentage,
    and declined for want of one beside the coordinator stage (the guide gives 1-2 years)."""
    from tpm_assistant.query import wanted

    assert wanted("How quickly can a project coordinator become a TPM?") == frozenset({"duration"})
    assert wanted("How fast can I become a TPM?") == frozenset({"duration"})
    assert wanted("How fast is the TPM field growing?") == frozenset({"percent"})


def test_a_decade_of_the_askers_life_is_no_figure_the_guide_must_give(small):
    """"I'm in my 60s" says who asks: read as a number the guide never gives, the question was
    declined. A decade of years is still a figure ("in the 2020s")."""
    index, _ = small
    assert not [c for c in constraints("I'm in my 60s. Can I still become a TPM?", index) if c[0] == "number"]
    assert not [c for c in constraints("Is it too late in your late 40s?", index) if c[0] == "number"]
    assert ("number", "2020s", False) in constraints("What did managers earn in the 2020s?", index)


def test_a_thing_turning_into_another_is_no_job():
    """"What systems keep project problems from becoming emergencies?" was read as asking about the
    job "emergencies" (another career, declined); "from becoming a nurse" still names one."""
    from tpm_assistant.query import role_of

    assert role_of("What systems keep project problems from becoming emergencies?") is None
    assert role_of("What stops people from becoming a nurse?") == "nurse"
