"""What a question asks, before any vector is computed: its words with typos fixed against the
corpus vocabulary, acronyms the corpus defines spelled out, and the kind of answer it wants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .text import STOPWORDS, content_terms, words

if TYPE_CHECKING:
    from .index import Index

# The kind of answer a question wants, from its wording (matched against what a passage holds).
INTENTS: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        r"\b(salar\w*|pay|pays|paid|paying|earn\w*|money|compensation|wages?|income)\b|\$"
        r"|\bhow much\b(?!.*\b(experience|time|education|school|work)\b)"
        r"|\b(make|makes)\b.*\b(year|annually|month|hour)\b|\b(make|makes)\W*$",
        re.I,
    ),
    "years": re.compile(r"\b(how long|how many years|years?|when|how much experience)\b", re.I),
    "percent": re.compile(r"%|\bpercent|\bhow fast\b|\bgrow", re.I),
    "list": re.compile(r"\b(list|which|what are|name|examples?|some|types|kinds)\b", re.I),
    # Asks for a whole list ("What are the main challenges...?"), not one item of it ("Which ...?").
    "whole_list": re.compile(
        r"^\W*(list|name|enumerate)\b|\bwhat are (the |some )?(main |key |common |top |biggest |typical |most important )?\w+"
        r"|\bwhat (kinds|types|sorts) of\b|\b(give me|show me) (a list|some|the)\b",
        re.I,
    ),
    "organisations": re.compile(r"\b(compan|employ|firm|organi[sz]ation|who\b|hire|banks|startups)", re.I),
}
MIN_TYPO_LENGTH = 5  # shorter words are too often real words one edit away from another

# A question about a job ("How do I become a nurse?", "What does a data scientist earn?") names the
# job in a few fixed ways. The noun phrase caught here is compared with the guide's own subject.
_NP = r"((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*?)"
_NP_END = r"(?=\s+(?:in|at|with|for|and|or|per|each|a|an)\b|[?.,!;]|$)"
ROLE_PATTERNS = [
    re.compile(rf"\b(?:become|becoming|work as|working as|job as|career as)\s+(?:an?\s+)?{_NP}{_NP_END}"),
    re.compile(
        rf"\b(?:salary|salaries|pay|earnings|income|wages?|outlook|certifications?|qualifications?|requirements?"
        rf"|duties|responsibilities)\s+(?:of|for)\s+(?:an?\s+|the\s+)?{_NP}{_NP_END}"
    ),
    re.compile(rf"\b(?:do|does|did|can|should|would)\s+(?:an?\s+|the\s+){_NP}\s+(?:make|earn|do|need|get paid|have)\b"),
    re.compile(rf"\b(?:do|does)\s+{_NP}s\s+(?:make|earn|get paid)\b"),
    re.compile(rf"^(?:an?\s+)?{_NP}\s+(?:salary|salaries|pay|wages?|job outlook)\b"),
]
_NOT_ROLES = frozenset("i you it they this these those that one people someone me we he she what which who how are is the average typical my your our their much many".split())


def role_of(text: str) -> str | None:
    """The job a question asks about, when it names one in a usual way ("become a nurse")."""
    lowered = text.lower()
    for pattern in ROLE_PATTERNS:
        match = pattern.search(lowered)
        if match:
            role = match.group(1).strip()
            if role and role.split()[0] not in _NOT_ROLES and role.split()[-1] not in _NOT_ROLES:
                return role
    return None


@dataclass
class Query:
    text: str  # as asked
    expanded: str  # typos fixed, defined acronyms spelled out: what gets encoded
    words: list[str]  # word tokens after correction
    terms: list[str]  # stemmed content terms, for BM25
    oov: list[str]  # content words the corpus never uses
    content: list[str]  # content words (after correction)
    intents: dict[str, bool] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)
    # For a follow-up, the terms of the last message alone: what the answer must be about.
    focus_terms: list[str] = field(default_factory=list)
    role: str | None = None  # the job the question names, if any (see role_of)


def correct(word: str, index: Index) -> str:
    """The corpus word an unknown word stands for, or the word itself.

    Only words no dictionary knows are touched, so "wanting" stays even though "warning" is one
    edit away. A misspelling becomes the corpus word one or two edits away ("salery" -> "salary");
    a clipped word becomes the corpus word it starts ("certs" -> "certifications", "execs" ->
    "executives", "grad" -> "graduate").
    """
    if not word.isalpha() or word in index.known_words or word in STOPWORDS:
        return word
    clipped = abbreviation(word, index)
    if clipped:
        return clipped
    if len(word) < MIN_TYPO_LENGTH:
        return word
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    limit = 1 if len(word) < 8 else 2
    best = process.extractOne(word, index.correctable, scorer=DamerauLevenshtein.distance, score_cutoff=limit)
    return best[0] if best else word


def abbreviation(word: str, index: Index) -> str | None:
    """The most frequent corpus word that the unknown ``word`` (minus a plural s) is a clipping of."""
    plural = word.endswith("s") and len(word) > 3
    base = word[:-1] if plural else word
    if not 3 <= len(base) <= 6:
        return None
    longer = [w for w in index.correctable if w.startswith(base) and len(w) >= len(base) + 3]
    if not longer:
        return None
    # "execs" -> "executives" rather than "execution": keep the clipped word's number.
    return max(longer, key=lambda w: (w.endswith("s") == plural, index.word_counts[w], -len(w)))


def analyze(
    text: str,
    index: Index,
    *,
    focus: str | None = None,
    fix_typos: bool = True,
    expand_acronyms: bool = True,
    acronyms_inline: bool = False,
) -> Query:
    """``text`` is what retrieval searches for; ``focus`` (a follow-up's last message) is what
    the answer sentence must be about, and what decides the answer type and list intent."""
    tokens = words(text)
    fixed = [correct(t, index) for t in tokens] if fix_typos else tokens
    corrections = {a: b for a, b in zip(tokens, fixed) if a != b}
    expanded = text
    for wrong, right in corrections.items():
        expanded = re.sub(rf"\b{re.escape(wrong)}\b", right, expanded, flags=re.I)
    if expand_acronyms:
        spelled = {}
        for t in dict.fromkeys(fixed):
            key = t if t in index.acronyms else t[:-1] if t.endswith("s") and t[:-1] in index.acronyms else None
            if key:
                long, plural_form = index.acronyms[key]
                # "TPM" -> "technical project manager", "TPMs" -> "technical project managers"
                spelled[t] = long[:-1] if plural_form and t == key and long.endswith("s") else long
        if spelled and acronyms_inline:
            # "an entry-level TPM" -> "an entry-level technical project manager"
            for t, long in spelled.items():
                expanded = re.sub(rf"\b{re.escape(t)}\b", long, expanded, flags=re.I)
        elif spelled:
            expanded = f"{expanded} ({', '.join(spelled.values())})"
    content = [t for t in fixed if t not in STOPWORDS and any(ch.isalnum() for ch in t)]
    oov = [t for t in content if t not in index.surface and not set(content_terms(t)) & index.idf.keys()]
    asked = focus if focus is not None else text
    focus_words = [correct(t, index) for t in words(asked)] if fix_typos else words(asked)
    return Query(
        text=text,
        expanded=expanded,
        words=fixed,
        terms=content_terms(expanded),
        oov=oov,
        content=content,
        intents={name: bool(p.search(asked)) for name, p in INTENTS.items()},
        corrections=corrections,
        focus_terms=content_terms(" ".join(focus_words)),
        role=role_of(expanded),
    )
