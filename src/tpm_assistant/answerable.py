"""Does the guide answer *what is asked*, not just the topic?

A question can be about technical project management and still ask for a fact the guide does not
give: a salary in Sydney, what Epic Games pays, the cost of an exam, whether Asana beats Microsoft
Project. Each such question pins its answer down with *constraints* (names, numbers, units, words the
guide never uses; see ``query.constraints_of``), an *answer type* (a figure, a count, a rate, a
duration) and sometimes a *comparison*. Here they are checked against the passage that would answer:

- a constraint is met when the passage (with its heading) uses its words, or failing that, by how
  well its tokens match the passage's tokens (late interaction: "NYC" finds "New York City");
- an answer type is met when the passage holds a value of that type;
- a comparison is met when a sentence of the passage compares, next to a name the question gives.

The results are signals for the fitted abstention model (``abstain.py``) and, when the answer is
"not covered", the parts of the question the guide does not give (``Coverage.missing``).
"""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .query import RARE_IDF, RATE_WORDS, TOP_PAY_WORDS, TYPE_WORDS, Constraint, Query, is_type_term, known_word, light_terms
from .text import STOPWORDS, content_terms, stem, synonyms_of, words

if TYPE_CHECKING:
    from .index import Index
    from .retrieval import Ranking

WEAK_MATCH = 0.5  # a question token whose best match in the passage is below this is "not found"
# Wording that compares two things ("CAPM can be a better starting point", "more useful after",
# "provides the strongest advantage").
_COMPARES = re.compile(
    r"\b(better|best|worse|worst|more|most|less|least|(?<!rather )than|higher|highest|lower|lowest|vs\.?|versus"
    r"|whereas|faster|slower|broader|narrower|larger|smaller|stronger|weaker|greater|easier|harder|cheaper|costlier|bigger|wider|deeper|fewer|compared|unlike|prefer\w*|superior|outweigh\w*"
    r"|fastest|slowest|broadest|narrowest|largest|smallest|strongest|weakest|greatest|easiest|hardest|cheapest|biggest"
    r"|widest|deepest|fewest)\b",
    re.I,
)
# How a missing value of each answer type is named in a "not covered" answer.
TYPE_NOUNS = {"money": "a figure", "count": "a number", "percent": "a rate", "duration": "a time frame", "date": "a date"}


DENSE_FOUND = 0.7  # a word the passage does not use counts as there when a token matches this well
NAME_FOUND = 0.85  # ... and a name, number or unit only when one matches this well ("NYC" and "New York")


def found(lexical: bool, dense: float, kind: str = "term") -> float:
    """How far a word or name of the question is there: 1 when the text uses it; else its best token
    match, counted only above the bar for its kind (a city is not "nearly" another city)."""
    if lexical:
        return 1.0
    return dense if dense >= (DENSE_FOUND if kind == "term" else NAME_FOUND) else 0.0


@dataclass(frozen=True)
class ConstraintMatch:
    constraint: Constraint
    lexical: bool  # the passage (or its heading) uses the constraint's words
    dense: float  # mean best token match of the constraint's tokens in the passage

    @property
    def score(self) -> float:
        return found(self.lexical, self.dense, self.constraint.kind)


