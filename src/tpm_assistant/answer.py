"""Extractive answers: the sentence(s) of the best passages that answer, each with its [n] marker.

- One answer sentence is picked among the sentences of the top passages by a small linear model
  (fitted like the ranker, see ``learn.py``): similarity to the question, words in common, the answer
  type the question wants, and how well its passage ranked. A later sentence of a "Label: text"
  bullet keeps its label, so the answer reads on its own.
- When the question asks for a figure and another top passage gives a second figure for the same
  thing (the guide has two salary ranges), both are shown, each with its own citation.
- When the question asks for a list and the best passages are bullets of one list, the answer names
  every bullet of that list, each cited.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .abstain import other_job
from .answerable import holds_value
from .models import Answer, Citation
from .query import RARE_IDF, Query, spelled_out
from .retrieval import Hit
from .text import STOPWORDS, content_terms, stem, synonyms_of, words
from .weights import SentenceWeights

if TYPE_CHECKING:
    import numpy as np

    from .answerable import Coverage
    from .index import Index
    from .retrieval import Ranking

NOT_COVERED = "The guide does not cover that."
CANDIDATE_PASSAGES = 3
SENTENCE_FEATURES = ("cos", "maxsim", "chunk_score", "top_chunk", "overlap", "money", "years", "percent", "first")
SENTENCE_COLUMN = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
# A word this rare in the guide names one item of a list ("tools", "healthcare"), not the list.
_BACK_REFERENCE = re.compile(r"^(it|its|they|their|this|these|that|those|he|she|such|both)\b", re.I)
# A sentence turning on the one before ("However, real-world experience ... often weighs more
# heavily") says what it does only with it: it keeps it, as a pointing-back sentence does.
CONTRASTS_KEEP_BEFORE = True
_TURNS_ON = re.compile(r"^\W*(?:however|but|yet|still|in contrast|by contrast|on the other hand)\b", re.I)
_MONEY = re.compile(r"\$\s?\d")
_YEARS = re.compile(r"\b\d+\s*(?:-\s*\d+\s*)?years?\b")
_PERCENT = re.compile(r"\d\s?%")
LIST_ITEM_WORDS = 12  # an unlabelled bullet is named by its first words
RESTATEMENT_PASSAGES = 8  # where a restatement of the best sentence is looked for
DATED_VALUES = True  # a statement of a given year ("through 2025", "in 2026") is a value, as a figure is
# The restatement model's score a second statement must pass: a little below its even odds (0),
# since a "both" answer missing the second statement misleads more than one sentence too many
# lengthens. They only fill the places the likelier ones leave (measured on every set but final8 and
# final9: 106 -> 118 of 212 "both" questions shown, the median answer 48 -> 54 words).
RESTATEMENT_THRESHOLD = -0.25
RESTATEMENT_NEIGHBOURS = 3  # and in the passages nearest the best sentence in meaning
LIST_NAMES = True  # a whole list names, beside each item, the names it gives (organisations, tools)
LIST_HITS = 5  # how many of the best passages show whether a list as a whole is asked for
LIST_POOL, LIST_VOTES = 10, 3  # the passages whose lists are candidates; how many of a list's passages count
# How much the list's heading's closeness in meaning to the question adds to its votes: "the
# abilities a TPM needs" is the skills list's heading in other words, where a bullet of another list
# may match a word ("ability") better. Small, a tie-breaker between lists several passages vote
# for about equally: a heading naming the guide's subject is close to any question about it ("What
# are the benefits of becoming a technical project manager?"), one that does not is far from all
# ("What affects your earning potential?").
LIST_HEADING = 5.0
# Words a heading may use for what a question asks in others: common English synonyms for the
# kinds of lists a career guide gives (text.SYNONYM_GROUPS).
LIST_SYNONYMS = True
# ... and a list whose heading names the kind of thing asked for (a plural of the question, or its
# synonym) is the likelier list: added to its votes, as its heading's closeness in meaning is.
LIST_NAMED_VOTE = 1.5
LIST_FEATURES = (
    "whole_list", "list", "heading_named", "plural_heading", "rare_item", "head_over_label", "hits_in_list", "sequence",
    "item_named",
)  # fmt: skip
# A question about a sequence: "the path from coordinator to director", "in order", "the ladder".
_SEQUENCE = re.compile(r"\b(path|progression|ladder|sequence|in order|stages|steps|from \w+(?: \w+)? to|all the way)\b", re.I)


# "the first job on the path", "the last stage": a place in a list, then what is placed (a word).
_PLACES = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
           "5th": 5, "last": -1, "final": -1}  # fmt: skip
_ORDINAL_IN_QUESTION = re.compile(rf"\bthe\s+({'|'.join(_PLACES)})\s+([\w-]+)", re.I)
MIN_ORDINAL_LIST = 3
# "What job do most people start with on the path?": where a sequence starts is its first place
STARTS = True
_STARTS = re.compile(r"\b(?:start|starts|starting|begin|begins|beginning)\s+(?:with|as|out\s+as|off\s+as|in)\b", re.I)
# "the highest stage of the career progression", "the top of the path": an end of a list, when that
# list is a sequence (in "the top skills" or "the lowest-paying industry" top and low rank, not place).
SEQUENCE_ENDS = True
_SEQUENCE_END = re.compile(r"\bthe\s+(highest|top|lowest|bottom|most\s+senior|most\s+junior)\s+(?:of\s+the\s+)?([\w-]+)", re.I)
_SEQUENCE_ENDS = {"highest": -1, "top": -1, "most senior": -1, "lowest": 1, "bottom": 1, "most junior": 1}
WHOLE_PASSAGES = True  # the best sentence's passage is given whole when it is short (Composer.whole)
WHOLE_SENTENCES = 4  # a paragraph of at most this many sentences is short
# A sentence elsewhere with the best sentence's opening words ("Advanced degrees or specialized
# certifications can increase access to senior roles" beside "Advanced degrees such as an MBA ... are
# not mandatory") says more of the same subject: a restatement, whatever the model scores it.
SAME_SUBJECT = True
WHOLE_RESTATEMENTS = True  # a restatement from a short bullet is given whole, as the best sentence's passage is
WHOLE_ITEM = True  # asked for more of one item, it is given whole, not its opening sentence
_MORE_OF = re.compile(r"\b(?:more|elaborate|expand|explain|details?|in depth|further)\b", re.I)
BESIDE_ANY_LIST = True  # the item named after "after" may be in any list among the best passages
LEAD_IN = True  # the paragraph before a list says what its items are ("the questions below")
# Asked to be walked through a path, ladder or stages ("walk me through the rungs of the ladder"),
# and the list found is one its heading calls so, the whole list is asked for
WALK_THROUGH = True
_WALK_THROUGH = re.compile(r"\b(?:walk|take|talk|run|step)\s+(?:me|us)\s+through\b", re.I)
# A follow-up pointing at the item the previous answer quoted asks about that item.
POINTED_NOT_LIST = True
_OTHERS = re.compile(r"\b(?:others?|else|rest|remaining|more)\b", re.I)  # "what other challenges does it list?"
# A question asking in so many words for every item ("Give me the full list", "List them all",
# "What are all the ...?") gets the whole list found, whatever the fitted list model says: the
# model reads "what are the X" too, which often asks for one item.
EVERY_ITEM = re.compile(
    r"(?:^|[.?!]\s+)\W*(?:please\s+)?(?:list|enumerate)\b"  # "How do I get promoted? List the strategies."
    r"|\b(?:full|complete|entire|whole) (?:list|rundown|run-down|breakdown|set|range)\b"
    r"|\blist (?:them|all|every|each|out)\b|\ball of (?:them|those|these)\b"
    r"|\b(?:give|tell|show|name|list)(?: me)? (?:all|every)\b|\bwhat are all\b|\b(?:walk|take) me through (?:all|every)\b",
    re.I,
)
# ... or a summary of all of it: "Give me a rundown of the abilities ...", "Sum up all the advice
# ...", "all the self-assessment areas ...". Not "all the" or "every" anywhere ("What should I
# confirm at the end of every major meeting?" asks one tip).
RUNDOWNS = True
# ... but not when the list asked for is written as a sentence under its own heading ("Common lateral
# moves": "TPMs often move into program management, product management, ...").
PROSE_LISTS = True
_RUNDOWN = re.compile(
    r"^\W*all (?:of )?the\b|\b(?:a|the) run-?down of\b"
    r"|\b(?:sum up|summari[sz]e|give|tell|show|share|name)(?: me| us)? all (?:of )?the\b",
    re.I,
)
# A range is read before a place in a list: "from the first job to the top roles" asks for all of
# it, not for the first job. In a sequence an end may be a place ("the first job", "the top").
RANGE_FIRST = True
RANGE_PLACES = True
_END_PLACES = {"first": 0, "1st": 0, "entry": 0, "bottom": 0, "lowest": 0, "earliest": 0, "beginning": 0, "start": 0,
               "last": -1, "final": -1, "top": -1, "highest": -1, "end": -1}  # fmt: skip
# "Which healthcare organization runs internships ...?": a thing asked for with a verb in the
# singular is one item of a list, however well the whole list matches ("Which organizations offer
# internships?" asks for them all).
WHICH_ONE = True
_WHICH_ONE = re.compile(
    r"^\W*which\s+(?:[\w'-]+\s+){0,4}?(?:is|was|has|runs|offers|provides|gives|pays|employs|hires|teaches|specializes"
    r"|specialises|focuses|lets|helps|sponsors|hosts|trains|exposes|comes"
    r"|says|talks|mentions|describes|notes|warns|stresses|emphasizes|emphasises|highlights|credits|calls)\b",
    re.I,
)
# "from coordinator to director": two places in a list, each named by a few words.
_RANGE_END = r"(?:an?\s+|the\s+)?([\w-]+(?:\s+[\w-]+)?)"
_RANGE_IN_QUESTION = re.compile(rf"\bfrom\s+{_RANGE_END}\s+(?:up\s+|down\s+)?to\s+{_RANGE_END}", re.I)


@dataclass
class Sentence:
    hit: int  # rank of the passage it comes from (0-based)
    chunk: int
    start: int
    end: int
    text: str
    first: bool  # the passage's first sentence
    features: list[float]
    row: int = -1  # its stored view (for its vector)
    score: float = 0.0


def _sentence_maxsim(index: Index, ranking: Ranking, chunk: int, i: int) -> float:
    """Late interaction within one sentence: each question token's best match there, IDF-weighted."""
    q, weights = ranking.tokens.vecs, ranking.tokens.weights
    if not index.has_tokens or not len(q) or i >= len(index.sentence_tokens[chunk]):
        return 0.0
    a, b = index.sentence_tokens[chunk][i]
    best = (q @ index.token_slice(a, b).T).max(axis=1)
    return float((weights * best).sum() / weights.sum())


