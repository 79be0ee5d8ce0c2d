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
    "organisations": re.compile(r"\b(compan|employ|firm|organi[sz]ation|who\b|hire|banks|startups)", re.I),
}
MIN_TYPO_LENGTH = 5  # shorter words are too often real words one edit away from another


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


def correct(word: str, index: Index) -> str:
    """The corpus word one or two edits away from an unknown word, or the word itself.

    Only words no dictionary knows are touched: "salery" becomes "salary", but "grad" or
    "wanting" stay, even though corpus words ("grid", "warning") are one edit away.
    """
    if len(word) < MIN_TYPO_LENGTH or not word.isalpha() or word in index.known_words or word in STOPWORDS:
        return word
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    limit = 1 if len(word) < 8 else 2
    best = process.extractOne(word, index.correctable, scorer=DamerauLevenshtein.distance, score_cutoff=limit)
    return best[0] if best else word


def analyze(text: str, index: Index, focus: str | None = None, fix_typos: bool = True, expand_acronyms: bool = True) -> Query:
    """``text`` is what retrieval searches for; ``focus`` (a follow-up's last message) is what
    the answer sentence must be about, and what decides the answer type and list intent."""
    tokens = words(text)
    fixed = [correct(t, index) for t in tokens] if fix_typos else tokens
    corrections = {a: b for a, b in zip(tokens, fixed) if a != b}
    expanded = text
    for wrong, right in corrections.items():
        expanded = re.sub(rf"\b{re.escape(wrong)}\b", right, expanded, flags=re.I)
    if expand_acronyms:
        spelled = []
        for t in dict.fromkeys(fixed):
            key = t if t in index.acronyms else t[:-1] if t.endswith("s") and t[:-1] in index.acronyms else None
            if key:
                spelled.append(index.acronyms[key])
        if spelled:
            expanded = f"{expanded} ({', '.join(spelled)})"
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
    )