@dataclass(frozen=True)
class Coverage:
    """How much of what a question asks the passage that would answer it gives."""

    matches: list[ConstraintMatch] = field(default_factory=list)
    name_unmatched: float = 0.0  # 1 - the worst match of a name, number or unit
    name_unknown: float = 0.0  # 1 - the worst match of a name, number or unit the guide never uses
    term_unmatched: float = 0.0  # 1 - the worst token match of a word the guide never uses
    type_unmet: float = 0.0  # 1 when the question wants a type of value the passage does not hold
    type_unmet_near: float = 0.0  # 1 when none of the top passages holds it either
    type_unmet_named: float = 0.0  # 1 when the passage holds a name asked about but not the value asked
    comparison_unmet: float = 0.0  # 1 when a comparison is asked and the passage compares nothing asked
    word_unmatched: float = 0.0  # 1 - the match of the question's worst-covered specific word
    value_unmatched: float = 0.0  # 1 - the share of the question's specific words beside a value of the type asked
    name_value_unmatched: float = 0.0  # 1 - the share of its names, numbers and units beside such a value
    known_name_value_unmatched: float = 0.0  # the same, when the guide uses every name asked (elsewhere)
    named_word_unmatched: float = 0.0  # word_unmatched, when the passage holds a name the question gives
    stage_value_unmet: float = 0.0  # 1 when a value is asked of a stage its words name, and that stage's passage lacks it
    rate_unmatched: float = 0.0  # 1 when a rate is asked and none is given beside any of the message's words
    held_unknown: str = ""  # a word the guide never uses, as what is got or offered ("sponsor work visas"), unmatched
    held_apart: str = ""  # what a name is asked to offer that no section naming it mentions ("internships at Revolut")
    apart: str = ""  # a word the guide gives a value beside, never beside the one of the names asked ("entry-level")
    unvalued: str = ""  # who a figure is asked of that no near figure is given beside ("interns"), as asked
    # "which X pays the most?" asking a kind of thing no sentence on higher pay names ("company"), as asked
    ranked_kind: str = ""  # what a ranking the guide does not make asks for: "single company pays the most"
    asked_words: str = ""  # the message's specific words, once each (what that rate is of)
    stage: str = ""  # that stage's label
    unmet_types: tuple[str, ...] = ()
    wants: tuple[str, ...] = ()  # the answer types the question asks for
    anchored: bool = False  # the passage uses a name or a specific word of the question: it is on its topic

    def unmatched(self, threshold: float = WEAK_MATCH) -> list[Constraint]:
        return [m.constraint for m in self.matches if m.score < threshold]

    @property
    def number_unknown(self) -> float:
        """1 when the question asks about a number the guide never writes ("growth through 2030",
        "the average in 2024"): no passage can give what is asked of it."""
        # one digit may be a word in texting ("best way 2 find tpm jobs"): only longer numbers count
        return float(UNKNOWN_NUMBERS and any(m.constraint.kind == "number" and not m.constraint.in_corpus
                                             and len(m.constraint.terms[0]) >= 2 for m in self.matches))  # fmt: skip

    @property
    def object_unknown(self) -> float:
        """1 when what the question asks is got, offered or sponsored, or asks the typical value of,
        is a thing the guide never names, and the passage matches it badly ("Does Tesla sponsor work
        visas?", "Do TPMs get stock options?", "What's the average yearly raise?"): the guide cannot
        say whether anyone offers it, or what it comes to."""
        return float(bool(self.held_unknown))

    @property
    def held_elsewhere(self) -> float:
        """1 when the question asks whether a name the guide uses offers, runs or has a thing the
        guide mentions only in parts that do not name it ("Does CrowdStrike offer internships?":
        CrowdStrike is an employer in one section, internships are another's)."""
        return float(bool(self.held_apart))

    @property
    def values_apart(self) -> float:
        """1 when a value is asked of a name and a word that the guide gives values for apart
        ("entry-level TPMs in New York City"): neither figure is the one asked."""
        return float(bool(self.apart))

    @property
    def earner_unvalued(self) -> float:
        """1 when pay is asked of people no figure near the question is given for ("How much do TPM
        interns get paid?": the guide's figures are for TPMs, entry-level, New York City)."""
        return float(bool(self.unvalued))

    @property
    def ranking_unmet(self) -> float:
        """1 when the question asks which thing pays most of a kind the guide never ranks, or who
        awards a credential when no near sentence names a body beside it."""
        return float(bool(self.ranked_kind))

    def missing(self, role: str | None = None, other_job: bool = False) -> list[str]:
        """The parts of the question the guide does not give, in words a reader understands."""
        if other_job and role:
            return [role]
        found = (m.constraint.text for m in self.matches if m.constraint.kind == "name" and m.score >= WEAK_MATCH)
        names = list(dict.fromkeys(found))
        if self.stage_value_unmet:  # the stage asked about is what lacks the value, not the other words
            return [f"{TYPE_NOUNS[self.wants[0]]} for {self.stage}"]
        out = self._unmatched_parts()
        if self.held_elsewhere:
            out = [self.held_apart]  # "internships at Revolut", not the question's other words ("aspiring")
        if self.comparison_unmet:
            asked = list(dict.fromkeys(m.constraint.text for m in self.matches if m.constraint.kind == "name"))
            out.append(f"a comparison of {' and '.join(asked[:2])}" if len(asked) >= 2 else "a comparison")
        if self.ranking_unmet:
            # "which organization awards the ACP credential": its own words are not missing parts
            words_asked = set(content_terms(self.ranked_kind))
            out = [p for p in out if not set(content_terms(p)) <= words_asked]
            if not out:
                out.append(f"which {self.ranked_kind}")
        if self.rate_unmatched >= 1.0 and not out:
            noun = TYPE_NOUNS[next(w for w in self.wants if w in RATES)]
            out.append(f"{noun} for {self.asked_words}" if self.asked_words else noun)
        if self.earner_unvalued and not out:
            out.append(f"{TYPE_NOUNS['money']} for {self.unvalued}")  # "a figure for interns"
        if self.type_unmet and not out:
            noun = TYPE_NOUNS[self.unmet_types[0]]
            out.append(f"{noun} for {' and '.join(names)}" if names else noun)
        if self.known_name_value_unmatched >= 1.0 and not out:
            out += names  # named in the best passage, which gives a figure, but none beside them
        if self.values_apart and not out:
            out += [self.apart, *names]  # given apart: "entry-level" and "New York City"
        return list(dict.fromkeys(out))

    def _unmatched_parts(self) -> list[str]:
        """The unmatched constraints' words, but a word naming the date asked for ("in which month
        ...?" names what is asked, not a part of the question the guide lacks)."""
        return [c.text for c in self.unmatched() if not ("date" in self.wants and c.text.lower() in _DATE_WORDS)]

    def describe(self, missing: list[str]) -> str:
        """One sentence saying what the guide does not give."""
        if not missing:
            return "The guide does not cover that."
        if self.stage_value_unmet or (self.earner_unvalued and missing[0].startswith(TYPE_NOUNS["money"])):
            return f"The guide does not give {_join(missing)}."
        if self.values_apart and self.wants and missing[0] == self.apart and len(missing) >= 2:
            return f"The guide does not give {TYPE_NOUNS[self.wants[0]]} for {' and '.join(missing)} together."
        if self.wants and self._unmatched_parts() and not self.comparison_unmet:
            if len(missing) == 1 and missing[0].lower() in RATE_WORDS:  # "an hourly figure", not "a figure for hourly"
                noun = TYPE_NOUNS[self.wants[0]].split(" ", 1)[1]
                article = "an" if missing[0].lower() == "hourly" else "a"
                return f"The guide does not give {article} {missing[0].lower()} {noun}."
            return f"The guide does not give {TYPE_NOUNS[self.wants[0]]} for {_join(missing)}."
        if self.comparison_unmet and len(missing) == 1 and missing[0].startswith("a comparison of "):
            return f"The guide does not compare {missing[0].removeprefix('a comparison of ')}."
        if missing[0].startswith((*tuple(TYPE_NOUNS.values()), "a comparison")):
            return f"The guide does not give {_join(missing)}."
        if self.wants and self.known_name_value_unmatched >= 1.0:  # named, but with no figure beside
            return f"The guide does not give {TYPE_NOUNS[self.wants[0]]} for {_join(missing)}."
        return f"The guide does not cover {_join(missing)}."


_DATE_WORDS = frozenset(["year", "month", "day", "date", "season", "quarter", "founded"])


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[^\d.%]", "", w) for w in words(text) if any(ch.isdigit() for ch in w)}


_VALUE = {
    "money": re.compile(r"\$\s?\d|\d[\d,.]*\s?(?:usd|dollars)\b", re.I),
    "percent": re.compile(r"\d\s?%|\bpercent", re.I),
    "duration": re.compile(r"\b\d+\s*(?:-\s*\d+\s*)?(?:years?|months?|weeks?|days?|hours?)\b", re.I),
    "date": re.compile(
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may"
        r"|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:january|february|march|april|june"
        r"|july|august|september|october|november|december)\b|\b(?:19|20)\d\d\b",  # a year answers "which year"
    ),
}


# A rate is always of something ("the percentage of TPMs who work remotely"): a percentage answers
# only beside one of the message's words, while a figure of pay is asked in words the passage need
# not use ("the top end of TPM pay"), and a count may be a list's length ("How many stages are
# there?").
RATES = frozenset({"percent"})


DENSE_NUMBERS = False  # a number asked is found beside a value only as written


def value_match(index: Index, asked: Ranking, chunks: list[int], constraints: list[Constraint]) -> tuple[float, float]:
    """The best share of the question's specific words found beside a value of the type it asks
    for: in a sentence giving a figure, or its passage's label and heading (by the word, or by a
    token matching as well as DENSE_FOUND). "What do TPMs earn in Chicago?" finds figures, but none
    beside "Chicago". Then the same share for its names, numbers and units alone (1 when it has
    none): a figure answers "in Chicago?" only beside Chicago, however well its other words match."""
    wanted, names, found_beside = _beside_values(index, asked, chunks, constraints)
    if not wanted:
        return 1.0, 1.0
    best = max((len(there) / len(wanted) for there in found_beside), default=0.0)
    best_names = max((len(there & names) / len(names) for there in found_beside), default=0.0) if names else 1.0
    return best, best_names


QUALIFIERS_APART = True  # a figure asked of a name and a word the guide gives figures for apart is not given


def qualifiers_apart(index: Index, asked: Ranking, chunks: list[int], constraints: list[Constraint]) -> str:
    """For "What do entry-level TPMs earn in New York City?": a word of the question that the guide
    gives a value beside, but never beside the same value as its names ("entry-level": $76,683;
    "New York City": $112,547); the two figures do not make the one asked. "" when none."""
    if not QUALIFIERS_APART or not asked.query.wants or _SET_AGAINST.search(asked.query.text):
        return ""
    _, names, found_beside = _beside_values(index, asked, chunks, constraints)
    if not names or not found_beside:
        return ""
    with_names = [there for there in found_beside if names <= there]
    if not with_names:
        return ""
    elsewhere = set().union(*found_beside) - names - _central_terms()
    apart = [t for t in sorted(elsewhere) if not any(t in there for there in with_names)]
    if not apart:
        return ""
    typed = re.search(rf"\b{re.escape(apart[0])}[\w-]*", asked.query.expanded, re.I)  # "entry-level", as asked
    return typed.group() if typed else apart[0]