def sentence_candidates(
    index: Index, ranking: Ranking, passages: int = CANDIDATE_PASSAGES, more: list[int] | None = None
) -> list[Sentence]:
    """Every sentence of the top passages (and of the passages ``more``), with the features the
    sentence model scores."""
    terms = set(ranking.query.focus_terms or ranking.query.terms)
    intents = ranking.query.intents

    top = ranking.hits[0].score if ranking.hits else 0.0
    out = []
    # Candidates come from the best passages, even beyond the k that will be cited.
    best: list[int] = ranking.top(passages) if ranking.hits else []
    best += [c for c in more or [] if c not in best]
    for rank, chunk_index in enumerate(best):
        hit = Hit(int(chunk_index), float(ranking.scores[chunk_index]))
        chunk = index.chunks[hit.chunk]
        rows = index.sentence_rows[hit.chunk]
        for i, row in enumerate(rows):
            start, end = (int(x) for x in index.row_span[row])
            text = chunk.text[start - chunk.start : end - chunk.start]
            overlap = len(terms & index.sentence_terms[hit.chunk][i]) / max(1, len(terms))
            features = [
                float(ranking.row_cosine[row]),
                _sentence_maxsim(index, ranking, hit.chunk, i),
                hit.score - top,
                float(rank == 0),
                overlap,
                float(intents["money"] and bool(_MONEY.search(text))),
                float(intents["years"] and bool(_YEARS.search(text))),
                float(intents["percent"] and bool(_PERCENT.search(text))),
                float(i == 0),
            ]
            out.append(Sentence(rank, hit.chunk, start, end, text, i == 0, features, row))
    return out


