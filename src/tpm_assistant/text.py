"""Small text utilities shared by retrieval, answering and follow-up handling: tokens, stems, stopwords."""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator

_TOKEN = re.compile(r"[a-z0-9$%]+(?:[-'’.,/][a-z0-9%]+)*")

STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "don't", "down", "during", "each", "few", "for", "from", "further", "had",
        "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
        "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "my",
        "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
        "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "that's", "the", "their",
        "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
        "under", "until", "up", "very", "was", "we", "were", "what", "what's", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "also",
        "i'm", "i've", "you're", "ve", "ll", "re", "d", "s", "t", "get", "got", "give", "tell", "know", "want",
        "need", "like", "say", "said", "much", "many", "really", "thing", "things", "kind", "sort", "please", "im",
        "ive", "id", "ill", "youre", "youve", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "cant", "couldnt",
        "wont", "wouldnt", "shouldnt", "whats", "hows", "wheres", "whos", "thats", "theres", "lets",
        # indefinite pronouns: "someone just entering the field" asks about the field, not a someone
        "someone", "somebody", "anyone", "anybody", "everyone", "everybody", "something", "anything", "everything",
        "nobody", "nothing", "none", "no-one",
        # "-ever" pronouns: "trust whatever they produce" asks about trusting, not a "whatever"
        "whatever", "whichever", "whoever", "whomever", "whenever", "wherever",
        # words about asking, not about the subject: "roughly what pay band", "according to the FAQ",
        # "the name of the internship"
        "according", "roughly", "approximately", "basically", "gives", "gave", "giving", "let", "name",
        "names", "named", "faq", "faqs",
        # hedges on a verb: "does the PMP tend to pay off" asks whether it pays off, "seems to give" gives
        "tend", "tends", "tended", "seem", "seems", "seemed",
    ]
)
# Contractions of the words above, with either apostrophe: "I'll get paid more" asks about pay, not
# about "i'll" (a word the guide never uses, which read as a part of the question it does not cover).
_CONTRACTED = {
    "'ll": ("i", "you", "we", "they", "he", "she", "it", "that", "there"),
    "'ve": ("i", "you", "we", "they", "could", "would", "should", "might", "must"),
    "'re": ("you", "we", "they", "there", "what", "who"),
    "'m": ("i",),
    "'d": ("i", "you", "we", "they", "he", "she", "it", "that", "there"),
    "'s": ("he", "she", "it", "that", "there", "what", "who", "where", "how", "here", "let"),
    "n't": ("are", "is", "was", "were", "do", "does", "did", "have", "has", "had", "ca", "wo", "should", "would", "could",
            "must", "need"),
}
STOPWORDS = STOPWORDS | frozenset(
    f"{base}{ending}".replace("'", apostrophe) for ending, bases in _CONTRACTED.items() for base in bases for apostrophe in "'’"
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; numbers keep their punctuation ("76,683", "3-5")."""
    out = []
    for token in _TOKEN.findall(text.lower()):
        token = token.strip(".,'’")
        if token.endswith(("'s", "’s")) and len(token) > 3:
            token = token[:-2]  # "Georgia Tech's" is about "Georgia Tech"
        if token:
            out.append(token)
    return out


_IRREGULAR = {"paid": "pay"}  # "get paid more" and "higher pay"


@functools.lru_cache(maxsize=1 << 16)  # a corpus repeats a small vocabulary: ingest stems each word once
def stem(word: str) -> str:
    """A light suffix stripper: enough to match "certifications" with "certification", and "hire"
    with "hiring" and "hired" (a final silent e goes, as the suffixes take it away)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            base = word[: -len(suffix)] + repl
            # "running" -> "runn" -> "run"
            if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return _without_silent_e(base)
    return _without_silent_e(word)


def _without_silent_e(base: str) -> str:
    # "experience"/"experienced", "processes"/"process", "manage"/"managing": one stem each
    return base[:-1] if len(base) > 3 and base.endswith("e") and not base.endswith("ee") else base


def is_content_token(token: str | None) -> bool:
    """A model token that carries meaning: not a stopword, not punctuation ("##" pieces count)."""
    if not token:
        return False
    word = token.lstrip("#")
    return bool(word) and word not in STOPWORDS and any(ch.isalnum() for ch in word)


def content_terms(text: str) -> list[str]:
    """Stemmed tokens with stopwords removed: what a text is about."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def char_grams(text: str, sizes: tuple[int, ...] = (3, 4, 5)) -> dict[str, int]:
    """Character n-grams of the content words (with word boundaries), robust to typos."""
    return Counter(itertools.chain.from_iterable(word_grams(w, sizes) for w in words(text) if w not in STOPWORDS))


@functools.lru_cache(maxsize=1 << 16)
def word_grams(word: str, sizes: tuple[int, ...] = (3, 4, 5)) -> tuple[str, ...]:
    """A word's character n-grams, with word boundaries."""
    padded = f" {word} "
    return tuple(padded[i : i + k] for k in sizes for i in range(len(padded) - k + 1))


# -- what a passage holds, and the corpus's own names and abbreviations ---------------------------
# Answer types a passage can hold, found from its text; a question's type comes from its wording.
MONEY = re.compile(r"\$\s?\d")
YEARS = re.compile(r"\b\d+\s*(?:-\s*\d+\s*)?years?\b")
PERCENT = re.compile(r"\d\s?%")
PROPER = re.compile(r"(?<![.:!?]\s)(?<!^)\b[A-Z][a-zA-Z]+")
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand)\b", re.I)
# Numbers that are not counts of things: amounts, rates, durations and calendar years.
_NOT_COUNT = re.compile(
    r"\$\s?[\d,.]+|[\d,.]+\s?(?:%|usd\b)|\d+\s*(?:-\s*\d+\s*)?(?:years?|months?|weeks?)\b|\b(?:19|20)\d\d\b", re.I
)
_CASED_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_CLAUSE = re.compile(r"[.,;:!?()]")
_DEFINED_ACRONYM = re.compile(r"([A-Z][\w'-]*(?:\s+(?:of|and|in|for|the)?\s*[A-Z][\w'-]*)+)\s*\(([A-Z]{2,6})\)")
_CALLED_ACRONYM = re.compile(r"([A-Za-z][A-Za-z ]+?),\s+(?:often |also |commonly )?(?:called|known as)\s+([A-Z]{2,6})s?\b")
_SUBJECT = re.compile(r"\bhow to become an?\s+(.+?)(?::|\s+[-–—]\s+|$)", re.I)