EARNERS = True  # pay asked of people no near figure is given for declines
_RANK_WORDS = re.compile(r"\b(?:top|highest|lowest|bottom|best|most|least|upper|lower|high|low|earning|paid|paying)\b", re.I)
# Who a figure of pay is asked of: "how much do TPM interns get paid", "what does a program manager earn"
_EARNER = re.compile(
    r"\b(?:how\s+much|what)\s+(?:do|does|can|could|would|will|might)\s+(?:an?\s+|the\s+)?(.+?)\s+"
    r"(?:make|earn|get\s+paid|be\s+paid|take\s+home|bring\s+home|pull\s+in)\b",
    re.I,
)


def unvalued_earner(index: Index, asked: Ranking, chunks: list[int], constraints: list[Constraint]) -> str:
    """For "How much do TPM interns get paid?": a word the guide uses, naming who the pay is asked
    of, that no sentence of ``chunks`` giving a figure has beside it, while some sentence there
    gives one: the figures near are of other people. As asked, or ""."""
    query = asked.query
    found = _EARNER.search(query.expanded)
    if not EARNERS or found is None or query.wants != frozenset({"money"}) or _SET_AGAINST.search(query.text):
        return ""
    wanted, _, found_beside = _beside_values(index, asked, chunks, constraints)
    if not found_beside:
        return ""
    seen = set().union(*found_beside)
    guide = query.guide if query.guide is not None else int(index.doc[chunks[0]])
    # the people themselves, not where or how they work ("TPMs in competitive tech sectors")
    earners = re.split(r"\s+(?:in|at|for|with|from|on|who|that|working|across)\s+", found.group(1), maxsplit=1, flags=re.I)[0]
    for term in content_terms(_RANK_WORDS.sub(" ", earners)):  # "the top earning TPMs" are TPMs
        if term in wanted and term not in seen and term not in _central_terms() and index.knows_in(term, guide):
            typed = re.search(rf"\b{re.escape(term)}[\w-]*", earners, re.I)
            return typed.group() if typed else term
    return ""


_SET_AGAINST = re.compile(r"\b(?:vs|versus|than|compared?|or)\b", re.I)  # "nationally vs NYC" asks both figures
# Words of a central or a yearly value ("typical", "averaging", "annually"): they qualify no group
# the figure is of, whichever sentence the guide writes them in.
_CENTRAL = ("typical typically usual usually average averaging averages median mean normal normally general generally "
            "standard common commonly about around approximately roughly annual annually yearly year per base overall")


@functools.lru_cache(maxsize=1)
def _central_terms() -> frozenset[str]:
    return frozenset(content_terms(_CENTRAL))


def _beside_values(
    index: Index, asked: Ranking, chunks: list[int], constraints: list[Constraint]
) -> tuple[set[str], set[str], list[set[str]]]:
    """The question's specific words and names, and for each sentence of ``chunks`` giving a value
    of the type asked, those of them found there (see ``value_match``)."""
    query = asked.query
    apart = joined_unvalued(query)
    names = {t for c in constraints if c.kind != "term" for t in c.terms} - apart
    wanted = (specific_terms(index, query) | names) - apart
    if not wanted:
        return wanted, names, []
    kinds = {t: c.kind for c in query.constraints for t in c.terms}
    spans = {t: [m.span() for m in re.finditer(rf"\b{re.escape(t)}\w*", query.expanded, re.I)] for t in wanted}
    tokens = {t: [i for a, b in found for i in asked.tokens.within(a, b).tolist()] for t, found in spans.items()}
    # a number is there as written or not, as in ``match``: "in 2022" is not "in 2025"
    likened = {t for t in wanted if tokens[t] and (DENSE_NUMBERS or kinds.get(t) != "number")}
    out = []
    for chunk in chunks:
        passage = index.chunks[chunk]
        context = set(content_terms(f"{passage.section} {passage.label}"))
        for i, (s, e) in enumerate(passage.sentences):
            sentence = passage.text[s - passage.start : e - passage.start]
            if not all(holds_value(kind, sentence) for kind in query.wants):
                continue
            present = context | set(content_terms(sentence))
            sims = index.sentence_similarity(chunk, i, asked.tokens.vecs)
            out.append({
                t for t in wanted
                if found(t in present, float(sims[tokens[t]].max()) if t in likened else 0.0, kinds.get(t, "term")) > 0
            })  # fmt: skip
    return wanted, names, out


# "both the projected growth rate and the 2026 outlook": two things asked, joined by "and"; the
# words of the one that asks no value ("2026" of the outlook) need not stand beside the rate. Within a
# sentence: "And how about in Chicago?" after a question on pay asks pay in Chicago.
JOINED_ASKS = True
_JOINED = re.compile(r"(?<=\w)\s+and\s+(?=(?:the|a|an|its|their|how|what|which|whether|also)\b)", re.I)


def joined_unvalued(query: Query) -> set[str]:
    """The terms only of the parts of a question joined by "and" that ask for no value of the type
    it wants, when another part does (JOINED_ASKS); none otherwise."""
    from .query import INTENTS, WANTS

    parts = _JOINED.split(query.expanded) if JOINED_ASKS and query.wants else []
    if len(parts) < 2:
        return set()
    intents = [INTENTS[WANTS[k]] for k in query.wants if k in WANTS]
    asking = [any(pattern.search(part) for pattern in intents) for part in parts]
    if not any(asking) or all(asking):
        return set()
    kept = {t for part, asks in zip(parts, asking, strict=True) if asks for t in content_terms(part)}
    pinned = {t for c in query.constraints if c.kind != "term" for t in c.terms} | light_terms()
    # a part of its own names a thing ("the 2026 outlook"), not only a name ("and what about Chicago?")
    own = [set(content_terms(part)) for part, asks in zip(parts, asking, strict=True) if not asks]
    return {t for terms in own if terms - pinned - kept for t in terms} - kept


def holds_value(kind: str, text: str) -> bool:
    """Whether ``text`` gives a value of the answer type ``kind`` (money, count, percent, duration)."""
    from .text import holds_count

    return holds_count(text) if kind == "count" else bool(_VALUE[kind].search(text))


def holds_type(index: Index, chunk: int, kind: str) -> bool:
    if kind == "date":  # rare: read from the text (the version keeps flags for the other types)
        return holds_value(kind, index.chunks[chunk].text)
    flags = {"money": index.has_money, "count": index.has_count, "percent": index.has_percent, "duration": index.has_years}
    return bool(flags[kind][chunk])


def match(index: Index, ranking: Ranking, constraint: Constraint, chunk: int) -> ConstraintMatch:
    passage = index.chunks[chunk]
    if constraint.kind == "number":
        lexical = constraint.terms[0] in _numbers(f"{passage.section} {passage.text}")
    elif constraint.kind == "term":
        lexical = False  # the guide never uses it
    else:
        lexical = all(t in index.chunk_terms[chunk] for t in constraint.terms)
        if constraint.kind == "unit" and not lexical:
            lexical = constraint.text in passage.text  # a currency sign
    tokens = ranking.tokens.within(constraint.start, constraint.end)
    # A number is there or not: "2030" is not nearly "2025".
    dense = float(ranking.tokens.matches[tokens, chunk].mean()) if len(tokens) and constraint.kind != "number" else 0.0
    return ConstraintMatch(constraint, lexical, dense)