def _distinct(sentences: list[Sentence]) -> list[Sentence]:
    """Each sentence text once (best first): the same sentence in two guides is quoted once."""
    seen: set[str] = set()
    out = []
    for s in sentences:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out


@dataclass(frozen=True)
class Restatement:
    sentence: Sentence
    closeness: float  # cosine of its vector with the best sentence's
    gap: float  # how much lower the sentence picker scores it than the best sentence
    features: dict[str, float] = field(default_factory=dict)  # RESTATEMENT_FEATURES


# What tells a second statement of the same thing elsewhere in the guide ("salaries range from $85,000
# to $130,000" beside "$104,000 and $140,000") from a merely related sentence.
RESTATEMENT_FEATURES = ("gap", "closeness", "topic", "question", "same_value", "novelty", "new_number", "same_heading")
_NUMBER = re.compile(r"\d[\d,.]*")


# A statement of how things stand at a given year: "grow by 10% through 2025", "In 2026, the outlook
# remains strong", "the outlook in 2026 is promising" (not "a career in 2026 and beyond").
_DATED = re.compile(
    r"\b(?:through|by|until)\s+(?:19|20)\d\d\b|^\W*in\s+(?:19|20)\d\d\b|\bin\s+(?:19|20)\d\d\s+(?:is|are|was|were|remains?|will)\b",
    re.I,
)


def _value_kinds(text: str) -> set[str]:
    kinds = {k for k, p in (("money", _MONEY), ("years", _YEARS), ("percent", _PERCENT)) if p.search(text)}
    return kinds | {"dated"} if DATED_VALUES and _DATED.search(text) else kinds


def _weighted_share(index: Index, part: set[str], whole: set[str]) -> float:
    weight = sum(index.idf.get(t, 0.0) for t in whole)
    return sum(index.idf.get(t, 0.0) for t in part & whole) / weight if weight else 0.0


def nearest_passages(index: Index, ranking: Ranking, best: Sentence, n: int, besides: int = 0) -> list[int]:
    """The ``n`` passages of ``best``'s guide (among those the question scored, besides its
    ``besides`` best) holding the views nearest ``best`` in meaning: where the guide may say the
    same thing again, however far away and in whatever words the question did not use ("grow by 10%
    through 2025" for "the outlook in 2026 is promising")."""
    import numpy as np

    from .index import expand

    pool = ranking.candidates if ranking.candidates is not None else np.arange(len(index))
    taken = np.array([best.chunk, *ranking.top(besides)], dtype=np.int64)
    pool = pool[(index.doc[pool] == index.doc[best.chunk]) & ~np.isin(pool, taken) & np.isfinite(ranking.scores[pool])]
    if not len(pool):
        return []
    rows, owner = expand(index.row_start, pool)
    closeness = index.vectors[rows] @ index.vectors[best.row]
    nearest = np.full(len(pool), -2.0, dtype=np.float32)
    np.maximum.at(nearest, owner, closeness)
    order = np.argsort(-nearest, kind="stable")[:n]
    return [int(c) for c in pool[order]]


def restatement_candidates(index: Index, ranking: Ranking, best: Sentence, composer: Composer) -> list[Restatement]:
    """The best-scoring sentence of each of the top RESTATEMENT_PASSAGES passages other than
    ``best``'s, best first, with what the restatement model reads: how far below ``best`` the
    picker puts it, how close their vectors are, how much of the answer's topic it shares (the
    words the question and ``best`` have in common, with its label), how much of the question it
    shares, whether both give the same kind of value (a figure, a rate, a number of years), how much
    of it is new (words and numbers that ``best``'s passage lacks), and whether it sits under the
    same heading."""
    if best.row < 0:
        return []
    near = nearest_passages(index, ranking, best, RESTATEMENT_NEIGHBOURS, RESTATEMENT_PASSAGES) if RESTATEMENT_NEIGHBOURS else []
    pool = [s for s in sentence_candidates(index, ranking, RESTATEMENT_PASSAGES, near) if s.chunk != best.chunk]
    composer.score(pool)
    asked = set(ranking.query.focus_terms or ranking.query.terms)

    def terms(s: Sentence) -> set[str]:
        i = index.sentence_rows[s.chunk].index(s.row) if s.row in index.sentence_rows[s.chunk] else -1
        own = set(index.sentence_terms[s.chunk][i]) if i >= 0 else set(content_terms(s.text))
        return own | set(content_terms(index.chunks[s.chunk].label))

    # What the answer is about: the best sentence's passage (its other sentences may be shown too).
    passage = index.chunks[best.chunk]
    said_best = set(index.chunk_terms[best.chunk]) - set(content_terms(passage.section))
    topic = asked & said_best
    kinds = _value_kinds(best.text)
    numbers = set(_NUMBER.findall(passage.text))
    out: list[Restatement] = []
    for sentence in sorted(pool, key=lambda x: -x.score):
        if any(r.sentence.chunk == sentence.chunk for r in out):
            continue
        closeness = float(index.vectors[sentence.row] @ index.vectors[best.row])
        said = terms(sentence)
        features = {
            "gap": best.score - sentence.score,
            "closeness": closeness,
            "topic": _weighted_share(index, said, topic),
            "question": _weighted_share(index, said, asked),
            "same_value": float(bool(kinds & _value_kinds(sentence.text))),
            # A second statement says something the best one does not (a near copy adds nothing).
            "novelty": _weighted_share(index, said - said_best, said),
            "new_number": float(bool(set(_NUMBER.findall(sentence.text)) - numbers)),
            "same_heading": float(index.chunks[sentence.chunk].heading == passage.heading),
        }
        out.append(Restatement(sentence, closeness, best.score - sentence.score, features))
    return out