def holds_count(text: str) -> bool:
    """A number that counts something ("three things", "10 projects"), not a sum, rate or year."""
    return bool(_NUMBER.search(_NOT_COUNT.sub(" ", text)))


def cased_words(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(capitalised, lower): lower-cased words written capitalised inside a sentence somewhere,
    and words written in lower case somewhere. Names are the first less the second."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for m in _CASED_WORD.finditer(text):
            word = m.group().rstrip("’'")
            before = text[max(0, m.start() - 2) : m.start()]
            if word[0].islower():
                lower.add(word.lower())
            elif m.start() > 0 and not re.search(r"[.!?:]\s*$|^\s*$", before):
                capitalised.add(word.lower())
    return frozenset(capitalised), frozenset(lower)


def phrase_runs(texts: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(initials, phrase) of every run of two to four words without a stopword: what an
    abbreviation could stand for ("nyc" -> "New York City", "qa" -> "quality assurance")."""
    for text in texts:
        for clause in _CLAUSE.split(text):
            run = _CASED_WORD.findall(clause)
            stop = [w.lower() in STOPWORDS for w in run]
            for n in (2, 3, 4):
                for i in range(len(run) - n + 1):
                    if not any(stop[i : i + n]):
                        phrase = run[i : i + n]
                        yield "".join(w[0] for w in phrase).lower(), " ".join(phrase)


def find_acronyms(texts: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Acronyms the corpus defines, with their long form and whether that form is a plural:
    "Amazon Web Services (AWS)" (a name), "Technical project managers, often called TPMs" (plural)."""
    found: dict[str, tuple[str, bool]] = {}

    def long_form(tokens: list[str], acronym: str) -> str | None:
        # The last words whose initials spell the acronym ("... hire technical project managers").
        tail = tokens[-len(acronym) :]
        return " ".join(tail) if "".join(w[0] for w in tail).lower() == acronym.lower() else None

    for text in texts:
        for m in _DEFINED_ACRONYM.finditer(text):
            phrase = m.group(1)
            capitals = [w for w in phrase.split() if w[0].isupper()]
            long = long_form(capitals, m.group(2))
            if long:  # from the first initial on, small words included: "Associate in Project"
                first = long.split()[0]
                found.setdefault(m.group(2).lower(), (phrase[phrase.rfind(first) :], False))
        for m in _CALLED_ACRONYM.finditer(text):
            long = long_form(m.group(1).split(), m.group(2))
            if long:
                found.setdefault(m.group(2).lower(), (long, m.group(0).rstrip().endswith("s")))
    return found


def guide_subject(titles: list[str]) -> str | None:
    """The job a career guide is about, from its title ("How to Become a Technical Project Manager")."""
    for title in titles:
        match = _SUBJECT.search(title)
        if match:
            return match.group(1).strip()
    return None


# Common English synonyms for what a career guide speaks of (the kinds of lists it gives: challenges,
# skills, tips, benefits, what affects pay, how to advance; and ways of learning), not words of one guide.
SYNONYM_GROUPS = (
    "challenges difficulties hurdles obstacles struggles hardships",
    "skills abilities competencies capabilities competences",
    "tips advice pointers suggestions recommendations",
    "benefits advantages perks upsides",
    "affects determines influences drives shapes factors",
    "advance promoted promotion progress climb",
    "credentials qualifications",
    "course program class training",
)


@functools.lru_cache(maxsize=1)
def _synonyms() -> dict[str, frozenset[str]]:
    """Each stemmed word of SYNONYM_GROUPS and its group (built once)."""
    groups = [frozenset(t for w in g.split() for t in content_terms(w)) for g in SYNONYM_GROUPS]
    return {t: g for g in groups for t in g}


def synonyms_of(terms: set[str]) -> set[str]:
    """The (stemmed) synonyms of ``terms`` in SYNONYM_GROUPS."""
    table = _synonyms()
    return {s for t in terms for s in table.get(t, ())}