def known_in_guide(index: Index, constraint: Constraint, chunk: int) -> bool:
    """Whether the guide of the passage answering uses all of a constraint's terms."""
    if not constraint.in_corpus:
        return False
    guide = int(index.doc[chunk])
    return all(index.knows_in(t, guide) for t in constraint.terms)


COMPARE_WINDOW = 8  # words: a comparison is stated next to what it compares ("CAPM can be a better ...")


def compares(
    index: Index,
    chunk: int,
    asked: set[str],
    sides: tuple[frozenset[str], ...] = (),
    named: tuple[frozenset[str], ...] = (),
    wording: frozenset[str] = frozenset(),
) -> bool:
    """A sentence of the passage, or its heading ("Hard skills vs. leadership skills"), uses
    comparing words next to a term the question compares: within COMPARE_WINDOW words of it ("Tools
    such as Tableau or Power BI help you ... make better decisions" compares neither). ``sides``:
    the alternatives a question sets against each other; the sentence names two of them ("CAPM can
    be a better starting point" does not compare an MBA with a master's in project management).
    ``named``: the names the question gives, each as its terms (a turn between two sentences
    compares two of them only with one on each side); ``wording``: the question's own words (what
    the sentence after the turn must also be about)."""
    passage = index.chunks[chunk]
    texts = [passage.section] + [passage.text[s - passage.start : e - passage.start] for s, e in passage.sentences]
    for text in texts:
        tokens = words(text)
        terms = [set(content_terms(w)) for w in tokens]
        said = set().union(*terms)
        if len(sides) >= 2 and sum(bool(side & said) for side in sides) < 2:
            continue
        # two things named and set against each other by "than" ("Is the PMP a better choice than a
        # Scrum Master certification?"): a sentence comparing the PMP with something else does not
        if NAMED_PAIRS and len(sides) < 2 and len(named) >= 2 and sum(bool(name & said) for name in named) < 2:
            continue
        at = [i for i, t in enumerate(terms) if asked & t]
        comparing = [
            i for i, w in enumerate(tokens)
            if any(_COMPARES.fullmatch(part) for part in w.split("-"))  # "faster-paced"
            and not (w == "than" and tokens[i - 1 : i] == ["rather"])
        ]  # fmt: skip
        if any(abs(i - j) <= COMPARE_WINDOW for i in comparing for j in at):
            return True
    # "Certifications like PMP or Scrum Master can enhance ... However, real-world experience ...
    # often weighs more heavily": a sentence that turns on the one before compares with it.
    for before, after in itertools.pairwise(texts[1:]) if CONTRASTS else ():
        first, second = set(content_terms(before)), set(content_terms(after))
        if _CONTRAST.match(after) and asked & first and _COMPARES.search(after):
            # two sides or names asked: one on each side of the turn (not both before it, set against a third)
            pair = sides if len(sides) >= 2 else named if len(named) >= 2 else ()
            if pair and any(a & first and b & second for a in pair for b in pair if a is not b):
                return True
            # else what the turn sets against the first must be something the question says ("experience")
            if not pair and (second & wording) - first:
                return True
    return False


CONTRASTS = True
NAMED_PAIRS = True
_CONTRAST = re.compile(r"^\W*(?:however|but|yet|still|in contrast|on the other hand|by contrast)\b", re.I)


NEAR_PASSAGES = 3


def anchored(index: Index, query: Query, matches: list[ConstraintMatch], chunk: int) -> bool:
    """The passage is on the question's topic: it uses a name the question gives or two of its rare
    words, or holds the type of value the question asks for."""
    if any(m.lexical and m.constraint.kind != "term" for m in matches):
        return True
    if sum(index.idf.get(t, 0.0) >= RARE_IDF for t in specific_terms(index, query) & index.chunk_terms[chunk]) >= 2:
        return True
    return bool(query.wants) and all(holds_type(index, chunk, t) for t in query.wants)


def specific_terms(index: Index, query: Query) -> set[str]:
    """The question's terms that are neither its topic's (common across the guide) nor those that
    say what type of answer it wants."""
    light = light_terms()
    return {
        t for t in query.terms
        if not index.generic(t, query.guide) and not is_type_term(t) and t not in query.background and t not in light
    }  # fmt: skip


_TARGET = re.compile(r"\b(?:which|what)\s+((?:[\w'-]+\s+)?[\w'-]+)", re.I)


# The clause of a question that holds its alternatives: "hard skills or leadership", "Tableau vs Power BI".
_ALTERNATIVES = re.compile(r"[^,:;?!—–]*\b(?:or|vs|versus)\b[^,:;?!—–]*", re.I)
_COUNT = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_NUMBER_RANGE = re.compile(rf"\b{_COUNT}\s+or\s+{_COUNT}\b", re.I)


def alternatives(index: Index, query: Query) -> tuple[frozenset[str], ...]:
    """What a comparing question sets against each other, one set of words per side of its "or" or
    "vs" within one clause, without the guide's topic words, comparing words and answer-type words
    ("Which matters more for a TPM: hard skills or leadership?" sets hard skills against leadership;
    "matters" is not compared)."""
    text = _NUMBER_RANGE.sub(r"\1-\2", query.expanded.replace(" - ", ", "))  # "one or two years" is no choice
    found = _ALTERNATIVES.search(text)
    if found is None:
        return ()
    sides = re.split(r"\b(?:or|vs|versus)\b", found.group(0), flags=re.I)
    out = []
    for side in sides:
        kept = " ".join(w for w in words(side) if not _COMPARES.fullmatch(w))
        terms = frozenset(t for t in content_terms(kept) if not index.generic(t, query.guide) and not is_type_term(t))
        if terms:
            out.append(terms)
    return tuple(out)


# "Should I get an early childhood education degree or a child development degree?": a choice put
# to the guide. Between things the guide never names it is a comparison the guide does not make;
# between things it names it is left as any question ("Should I get a bachelor's or an associate
# degree?" is answered by "the most common educational baseline", which compares in no words).
_CHOICE = re.compile(
    r"^\s*should\s+i\s+(?:get|do|take|choose|pick|study|pursue|learn|start with)\b(.*\b(?:or|vs\.?|versus)\b(?!\s+not\b).*)",
    re.I,
)


def unknown_choice(index: Index, query: Query, sides: tuple[frozenset[str], ...]) -> bool:
    """Whether the message puts a choice to the guide with a side holding a word the guide never
    uses (among the words after the verb of choosing; "healthtech" is the guide's "health tech")."""
    found = _CHOICE.search(query.expanded)
    if found is None:
        return False
    unknown = {stem(w) for w in query.oov if not _compound_of_known(index, w, query.guide)}
    return any(side & unknown & set(content_terms(found.group(1))) for side in sides)


def _compound_of_known(index: Index, word: str, guide: int | None) -> bool:
    return any(known_word(index, word[:i], guide) and known_word(index, word[i:], guide) for i in range(3, len(word) - 2))


def target_terms(index: Index, query: Query) -> set[str]:
    """What a "which X is best" question asks to single out: the words after "which" or "what"."""
    return _target(index, query.expanded, query.guide)[1]