def _citations(index: Index, chunks: list[int], scores: list[float]) -> list[Citation]:
    """Citations numbered 1.. in the given order."""
    out = []
    for n, (c, score) in enumerate(zip(chunks, scores, strict=True), start=1):
        chunk = index.chunks[c]
        out.append(
            Citation(
                n=n, chunk_id=chunk.id, source=chunk.source, section=chunk.section, text=chunk.text,
                start=chunk.start, end=chunk.end, score=round(score, 4),
            )
        )  # fmt: skip
    return out


NEAREST = "What it does give, which does not answer that:"


def not_covered(index: Index, ranking: Ranking, composer: Composer | None = None, checked: Coverage | None = None) -> Answer:
    """Say plainly what the guide does not give. When the question is on the guide's topic but asks
    for something it lacks (a place, an organisation, a figure, a comparison), add the nearest facts
    it does give, cited and labelled as not answering; otherwise name the nearest topics."""
    asked = ranking.conversation or ranking
    another = other_job(index, ranking)
    missing = checked.missing(asked.query.role, another) if checked is not None else []
    if not missing:
        missing = list(dict.fromkeys(asked.query.oov))
    # On the guide's topic (the passage uses what the question names), but something asked is not
    # there: the nearest facts help; for a question off the topic, the nearest topics do.
    topical = checked is not None and not another and bool(checked.missing()) and checked.anchored
    if topical and composer is not None and ranking.hits:
        nearest = composer.compose_sentences(index, ranking, restate=False)
        text = f"{checked.describe(missing)} {NEAREST} {nearest.answer}"  # type: ignore[union-attr]
        return Answer(answered=False, answer=text, citations=nearest.citations, missing=missing)
    chunks: list[int] = []
    sections: list[str] = []
    for hit in ranking.hits:
        section = index.chunks[hit.chunk].section
        if section not in sections and len(sections) < 2:
            sections.append(section)
            chunks.append(hit.chunk)
    nearest_topics = "; ".join(f"“{s}” [{n}]" for n, s in enumerate(sections, start=1))
    text = NOT_COVERED + (f" The nearest topics it covers: {nearest_topics}." if nearest_topics else "")
    citations = _citations(index, chunks, [float(ranking.scores[c]) for c in chunks])
    return Answer(answered=False, answer=text, citations=citations, missing=missing)


