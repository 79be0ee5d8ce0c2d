"""Follow-up questions without an LLM.

A message that leans on earlier turns ("And in New York City?", "what does it stand for?", "and
after that?", "the second one?") is searched together with the question(s) it follows, and the
passages the previous answer quoted get boosts fitted on training conversations, each for one kind
of reference:

- a pronoun ("what do *they* do there?") points at what the previous answer quoted;
- a direction ("what comes *after* that?") at the passage after (or before) it in the guide;
- an ordinal ("the *second* one") at the passage the previous answer quoted in that place;
- a substitution ("what about finance?") asks the earlier question again about something else, so
  the earlier question's specific words give way to the new ones.

A self-contained new question in a conversation stands alone. Everything needed comes in the
request: the API stays stateless.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import STOPWORDS, content_terms, words

if TYPE_CHECKING:
    import numpy as np

    from .index import Index

# An acknowledgement run into a follow-up ("ok and what about ...?", "thanks, and in Chicago?") says
# nothing of its own: the follow-up is read as if it opened the message. One ending a sentence of its
# own ("ok thanks. and which industries pay the most?") leaves a question that may stand alone.
_ACK = (
    r"(?:(?:ok(?:ay)?|k|cool|great|nice|thanks|thank you|thx|hmm+|alright|right|got it|i see|ah|oh|wow|interesting)"
    r"(?:\s*,\s*|\s+))*"
)
# Openers and pronouns that only make sense with something said before.
_CONNECTOR = re.compile(
    rf"^{_ACK}(and|also|but|or|so|then|what about|how about|what if|and what|same for|in|for|at|with|why|how come)\b", re.I
)
# "what about X?", "and in X?": the earlier question, asked about X instead.
_SUBSTITUTION = re.compile(
    rf"^\W*{_ACK}(?:and|or|but)?\s*(?:what|how)\s+about\b|^\W*{_ACK}(?:and|or)\s+(?:in|for|at|with|as|on)?\b"
    rf"|^\W*{_ACK}same for\b",
    re.I,
)
# "Separate question: what's ESG?": the message says it stands alone (its pronouns are its own).
_NEW_TOPIC = re.compile(
    r"^\W*(?:(?:a|one|another|on an?)\s+)?(?:(?:totally|completely|quick|random|side)\s+)?"
    r"(?:separate|different|new|unrelated|other|random|side|quick)\s+(?:questions?|qs?|topics?|notes?|subjects?|things?)\b(?:\s+(?:entirely|altogether))?\W*"
    r"|^\W*(?:changing|switching|change of|to change)\s+(?:the\s+)?(?:topics?|subjects?|gears)\b\W*"
    r"|^\W*(?:(?:totally|completely|also|somewhat)\s+)?(?:unrelated|off[- ]topic|on another note|by the way|btw)\b"
    r"(?:\s*,?\s*but\b)?\W*",
    re.I,
)
POINTED_VALUES = True  # a value asked of "that level" is asked of the item the previous answer quoted
_ANAPHORA = {
    "it", "its", "that", "this", "those", "these", "they", "them", "their", "there", "one", "ones", "such", "else", "same",
}  # fmt: skip
_AFTER = re.compile(r"\b(after|next|then|following|afterwards|beyond|up from|step up|move up|comes? later|above)\b", re.I)
_BEFORE = re.compile(r"\b(before|previous|prior|earlier|preceding|leads? (?:up )?to|below|beneath)\b", re.I)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "last": -1, "final": -1}  # fmt: skip
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)})\s+(one|item|stage|step|tip|option|point|bullet|role)\b", re.I)
# "the first stage", "the second step": a place in the sequence the answer quoted stages of.
SEQUENCE_ORDINALS = True
NAMES_ORDINAL = True  # "the second one" after an answer naming programs in one sentence is the second named
_ORDINAL_STAGE = re.compile(rf"\b(?:{'|'.join(_ORDINALS)})\s+(?:stage|step|role)\b", re.I)
QUOTED_LATER = 0.5  # how much a passage the previous answer quoted after its first counts as quoted
_MARKER = re.compile(r"\s*\[\d+\]")
MAX_CONTEXT_TURNS = 3  # a chain of follow-ups carries at most this many earlier questions
CHAINED_SLOTS = True  # a later follow-up reads an earlier "what about X?" as it filled its question
SLOT_ANYWHERE = True  # "what about X?" replaces a name said in any earlier question it follows, not only the last
SHORT = 2  # a message with this many content words or fewer may lean on the conversation
# A message with this many content words or fewer is read with the conversation, never alone
# ("what kinds of projects?"); 0 turns this off (bench/quality_ablation.py).
ONE_WORD = 1


@dataclass(frozen=True)
class Turn:
    role: str
    content: str


@dataclass(frozen=True)
class FollowUp:
    question: str  # the last user message
    context: tuple[str, ...] = ()  # the earlier question(s) it depends on, oldest first
    previous_answer: str | None = None  # the assistant's last answer, if it depends on it
    explicit: bool = True  # says so in its wording; False: it is only short, and may stand alone
    direction: int = 0  # +1 "what comes after that?", -1 "what came before?"
    ordinal: int | None = None  # "the second one": 1-based place in the previous answer, -1 the last
    substitutes: bool = False  # "what about X?"
    before: FollowUp | None = None  # the previous message as it was read, when it leaned on history too

    @property
    def standalone(self) -> bool:
        return not self.context


def points_back(message: str) -> bool:
    """The message has a word pointing at something said before ("that", "there", "they")."""
    return bool(set(words(message)) & _ANAPHORA)


# "Who wrote this guide? / What's his role?": a personal pronoun after an answer quoting the byline
# points at the author (retrieval.AUTHOR_FOLLOWUP makes it a question on the author).
AUTHOR_PRONOUNS = True
_PERSONAL = {"he", "his", "him", "she", "her", "hers", "they", "their", "them"}


def about_author(index: Index, message: str, quoted_first: int) -> bool:
    return AUTHOR_PRONOUNS and quoted_first in index.bylines and bool(set(words(message)) & _PERSONAL)


# "What role comes next?", "what's next?": a step along a sequence from no place the message names,
# so from the one the conversation is at ("What's the next step after senior?" names its own).
BARE_NEXT = True
_BARE_NEXT = re.compile(r"\b(?:comes?|came|is|was|'s|’s|goes|happens)\s+next\b|\bnext\W*$", re.I)
_FROM_PLACE = re.compile(r"\b(?:after|from|beyond|than)\b", re.I)


def leans_on_history(message: str) -> bool:
    """Wording that only makes sense after something said before ("And in New York City?")."""
    text = message.strip()
    bare_next = BARE_NEXT and bool(_BARE_NEXT.search(text)) and not _FROM_PLACE.search(text)
    return bool(_CONNECTOR.match(text) or points_back(text) or _ORDINAL.search(text) or bare_next)


def depends_on_history(message: str) -> bool:
    """Elliptical ("And in New York City?") or too short to stand alone ("which firms?")."""
    return leans_on_history(message) or len(content_terms(message)) <= SHORT


WHOLE_QUESTIONS = True
_WHOLE = re.compile(r"^\s*(?:do|does|did|can|could|should|would|will|must|is|are|am)\s+(?:i|you|we|one|people|tpms?)\s+\w+", re.I)


def _read_with_history(message: str) -> bool:
    """Whether a message is read with the one before it, as far as its words tell: it leans on
    it, or names at most one thing ("which firms?", "what kinds of projects?"). "Which certification
    should I get first?" is short but says what it asks: a later "what about after that one?"
    follows it alone, not the salary questions before it."""
    if leans_on_history(message):
        return True
    # "Do I need a degree?" asks whole (a verb and its subject, then the thing): it may stand alone
    # as "which firms?" may not, and is left to the standalone check
    return len(set(content_terms(message)) - STOPWORDS) <= ONE_WORD and not (WHOLE_QUESTIONS and _WHOLE.match(message))


# "how long do people stay in my role?", "what should someone like me do first?": the asker, whose job
# an earlier message said ("I'm a project coordinator right now"): the message is read naming it.
ASKER_ROLE = True
_MINE = re.compile(r"\bmy\s+(?:current\s+|own\s+|present\s+)?(?:role|job|position|title|level|stage)\b"
                   r"|\b(?:someone|somebody|people|person|folks)\s+like\s+me\b|\bin my (?:shoes|position|situation)\b", re.I)
_I_AM = re.compile(
    r"\b(?:i'm|i’m|im|i am|i work as|i'm working as|i am working as)\s+(?:currently\s+|now\s+|still\s+)?(?:an?\s+)"
    r"(?!(?:bit|little|lot|tad|big|huge|fan)\b)([a-z][\w-]*(?:\s+[a-z][\w-]*){0,3}?)"
    r"(?=\s*(?:$|[,.!?;]|\s(?:right now|now|currently|at|in|for|with|and|but|who|about)\b))",
    re.I,
)


def asker_role(messages: Sequence[Turn], before: int) -> str | None:
    """The job the asker said they have, in the latest user message before ``before`` saying one."""
    for m in reversed(messages[:before]):
        found = _I_AM.search(m.content) if m.role == "user" else None
        if found:
            return found.group(1)
    return None


def resolve(messages: Sequence[Turn]) -> FollowUp:
    """The last user message and, when it depends on them, the earlier question(s) and answer."""
    users = [i for i, m in enumerate(messages) if m.role == "user" and m.content.strip()]
    question = messages[users[-1]].content.strip()
    if ASKER_ROLE and _MINE.search(question) and (role := asker_role(messages, users[-1])):
        question = f"{question} ({role})"
    if (new_topic := _NEW_TOPIC.match(question)) and new_topic.end() < len(question):
        return FollowUp(question[new_topic.end() :].strip())
    if len(users) < 2 or not depends_on_history(question):
        return FollowUp(question)
    context: list[str] = []
    for i in reversed(users[:-1]):
        context.insert(0, messages[i].content.strip())
        if len(context) >= MAX_CONTEXT_TURNS or not _read_with_history(messages[i].content):
            break
    answers = [m.content for m in messages[users[-2] : users[-1]] if m.role == "assistant"]
    ordinal = _ORDINAL.search(question)
    direction = direction_of(question)
    return FollowUp(
        question,
        tuple(context),
        answers[-1] if answers else None,
        before=resolve(messages[: users[-1]]) if len(context) >= 2 else None,
        explicit=_read_with_history(question),
        direction=direction,
        ordinal=_ORDINALS[ordinal.group(1).lower()] if ordinal else None,
        # "and what's the next step after it?" points along the list, "and what would I do at one
        # of those?" at what the answer named; neither fills a slot of the question before ("and in
        # Chicago?" does)
        substitutes=bool(_SUBSTITUTION.search(question)) and len(content_terms(question)) >= 1
        and not direction and ordinal is None and not (POINTED_ITEMS and _POINTED_ITEM.search(question)),
    )


def context_text(follow: FollowUp, index: Index, documents: set[int] | None = None) -> str:
    """The earlier question(s) as searched with the message. For "what about X?", the slot X fills
    gives way: the words of the question it follows that name the item the previous answer quoted
    (its label: "fintech" in "Financial services and FinTech") or a name ("New York City"), unless
    the message repeats them. A message asking the pay of what the previous answer named ("what do
    people at that level earn?") is about that: the label of the item it quoted first joins the
    context, so a figure must be given beside it."""
    if not follow.context:
        return ""
    before = follow.before
    if CHAINED_SLOTS and before is not None and before.substitutes and before.context:
        # "What about the associate-level one?" filled a slot of the question before it (the PMP);
        # a later "Who is it a better fit for?" reads the question as filled, not the PMP again.
        follow = dataclasses.replace(follow, context=(f"{context_text(before, index, documents)} {before.question}",))
    text = _substituted(follow, index, documents) if follow.substitutes else " ".join(follow.context)
    label = referent(follow, index, documents)
    return f"{text} {label}." if label else text  # a full stop: the label's name runs on into nothing


def _substituted(follow: FollowUp, index: Index, documents: set[int] | None) -> str:
    from .query import constraints_of, spelled_out

    *earlier, last = follow.context
    keep = set(content_terms(follow.question))

    def named(q: str, kinds: Container[str]) -> set[str]:
        return {t for c in constraints_of(q, index) if c.kind in kinds for t in c.terms} - keep

    labels = [index.chunks[i].label for i in quoted_passages(index, follow.previous_answer, documents)]
    slot = {t for label in labels for t in content_terms(label)} - keep
    slot |= named(last, {"name", "number", "unit"})
    # "What internship does ServiceNow offer? / What do interns do in it? / And the MTA one?": the
    # name the message puts in the slot replaces a name of its kind said in any question it follows.
    message = constraints_of(spelled_out(index, follow.question), index) if SLOT_ANYWHERE else []
    own = {c.kind for c in message if c.kind != "term"}
    return " ".join([*(_without(q, named(q, own)) for q in earlier), _without(last, slot)])


def _without(question: str, slot: set[str]) -> str:
    """``question`` without the words whose terms are all in ``slot``; a dropped word's closing "?"
    stays, so the question still ends where it did ("... in the US?" still asks a figure)."""

    def filled(word: str) -> bool:
        terms = content_terms(word)
        return bool(terms) and all(t in slot for t in terms)

    kept = " ".join(re.sub(r"^.*?(\W*)$", r"\1", w) if filled(w) else w for w in re.findall(r"\S+", question))
    return re.sub(r"\s+(?=[?.!]|$)", "", re.sub(r"\s{2,}", " ", kept))


def referent(follow: FollowUp, index: Index, documents: set[int] | None = None) -> str:
    """What a message pointing at the previous answer asks pay of ("that level", "there", "they"):
    the label of the list item that answer quoted first, or nothing."""
    from .query import constraints_of, wanted

    if not POINTED_VALUES or follow.direction or follow.ordinal is not None:
        return ""  # "what comes after it?" points along the list, not at the item
    if not points_back(follow.question) or "money" not in wanted(follow.question):
        return ""  # a time or a count is given in the item's own passage; pay is not
    if constraints_of(follow.question, index):
        return ""  # "and what do they earn in Chicago?" names what it asks about
    quoted = quoted_passages(index, follow.previous_answer, documents)
    return index.chunks[quoted[0]].label if quoted else ""


@dataclass(frozen=True)
class Boosts:
    """Masks over passages that a follow-up's reference points at (see the module docstring)."""

    quoted: np.ndarray  # passages the previous answer quoted
    neighbour: np.ndarray  # the passages right before and after those
    direction: np.ndarray  # the passage after (or before) the one quoted first, for "what comes after?"
    ordinal: np.ndarray  # the passage quoted in the place the message names
    sibling: np.ndarray  # for "what about X?": the other items of the list a quoted passage is in
    named: np.ndarray  # ... and the one of them its own words name ("and to reach senior?")
    # The one passage the message points at: the item "the next stage" or "the second one" names,
    # else, for "that stage" or "there", what the previous answer quoted first.
    referent: int | None = None
    within: bool = False  # "the second one" is the second name the passage it points at lists (names_ordinal)


def quoted_passages(index: Index, answer: str | None, documents: set[int] | None = None) -> list[int]:
    """The passages the previous answer quoted a sentence (or a list item's label) of, in the order
    the answer quotes them: looked up by the sentences and labels the answer is made of, within the
    ``documents`` the conversation is answered from (the same sentence may be in several guides)."""
    from .build import text_hash
    from .chunking import sentence_spans

    if not answer:
        return []
    found: dict[int, int] = {}
    # An answer is passages' sentences, each group followed by its marker; a list names labels.
    for place, piece in enumerate(re.split(r"\s*\[\d+\]\s*[.;]?\s*", answer)):
        text = piece.strip()
        if not text:
            continue
        candidates = [text] + [text[s:e] for s, e in sentence_spans(text)]
        if ": " in text:  # a bullet's later sentence is quoted after its label
            candidates.append(text.split(": ", 1)[1])
        for candidate in candidates:
            for chunk in index.chunks_with_sentence(text_hash(candidate.strip())):
                found.setdefault(chunk, place)
        label = text.rsplit("; ", 1)[-1].split(" (", 1)[0].strip()
        if ": " in label:
            label = label.rsplit(": ", 1)[-1]
        for chunk in index.chunks_with_label(label):
            found.setdefault(chunk, place)
    mine = found.items() if documents is None else [(c, p) for c, p in found.items() if int(index.doc[c]) in documents]
    return [c for c, _ in sorted(mine, key=lambda x: (x[1], x[0]))]


# "after senior TPM", "before the coordinator stage": the words naming where to start from.
_FROM_NAMED = re.compile(
    r"\b(after|before|beyond|past|following|preceding|above|below|beneath)\s+(?:the\s+|a\s+|an\s+)?(.+?)"
    r"(?:\s+(?:stage|level|role|step|position|one|on|in|of|at|for|along)\b|\W*$)",
    re.I,
)
_ASKS_WHICH = re.compile(r"^\W*(?:(?:and|so|then)\W+)?(?:what|which|who)\b", re.I)
# A list is a sequence (one can step along it) when its heading or the question says so.
_SEQUENCE_WORDS = re.compile(r"\b(path|progression|ladder|sequence|stages?|steps?|levels?|order)\b", re.I)
# "then" opening or closing a message is a connective ("What about Chicago, then?"), no direction.
_LOOSE_THEN = re.compile(r"^\W*(?:and\s+)?then\b|\bthen\W*$", re.I)
# "before enrolling", "after getting certified", "prior experience": when the asker acts, or what
# they bring, not a step along a list.
TIMED_ACTIONS = True
_TIMED_ACTION = re.compile(
    r"\b(?:before|after|prior to)\s+(?!\w*thing\b)\w+ing\b"
    r"|\b(?:prior|previous|earlier)\s+(?:experience|background|knowledge|work|jobs?|roles?|careers?|training)\b",
    re.I,
)
# "one of those", "that one": what the previous answer named, not a new value for the question's slot
POINTED_ITEMS = True
_POINTED_ITEM = re.compile(
    r"\b(?:one|any|some|each|all|either|both|which|many|most|none)\s+of\s+(?:those|these|them)\b|\b(?:that|this)\s+one\b", re.I
)


def direction_of(question: str) -> int:
    """+1 for "what comes after ...?", -1 for "what came before ...?", else 0."""
    text = _LOOSE_THEN.sub(" ", question)
    if TIMED_ACTIONS:
        text = _TIMED_ACTION.sub(" ", text)
    return 1 if _AFTER.search(text) else -1 if _BEFORE.search(text) else 0


def named_item(index: Index, question: str, items: list[int]) -> tuple[int, int] | None:
    """The one of ``items`` (a list that is a sequence: a path, stages) that the words after
    "after" (or "before") name, and the step that word says (+1, -1): every word of theirs
    (acronyms spelled out) in its label, the fewest others beside ("senior TPM" names "Senior
    Technical Project Manager or Project Leader", not "Technical Project Manager"). None for "after
    that" or "after it", for a question not asking which item ("how long before you're senior?"
    asks for a time), and for a list that is no sequence ("a certification after the CAPM")."""
    from .query import spelled_out

    found = _FROM_NAMED.search(question) if _ASKS_WHICH.match(question) else None
    wanted = set(content_terms(spelled_out(index, found.group(2)))) if found else set()
    if not found or not wanted or not items:
        return None
    if not is_sequence(index, items, question):
        return None
    item = closest_named(label_terms(index, items), wanted)
    if item is None:
        return None
    return item, -1 if found.group(1).lower() in ("before", "preceding", "below", "beneath") else 1


def is_sequence(index: Index, items: list[int], question: str = "") -> bool:
    """Whether a list is one to step along: its heading (or the question) says path, stages..."""
    return bool(items) and bool(_SEQUENCE_WORDS.search(index.chunks[items[0]].section) or _SEQUENCE_WORDS.search(question))


def label_terms(index: Index, items: list[int]) -> dict[int, set[str]]:
    """Each item's label, as terms (what ``closest_named`` reads)."""
    return {i: set(content_terms(index.chunks[i].label or "")) for i in items}


def closest_named(names: dict[int, set[str]], wanted: set[str]) -> int | None:
    """The item (by its name's terms) that has every ``wanted`` term and the fewest others: "TPM"
    names "Technical Project Manager", not "Junior Technical Project Manager"."""
    named = [i for i, name in names.items() if wanted and wanted <= name]
    return min(named, key=lambda i: len(names[i] - wanted)) if named else None


NAMED_SIBLING = True
# "Any e-commerce companies that hire them too?" after an answer quoting the technology employers:
# the item of that list the message's own words name, of any list, not only a path's stages
NAMED_ITEM = True
# ... of the list the previous answer is about (the passage it quoted first), not of one a restatement
# it added comes from: "What about the very experienced ones?" after the New York figure and the
# location bullet beside it asks for their pay, not for the "Experience level" bullet.
NAMED_ITEM_OF_FIRST = True
# ... even one the previous answer quoted, but not first, when the message picks one by name ("What
# about the one on AI tools?" after an answer on the documentation tip that quoted the AI tip too)
NAMED_ITEM_QUOTED_LATER = True
_PICKS_ONE = re.compile(r"\bthe\s+(?:[\w-]+\s+){0,3}?(?:one|part|item|tip|point|bullet)\b", re.I)
# A word of the message names an item whose label has the same word with another ending ("the
# documentation one" names "Document decisions, not just tasks"); only endings that keep the
# meaning ("director" is no direct).
LABEL_WORD_FAMILY = True
_SAME_WORD_ENDINGS = ("ation", "ations", "ment", "ments", "ing", "ings")
_AMONG_THOSE = re.compile(r"\b(?:those|these)\b|\bof\s+them\b", re.I)  # "which of those is best for agile teams?"


def section_lists(index: Index, chunks: Iterable[int], least: int = 2) -> Iterator[list[int]]:
    """The lists (a section's bullets, ``least`` at least) that ``chunks`` sit in, each once, in the
    order of the chunks."""
    seen: set[tuple[int, ...]] = set()
    for chunk in chunks:
        items = index.section_bullets(chunk)
        if len(items) >= least and tuple(items) not in seen:
            seen.add(tuple(items))
            yield items


def sequence_item_named(
    index: Index, terms: set[str], chunks: list[int], guide: int | None = None, least: int = 2, besides: int | None = None,
    sequence: bool = True,
) -> int | None:
    """The item of a sequence list (a path, stages; ``least`` items at least; of a list that is no
    sequence when not ``sequence``) among the sections of ``chunks`` that ``terms`` name: of the
    terms any label of that list uses (not the guide's topic words: "junior", "program", "senior"),
    the item whose label has them all and the fewest others, if it is not ``besides``."""
    for items in section_lists(index, chunks, least):
        if is_sequence(index, items) != sequence:
            continue
        labels = label_terms(index, items)
        used = set().union(*labels.values())
        wanted = {t for t in _in_family(terms, used) & used if not index.generic(t, guide)}
        item = closest_named(labels, wanted)
        if item is not None and item != besides:
            return item
    return None


def _in_family(terms: set[str], used: set[str]) -> set[str]:
    """``terms``, each one not in ``used`` replaced by the word of ``used`` it is with another ending,
    if one (LABEL_WORD_FAMILY)."""
    if not LABEL_WORD_FAMILY:
        return terms
    out = set()
    for t in terms:
        kin = [] if t in used else [u for u in used if _same_word(t, u)]
        out.add(min(kin, key=len) if kin else t)
    return out


def _same_word(a: str, b: str) -> bool:
    """One of the two is the other with one of _SAME_WORD_ENDINGS."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short) :] in _SAME_WORD_ENDINGS


def named_sibling(index: Index, message: str, quoted: list[int], sequence: bool = True) -> int | None:
    """The stage of a list the previous answer quoted an item of that the message's own words name,
    other than the one quoted first: "senior" in "and to reach senior?" names "Senior Technical
    Project Manager or Project Leader" (not ``sequence``: an item of another list, "e-commerce")."""
    from .query import spelled_out

    bullets = [i for i in quoted if index.chunks[i].kind == "bullet"]
    terms = set(content_terms(spelled_out(index, message)))
    return sequence_item_named(index, terms, bullets, besides=quoted[0] if quoted else None, sequence=sequence)


def boosts(index: Index, follow: FollowUp, documents: set[int] | None = None) -> Boosts:
    import numpy as np

    n = len(index.chunks)
    quoted = np.zeros(n, dtype=np.float32)
    neighbour = np.zeros(n, dtype=np.float32)
    direction = np.zeros(n, dtype=np.float32)
    ordinal = np.zeros(n, dtype=np.float32)
    sibling = np.zeros(n, dtype=np.float32)
    by_name = np.zeros(n, dtype=np.float32)
    order = quoted_passages(index, follow.previous_answer, documents)
    quoted[order] = 1.0
    quoted[order[1:]] = QUOTED_LATER  # the answer's main point is what it quoted first

    def beside(i: int, step: int) -> int | None:
        j = i + step
        return j if 0 <= j < n and index.chunks[j].source == index.chunks[i].source else None

    for i in order:
        for j in (beside(i, -1), beside(i, 1)):
            if j is not None and not quoted[j]:
                neighbour[j] = 1.0
    if order and follow.direction:
        # From the item the message names ("what comes after senior TPM?"), else from what the
        # answer quoted first (its main point), or the first item of a list it quoted: a sequence
        # is a list ("what comes after it?" after an answer quoting the path's introduction, then
        # its first stage, means the second stage).
        items = [i for i in order if index.chunks[i].kind == "bullet"]
        lists = list(dict.fromkeys(j for i in order for j in index.section_bullets(i)))
        named = named_item(index, follow.question, lists)
        j = beside(named[0], named[1]) if named else beside((items or order)[0], follow.direction)
        if j is not None:
            direction[j] = 1.0
    placed = order
    if SEQUENCE_ORDINALS and follow.ordinal is not None and _ORDINAL_STAGE.search(follow.question):
        # "the first stage" is the path's first stage, whichever the answer quoted first (it quoted
        # the stages the question matched best, the last one first)
        placed = next((items for items in section_lists(index, order, 3) if is_sequence(index, items)), order)
    within = bool(order) and follow.ordinal is not None and placed is order and names_ordinal(index, follow, order[0])
    if within:
        ordinal[order[0]] = 1.0  # "who runs the second one?": the second program the passage names
    elif placed and follow.ordinal is not None and (follow.ordinal == -1 or follow.ordinal <= len(placed)):
        ordinal[placed[follow.ordinal - 1 if follow.ordinal > 0 else -1]] = 1.0
    if follow.substitutes:
        for i in order:
            if index.chunks[i].kind == "bullet":
                for j in index.section_bullets(i):
                    if not quoted[j]:
                        sibling[j] = 1.0
    # "and to reach senior?" after the TPM stage: the sibling its own words name is the one meant
    found = named_sibling(index, follow.question, order) if NAMED_SIBLING and follow.substitutes else None
    if found is not None:
        by_name[found] = 1.0
    elif NAMED_ITEM and order:
        found = named_sibling(index, follow.question, order[:1] if NAMED_ITEM_OF_FIRST else order, sequence=False)
        picked = NAMED_ITEM_QUOTED_LATER and _PICKS_ONE.search(follow.question) is not None
        if (found is not None and (not quoted[found] or (picked and found != order[0]))
                and not _AMONG_THOSE.search(follow.question)):  # fmt: skip
            by_name[found] = 1.0
            quoted[index.section_bullets(found)] = 0.0  # the item named is asked now, not the one quoted
    pointed = np.flatnonzero(direction + ordinal + by_name)
    if len(pointed):
        referent: int | None = int(pointed[0])
    else:
        pointing = bool(order) and (points_back(follow.question) or about_author(index, follow.question, order[0]))
        referent = order[0] if pointing else None
    return Boosts(quoted, neighbour, direction, ordinal, sibling, by_name, referent, within)


# Names given as alternatives in one sentence: "Georgia Tech's ... certificate or The DPM School's ...",
# "HSBC, Barclays, Revolut, and Monzo" (at most two words between a name and the joining word).
_JOINED = re.compile(r"^(?:\s+[\w'’-]+){0,2}?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)$", re.I)


def names_ordinal(index: Index, follow: FollowUp, passage: int) -> bool:
    """Whether "the second one" counts the names the previous answer's sentences list, not its
    passages: that answer is no list of items, and the passage it quoted first names at least that
    many things as alternatives in one sentence ("Programs such as Georgia Tech's ... or The DPM
    School's ...")."""
    from .answer import names_in

    if not NAMES_ORDINAL or follow.ordinal is None or not follow.previous_answer or follow.previous_answer.startswith("Under “"):
        return False
    chunk = index.chunks[passage]
    for s, e in chunk.sentences:
        text = chunk.text[s - chunk.start : e - chunk.start]
        names = [n for n in names_in(text, (), chunk.label) if n in text]
        places = [text.index(n) for n in names]
        joined = sum(1 for a, b, n in zip(places, places[1:], names, strict=False) if _JOINED.match(text[a + len(n) : b]))
        if joined + 1 >= max(2, follow.ordinal):
            return True
    return False