def _target(index: Index, text: str, guide: int | None) -> tuple[str, set[str]]:
    """The words after "which" or "what" in ``text`` as asked, without answer-type words
    ("company", not "company pays"), and their specific terms."""
    found = _TARGET.search(text)
    if found is None:
        return "", set()
    shown = " ".join(w for w in found.group(1).split() if not TYPE_WORDS.fullmatch(w))
    return shown, {t for t in content_terms(found.group(1)) if not index.generic(t, guide) and not is_type_term(t)}


POINTED_RANKINGS = True  # "which of those pays the most?" asks it of what the previous answer named
_POINTED_TARGET = re.compile(r"\bwhich\s+(?:one\s+)?of\s+(?:those|them|these|the\s+above)\b|\bwhich\s+ones?\b", re.I)
# A sentence on where pay is higher: "IT and technology sectors offer some of the highest compensation".
_HIGHER_PAY = re.compile(rf"\b(?:higher|{TOP_PAY_WORDS})\b", re.I)
RANKINGS = True
SUPERLATIVES = True  # ... and which thing of a kind is first in another respect (employs the most, top-ranked)
# A ranking asked for by name: "top-ranked", "ranked the best", "employs the most", "most popular"
# (not "the best way to prepare", "the most important thing", which the guide's advice answers).
_SUPER = (r"(?:(?:top|highest|best|most)[- ]?(?:ranked|rated)"
          r"|ranked\s+(?:as\s+)?(?:the\s+)?(?:best|first|highest|top|number one|#1)"
          r"|(?:employs|hires|employ|hire)\s+the\s+most|(?:the\s+)?most\s+(?:popular|prestigious|reputable))")
_SUPERLATIVE_ASKED = re.compile(
    rf"\bwhich\s+((?:[\w'-]+\s+)?[\w'-]+?)\s+(?:\w+\s+){{0,3}}?{_SUPER}\b"
    rf"|\bwhat(?:'s|’s|\s+is|\s+are)\s+the\s+(?:single\s+)?{_SUPER}\s+((?:[\w'-]+\s+)?[\w'-]+?)\s+(?:for|in|among|to|of|at|on)\b",
    re.I,
)
# "Which universities have the best master's programs?": things ranked by what they have, answered by
# a near sentence singling one out or saying one is better (not "Which majors are best for becoming
# a TPM?", which the guide's advice answers).
HAS_THE_BEST = True
_HAS_THE_BEST = re.compile(
    r"\bwhich\s+((?:[\w'-]+\s+)?[\w'-]+?)\s+(?:has|have|offers?|runs?|gives?)\s+(?:the\s+)?(?:very\s+)?(?:best|top)\b", re.I
)
# A sentence singling one thing out: "the most common", "widely recognized", "especially", "best".
_SINGLED_OUT = re.compile(
    r"\b(?:most|best|top|highest|largest|biggest|greatest|strongest|leading|primary|main|widely|especially"
    r"|particularly|premier|preferred|common)\b",
    re.I,
)


# "Which of those is the best?", "which one is the hardest?": one of the things the previous answer
# named singled out, which a near sentence singling one of them out answers ("CAPM can be a better
# starting point"); the guide ranks neither the tools nor the career stages.
POINTED_SUPERLATIVES = True
_POINTED_SUPER = re.compile(
    r"\bwhich\s+(?:one\s+)?(?:of\s+(?:those|them|these|the\s+above)|ones?)\b(?:\s+[\w'-]+){0,3}?\s+"
    r"(?:the\s+)?(?:best|worst|top|(?:most|least)(?:\s+[\w'-]+)?|number\s+one|\w{2,}est)\b",
    re.I,
)
_SINGLED_OR_BETTER = re.compile(rf"{_SINGLED_OUT.pattern}|\b(?:better|more|easier|harder|stronger|greater)\b", re.I)


# Who awards a credential: "Which organization awards the Agile Certified Practitioner credential?",
# "who administers the PMP exam?"; answered by a sentence naming a body beside it ("offered by the
# Project Management Institute", "Georgia Tech's ... certificate", "the ... Institute").
ISSUERS = True
_ISSUER_ASKED = re.compile(
    r"\b(?:which|what|who)\b(?:\s+(?!(?:do|does|did|can|could|should|would|will|might|must|to|i|you|we|they|tpms?)\b)[\w'-]+){0,2}?"
    r"\s+(?:awards?|administers?|issues?|grants?|accredits?|certifies|confers?"
    r"|governs?|oversees?|(?:is|are)\s+(?:behind|responsible for|in charge of))\s+(?:the\s+|a\s+|an\s+)?(.+?)\s*(?:[?.!,;]|$)",
    re.I,
)
_ISSUER_SAID = re.compile(
    r"\b(?:[Bb]y|[Ff]rom)\s+(?:the\s+)?[A-Z]|\b[A-Z][\w&.-]*['’]s\s"
    r"|\b(?:Institute|Association|Board|Council|Society|Alliance|Foundation|University|School|College|Academy)\b"
)


def _rare_named(index: Index, chunk: int, guide: int | None) -> set[str]:
    """The things a passage names (its label's and text's rare, specific words): what "which of
    those" asks of after an answer quoting it."""
    passage = index.chunks[chunk]
    return {t for t in content_terms(f"{passage.label} {passage.text}")
            if not index.generic(t, guide) and not is_type_term(t) and index.idf.get(t, 0.0) >= RARE_IDF}  # fmt: skip