class Composer:
    def __init__(self, weights: SentenceWeights):
        # Plain attributes (fitting tries other values on one composer); see SentenceWeights.
        self.names: list[str] = list(weights.model.features)
        self.weights: list[float] = list(weights.model.weights)
        self.columns = [SENTENCE_COLUMN[n] for n in self.names]
        self.second_figure_margin = weights.second_figure_margin
        self.second_sentence_margin = weights.second_sentence_margin
        self.lists = weights.lists
        self.ordinals = weights.ordinals
        self.ranges = weights.ranges
        self.value_first = weights.value_first
        self.list_weights: dict[str, float] = dict(zip(weights.list_model.features, weights.list_model.weights, strict=True))
        self.list_bias = weights.list_model.bias
        self.restatement_margin = weights.restatement_margin
        self.parallel_cosine = weights.parallel_cosine
        self.max_restatements = weights.max_restatements
        model = weights.restatement_model
        self.restatement_weights: dict[str, float] | None = (
            dict(zip(model.features, model.weights, strict=True)) if model is not None else None
        )
        self.restatement_bias = model.bias if model is not None else 0.0

    def score(self, sentences: list[Sentence]) -> None:
        for s in sentences:
            s.score = sum(w * s.features[c] for w, c in zip(self.weights, self.columns, strict=True))

    def list_items(self, index: Index, ranking: Ranking) -> list[int]:
        """The bullets of the list the best passages sit in (a section's bullets), if any: of the
        lists among the LIST_POOL best passages, the one whose best LIST_VOTES passages score
        highest above the last of the pool, plus LIST_HEADING times its heading's closeness to the
        question. A list is found by several of its items ("Give the full list of skills" finds five
        skills), where the best passage alone may be a bullet of another."""
        if not ranking.hits:
            return []
        pool = ranking.top(LIST_POOL)
        floor = float(ranking.scores[pool[-1]])
        votes: dict[tuple[int, ...], list[float]] = {}
        heading: dict[tuple[int, ...], float] = {}  # the list's heading's closeness to the question
        head = ranking.column("head")
        # the message's own kinds: after a question on skills, "what separates task trackers from
        # leaders?" does not ask for the skills list
        asked = self._asked_kinds((ranking.alone or ranking).query) if LIST_NAMED_VOTE else set()
        for chunk in pool:
            items = tuple(index.section_bullets(chunk))
            if len(items) >= 2:
                votes.setdefault(items, []).append(float(ranking.scores[chunk]) - floor)
                heading[items] = float(head[chunk]) * LIST_HEADING  # one heading: the same for all its passages
                if asked & set(content_terms(index.chunks[chunk].section)):
                    heading[items] += LIST_NAMED_VOTE  # "the abilities" and "What skills do you need ...?"
        if not votes:
            return []
        # a tie: the first found
        chosen: tuple[int, ...] = max(votes, key=lambda k: sum(votes[k][:LIST_VOTES]) + heading[k])
        return list(chosen)

    @staticmethod
    def _asked_kinds(query: Query) -> set[str]:
        """The question's plural nouns and their synonyms: the kinds of things a list may be of."""
        plural = _plurals(query.text)
        return synonyms_of(plural) | (plural - STOPWORDS) if LIST_SYNONYMS else plural

    def list_features(self, index: Index, ranking: Ranking, items: list[int]) -> dict[str, float]:
        """What tells a question asking for a whole list ("What are the main challenges?") from
        one asking for one item of it ("Which tools should I know?")."""
        query = ranking.query
        asked = {*query.focus_terms, *query.terms}
        lead = max(items, key=lambda i: float(ranking.scores[i]))  # the list's best-ranked item
        top = index.chunks[lead]
        heading = {t for t in content_terms(top.section) if not index.generic(t, query.guide)}
        rare = {t for t in asked if index.idf.get(t, 0.0) >= RARE_IDF}
        in_list = set(items)
        hits = [h.chunk for h in ranking.hits[:LIST_HITS]] or [ranking.hits[0].chunk]
        plural = _plurals(query.text)
        best_label = max(float(ranking.column("label")[i]) for i in items)
        if LIST_SYNONYMS:  # "the main difficulties" names the list headed "What challenges ...?"
            asked, plural = asked | synonyms_of(asked), plural | synonyms_of(plural)
        return {
            "whole_list": float(query.intents["whole_list"]),
            "list": float(query.intents["list"]),
            "heading_named": float(bool(heading & asked)),
            "plural_heading": float(bool((heading | self._lead_in(index, items, query.guide)) & plural)),
            "rare_item": float(any(rare & set(content_terms(self._item_name(index, i))) for i in items)),
            "head_over_label": float(ranking.column("head")[lead] - best_label),
            "hits_in_list": sum(h in in_list for h in hits) / len(hits),
            "sequence": float(bool(_SEQUENCE.search(query.text))),
            # Every word of an item's name in the question ("Which government agency ..." and the
            # item "Government agencies"): it asks about that item.
            "item_named": float(bool(self.named_items(ranking, index, items))),
        }

    @staticmethod
    def _lead_in(index: Index, items: list[int], guide: int | None) -> set[str]:
        """The specific words of the paragraph right before a list, under its heading ("Use the
        questions below to evaluate ..."): what the items are, when the heading does not say."""
        before = items[0] - 1
        if not LEAD_IN or before < 0 or index.chunks[before].section != index.chunks[items[0]].section:
            return set()
        if index.is_bullet[before] or int(index.doc[before]) != int(index.doc[items[0]]):
            return set()
        return {t for t in content_terms(index.chunks[before].text) if not index.generic(t, guide)}

    def list_section(self, index: Index, ranking: Ranking) -> list[int] | None:
        """The bullets of one list, when the question asks for that list rather than one item: a
        small logistic model over ``list_features`` fitted on training questions."""
        if not self.lists or not ranking.hits:
            return None
        items = self.list_items(index, ranking)
        if not items:
            return None
        if len(self.named_items(ranking, index, items)) == 1:
            return None  # "Which government agency ...?" asks about that item of the list, not the list
        if EVERY_ITEM.search(ranking.query.expanded) or (RUNDOWNS and _RUNDOWN.search(ranking.query.expanded)):
            return None if self.listed_in_prose(index, ranking, items) else items
        text = ranking.query.text
        if WHICH_ONE and _WHICH_ONE.search((ranking.alone or ranking).query.expanded):
            return None  # "Which healthcare organization runs internships ...?": one of them
        if WALK_THROUGH and _WALK_THROUGH.search(text) and _SEQUENCE.search(text):
            from .chat import is_sequence

            if is_sequence(index, items):
                return items  # "Walk me through the rungs of the ladder": the path's stages, in order
        if POINTED_NOT_LIST and ranking.referent in items and not _OTHERS.search((ranking.alone or ranking).query.text):
            return None  # "what are those roles focused on?" after one stage: that item, not its list
        values = self.list_features(index, ranking, items)
        z = self.list_bias + sum(w * values[n] for n, w in self.list_weights.items())
        return items if z > 0 else None

    @staticmethod
    def listed_in_prose(index: Index, ranking: Ranking, items: list[int]) -> bool:
        """Whether the list asked for is a paragraph's, not ``items``: the best passage is no bullet
        of it, and its heading names more of what the question asks ("List the lateral career
        moves" and the paragraph under "Common lateral moves") than the bullets' heading does."""
        best = ranking.hits[0].chunk
        if not PROSE_LISTS or best in items or index.is_bullet[best]:
            return False
        asked = {t for t in ranking.query.terms if not index.generic(t, ranking.query.guide)}
        title = set(content_terms(index.documents[int(index.doc[best])][1]))  # the guide's title heads its opening

        def named(chunk: int) -> int:
            return len(asked & (set(content_terms(index.chunks[chunk].section)) - title))

        return named(best) > named(items[0])

    def named_items(self, ranking: Ranking, index: Index, items: list[int]) -> list[int]:
        """The items every word of whose name the question has ("government agency" for the item
        "Government agencies"); not an item named only by the guide's subject ("Technical Project
        Manager" is a stage of the path, but a question naming the job does not ask for it)."""
        asked = {*ranking.query.focus_terms, *ranking.query.terms}
        named = []
        for i in items:
            name = set(content_terms(self._item_name(index, i)))
            subject = set(content_terms(index.documents[int(index.doc[i])][2] or ""))
            if name and name <= asked and not name <= subject:
                named.append(i)
        return named

    def compose(self, index: Index, ranking: Ranking) -> Answer:
        if ranking.hits and ranking.hits[0].chunk in index.bylines:
            return self.compose_item(index, ranking, ranking.hits[0].chunk)  # "by Imed Bouchrika, PhD"
        ranged = self.range_items(index, ranking) if RANGE_FIRST else None
        if ranged:
            return self.compose_list(index, ranking, ranged)  # "from the first job to the top": not the first alone
        item = self.ordinal_item(index, ranking)
        if item is None:
            item = self.beside_item(index, ranking)
        if item is not None:
            return self.compose_item(index, ranking, item)
        listed = self.range_items(index, ranking) or self.list_section(index, ranking)
        if listed:
            return self.compose_list(index, ranking, listed)
        return self.compose_sentences(index, ranking)

    def ordinal_item(self, index: Index, ranking: Ranking) -> int | None:
        """For "What is the first job on the career path?": the item in that place of the list the
        best passage sits in (a list of at least MIN_ORDINAL_LIST bullets), in the guide's order."""
        if not self.ordinals or not ranking.hits or ranking.within:
            return None  # within: "who runs the second one?" asks of a name the passage lists, not of a list item
        message = (ranking.alone or ranking).query.text  # the last message
        found = _ORDINAL_IN_QUESTION.search(message)
        end = _SEQUENCE_END.search(message) if SEQUENCE_ENDS else None
        at_end = False  # the place is an end of a sequence ("the highest stage"), not a count
        if found is not None and found.group(2).lower() not in STOPWORDS:
            place = _PLACES[found.group(1).lower()]
        elif end is not None and end.group(2).lower() not in STOPWORDS:
            place, at_end = _SEQUENCE_ENDS[" ".join(end.group(1).lower().split())], True
        elif STARTS and _STARTS.search(message) and _SEQUENCE.search(message):
            place = 1
        else:
            return None  # "which credential should I get first?": an order of steps, not a place in a list
        # "the first job on the career path" matched the section on the career path best, whatever
        # other lists score.
        items = self._navigable_list(index, ranking)
        if len(items) < MIN_ORDINAL_LIST or place > len(items):
            return None
        if at_end:
            from .chat import is_sequence

            if not is_sequence(index, items):
                return None
        return items[place - 1 if place > 0 else place]

    def beside_item(self, index: Index, ranking: Ranking) -> int | None:
        """For "What comes after the senior TPM stage?": the item after (or before) the one the
        question names, in the list of the best passage's own section (or the one the best
        passages sit in), when that list is a sequence."""
        from .chat import named_item, section_lists

        if not self.ordinals or not ranking.hits:
            return None
        items = self._navigable_list(index, ranking)
        message = (ranking.alone or ranking).query.text  # the last message
        named = named_item(index, message, items)
        if named is None and BESIDE_ANY_LIST:
            # "What's the next step after senior?" matched advice on promotion best; the stage it
            # names is in another list among the best passages (the career path).
            for other in section_lists(index, ranking.top(LIST_POOL), MIN_ORDINAL_LIST):
                if other != items and (named := named_item(index, message, other)) is not None:
                    items = other
                    break
        if named is None:
            return None
        place = items.index(named[0]) + named[1]
        return items[place] if 0 <= place < len(items) else None

    def _navigable_list(self, index: Index, ranking: Ranking) -> list[int]:
        """The list a place in a list or a step along it is taken in: the best passage's own
        section's, when it has one (its place in the guide is what the question matched best),
        else the one several of the best passages belong to."""
        own = index.section_bullets(ranking.hits[0].chunk)
        return own if len(own) >= MIN_ORDINAL_LIST else self.list_items(index, ranking)

    def range_items(self, index: Index, ranking: Ranking) -> list[int] | None:
        """For "the path from coordinator to director": the items of the list from the one the first
        words name to the one the second name, in the guide's order (at least two)."""
        if not self.ranges or not ranking.hits:
            return None
        found = _RANGE_IN_QUESTION.search((ranking.alone or ranking).query.expanded)
        if found is None:
            return None
        items = self.list_items(index, ranking)
        names = {n: {stem(t) for t in content_terms(self._item_name(index, i))} for n, i in enumerate(items)}
        ends = [self._range_end(index, items, names, words_) for words_ in found.groups()]
        if None in ends:
            return None
        a, b = sorted(e for e in ends if e is not None)
        return items[a : b + 1] if b > a else None

    @staticmethod
    def _range_end(index: Index, items: list[int], names: dict[int, set[str]], end: str) -> int | None:
        """The place in ``items`` one end of a range names: by an item's words ("coordinator"), or
        in a sequence by a place ("the first job", "the top roles")."""
        from .chat import closest_named, is_sequence

        named = closest_named(names, {stem(t) for t in content_terms(end)})
        if named is not None or not RANGE_PLACES or not is_sequence(index, items):
            return named
        place = next((_END_PLACES[w] for w in words(end) if w in _END_PLACES), None)
        return None if place is None else (place if place >= 0 else len(items) + place)

    def compose_item(self, index: Index, ranking: Ranking, item: int) -> Answer:
        """One item of a list: its opening sentence, with its label, cited first; or, when the
        question asks for a value ("How long do people spend in the first one?"), its first
        sentence giving one, after its label."""
        chunk = index.chunks[item]
        texts = [chunk.text[s - chunk.start : e - chunk.start] for s, e in chunk.sentences]
        wants = sorted(ranking.query.wants)
        place = next((i for i, t in enumerate(texts) if any(holds_value(k, t) for k in wants)), 0) if self.value_first else 0
        s, e = chunk.sentences[place]
        if place == 0 and WHOLE_ITEM and _MORE_OF.search((ranking.alone or ranking).query.text):
            e = chunk.sentences[-1][1]  # "Tell me more about the second one": the item's every sentence
        opening = Sentence(0, item, s, e, chunk.text[s - chunk.start : e - chunk.start], place == 0, [])
        chunks = self._cite_first(index, ranking, [item])
        text = self._group_text(index, [opening], [opening])
        return Answer(answered=True, answer=f"{text} [1]", citations=self._citations(index, ranking, chunks))

    def compose_list(self, index: Index, ranking: Ranking, listed: list[int]) -> Answer:
        """Every item of a list, in the guide's order, each cited."""
        chunks = self._cite_first(index, ranking, listed)
        number = {c: n for n, c in enumerate(chunks, start=1)}
        # Each item with the names it gives ("Nonprofits and healthcare providers (NYU Langone
        # Health)"): "which hospitals ...?" is answered by a name, not by a kind of organisation.
        named = LIST_NAMES or ranking.query.intents["organisations"] or ranking.query.text.lower().lstrip().startswith("where")
        items = [f"{self._item_label(index, c, named)} [{number[c]}]" for c in listed]
        section = index.chunks[listed[0]].section.rstrip("?.:")
        answer = f"Under “{section}”, the guide lists: " + "; ".join(items) + "."
        return Answer(answered=True, answer=answer, citations=self._citations(index, ranking, chunks))

    def compose_sentences(self, index: Index, ranking: Ranking, restate: bool = True) -> Answer:
        """The best sentence(s) of the best passages, each passage's sentences with its marker;
        ``restate``: with restatements of the best sentence elsewhere in the guide."""
        candidates = sentence_candidates(index, ranking)
        if not candidates:
            return not_covered(index, ranking)
        self.score(candidates)
        parts = self.pick(candidates, ranking, index if restate else None)
        chunks = self._cite_first(index, ranking, list(dict.fromkeys(s.chunk for s in parts)))
        number = {c: n for n, c in enumerate(chunks, start=1)}
        pieces = []
        for chunk in dict.fromkeys(s.chunk for s in parts):
            group = [s for s in parts if s.chunk == chunk]  # best first
            pieces.append(f"{self._group_text(index, candidates, group)} [{number[chunk]}]")
        return Answer(answered=True, answer=" ".join(pieces), citations=self._citations(index, ranking, chunks))

    def pick(
        self, candidates: list[Sentence], ranking: Ranking, index: Index | None = None, found: list[Restatement] | None = None
    ) -> list[Sentence]:
        """The answer's sentences: the best one; the next best when it scores nearly as well (a
        margin fitted on training questions, so answers stay short); when the question asks for a
        figure, the best figure from another passage (two figures for the same thing); and where the
        guide says the same thing again elsewhere, differently, those restatements too."""
        ranked = _distinct(sorted(candidates, key=lambda s: -s.score))
        best = ranked[0]
        parts = [best]
        if len(ranked) > 1 and ranked[1].score >= best.score - self.second_sentence_margin:
            parts.append(ranked[1])
        if ranking.query.intents["money"] and _MONEY.search(best.text):
            others = [
                s for s in ranked
                if s.chunk != best.chunk and _MONEY.search(s.text) and s.score >= best.score - self.second_figure_margin
            ]  # fmt: skip
            if others and not any(p.chunk != best.chunk and _MONEY.search(p.text) for p in parts):
                parts.append(others[0])
        if index is not None and self.whole(index, best.chunk):
            parts += [s for s in ranked if s.chunk == best.chunk and s not in parts]
        if index is not None:
            restated = [s for s in self.restatements(index, ranking, best, found) if s.chunk not in {p.chunk for p in parts}]
            parts += restated
            # "Agile, Scrum, Kanban, waterfall, and hybrid methods all have uses." opens the bullet
            # whose second sentence the model found: the bullet says it whole.
            whole = [s.chunk for s in restated if WHOLE_RESTATEMENTS and index.is_bullet[s.chunk] and self.whole(index, s.chunk)]
            said = {p.text for p in parts}
            parts += [s for s in sentence_candidates(index, ranking, 0, whole) if s.text not in said]
        return self._where_pay_first(self._origin_first(self._value_first(parts, ranking), ranked, ranking), ranked, ranking)

    @staticmethod
    def whole(index: Index, chunk: int) -> bool:
        """A short passage is given whole: a bullet, or a paragraph of a few sentences, whose later
        sentences say when, how or but ("It is usually more useful after ...")."""
        return WHOLE_PASSAGES and (bool(index.is_bullet[chunk]) or len(index.chunks[chunk].sentences) <= WHOLE_SENTENCES)

    @staticmethod
    def _origin_first(parts: list[Sentence], ranked: list[Sentence], ranking: Ranking) -> list[Sentence]:
        """For "Which jobs do people switch into TPM from?", the best sentence saying where people
        come from ("Some professionals enter from software engineering, ...") leads, from the
        passages the answer quotes."""
        from .retrieval import ORIGIN, ORIGIN_BOOST

        if not ORIGIN_BOOST or not ranking.query.intents.get("origin") or ORIGIN.search(parts[0].text):
            return parts
        quoted = {p.chunk for p in parts}
        return _led_by(parts, [s for s in ranked if s.chunk in quoted], ORIGIN)

    @staticmethod
    def _where_pay_first(parts: list[Sentence], ranked: list[Sentence], ranking: Ranking) -> list[Sentence]:
        """For "Which industry pays the most?", the best sentence of the candidate passages saying
        where pay is highest ("IT and technology sectors offer some of the highest compensation")
        leads, over one listing what pay depends on, which shares more of the question's words."""
        from .query import which_pays_most
        from .retrieval import TOP_PAY_SAID_WHERE, WHERE_PAY_IS_HIGHEST

        if not WHERE_PAY_IS_HIGHEST or not which_pays_most(ranking.query.text) or TOP_PAY_SAID_WHERE.search(parts[0].text):
            return parts
        return _led_by(parts, ranked, TOP_PAY_SAID_WHERE)

    def _value_first(self, parts: list[Sentence], ranking: Ranking) -> list[Sentence]:
        """When the question asks for a value ("how long", "what salary") and the answer's first
        sentence gives none, the first of its other sentences that gives one leads (the same
        sentences, in another order): "How long do people stay there?" opens with "Expect to spend
        1-2 years", not with the path's introduction."""
        wants = sorted(ranking.query.wants)
        if not self.value_first or not wants or any(holds_value(k, parts[0].text) for k in wants):
            return parts
        for n, part in enumerate(parts[1:], start=1):
            if any(holds_value(k, part.text) for k in wants):
                return [part, *parts[:n], *parts[n + 1 :]]
        return parts

    def restatements(
        self, index: Index, ranking: Ranking, best: Sentence, found: list[Restatement] | None = None
    ) -> list[Sentence]:
        """Sentences under other headings that say what ``best`` says (their vectors at least
        ``parallel_cosine`` close) and match the question nearly as well (within
        ``restatement_margin`` of its cosine): "growth of 10% through 2025" beside "the outlook in
        2026 is promising". ``found``: ``restatement_candidates`` computed already."""
        if self.restatement_margin < 0 or self.max_restatements < 1:
            return []
        found = restatement_candidates(index, ranking, best, self) if found is None else found
        subject = _opening(index, best.text) if SAME_SUBJECT else None
        same = [r.sentence for r in found if subject and set(subject) <= index.chunk_terms[r.sentence.chunk]
                and subject in itertools.pairwise(_specific(index, r.sentence.text))]  # fmt: skip
        if self.restatement_weights is not None:
            scored = [(self.restatement_score(r), r.sentence) for r in found if r.sentence.text != best.text]
            # the likelier ones first (the model's even odds), then those of the same subject, then
            # those just below even odds fill the places left
            kept = [s for score, s in scored if score > 0] + same
            kept += [s for score, s in scored if RESTATEMENT_THRESHOLD < score <= 0]
        else:
            kept = [r.sentence for r in found if r.closeness >= self.parallel_cosine and r.gap <= self.restatement_margin] + same
        kept = [s for n, s in enumerate(kept) if s.text != best.text and s not in kept[:n]]
        return kept[: self.max_restatements]

    def restatement_score(self, found: Restatement) -> float:
        """The restatement model's score: above 0, ``found`` says again what the answer says."""
        weights = self.restatement_weights or {}
        return self.restatement_bias + sum(w * found.features.get(n, 0.0) for n, w in weights.items())

    @staticmethod
    def _cite_first(index: Index, ranking: Ranking, used: list[int]) -> list[int]:
        """Citation order: the passages the answer quotes, then the other ranked passages, k in
        all (more only when the answer itself quotes more); a passage whose text another cited one
        has (the same paragraph in two guides) is cited once."""
        texts = {index.chunks[c].text for c in used}
        others = []
        for hit in ranking.hits:
            text = index.chunks[hit.chunk].text
            if hit.chunk not in used and text not in texts:
                texts.add(text)
                others.append(hit.chunk)
        return used + others[: max(0, len(ranking.hits) - len(used))]

    @staticmethod
    def _citations(index: Index, ranking: Ranking, chunks: list[int]) -> list[Citation]:
        return _citations(index, chunks, [float(ranking.scores[c]) for c in chunks])

    @staticmethod
    def _group_text(index: Index, candidates: list[Sentence], group: list[Sentence]) -> str:
        """Sentences of one passage, best first, readable on their own: a bullet's later sentence
        keeps the bullet's label, and one that opens by pointing back ("It is usually...") keeps
        the sentence before it, just before it."""
        chunk = index.chunks[group[0].chunk]
        if chunk.label and any(s.first for s in group):
            group = sorted(group, key=lambda s: s.start)  # the opening sentence carries the label
        chosen: list[Sentence] = []
        for s in group:
            if not s.first and (_BACK_REFERENCE.match(s.text) or (CONTRASTS_KEEP_BEFORE and _TURNS_ON.match(s.text))):
                before = [c for c in candidates if c.chunk == s.chunk and c.end <= s.start]
                # ... just before it, also when it is quoted anyway ("However, ..." never leads it)
                if before and before[-1] not in chosen:
                    chosen.append(before[-1])
            if s not in chosen:
                chosen.append(s)
        text = " ".join(s.text for s in chosen)
        if not chosen[0].first and chunk.label and not text.startswith(chunk.label):
            text = f"{chunk.label}: {text}"  # the bullet's topic, so the sentence stands alone
        return text

    @classmethod
    def _item_label(cls, index: Index, c: int, named: bool) -> str:
        """A list item as the answer names it; ``named``: with the names it gives (organisations,
        tools), not the guide's own subject ("TPMs")."""
        name = cls._item_name(index, c)
        chunk = index.chunks[c]
        if chunk.label and named:
            found = names_in(chunk.text[len(chunk.label) :].lstrip(": "), index.lowercase, skip=chunk.label)
            found = [n for n in found if not _names_subject(index, n)]
        else:
            found = []
        return f"{name} ({', '.join(found)})" if found else name

    @staticmethod
    def _item_name(index: Index, c: int) -> str:
        chunk = index.chunks[c]
        if chunk.label:
            return chunk.label
        first = chunk.text[: chunk.sentences[0][1] - chunk.start] if chunk.sentences else chunk.text
        tokens = first.split()
        return " ".join(tokens[:LIST_ITEM_WORDS]) + ("…" if len(tokens) > LIST_ITEM_WORDS else "")


