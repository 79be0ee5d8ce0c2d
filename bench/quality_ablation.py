"""Ablation of the answer-quality techniques: each row refits the weights without one technique
(on eval/train.jsonl + eval/tune.jsonl + eval/train3.jsonl, as the shipped weights are) and scores the
sets that are never fitted on: dev, tune3 (held apart), holdout, holdout2, final and holdout3.

    .venv/bin/tpm-assistant ingest && .venv/bin/python bench/quality_ablation.py [--out FILE]

Prints two Markdown tables (the first row is the full system, the last the plain dense baseline): a
summary with the never-fitted sets other than dev pooled question by question, then every set alone.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import time
from pathlib import Path
from typing import Any

from tpm_assistant import abstain, answer, answerable, chat, query, retrieval
from tpm_assistant.abstain import SIGNALS
from tpm_assistant.assistant import Assistant
from tpm_assistant.config import load_settings
from tpm_assistant.evaluation import LocalClient, load_items, run_eval
from tpm_assistant.learn import fit, neutral_weights
from tpm_assistant.retrieval import FEATURES

ROOT = Path(__file__).resolve().parents[1]
TRAIN = [ROOT / "eval" / f"{name}.jsonl" for name in ("train", "tune", "train3")]
CHECK = {
    name: ROOT / "eval" / f"{name}.jsonl"
    for name in ("dev", "tune3", "holdout", "holdout2", "final", "holdout3", "conv6", "conv7", "probe6", "mix8", "mix9",
                 "conv10", "fact10", "near11", "conv12", "conv13", "probe13", "mix14", "conv16", "fact17",
                 "both15", "both18", "para18", "conv19", "mix19", "conv20", "conv21", "unans21", "final7", "conv22", "final8",
                 "final9", "unans22", "final10", "final11", "final12", "final13", "final14", "final15", "final16",
                 "final17", "final18")
}
COLUMNS = ("hit@1", "hit@3", "answer_acc", "abstain_oos", "false_abstain", "followup_acc", "answer_words_p50")
# Each pooled share is weighted by the number of questions it is a share of.
POOLED = {"hit@1": "facts", "hit@3": "facts", "answer_acc": "facts", "abstain_oos": "out_of_scope",
          "false_abstain": "facts", "followup_acc": "followups", "right[unanswered]": "n[unanswered]",
          "right[both-figures]": "n[both-figures]", "right[list]": "n[list]",
          "right[conversation]": "n[conversation]"}  # fmt: skip


def pooled(per_set: list[dict[str, float]]) -> dict[str, float]:
    """The metrics of several eval sets as if they were one: each share weighted by its count."""
    out = {}
    for metric, count in POOLED.items():
        total = sum(m.get(count, 0) for m in per_set)
        out[metric] = sum(m.get(metric, 0.0) * m.get(count, 0) for m in per_set) / total if total else 0.0
    return out


DENSE_VIEWS = ("ctx", "sent", "label", "head", "headlabel")
LEXICAL = ("bm25", "sbm25", "char")
TYPES = ("money", "years", "percent", "list_bullet", "org_proper")


def without(*names: str) -> tuple[str, ...]:
    return tuple(f for f in FEATURES if f not in names)


def signals_without(*names: str) -> tuple[str, ...]:
    return tuple(s for s in SIGNALS if s not in names)


# name -> (fit arguments, change to the fitted weights); "setup" in the arguments switches a technique
# off before the fit

# The switches the rows below set with ``switch``: restored as shipped before every row, as SWITCHED's are.
ROW_SWITCHES: list[tuple[Any, str]] = []


def switch(label: str, module: object, name: str, value: object) -> tuple[str, dict[str, Any], None]:
    """A row that sets one module-level switch for its run (restored before the next row)."""
    ROW_SWITCHES.append((module, name))
    return (label, {"setup": lambda: setattr(module, name, value)}, None)

VARIANTS: list[tuple[str, dict[str, Any], Any]] = [
    ("full system", {}, None),
    ("- dense views (passage vector only)", {"ranker_features": without(*DENSE_VIEWS)}, None),
    ("- lexical (BM25 passage + sentence, char n-grams)", {"ranker_features": without(*LEXICAL)}, None),
    ("- character n-grams", {"ranker_features": without("char")}, None),
    ("- late interaction (MaxSim)", {"ranker_features": without("maxsim")}, None),
    ("- answer-type features", {"ranker_features": without(*TYPES)}, None),
    ("- hub penalty", {"ranker_features": without("hub")}, None),
    ("- typo and clipping correction", {"options": {"fix_typos": False, "expand_acronyms": True, "acronyms_inline": True}}, None),
    ("- acronym expansion", {"options": {"fix_typos": True, "expand_acronyms": False}}, None),
    ("acronyms appended, not replaced",
     {"options": {"fix_typos": True, "expand_acronyms": True, "acronyms_inline": False}}, None),
    ("- sentence picker (first sentence of best passage)", {"sentence_features": ("first", "top_chunk")}, None),
    ("- second sentence", {}, lambda w: w["sentence"].update(second_sentence_margin=-1.0)),
    ("- second sentence and second figure", {},
     lambda w: w["sentence"].update(second_figure_margin=-1.0, second_sentence_margin=-1.0)),
    ("- constraint signals (names, numbers, units, unknown words)",
     {"abstain_signals": signals_without("name_unmatched", "name_unknown", "term_unmatched")}, None),
    ("- answer-type signals (value asked for, beside what is asked)",
     {"abstain_signals": signals_without("type_unmet", "type_unmet_near", "type_unmet_named", "value_unmatched",
                                         "name_value_unmatched")}, None),
    ("- a name, number or unit beside the value asked for", {"abstain_signals": signals_without("name_value_unmatched")}, None),
    ("- the same for a name the guide uses elsewhere (Chicago)",
     {"abstain_signals": signals_without("known_name_value_unmatched")}, None),
    ("- place names in any case (places.txt)", {"setup": lambda: setattr(query, "place_starts", lambda text: set())}, None),
    ("- comparison signal", {"abstain_signals": signals_without("comparison_unmet")}, None),
    ("- word coverage signals", {"abstain_signals": signals_without("word_unmatched", "named_word_unmatched")}, None),
    ("- abbreviations read as the guide's phrases",
     {"options": {"fix_typos": True, "expand_acronyms": True, "acronyms_inline": True, "expand_abbreviations": False}}, None),
    ("- restatements (both statements)", {}, lambda w: w["sentence"].update(restatement_margin=-1.0)),
    ("- restatement model's value and novelty features (kind of value, new words, new number)", {},
     lambda w: w["sentence"].get("restatement_model", {}).get("weights", {}).update(same_value=0.0, novelty=0.0, new_number=0.0)),
    ("- one-word follow-ups read with the conversation", {}, lambda w: setattr(chat, "ONE_WORD", 0)),
    ("- answer type from the conversation for follow-ups (and in Chicago?)", {},
     lambda w: setattr(query, "WANTS_FROM_CONVERSATION", False)),
    ("- fitted list model (lists never)", {}, lambda w: w["sentence"].update(lists=False)),
    ("- a list found by several of the best passages (the best passage's list only)",
     {"setup": lambda: setattr(answer, "LIST_POOL", 1)}, None),
    ("- ordinal questions answered with that item of the list (the first job on the path)", {},
     lambda w: w["sentence"].update(ordinals=False)),
    ("- \"what\" and a plural asks for a list (What skills do I need?)",
     {"setup": lambda: query.INTENTS.__setitem__("list", WORDS_ONLY_LIST)}, None),
    ("- a sentence giving the value asked for leads the answer (how long: the years first)", {},
     lambda w: w["sentence"].update(value_first=False)),
    ("- a run of a list from one item to another (the path from coordinator to director)", {},
     lambda w: w["sentence"].update(ranges=False)),
    ("- a question naming another job declined by rule (the fitted model alone)",
     {"setup": lambda: setattr(abstain, "OTHER_JOB", 0.0)}, None),
    ("- a comparing word within 8 words of what it compares (anywhere in the sentence)",
     {"setup": lambda: setattr(answerable, "COMPARE_WINDOW", 10_000)}, None),
    ("- a whole list names what each item gives (labels only unless asked who)",
     {"setup": lambda: setattr(answer, "LIST_NAMES", False)}, None),
    ("- a choice compared by its two sides (the question's names or words, as one)",
     {"setup": lambda: setattr(answerable, "alternatives", lambda index, query: ())}, None),
    ("- signals that decline alone (a value never beside a name used elsewhere; a comparison never made)",
     {"setup": lambda: setattr(abstain, "DECIDING", ())}, None),
    ("- a value asked of a named stage is given in that stage's passage (how long at the junior level)",
     {"setup": lambda: setattr(answerable, "STAGE_VALUES", False)}, None),
    ("- a rate or count is an answer only beside what it is of (What percentage of TPMs work remotely?)",
     {"setup": lambda: setattr(answerable, "RATES", frozenset())}, None),
    ("- a choice between things the guide never names is a comparison (Should I get an MSW or an MPH?)",
     {"setup": lambda: setattr(answerable, "_CHOICE", re.compile(r"(?!)"))}, None),
    ("- a follow-up's value is asked of the stage it names or points at (how many years to reach that stage?)",
     {"setup": lambda: setattr(answerable, "POINTED_STAGES", False)}, None),
    ("- a follow-up with words of its own is checked by them, an earlier turn's unknown words left to it "
     "(Can AI tools help me with that stuff?)",
     {"setup": lambda: setattr(answerable, "OWN_WORDS", False)}, None),
    ("- each sentence of a conversation says the value it asks (How much? Is it higher in NYC? What about Chicago?)",
     {"setup": lambda: setattr(query, "WANTS_PER_SENTENCE", False)}, None),
    ("- a question asking for every item gets the whole list (Give me the full list of skills)",
     {"setup": lambda: setattr(answer, "EVERY_ITEM", re.compile(r"(?!)"))}, None),
    ("- a message saying it is a separate question stands alone (Separate question: what is ESG?)",
     {"setup": lambda: setattr(chat, "_NEW_TOPIC", re.compile(r"(?!)"))}, None),
    ("- a follow-up naming another stage is answered from it (and to reach senior?)",
     {"setup": lambda: setattr(chat, "NAMED_SIBLING", False)}, None),
    ("- texting spellings read as words (how many yrs b4 ...)", {"setup": lambda: setattr(query, "CHAT_WORDS", {})}, None),
    ("- a name matches its initials (the United States is the guide's US)",
     {"setup": lambda: setattr(query, "INITIALISMS", False)}, None),
    ("- a sentence turning on the one before compares with it (However, ... weighs more heavily)",
     {"setup": lambda: setattr(answerable, "CONTRASTS", False)}, None),
    ("- a year is found beside a value only as written (2024 is not 2025)",
     {"setup": lambda: setattr(answerable, "DENSE_NUMBERS", True)}, None),
    ("- a follow-up naming what it asks for keeps its own type (and what's the outlook in 2026?)",
     {"setup": lambda: setattr(query, "OWN_SUBJECT", False)}, None),
    ("- a listed name keeps its acronym (Metropolitan Transportation Authority (MTA))",
     {"setup": lambda: setattr(answer, "_NAME_RUN", re.compile(NAME_RUN.pattern.removesuffix(answer.ACRONYM_AFTER)))}, None),
    ("- the passage quoted first counts most for a follow-up (all quoted alike)",
     {"setup": lambda: setattr(chat, "QUOTED_LATER", 1.0)}, None),
    switch(
        "- the asker's own situation is no constraint (I'm a nurse with 6 years in hospital IT - ...)",
        query, "BACKGROUND", False,
    ),
    switch("- a name set aside is no constraint (certificate programmes (not PMP))", query, "SET_ASIDE", False),
    switch("- British and American spellings are one word (licence, programmes)", query, "SPELLINGS", False),
    switch("- other names of a place are the guide's (America, the States)", query, "PLACE_ALIASES", False),
    switch("- a counted time is a unit (how many weeks)", query, "COUNTED_UNITS", False),
    switch(
        "- a later follow-up reads an earlier what-about as filled (PMP? / the associate one? / who is it for?)",
        chat, "CHAINED_SLOTS", False,
    ),
    switch(
        "- where people come from leads a question asking it (which jobs do people switch into TPM from?)",
        retrieval, "ORIGIN_BOOST", 0.0,
    ),
    switch(
        "- a signed quotation answers what people say, not questions of fact (the senior stage, not Romeo's quote)",
        retrieval, "QUOTE_PENALTY", 0.0,
    ),
    switch("- a deadline asks for a date (the application deadline for an internship)", query, "DATES", False),
    switch("- light verbs and hedges constrain nothing (always run projects with Agile; is it true that)", query, "LIGHT", False),
    switch("- a figure written short is the guide's (85k is $85,000)", query, "SHORT_NUMBERS", False),
    switch("- where pay is highest leads a question asking it (which sector pays the most?)", retrieval, "TOP_PAY_BOOST", 0.0),
    switch(
        "- the stage after a named one is found in any list among the best passages (the next step after senior)",
        answer, "BESIDE_ANY_LIST", False,
    ),
    switch("- a name typed in lower case among other capitals is a name (how much does medtronic pay TPMs?)",
           query, "LOWER_NAMES", False),
    switch("- a figure asked in a setting the guide gives none beside is not given (salary in healthcare)",
           query, "QUALIFIERS", False),
    switch("- 'my role' is the job the asker said they have (how long do people stay in my role?)", chat, "ASKER_ROLE", False),
    switch("- a statement pinned to a year is a value, as a figure is (growth through 2025, the outlook in 2026)",
           answer, "DATED_VALUES", False),
    switch("- a number the guide never writes declines the question (the average in 2024)", answerable, "UNKNOWN_NUMBERS", False),
    switch("- a unit that is also an everyday word is one only where a quantity is asked (weekly tasks)",
           query, "PLAIN_WORD_UNITS", False),
    switch("- a stage named by its own word leads (what happens at the senior stage?)", retrieval, "STAGE_BOOST", 0.0),
    switch("- 'the first stage' is the sequence's first, whichever the answer quoted first", chat, "SEQUENCE_ORDINALS", False),
    switch("- 'before enrolling', 'prior experience' step along no list", chat, "TIMED_ACTIONS", False),
    switch("- 'one of those', 'that one' fill no slot of the question before", chat, "POINTED_ITEMS", False),
    switch("- a follow-up pointing at the item quoted gets that item, not its list", answer, "POINTED_NOT_LIST", False),
    switch("- a ranking asked by name that no near sentence makes is not given (which state employs the most?)",
           answerable, "SUPERLATIVES", False),
    switch("- two names set against each other by 'than' are compared only by a sentence naming both",
           answerable, "NAMED_PAIRS", False),
    switch("- a thing got or offered that the guide never names declines (sponsor work visas? get equity?)",
           answerable, "HELD_UNKNOWN", False),
    switch("- a restatement a little below even odds is shown (the outlook: 2026 and 10% through 2025)",
           answer, "RESTATEMENT_THRESHOLD", 0.0),
    switch("- the time to go from one stage to another is the stage reached's (senior to director?)",
           answerable, "STAGE_REACHED", False),
    switch("- a typical value asked of a thing the guide never names declines (the average yearly raise?)",
           answerable, "VALUE_OF_UNKNOWN", False),
    switch("- who awards a credential is answered only by a sentence naming a body (which organization awards the CAPM?)",
           answerable, "ISSUERS", False),
    switch("- a figure asked of two things the guide gives figures for apart declines (entry-level in NYC?)",
           answerable, "QUALIFIERS_APART", False),
    switch("- 'the second one' after names listed in one sentence is the second named (who runs the second one?)",
           chat, "NAMES_ORDINAL", False),
    switch("- 'which of those pays the most?' is asked of what the previous answer named (fintech banks: declined)",
           answerable, "POINTED_RANKINGS", False),
    switch("- 'which of those is the best?' is answered only where a near sentence singles one of them out (tools: declined)",
           answerable, "POINTED_SUPERLATIVES", False),
    switch("- a name put in the slot replaces one said in any earlier turn (ServiceNow? / interns? / the MTA one?)",
           chat, "SLOT_ANYWHERE", False),
    switch("- asked for more of one item, it is given whole (tell me more about the second one)",
           answer, "WHOLE_ITEM", False),
    switch("- 'his' after an answer quoting the byline points at the author (who wrote this guide? / his role?)",
           chat, "AUTHOR_PRONOUNS", False),
    switch("- a follow-up pointing at the byline is a question on the author (who wrote this guide? / his role?)",
           retrieval, "AUTHOR_FOLLOWUP", False),
    switch("- pay asked of people no near figure is given for declines (how much do TPM interns get paid?)",
           answerable, "EARNERS", False),
    switch("- a kind of value no near passage gives declines alone (how much does a master's cost?)",
           abstain, "NO_VALUE_NEAR", False),
    switch("- which things have the best is answered only where a near sentence singles one out (universities: declined)",
           answerable, "HAS_THE_BEST", False),
    switch("- 'which sector has the best pay?' asks which, not a figure (answered from the highest compensation)",
           query, "WHICH_PAYS_MOST", False),
    switch("- a difference asked for is a comparison (how is a TPM different from a Scrum Master?)", query, "DIFFERENCES", False),
    switch("- a thing a named employer is asked to offer that no part naming it mentions declines (Revolut internships?)",
           answerable, "HELD_APART", False),
    switch("- a follow-up naming another item of the list quoted gets that item (tech employers / any e-commerce ones?)",
           chat, "NAMED_ITEM", False),
    switch("- a question naming only the guide's subject gets the guide's opening (what does a TPM actually do?)",
           retrieval, "OVERVIEW_BOOST", 0.0),
    switch("- a bare 'next' steps on from where the conversation is (what role comes next?)", chat, "BARE_NEXT", False),
    switch("- a short whole question in a conversation may stand alone (NYC pay? / do I need a degree?)",
           chat, "WHOLE_QUESTIONS", False),
    switch("- an acronym typed with two letters swapped is the one the guide defines (PMP or CAMP?)",
           query, "ACRONYM_TYPOS", False),
    switch("- a typo one edit from two words is the far more common one (managrs: managers, not manages)",
           query, "COMMON_SLIPS", False),
    switch("- a typo of a form the guide writes only in another is that form (goverment agancy: agency, not left unknown)",
           query, "INFLECTED_SLIPS", False),
    switch("- 'how much more' asks for a figure (how much more does product management pay?)", query, "HOW_MUCH_MORE", False),
    switch("- where a sequence starts is its first place (what job do most people start with on the path?)",
           answer, "STARTS", False),
    switch("- asked to be walked through a path, the whole path is given (walk me through the rungs of the ladder)",
           answer, "WALK_THROUGH", False),
    switch("- 'to become' before the job frames a question with words of its own (what skills do I need to become a TPM?)",
           query, "UNFRAMED", False),
    switch("- among lists voted for, the heading closer to the question in meaning (the abilities a TPM brings: the skills)",
           answer, "LIST_HEADING", 0.0),
    switch("- a rundown or summary of all of it asks for the list (give me a rundown of the abilities)",
           answer, "RUNDOWNS", False),
    switch("- beside a name, a word saying which kind of a thing the passage has is no gap (AI tools for status updates)",
           answerable, "COMPOUND_MODIFIERS", False),
    switch("- a participle not ending in -ed is how one gets, not what (so nothing gets lost)",
           answerable, "_IRREGULAR_PARTICIPLES", frozenset()),
    switch("- two letters swapped in a short word are swapped back (new yrok, waht)", query, "SHORT_SWAPS", False),
    switch("- idioms of work and pay read in plain words (does the PMP pay off? the top brass)", query, "IDIOMS", False),
    switch("- a range is read before a place in a list (from the first job to the top)", answer, "RANGE_FIRST", False),
    switch("- a range's end may be a place in a sequence (from the lowest rung to the top)", answer, "RANGE_PLACES", False),
    switch("- 'which X' with a verb in the singular asks one item (which healthcare organization runs ...?)",
           answer, "WHICH_ONE", False),
    switch("- a list asked for in other words is the list its heading names (the main difficulties: challenges)",
           answer, "LIST_SYNONYMS", False),
    switch("- a list whose heading names the message's plural gains votes (the abilities: skills, not self-assessment)",
           answer, "LIST_NAMED_VOTE", 0.0),
    switch("- which kind pays the most is answered by where pay is highest (which industry pays the most?)",
           retrieval, "WHERE_PAY_IS_HIGHEST", False),
    switch("- a sentence turning on the one before keeps it before it (however, experience weighs more)",
           answer, "CONTRASTS_KEEP_BEFORE", False),
    switch("- a question's word the passage says in a common synonym is covered (the course: programs)",
           answerable, "WORD_SYNONYMS", False),
    switch("- a stage's title typed whole names it, topic words and all (the salary of a program manager)",
           answerable, "STAGE_TITLES", False),
    switch("- the highest or lowest of a sequence is its end (the highest stage of the career path)",
           answer, "SEQUENCE_ENDS", False),
    switch("- a sentence elsewhere opening as the best one does is a restatement (advanced degrees: access to senior roles)",
           answer, "SAME_SUBJECT", False),
    switch("- a follow-up names an item of the list the answer quoted first (and the experienced ones? their pay)",
           chat, "NAMED_ITEM_OF_FIRST", False),
    switch("- a word of a joined ask wanting no value need not stand beside it (the growth rate and the 2026 outlook)",
           answerable, "JOINED_ASKS", False),
    switch("- a list asked for is a paragraph's whose heading names more of it (list the lateral moves)",
           answer, "PROSE_LISTS", False),
    switch("- a follow-up picking an item by name points at it though the answer quoted it lower (the one on AI tools)",
           chat, "NAMED_ITEM_QUOTED_LATER", False),
    switch("- an item is named by a word of its label's family (the documentation one: Document decisions)",
           chat, "LABEL_WORD_FAMILY", False),
    switch("- a plural asked for as a request asks for the list (give me the tips for doing well)",
           query, "GIVE_ME_LISTS", False),
    switch("- a restatement from a short bullet is given whole (delivery methodologies: waterfall too)",
           answer, "WHOLE_RESTATEMENTS", False),
    switch("- a short passage the best sentence is in is given whole (when is the PMP worth getting? after experience)",
           answer, "WHOLE_PASSAGES", False),
    switch("- who wrote the guide is answered from its byline (who wrote this guide?)", retrieval, "AUTHOR_BOOST", 0.0),
    switch("- a job pointed at is the assistant's own (what does this kind of job need?)", query, "THIS_JOB", False),
    switch("- a restatement is looked for in the passages nearest the answer in meaning (growth and outlook)",
           answer, "RESTATEMENT_NEIGHBOURS", 0),
    switch("- the paragraph before a list says what its items are (the questions below)", answer, "LEAD_IN", False),
    switch("- which thing pays most is answered only where the guide ranks that kind (which company?)",
           answerable, "RANKINGS", False),
    ("- int8 query encoder (questions encoded by the float export)", {"settings": {"query_int8": False}}, None),
    ("- follow-up references (direction, ordinal)", {}, lambda w: w["followup"].update(direction=0.0, ordinal=0.0)),
    ("- follow-up substitution (what about X?)", {}, lambda w: w["followup"].update(substitution=0.0)),
    ("- standalone check for short follow-ups", {}, lambda w: w["abstain"].update(standalone=2.0)),
    ("- token coverage in abstention", {"abstain_signals": signals_without("min_token", "uncovered")}, None),
    ("- job-mismatch signal in abstention", {"abstain_signals": signals_without("other_job")}, None),
    ("- abstention (answer everything)", {}, lambda w: w["abstain"].update(threshold=0.0)),
    ("- follow-up handling (each message alone)", {"followup": {"enabled": False}}, None),
    ("- follow-up boosts (conversation query only)",
     {"followup": {"message": 0.0, "quoted": 0.0, "neighbour": 0.0, "direction": 0.0, "ordinal": 0.0}}, None),
    ("plain dense baseline (passage vector, no rewriting)",
     {"ranker_features": ("chunk",), "options": {"fix_typos": False, "expand_acronyms": False},
      "sentence_features": ("first", "top_chunk")},
     lambda w: w["sentence"].update(second_sentence_margin=-1.0, second_figure_margin=-1.0, lists=False)),
]  # fmt: skip


# What the rows switch off, as shipped: each row starts from these (a row's switch lasts one row).
SWITCHED = [
    (abstain, "DECIDING"), (abstain, "OTHER_JOB"), (answer, "LIST_NAMES"), (answer, "LIST_POOL"), (answer, "_NAME_RUN"),
    (answerable, "COMPARE_WINDOW"), (answerable, "RATES"), (answerable, "_CHOICE"), (answerable, "STAGE_VALUES"),
    (answerable, "alternatives"), (answerable, "POINTED_STAGES"), (answerable, "OWN_WORDS"), (answer, "EVERY_ITEM"),
    (chat, "ONE_WORD"), (chat, "_NEW_TOPIC"), (chat, "NAMED_SIBLING"),
    (chat, "QUOTED_LATER"), (query, "WANTS_FROM_CONVERSATION"), (query, "WANTS_PER_SENTENCE"), (query, "place_starts"),
    (query, "CHAT_WORDS"), (query, "INITIALISMS"), (answerable, "CONTRASTS"), (answerable, "DENSE_NUMBERS"),
    (query, "OWN_SUBJECT"), (query, "BACKGROUND"), (query, "SET_ASIDE"), (query, "SPELLINGS"), (query, "PLACE_ALIASES"),
    (query, "COUNTED_UNITS"), (chat, "CHAINED_SLOTS"), (retrieval, "ORIGIN_BOOST"), (retrieval, "QUOTE_PENALTY"),
    (query, "DATES"), (query, "LIGHT"), (query, "SHORT_NUMBERS"), (retrieval, "TOP_PAY_BOOST"),
    (answer, "BESIDE_ANY_LIST"), (answer, "LEAD_IN"), (answerable, "RANKINGS"),
]  # fmt: skip
SHIPPED = {(module, name): getattr(module, name) for module, name in [*SWITCHED, *ROW_SWITCHES]}
NAME_RUN, LIST_INTENT = answer._NAME_RUN, query.INTENTS["list"]
# The list intent before "what" and a plural counted ("What skills do I need?").
WORDS_ONLY_LIST = re.compile(r"\b(list|which|what are|name|examples?|some|any|all|every|types|kinds)\b", re.I)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument("--sets", default=",".join(CHECK), help="comma-separated eval sets to score (default: all)")
    parser.add_argument(
        "--only", default="",
        help="run only the variants whose name holds one of these comma-separated strings (and the full system)",
    )  # fmt: skip
    args = parser.parse_args()
    sets = args.sets.split(",")
    variants = [v for v in VARIANTS if v[0] == "full system" or not args.only or any(o in v[0] for o in args.only.split(","))]
    settings = load_settings()
    items = [i for path in TRAIN for i in load_items(path)]
    checks = {name: load_items(path) for name, path in CHECK.items() if name in sets}
    base = Assistant(settings, weights=neutral_weights())
    base.load()
    full_followup: dict[str, Any] | None = None
    others = [name for name in checks if name != "dev"]
    summary = [
        "| variant | dev hit@1 | dev answer_acc | " + " | ".join(f"pooled {c}" for c in POOLED) + " |",
        "|---|---|---|" + "---|" * len(POOLED),
    ]
    lines = [
        "| variant | " + " | ".join(f"{s} {c}" for s in checks for c in COLUMNS) + " |",
        "|---|" + "---|" * (len(checks) * len(COLUMNS)),
    ]
    for name, kwargs, change in variants:
        started = time.perf_counter()
        for (module, attribute), value in SHIPPED.items():
            setattr(module, attribute, value)
        query.INTENTS["list"] = LIST_INTENT
        kwargs = dict(kwargs)
        setup = kwargs.pop("setup", None)
        own = kwargs.pop("settings", None)
        row_base = base
        if own:  # a row with its own settings (the float query encoder) loads its own assistant
            row_base = Assistant(settings.model_copy(update=own), weights=neutral_weights())
            row_base.load()
        if setup:
            setup()  # a technique switched off before fitting, so the weights are fitted without it
        kwargs.setdefault("options", {"fix_typos": True, "expand_acronyms": True, "acronyms_inline": True})
        if full_followup is not None:
            kwargs.setdefault("followup", full_followup)  # reuse the full system's (a slow grid search)
        weights = fit(row_base, items, **kwargs)
        if full_followup is None:
            full_followup = weights["followup"]
        weights = copy.deepcopy(weights)
        if change:
            change(weights)
        assistant = row_base.with_weights(weights)
        client = LocalClient(assistant)
        metrics = {s: run_eval(check_items, client, settings.corpus_dir).metrics for s, check_items in checks.items()}
        lines.append(f"| {name} | " + " | ".join(f"{metrics[s][c]:g}" for s in checks for c in COLUMNS) + " |")
        pool = pooled([metrics[s] for s in others])
        dev = metrics.get("dev", {})
        summary.append(f"| {name} | {dev.get('hit@1', 0.0):.2f} | {dev.get('answer_acc', 0.0):.2f} | "
                       + " | ".join(f"{pool[c]:.2f}" for c in POOLED) + " |")  # fmt: skip
        print(summary[-1], f"({time.perf_counter() - started:.0f}s)", file=sys.stderr)
    table = f"Pooled: {' + '.join(others)}.\n\n" + "\n".join(summary) + "\n\n" + "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