def ranked_kind(
    index: Index, message: Query, near: list[int], referent: int | None = None, conversation: Query | None = None
) -> str:
    """For "Which single company pays TPMs the most?": the kind of thing asked to single out and how
    ("single company pays the most"), when no sentence of the near passages on higher pay names it; else "".
    The guide says which sectors pay most ("Which industry pays the most?" is answered) but never
    which company, state or certification. Likewise a ranking asked for by name ("Which US state
    employs the most TPMs?", "the top-ranked university"), unless a near sentence singles out one
    of that kind (SUPERLATIVES); and who awards a credential ("Which organization awards the
    CAPM?"), unless a near sentence on it names a body (ISSUERS)."""
    if not RANKINGS:
        return ""
    if message.intents.get("top_pay"):
        shown, asked = _target(index, message.expanded, message.guide)
        said, ranks = _HIGHER_PAY, "pays the most"
        if not asked and referent is not None and POINTED_RANKINGS and _POINTED_TARGET.search(message.text):
            # "Which of those pays the most?": of the kind the question before asked for ("What
            # industries hire TPMs?") and of the things the passage the previous answer quoted first
            # names (its label, its rare words): "the lateral moves" are ranked by no sentence on pay
            asked = _rare_named(index, referent, message.guide)
            if conversation is not None and conversation is not message:
                asked |= _target(index, conversation.text.removesuffix(message.text), message.guide)[1]
            shown = "of them"
    elif POINTED_SUPERLATIVES and referent is not None and (found := _POINTED_SUPER.search(message.text)):
        asked = _rare_named(index, referent, message.guide)
        # "which of those is the most competitive", as asked
        shown, ranks, said = re.sub(r"^which\s+", "", found.group(0), flags=re.I), "", _SINGLED_OR_BETTER
    elif SUPERLATIVES and (found := _SUPERLATIVE_ASKED.search(message.expanded)):
        # "Which US state employs the most TPMs?", "What's the top-ranked university for ...?": one
        # thing of a kind singled out, which a near sentence singling one out of that kind answers
        # ("This is the most common educational baseline")
        shown = found.group(1) or found.group(2)
        asked = {t for t in content_terms(shown) if not index.generic(t, message.guide) and not is_type_term(t)}
        said, ranks = _SINGLED_OUT, "ranks first"
    elif HAS_THE_BEST and (found := _HAS_THE_BEST.search(message.expanded)):
        asked = {t for t in content_terms(found.group(1)) if not index.generic(t, message.guide) and not is_type_term(t)}
        # "which universities have the best", as asked
        shown, ranks, said = re.sub(r"^which\s+", "", found.group(0), flags=re.I), "", _SINGLED_OR_BETTER
    elif ISSUERS and (found := _ISSUER_ASKED.search(message.text)):
        asked = {t for t in content_terms(found.group(1)) if not index.generic(t, message.guide) and not is_type_term(t)}
        # "which organization awards the Agile Certified Practitioner credential", as asked
        shown, ranks = re.sub(r"^(?:which|what|who)\s+", "", found.group(0), flags=re.I).rstrip("?.!,; "), ""
        if found.group(0).lower().startswith("who"):
            shown = f"body {shown}"  # "who administers the PMP exam?": "which body administers the PMP exam"
        said = _ISSUER_SAID
    else:
        return ""
    if not asked:
        return ""
    for chunk in near:
        passage = index.chunks[chunk]
        for s, e in passage.sentences:
            sentence = passage.text[s - passage.start : e - passage.start]
            if said.search(sentence) and asked & set(content_terms(f"{passage.label} {sentence}")):
                return ""
    return f"{shown} {ranks}".strip()


OWN_WORDS = True  # a follow-up with specific words of its own is checked by them (see coverage)


def word_match(index: Index, asked: Ranking, chunk: int) -> tuple[float, float]:
    """The worst-covered specific word of the question in the passage: 1 when the passage uses it,
    else how well its tokens match the passage's (so "burnout" still finds "burning out"); and the
    same with a word typed straight before a word the passage uses counted as covered
    (COMPOUND_MODIFIERS)."""
    query = asked.query
    wanted = specific_terms(index, query) - {t for c in query.constraints for t in c.terms}
    worst = worst_of_kinds = 1.0
    for term in wanted:
        if term in index.chunk_terms[chunk] or (WORD_SYNONYMS and synonyms_of({term}) & index.chunk_terms[chunk]):
            continue
        typed = list(re.finditer(rf"\b({re.escape(term)}\w*)(?:(?=\s+([a-z][\w-]*)))?", query.expanded, re.I))
        tokens = [t for m in typed for t in asked.tokens.within(*m.span(1)).tolist()]
        match = found(False, float(asked.tokens.matches[tokens, chunk].max()) if tokens else 0.0)
        worst = min(worst, match)
        # "status updates" where the passage says "draft updates": which kind of updates
        if not (COMPOUND_MODIFIERS and any(_kind_of_found(index, m.group(2), chunk, query.guide) for m in typed)):
            worst_of_kinds = min(worst_of_kinds, match)
    return worst, worst_of_kinds


# A question's word the passage says in a common synonym ("the course" of a passage on "programs")
# is covered (text.SYNONYM_GROUPS).
WORD_SYNONYMS = True


# A word straight before a specific word the passage uses, in a noun pair ("status updates" where
# the AI tip says "draft updates"), says which kind of that thing is asked about: beside a name the
# passage has (named_word_unmatched), it is no gap. Only there: the fitted model weighs the plain
# word_unmatched signal the other way, and "How do I handle scope creep?" fell below its threshold.
COMPOUND_MODIFIERS = True


def _kind_of_found(index: Index, after: str | None, chunk: int, guide: int | None) -> bool:
    """The word typed after a question's word (``after``) is one ``chunk`` uses and not the guide's
    topic ("updates" after "status", the passage saying "updates")."""
    terms = content_terms(after) if after else []
    return bool(terms) and all(t in index.chunk_terms[chunk] for t in terms) and not index.generic(terms[0], guide)


def asked_constraints(ranking: Ranking) -> list[Constraint]:
    """The constraints the answer must meet. A follow-up naming something of its own asks about
    that: after "What's the salary in the US? And in NYC?", "What about Chicago?" asks for Chicago
    alone (the earlier names were answered), so it is checked like the question on its own."""
    query = (ranking.conversation or ranking).query
    if ranking.conversation is None or not query.focus_terms:
        return query.constraints
    focus = set(query.focus_terms)
    own = [c for c in query.constraints if c.kind != "term" and set(c.terms) <= focus]
    # An unknown word of an earlier turn was that turn's ("what does the ServiceNow one involve?"):
    # "do they pay their interns?" after it lacks a figure, not "involve".
    terms = [c for c in query.constraints if c.kind == "term" and (not OWN_WORDS or set(c.terms) <= focus)]
    return own + terms if own else [c for c in query.constraints if c.kind != "term"] + terms


# A value asked of one stage of a sequence, named by its label's own words ("How long do people stay
# at the junior TPM level?"), is given in that stage's passage or not at all: the guide gives years
# for some stages and none for others.
STAGE_VALUES = True
UNKNOWN_NUMBERS = True  # a number the guide never writes, asked about, declines the question alone
POINTED_STAGES = True  # ... and in a follow-up, of the stage it names or points at ("that stage")
SEQUENCE_LIST = 3  # bullets at least, under a heading that says it is a sequence (path, stages)


# "How long does it take to go from senior TPM to project director?" asks the time to reach the
# stage it goes to, or the time spent in the one it leaves ("Expect to spend 1-2 years" there): the
# senior stage's "With 5-10 years of experience" (the time to reach it) does not answer it.
STAGE_REACHED = True
_GOES_TO = re.compile(
    r"\bfrom\s+(?:an?\s+|the\s+)?((?:[\w'-]+\s+){0,3}?[\w'-]+)\s+(?:up\s+)?(?:to|into)\s+(?:an?\s+|the\s+)?((?:[\w'-]+\s*){1,4})",
    re.I,
)
_TIME_SPENT = re.compile(
    r"\b(?:spend|spent|stay|stays|remain|remains)\b[^.;]{0,30}?\b\d+(?:\s*-\s*\d+)?\s+(?:years?|months?)\b", re.I
)


def named_stage(index: Index, query: Query, near: list[int]) -> int | None:
    """The item of a sequence list among the near passages' sections that the question's specific
    words name (the item whose label has them all and the fewest others), or None; in a question
    going from one stage to another, the one it goes to (STAGE_REACHED)."""
    from .chat import sequence_item_named

    def named_by(words_: str) -> int | None:
        return sequence_item_named(index, set(content_terms(words_)), near, query.guide, least=SEQUENCE_LIST)

    reached = _GOES_TO.search(query.expanded) if STAGE_REACHED else None
    goal = named_by(reached.group(2)) if reached is not None else None
    if reached is not None and goal is not None:
        if not all(holds_value(k, index.chunks[goal].text) for k in query.wants):
            left = named_by(reached.group(1))
            if left is not None and _TIME_SPENT.search(index.chunks[left].text):
                return left
        return goal
    named = sequence_item_named(index, set(query.terms), near, query.guide, least=SEQUENCE_LIST)
    return named if named is not None or not STAGE_TITLES else titled_stage(index, query)