def _names_subject(index: Index, name: str) -> bool:
    """A name made of the guide's subject words, or an acronym the guide defines as them ("TPMs")."""
    terms = content_terms(spelled_out(index, name))
    return bool(terms) and all(index.generic(t) for t in terms)


# A run of capitalised words, with the acronym the guide gives it in brackets ("... Authority (MTA)").
ACRONYM_AFTER = r"(?:\s\([A-Z][A-Za-z]*[A-Z]\))?"
_NAME_RUN = re.compile(r"(?<!\()\b[A-Z][\w’'&.-]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w’'&.-]*)*" + ACRONYM_AFTER)


def _plurals(text: str) -> set[str]:
    """The stems of the plural nouns typed in ``text`` ("difficulties", "tools"); not "the advanced
    ones" or "the others", pronouns, which name no kind of item."""
    return {stem(w) for w in words(text)
            if w.endswith("s") and not w.endswith("ss") and len(w) > 3 and w not in ("ones", "others")}  # fmt: skip


def _led_by(parts: list[Sentence], candidates: list[Sentence], pattern: re.Pattern[str]) -> list[Sentence]:
    """``parts`` led by the first of ``candidates`` that ``pattern`` finds (moved up if quoted
    already, else added), or as they are when none does."""
    lead = next((s for s in candidates if pattern.search(s.text)), None)
    return parts if lead is None else [lead, *(p for p in parts if p is not lead)]


