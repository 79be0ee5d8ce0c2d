"""Small text utilities shared by retrieval, answering and follow-up handling: tokens, stems, stopwords."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9$%]+(?:[-'’.,/][a-z0-9%]+)*")

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can could did do does doing don't down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is isn't it it's its
    itself just let's me more most my myself no nor not of off on once only or other our ours ourselves
    out over own same she should so some such than that that's the their theirs them themselves then there
    these they this those through to too under until up very was we were what what's when where which while
    who whom why will with would you your yours yourself yourselves also i'm i've you're ve ll re d s t
    get got give tell know want need like say said much many really thing things kind sort please
    im ive id ill youre youve dont doesnt didnt isnt arent wasnt cant couldnt wont wouldnt shouldnt
    whats hows wheres whos thats theres lets
    """.split()
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


def stem(word: str) -> str:
    """A light suffix stripper: enough to match "certifications" with "certification"."""
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
            return base
    return word


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
    grams: dict[str, int] = {}
    for word in words(text):
        if word in STOPWORDS:
            continue
        padded = f" {word} "
        for k in sizes:
            for i in range(len(padded) - k + 1):
                gram = padded[i : i + k]
                grams[gram] = grams.get(gram, 0) + 1
    return grams