# "What's the average salary of a program manager?": a stage's title typed whole names that stage,
# though its words are the guide's topic words and its passage is not among those found; not inside
# the guide's own job ("technical program manager") nor the job itself at some level ("senior TPM").
STAGE_TITLES = True
_TITLE_PARTS = re.compile(r",\s*(?:or\s+)?|\s+or\s+", re.I)
_TITLES: weakref.WeakKeyDictionary[Index, dict[tuple[str, ...], list[int]]] = weakref.WeakKeyDictionary()


def stage_titles(index: Index) -> dict[tuple[str, ...], list[int]]:
    """Each title of two words or more a stage of a sequence list goes by (its label's parts:
    "Program Manager", "Head of Projects"), as terms, and the stages (read once per index)."""
    from .chat import is_sequence

    titles = _TITLES.get(index)
    if titles is None:
        lists: dict[tuple[str, int], list[int]] = {}
        for i, source, start in index.db("SELECT i, source, heading_start FROM chunks WHERE kind = 'bullet' ORDER BY i"):
            lists.setdefault((source, start), []).append(int(i))
        titles = {}
        for items in lists.values():
            if len(items) >= SEQUENCE_LIST and is_sequence(index, items):
                for i in items:
                    for part in _TITLE_PARTS.split(index.chunks[i].label):
                        if len(terms := tuple(content_terms(part))) >= 2:
                            titles.setdefault(terms, []).append(i)
        _TITLES[index] = titles
    return titles


def titled_stage(index: Index, query: Query) -> int | None:
    """The stage whose title (stage_titles) the question types whole, or None."""
    typed = content_terms(query.expanded)
    subject = index.subject_terms if query.guide is None else index.guide_subject_terms[query.guide]
    source = None if query.guide is None else index.documents[query.guide][0]
    for title, items in stage_titles(index).items():
        stages = [i for i in items if source is None or index.chunks[i].source == source]
        if not stages or subject <= set(title):
            continue
        for k in range(len(typed) - len(title) + 1):
            if tuple(typed[k : k + len(title)]) == title and (k == 0 or typed[k - 1] not in subject):
                return stages[0]
    return None


def pointed_stage(index: Index, chunk: int) -> int | None:
    """``chunk`` when it is a stage of a sequence list (a follow-up points at it), else None."""
    from .chat import is_sequence

    items = index.section_bullets(chunk)
    return chunk if chunk in items and len(items) >= SEQUENCE_LIST and is_sequence(index, items) else None


# What is got, offered, sponsored or included: "sponsor work visas", "get stock options", "provide
# housing" (a participle is how one gets, not what: "get promoted", "get tired").
HELD_UNKNOWN = True
_HELD = re.compile(
    r"\b(?:get|gets|getting|offer|offers|offering|sponsor|sponsors|sponsoring|provide|provides|providing|receive|receives"
    r"|include|includes|come with|comes with)\s+(?:(?:a|an|the|any|some|their|its|your|my)\s+)?(?:([\w'-]+)\s+)?$",
    re.I,
)


# What a typical value is asked of: "What's the typical annual bonus for ...?", "how much travel
# does ...?" (the word right after is a small word or the end: in "the typical ballpark salary" the
# thing asked is the salary).
VALUE_OF_UNKNOWN = True
_VALUE_OF = re.compile(
    r"(?:\bwhat(?:'s|’s|s| is| are| was)?\s+(?:(?:the|a|an)\s+)?"
    r"(?:(?:typical|average|usual|normal|standard|expected|median|annual|yearly|monthly|weekly)\s+){1,3}|\bhow much\s+)"
    r"(?:([\w'-]+)\s+)?$",
    re.I,
)
_SMALL_AFTER = re.compile(
    r"^\s*(?:$|[?,.!;]|(?:for|do|does|did|is|are|was|can|could|would|will|should|in|of|at|or|and|that|when|to|with|on|like"
    r"|a|an|the|tpms?|technical)\b)",
    re.I,
)

# where one gets, not what ("getting ahead")
_WHERE_TO = frozenset(["ahead", "along", "around", "together", "anywhere", "somewhere", "home", "there", "far"])
# how one gets, not what: a past participle not ending in -ed ("gets lost", "got stuck", "get paid")
_IRREGULAR_PARTICIPLES = frozenset(
    ["lost", "done", "gone", "made", "known", "taken", "given", "left", "seen", "caught", "stuck", "hurt", "burnt",
     "sent", "spent", "built", "held", "kept", "told", "sold", "shown", "thrown", "brought", "bought", "found", "won",
     "beaten", "chosen", "forgotten", "hidden", "stolen", "torn", "worn", "bent"]
)  # fmt: skip


def held_unknown(query: Query, matches: list[ConstraintMatch]) -> str:
    """The first unknown, unmatched word of the question that is what a verb of having gets or
    offers, itself or after one modifier ("work visas"), or what a typical value is asked of ("the
    average yearly raise"), or ""."""
    for m in matches if HELD_UNKNOWN else ():
        word = m.constraint
        lower = word.text.lower()
        if word.kind != "term" or word.in_corpus or m.score >= WEAK_MATCH:
            continue
        if lower.endswith(("ed", "ing")) or lower in _WHERE_TO or lower in _IRREGULAR_PARTICIPLES:
            continue
        before = query.expanded[: word.start]
        held = _HELD.search(before)
        # "getting certified raise my pay": a participle straight after the verb is how one gets
        # (a "raise" that follows is no thing got); after an article it describes one ("a paid trip")
        participle = held is not None and held.group(1) is not None and held.group(1).lower().endswith("ed") and not (
            _ARTICLE.fullmatch(held.group(0).split()[1]))
        if held is not None and not participle and (held.group(1) is None or held.group(1).lower() not in STOPWORDS):
            return word.text
        valued = _VALUE_OF.search(before) if VALUE_OF_UNKNOWN else None
        if (valued is not None and (valued.group(1) is None or valued.group(1).lower() not in STOPWORDS)
                and _SMALL_AFTER.match(query.expanded[word.end :])):  # fmt: skip
            return word.text
    return ""


# "Does CrowdStrike offer internships?", "Does Revolut run a TPM internship program?": the words
# after a verb of offering or having, up to the first small word ("for", "to", "?").
HELD_APART = True
_OFFERS = re.compile(
    r"\b(?:offers?|offering|run|runs|running|host|hosts|hosting|provides?|providing|sponsors?|sponsoring|have|has|having"
    r"|give|gives|giving)\s+((?:[\w'-]+\s*){1,5})",
    re.I,
)
_ARTICLE = re.compile(r"a|an|the|any|some|its|their|your|my", re.I)