def _specific(index: Index, text: str) -> list[str]:
    """``text``'s terms that are not the guide's topic words, in order."""
    return [t for t in content_terms(text) if not index.generic(t)]


def _opening(index: Index, text: str) -> tuple[str, str] | None:
    """The first two specific terms of a sentence (SAME_SUBJECT), if it has two."""
    terms = _specific(index, text)
    return (terms[0], terms[1]) if len(terms) >= 2 else None


def names_in(text: str, common: Container[str], skip: str = "") -> list[str]:
    """The names a passage gives ("ServiceNow", "NYU Langone Health"): runs of capitalised words,
    except an opening word of a sentence that the guide also writes in lower case (``common``:
    "Companies like ...", "The ...") or that stands alone ("Regular check-ins ..."), and words of
    ``skip`` (its label)."""
    out: list[str] = []
    for m in _NAME_RUN.finditer(text):
        name = m.group().rstrip(".,")
        opens = m.start() == 0 or re.search(r"[.:!?]\s*$", text[: m.start()]) is not None
        first, _, rest = name.partition(" ")
        lone = not rest and first[1:].islower()  # "Regular check-ins ...", not "AtkinsRéalis, which ..."
        if opens and (first.lower() in common or first.lower() in STOPWORDS or lone):
            name = rest
        if name and name not in skip and name not in out:
            out.append(name)
    return out


def sentence_matrix(sentences: list[Sentence]) -> np.ndarray:
    import numpy as np

    return np.array([s.features for s in sentences], dtype=np.float32)