def held_apart(index: Index, query: Query, guide: int) -> str:
    """For "Does CrowdStrike offer internships?": a specific word the guide uses, asked as what a
    name the guide uses offers, runs or has, that no section naming that name mentions (a prefix
    counts: "interns" and "internships"). As "internships at CrowdStrike", or ""."""
    if not HELD_APART:
        return ""
    names = [c for c in query.constraints if c.kind == "name" and c.in_corpus]
    if not names:
        return ""
    text = query.expanded.split(" (", 1)[0]  # not the spelled-out acronyms appended
    objects: list[str] = []
    for found in _OFFERS.finditer(text):
        # "a TPM internship program for ...": after an article, up to the first small word; "offer
        # for people interested in ..." offers nothing named
        for word in found.group(1).split()[1 if _ARTICLE.fullmatch(found.group(1).split()[0]) else 0 :]:
            if word.lower() in STOPWORDS:
                break
            objects.append(word)
    light = light_terms()
    for name in names:
        holding = [set(c.tolist()) for c in map(index.passage_bm25.docs_of, name.terms)]
        with_name = set.intersection(*holding) if holding else set()
        guide_chunks = sorted(c for c in with_name if int(index.doc[c]) == guide)
        if not guide_chunks:
            continue
        near: set[str] = set()
        for passage in {s for c in guide_chunks for s in index.section_passages(c)}:
            near |= index.chunk_terms[passage]
        for word in objects:
            for term in content_terms(word):
                if (term in name.terms or term in light or is_type_term(term) or index.generic(term, guide)
                        or not index.knows_in(term, guide)):  # fmt: skip
                    continue
                if not any(t.startswith(term) or term.startswith(t) for t in near if min(len(t), len(term)) >= 4):
                    return f"{word} at {name.text}"
    return ""


def coverage(index: Index, ranking: Ranking) -> Coverage:
    """Check the question's constraints, answer type and comparison against its best passage."""
    if not ranking.hits:
        return Coverage()
    asked = ranking.conversation or ranking  # a follow-up is checked as the whole conversation asks
    query = asked.query
    top = ranking.hits[0].chunk
    near = [h.chunk for h in ranking.hits[:NEAR_PASSAGES]]
    matches = [match(index, asked, c, top) for c in asked_constraints(ranking)]
    if query.intents.get("comparison"):
        # An answer to "is X or Y better" may quote the passages about X and about Y.
        matches = [max((match(index, asked, m.constraint, c) for c in near), key=lambda x: x.score) for m in matches]
    names = [m for m in matches if m.constraint.kind != "term"]
    terms = [m for m in matches if m.constraint.kind == "term"]
    unmet = tuple(t for t in sorted(query.wants) if not holds_type(index, top, t))
    # What is compared: the question's names and its specific words (not its topic's words).
    named = {t for m in names if m.constraint.kind == "name" for t in m.constraint.terms}
    name_groups = tuple(dict.fromkeys(frozenset(m.constraint.terms) for m in names if m.constraint.kind == "name"))
    alone = ranking.alone or ranking  # the message itself, in a conversation
    sides = alternatives(index, alone.query)  # the message's own choice
    if len(sides) < 2 or (named and not named & set().union(*sides)):
        sides = ()  # no choice between two things, or the names asked stand outside it
    compared = set().union(*sides) or named or target_terms(index, query) or specific_terms(index, query)
    # Named things (an MBA, the PMP, Tableau) are compared only by a sentence naming two of them;
    # qualities ("hard skills or leadership") by one comparing next to either ("Hard skills vs. leadership skills").
    both = sides if any(side & named for side in sides) else ()
    asks_to_compare = bool(query.intents.get("comparison")) or unknown_choice(index, alone.query, sides)
    wording = frozenset(content_terms(alone.query.text)) if asks_to_compare else frozenset()
    comparison = asks_to_compare and not any(compares(index, c, compared, both, name_groups, wording) for c in near[:2])
    beside_value = value_match(index, asked, near, [m.constraint for m in matches]) if query.wants else (1.0, 1.0)
    stage = named_stage(index, query, near) if query.wants and STAGE_VALUES else None
    wants = query.wants
    if STAGE_VALUES and POINTED_STAGES and alone is not asked and alone.query.wants:
        # A follow-up asking a value of a stage asks it of the stage it names, else of the one it
        # points at ("How many years does it take to reach that stage?"), not of one the earlier
        # questions named.
        own = named_stage(index, alone.query, near)
        if own is None and ranking.referent is not None:
            own = pointed_stage(index, ranking.referent)
        if own is not None:
            stage, wants = own, alone.query.wants
    stage_unmet = stage is not None and not all(holds_value(k, index.chunks[stage].text) for k in wants)
    # A rate is judged by the message's own words: "By what percentage?" after a question about the
    # outlook asks the rate of whatever the answer gives, not of "outlook".
    message = alone.query
    # A follow-up with words of its own is judged by them: the passage answering "Is it okay to lean
    # on AI tools for that?" need not use the words of the question before it.
    message_terms = specific_terms(index, message)
    own_words = OWN_WORDS and alone is not asked and bool(message_terms)
    # beside a name the passage has, a word saying which kind of a thing the passage names is no gap
    worst_word, worst_named = word_match(index, alone if own_words else asked, top)
    named_found = any(m.lexical for m in names if m.constraint.kind == "name")
    rate_unmatched, asked_words = 0.0, ""
    if message.wants & RATES and message_terms:
        rate_match = beside_value if alone is asked else value_match(index, alone, near, [m.constraint for m in matches])
        rate_unmatched = 1.0 - rate_match[0]
        asked_words = " ".join(dict.fromkeys(w for w in message.content if stem(w) in message_terms))
    return Coverage(
        ranked_kind=ranked_kind(index, message, near, ranking.referent, query),
        matches=matches,
        name_unmatched=max((1.0 - m.score for m in names), default=0.0),
        name_unknown=max((1.0 - m.score for m in names if not known_in_guide(index, m.constraint, top)), default=0.0),
        term_unmatched=max((1.0 - m.score for m in terms), default=0.0),
        type_unmet=float(bool(unmet)),
        type_unmet_near=float(any(not any(holds_type(index, c, t) for c in near) for t in unmet)),
        type_unmet_named=float(bool(unmet) and any(m.lexical for m in names if m.constraint.kind == "name")),
        comparison_unmet=float(comparison),
        word_unmatched=1.0 - worst_word,
        value_unmatched=1.0 - beside_value[0],
        name_value_unmatched=1.0 - beside_value[1],
        # "What do TPMs earn in Chicago?": the guide names Chicago (for finding jobs there), so no
        # name is unknown, but no figure is given beside it.
        known_name_value_unmatched=(1.0 - beside_value[1]) if names and all(known_in_guide(index, m.constraint, top)
                                                                            for m in names) else 0.0,
        named_word_unmatched=(
            (1.0 - worst_named) if named_found else 0.0
        ),
        stage_value_unmet=float(stage_unmet),
        rate_unmatched=rate_unmatched,
        held_unknown=held_unknown(query, matches),
        held_apart=held_apart(index, alone.query, int(index.doc[top])),
        # the message's own words: "and in NYC?" after "entry level?" puts NYC in the entry level's place
        apart="" if query.intents.get("comparison") else qualifiers_apart(index, alone, near, alone.query.constraints),
        unvalued=unvalued_earner(index, alone, near, alone.query.constraints) if near else "",
        asked_words=asked_words,
        stage=index.chunks[stage].label if stage is not None else "",
        unmet_types=unmet,
        wants=tuple(sorted(wants)),
        anchored=anchored(index, query, matches, top),
    )
