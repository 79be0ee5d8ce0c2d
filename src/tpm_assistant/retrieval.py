"""Ranked passages for a question.

Every passage gets a row of features from complementary signals, and a linear model fitted on
held-apart training questions (see ``learn.py``; weights in ``weights.json``) combines them:

- dense: cosine of the question with each view of the passage (passage under its heading, best
  sentence, bullet label, heading, heading + label);
- lexical: BM25 over passages and over single sentences, and character n-grams (typos, word forms);
- late interaction: every question token finds its best-matching token in the passage (MaxSim over
  the model's contextual token vectors, IDF-weighted), so "burning out" meets "burnout";
- priors: answer types (a "how much" question and a passage with a dollar figure), and a penalty
  for "hub" passages that sit close to every question.

Scores are fused by the learned weights, not by rank heuristics: each signal counts as much as it
helped on training questions, and a signal that did not help gets a weight near zero.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .build import VIEW_CODE, VIEWS
from .index import expand
from .query import TOP_PAY_WHERE, TOP_PAY_WORDS, Query, analyze, light_terms, scoped, which_pays_most
from .text import char_grams, content_terms, is_content_token

log = logging.getLogger("tpm_assistant")

if TYPE_CHECKING:
    import numpy as np

    from .chat import Boosts
    from .embeddings import QueryEncoder
    from .index import Index
    from .weights import Weights

FEATURES = (
    "chunk", "ctx", "sent", "label", "head", "headlabel",
    "bm25", "sbm25", "char", "maxsim",
    "hub", "money", "years", "percent", "list_bullet", "org_proper",
)  # fmt: skip
FEATURE_COLUMN = {name: i for i, name in enumerate(FEATURES)}
ALL_CANDIDATES = 500  # a version this small is scored whole
DENSE_ROWS = 100  # passages Chroma's vector search returns (it holds one row per passage)
SPARSE_CANDIDATES = 100  # best BM25 passages added to them
SAME_JOB = 0.8  # a job named this close to a guide's subject is that guide's job


@dataclass
class Hit:
    chunk: int  # position in Index.chunks
    score: float  # the fused score that ranks passages


@dataclass(frozen=True)
class QueryTokens:
    """The question's content tokens (no stopwords, no punctuation) and how each matches passages."""

    vecs: np.ndarray  # (tokens, dims) unit vectors in the passages' token space
    weights: np.ndarray  # IDF weight of each token
    starts: np.ndarray  # character offset of each token in the analysed question text
    matches: np.ndarray  # (tokens, passages): each token's best similarity within each passage

    def within(self, start: int, end: int) -> np.ndarray:
        """Indices of the tokens that lie in ``text[start:end]``."""
        import numpy as np

        found: np.ndarray = np.flatnonzero((self.starts >= start) & (self.starts < end))
        return found


@dataclass
class Ranking:
    """Passages ranked for one question, plus what answerability and answering reuse."""

    query: Query
    hits: list[Hit]
    scores: np.ndarray  # fused score of every passage
    features: np.ndarray  # (passages, len(FEATURES))
    row_cosine: np.ndarray  # cosine of the question with every stored view
    tokens: QueryTokens
    role_similarity: float = 1.0  # how close a job the question names is to the guide's subject
    # A follow-up: the message searched alone, and the ranking of the whole conversation, whose
    # signals decide whether the guide answers (the earlier question can make it answerable).
    alone: Ranking | None = None
    conversation: Ranking | None = None
    candidates: np.ndarray | None = None  # the passages scored (the others score -inf)
    referent: int | None = None  # a follow-up: the passage it points at ("that stage"), see chat.Boosts
    within: bool = False  # ... and "the second one" counts the names that passage lists, not list items

    def top(self, n: int) -> list[int]:
        """The ``n`` best-scoring passages, best first."""
        import numpy as np

        pool = self.candidates if self.candidates is not None else np.arange(len(self.scores))
        order = np.argsort(-self.scores[pool], kind="stable")[:n]
        return [int(i) for i in pool[order]]

    def column(self, name: str) -> np.ndarray:
        """One feature of every passage."""
        out: np.ndarray = self.features[:, FEATURE_COLUMN[name]]
        return out


def _union(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    import numpy as np

    if a is None or b is None:
        return a if b is None else b
    return np.union1d(a, b).astype(np.int64)


def same_job(role: str, subject: str, similarity: float) -> bool:
    """Whether a job a question names is a guide's subject: close in meaning (SAME_JOB) and the same
    kind of worker (the last word: "data scientist" is not a "data engineer", however close), or
    named by part of the subject's name ("DevOps" for "DevOps Engineer")."""
    asked, named = content_terms(role), content_terms(subject)
    if similarity < SAME_JOB or not asked or not named:
        return False
    head, subject_head = asked[-1], named[-1]
    return set(asked) <= set(named) or subject_head.startswith(head) or head.startswith(subject_head)


# Where people come from into a job, as a passage says it.
# ("moving from administrative support to delivery" is a step within it).
ORIGIN = re.compile(r"\b(?:coming|come|comes|enter|enters|entering|switching|transitioning) from\b", re.I)
ORIGIN_BOOST = 3.0
# Where pay is highest, as a passage says it.
TOP_PAY = re.compile(rf"\b(?:{TOP_PAY_WORDS})\b", re.I)
TOP_PAY_BOOST = 2.0
# "Which industry pays the most?" asks where pay is highest: a passage saying where it is is the
# answer, by more than TOP_PAY_BOOST (a passage listing what pay depends on shares more words), and
# how high pay goes ("can earn upwards of $148,000") is not.
WHERE_PAY_IS_HIGHEST = True
TOP_PAY_WHERE_BOOST = 4.0
TOP_PAY_SAID_WHERE = re.compile(rf"\b(?:{TOP_PAY_WHERE})\b", re.I)
# A passage that is a quotation signed by a person: opens with a quotation mark, ends "— Name".
QUOTATION = re.compile(r"""^\W*["“].*[—–]\s*[A-Z][\w.' -]{1,40}["”]?\s*$""", re.S)
_ASKS_OPINION = re.compile(
    r"\b(?:say|says|said|saying|quotes?|quoted|testimonials?|opinions?|views?|think|thoughts|feel|feelings|reviews?"
    r"|recommend\w*|practitioners?|professionals|people who work|in their own words|share\w*|according to"
    r"|(?:people|those|folks) (?:in|doing|working))\b",
    re.I,
)
QUOTE_PENALTY = 2.0
AUTHOR_FOLLOWUP = True  # a follow-up pointing back at the byline is a question on the author
AUTHOR_BOOST = 10.0  # a question on who wrote the guide gets the byline (see corpus.AUTHOR_PASSAGE)
# "What happens at the senior stage?": a stage named by the words before "stage", "level", "step"
# ("senior") is the item of a sequence among the best passages' lists whose label has them (see
# chat.sequence_item_named); "At this stage" in another stage's passage shares more of the words.
STAGE_BOOST = 3.0
_STAGE_NAMED = re.compile(r"\b((?:[\w-]+\s+){1,2}?)(?:stage|level|step|phase|rung|tier)s?\b", re.I)
STAGE_POOL = 10  # the lists of this many best passages are looked in
# "What does a TPM do?", "What is technical project management?": a question in no words but a
# guide's subject asks about the subject as a whole, which the guide's opening paragraphs (under its
# title) answer; every passage shares those words, and one on where TPMs move next ("Technical project
# managers often move into ...") would lead.
OVERVIEW_BOOST = 3.0


def _same_word(a: str, b: str) -> bool:
    """One word in two forms: "management" and "manager" (a shared start all but two letters long)."""
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return a == b or shared >= max(5, min(len(a), len(b)) - 2)


_JUDGED = frozenset(["good", "great", "big", "whole", "new", "brand", "right", "real", "true"])


def _normalise(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if len(x) else 0.0
    return x / top if top > 0 else x


class Retriever:
    def __init__(
        self, index: Index, encoder: QueryEncoder, weights: Weights | Mapping[str, Any] | None = None, home_job: str = ""
    ):
        import numpy as np

        from .weights import typed

        self.index = index
        self.encoder = encoder
        fitted = typed(weights)
        self.options = fitted.options  # query rewriting, as the weights were fitted with
        # Follow-ups: how much the message alone, and the passages it refers to, add to the
        # conversation's score (fitted on training conversations).
        self.followup = fitted.followup
        self.followups = fitted.followup.enabled
        self.feature_names = list(fitted.ranker.features)
        self.weights = np.array(fitted.ranker.weights, dtype=np.float32)
        self.columns = [FEATURE_COLUMN[f] for f in self.feature_names]
        self._roles: dict[str, dict[str, float]] = {}
        self.home_job = home_job
        self._subject_vectors: np.ndarray | None = None

    def query_tokens(
        self, ids: np.ndarray, vecs: np.ndarray, starts: np.ndarray, guide: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The question's content tokens (vectors in the passages' token space), their IDF weights
        (within the one ``guide`` answering, if so) and their character offsets."""
        import numpy as np

        keep, weights = [], []
        for i, token_id in enumerate(ids.tolist()):
            if is_content_token(self.encoder.id_to_token(token_id)):
                keep.append(i)
                weights.append(self.index.tok_idf(token_id, guide))
        return self.index.project(vecs[keep]), np.array(weights, dtype=np.float32), starts[keep]

    def token_match(self, q: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """(content tokens, candidates): each question token's best similarity within each candidate."""
        import numpy as np

        index = self.index
        out = np.zeros((len(q), len(cand)), dtype=np.float32)
        if not index.has_tokens or not len(q) or not len(cand):
            return out
        if len(cand) == len(index) and int(cand[-1]) == len(index) - 1:  # every passage: one contiguous block
            total = int(index.tok_start[-1])
            if not total:
                return out
            sims = q @ index.token_slice(0, total).T
            starts = np.asarray(index.tok_start[:-1], dtype=np.int64)
            owner_counts = np.diff(np.asarray(index.tok_start))
            has = owner_counts > 0
            reduced = np.maximum.reduceat(sims, np.minimum(starts, total - 1), axis=1)
            out[:, has] = reduced[:, has]
            return out
        positions, owner = index.tokens_of(cand)
        if not len(positions):
            return out
        sims = q @ index.token_vectors(positions).T
        starts = np.searchsorted(owner, np.arange(len(cand)))
        has = np.bincount(owner, minlength=len(cand)) > 0
        reduced = np.maximum.reduceat(sims, np.minimum(starts, len(positions) - 1), axis=1)
        out[:, has] = reduced[:, has]
        return out

    def candidates(self, terms: dict[str, float], vector: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
        """The passages worth scoring: Chroma's nearest passages (by their own vectors) and the
        best BM25 passages, and any ``extra`` ones (a follow-up's references). A version of at most
        ALL_CANDIDATES passages is scored whole."""
        import numpy as np

        index = self.index
        n = len(index)
        if n <= ALL_CANDIDATES:
            return np.arange(n, dtype=np.int64)
        found = [self.dense_candidates(vector), index.passage_bm25.top(terms, SPARSE_CANDIDATES)]
        if extra is not None:
            found.append(np.asarray(extra, dtype=np.int64))
        return np.unique(np.concatenate(found)).astype(np.int64)

    def candidates_in(
        self, documents: set[int], vector: np.ndarray, terms: dict[str, float], extra: np.ndarray | None = None
    ) -> np.ndarray:
        """The candidates within some documents (a guide's passages are contiguous): all of them up
        to ALL_CANDIDATES, else the best by their vectors and BM25. Costs the documents' size."""
        import numpy as np

        index = self.index
        mine = np.concatenate([np.arange(*index.document_span(d)) for d in sorted(documents)]).astype(np.int64)
        if len(mine) > ALL_CANDIDATES:
            rows, owner = index.rows_of(mine)
            cos = np.asarray(index.vectors[rows], dtype=np.float32) @ vector
            best = np.full(len(mine), -1.0, dtype=np.float32)
            np.maximum.at(best, owner, cos)
            lexical = index.passage_bm25.score_docs(terms, mine)
            mine = mine[np.argsort(-(best + _normalise(lexical)), kind="stable")[:ALL_CANDIDATES]]
        if extra is not None:
            mine = np.concatenate([mine, np.asarray(extra, dtype=np.int64)])
        return np.unique(mine).astype(np.int64)

    def dense_candidates(self, vector: np.ndarray) -> np.ndarray:
        """Passages of the rows nearest the question: Chroma's vector search; the version's own
        vectors when Chroma cannot answer (a server outage is ridden out from the local copy)."""
        import numpy as np

        index = self.index
        if index.dense is not None:
            try:
                found = index.rows_by_id(index.dense(vector, DENSE_ROWS))
                return np.unique(index.row_chunk[np.array(found, dtype=np.int64)]).astype(np.int64)
            except Exception as exc:  # any failure of the store: answer from the local vectors
                log.warning("dense search failed, scanning the local vectors instead: %s", exc)
        cos = np.asarray(index.vectors @ vector)
        rows = np.argpartition(-cos, min(DENSE_ROWS, len(cos) - 1))[:DENSE_ROWS]
        return np.unique(index.row_chunk[rows]).astype(np.int64)

    def features(self, query: Query, vector: np.ndarray, cand: np.ndarray, lexical: np.ndarray,
                 matches: np.ndarray, weights: np.ndarray, guide: int | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """(candidates x FEATURES, the candidates' rows, those rows' cosines with the question)."""
        import numpy as np

        index = self.index
        rows, owner = index.rows_of(cand)
        cos = np.asarray(index.vectors[rows], dtype=np.float32) @ vector if len(rows) else np.zeros(0, np.float32)
        views = np.asarray(index.row_view[rows], dtype=np.int64)
        flat = np.full((len(cand) * len(VIEWS),), -2.0, dtype=np.float32)
        np.maximum.at(flat, owner * len(VIEWS) + views, cos)
        table = flat.reshape(len(cand), len(VIEWS))

        def best(view: str, missing: float = -1.0) -> np.ndarray:
            column = table[:, VIEW_CODE[view]]
            out: np.ndarray = np.where(column < -1.5, np.float32(missing), column)
            return out

        chunk_cos = best("chunk")
        heading_rows = np.asarray(index.chunk_heading_row[cand], dtype=np.int64)
        has_heading = heading_rows >= 0
        head = np.zeros(len(cand), dtype=np.float32)
        if has_heading.any():
            head[has_heading] = np.asarray(index.vectors[heading_rows[has_heading]], dtype=np.float32) @ vector

        sentences, sentence_owner = expand(index.sent_start, cand)
        counts = np.bincount(sentence_owner, minlength=len(cand))
        sentence_bm25 = np.zeros(len(cand), dtype=np.float32)
        if len(sentences):
            sentence_scores = index.sentence_bm25.score_docs(dict.fromkeys(query.terms, 1.0), sentences)
            has = counts > 0
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[has]
            sentence_bm25[has] = np.maximum.reduceat(sentence_scores, starts)

        grams = char_grams(query.expanded)
        if guide is not None:
            idf = index.gram_idf_in(list(grams), guide)
        else:
            idf = {g: index.gram_idf.get(g) for g in grams if g in index.gram_idf}
        gram_weights = {g: (1 + math.log(c)) * idf[g] for g, c in grams.items() if g in idf}
        norm = math.sqrt(sum(w * w for w in gram_weights.values())) or 1.0
        char = index.grams.score_docs({g: w / norm for g, w in gram_weights.items()}, cand)

        maxsim = (weights / weights.sum()) @ matches if len(weights) else np.zeros(len(cand), np.float32)

        intent = query.intents
        as_float = functools.partial(np.asarray, dtype=np.float32)
        x = np.column_stack([
            chunk_cos,
            best("context"),
            np.maximum(best("sentence"), chunk_cos),
            best("label", missing=0.0),
            head,
            best("headlabel"),
            _normalise(lexical),
            _normalise(sentence_bm25),
            char,
            maxsim,
            as_float(index.hub[cand]),
            intent["money"] * as_float(index.has_money[cand]),
            intent["years"] * as_float(index.has_years[cand]),
            intent["percent"] * as_float(index.has_percent[cand]),
            intent["list"] * as_float(index.is_bullet[cand]),
            intent["organisations"] * as_float(index.proper_density[cand]),
        ]).astype(np.float32)  # fmt: skip
        return x, rows, cos

    def _rank(self, query: Query, k: int, extra: np.ndarray | None, about: set[int] | None) -> Ranking:
        """Two stages: candidates (Chroma's vector search and BM25), then every signal and the
        fitted ranker over the candidates only. Per-passage arrays keep the version's length (a
        passage that is not a candidate scores -inf), so later stages index them by passage."""
        import numpy as np

        index = self.index
        n = len(index)
        vector, ids, vecs, starts = self.encoder.encode_query(query.expanded)
        # Answered from one guide: the question's words weighed by that guide's statistics, as alone.
        guide = next(iter(about)) if about is not None and len(about) == 1 else None
        query = scoped(query, index, guide)
        q, weights, token_starts = self.query_tokens(ids, vecs, starts, guide)
        terms = dict.fromkeys(query.terms, 1.0)
        # A question is answered from the guides ``about`` its job (see ``documents_about``): its
        # candidates are found within them (all of a small guide, as with one guide).
        cand = self.candidates_in(about, vector, terms, extra) if about else self.candidates(terms, vector, extra)
        if len(index.bylines) and not (AUTHOR_BOOST and query.intents.get("author")):
            cand = cand[~np.isin(cand, index.bylines)]  # who wrote a guide answers only who wrote it
        # BM25 of the candidates only (a small version: of every passage, as it always was).
        bm25 = index.passage_bm25
        lexical = bm25.score(terms)[cand] if n <= ALL_CANDIDATES else bm25.score_docs(terms, cand)
        matches = self.token_match(q, cand)
        x, rows, cos = self.features(query, vector, cand, lexical, matches, weights, guide)
        scores = np.full(n, -np.inf, dtype=np.float32)
        scores[cand] = x[:, self.columns] @ self.weights
        if QUOTE_PENALTY and not _ASKS_OPINION.search(query.text):
            # A practitioner's quotation ('"... — Romeo"') speaks of everything in passing (growth,
            # senior roles, pay); it answers what people say, not a question of fact.
            scores[cand] -= QUOTE_PENALTY * self._saying(QUOTATION, cand)
        if TOP_PAY_BOOST and query.intents.get("top_pay"):
            # "Which industry pays the most?" asks where pay is highest: a passage saying where it
            # is ("IT and technology sectors offer some of the highest compensation") over one
            # listing what pay depends on, which shares more of its words.
            if WHERE_PAY_IS_HIGHEST and which_pays_most(query.text):
                scores[cand] += TOP_PAY_WHERE_BOOST * self._saying(TOP_PAY_SAID_WHERE, cand)
            else:
                scores[cand] += TOP_PAY_BOOST * self._saying(TOP_PAY, cand)
        if AUTHOR_BOOST and query.intents.get("author") and len(index.bylines):
            scores[cand] += AUTHOR_BOOST * np.isin(cand, index.bylines)  # "Who wrote this guide?"
        if STAGE_BOOST and not query.wants and (stage := self._stage_named(query.text, scores, cand, guide)) is not None:
            scores[stage] += STAGE_BOOST
        if OVERVIEW_BOOST and not query.wants and not any(query.intents.values()):
            opening = self._overview(query, guide)
            if opening:
                scores[cand] += OVERVIEW_BOOST * np.isin(cand, opening)
        if ORIGIN_BOOST and query.intents.get("origin"):
            # "Which jobs do people switch into TPM from?" asks where people come from: a passage
            # saying so ("people coming from software development") over one on where TPMs go next
            # ("TPMs often move into program management"), which shares more of its words.
            scores[cand] += ORIGIN_BOOST * self._saying(ORIGIN, cand)
        features = np.zeros((n, len(FEATURES)), dtype=np.float32)
        features[cand] = x
        row_cosine = np.full(index.stats["rows"], -1.0, dtype=np.float32)
        row_cosine[rows] = cos
        all_matches = np.zeros((len(q), n), dtype=np.float32)
        all_matches[:, cand] = matches
        tokens = QueryTokens(q, weights, token_starts, all_matches)
        hits = [Hit(int(i), float(scores[i])) for i in cand[np.argsort(-scores[cand], kind="stable")[:k]]]
        role = self.role_similarity(query.role, about)
        return Ranking(query, hits, scores, features, row_cosine, tokens, role, candidates=cand)

    def _overview(self, query: Query, guide: int | None) -> list[int]:
        """The opening paragraphs (under the title, not the byline) of the guides whose subject the
        question names in no other words ("What is technical project management?"); none when it
        has a word of its own."""
        index = self.index
        # words that say nothing of their own ("actually", "take"), but not a judgement ("a good career?")
        asked = set(query.terms) - (light_terms() - _JUDGED)
        # The guides whose subject has a form of every word asked: "technical project management"
        # names the subject too; "become" does not ("What do I need to become a TPM?" asks what the
        # credentials section answers). Looked up by word, not by a pass over every guide.
        named: set[int] | None = None
        for t in asked:
            having = {d for w, ds in index.subject_guides.items() if _same_word(t, w) for d in ds}
            named = having if named is None else named & having
            if not named:
                return []
        out: list[int] = []
        for d in sorted(named or ()):
            if guide is not None and d != guide:
                continue
            if len(asked) < len(index.guide_subject_terms[d]):
                continue
            title = index.documents[d][1]  # the opening sits under the title
            start, _ = index.document_span(d)
            if index.chunks[start].section == title:
                out += [c for c in index.section_passages(start) if c not in index.bylines]
        return out

    def _stage_named(self, text: str, scores: np.ndarray, cand: np.ndarray, guide: int | None) -> int | None:
        """The item of a sequence list (the career path's stages) that "the X stage" names, X
        being words of one item's label that are not the guide's topic words; else None."""
        import numpy as np

        from .chat import sequence_item_named
        from .query import spelled_out

        found = _STAGE_NAMED.search(text)
        if found is None:
            return None
        terms = set(content_terms(spelled_out(self.index, found.group(1))))
        best = [int(c) for c in cand[np.argsort(-scores[cand], kind="stable")[:STAGE_POOL]]]
        return sequence_item_named(self.index, terms, best, guide) if terms else None

    def _saying(self, pattern: re.Pattern[str], cand: np.ndarray) -> np.ndarray:
        """1 for each candidate passage whose text ``pattern`` finds, else 0 (the candidates only:
        the rules that read a passage's wording cost what the candidates do, not the corpus)."""
        import numpy as np

        return np.array([bool(pattern.search(self.index.chunks[c].text)) for c in cand], np.float32)

    def role_similarity(self, role: str | None, about: set[int] | None = None) -> float:
        """How close the job a question names is to the subject of the guides answering it (of any
        guide, given none); 1.0 when it names none."""
        if role is None or not self.index.subjects:
            return 1.0
        if self.index.names_role(role, about):
            return 1.0  # a role the guide itself describes ("coordinator", "program manager")
        sims = self.subject_similarities(role)
        if about is not None:
            sims = {s: v for s, v in sims.items() if s in {self.index.documents[d][2] for d in about}}
        return float(max(sims.values(), default=1.0))

    def subject_similarities(self, role: str) -> dict[str, float]:
        """The similarity of a job to each guide's subject (cached: the same few jobs come up again)."""
        import numpy as np

        if role not in self._roles:
            if len(self._roles) > 1000:
                self._roles.clear()
            if self._subject_vectors is None:
                self._subject_vectors = self.encoder.embed(self.index.subjects)
            sims = self._subject_vectors @ self.encoder.embed([role])[0]
            self._roles[role] = dict(zip(self.index.subjects, np.asarray(sims, dtype=float).tolist(), strict=True))
        return self._roles[role]

    def documents_about(self, query: Query) -> set[int] | None:
        """The guides a question is answered from (several guides, each about one job): those about
        the job it names; naming none of their jobs, those about the assistant's own (``home_job``);
        None (every guide) when there is one subject, or no guide about the home job."""
        return self.job_documents(query) or self.job_documents_of(self.home_job)

    def job_documents(self, query: Query) -> set[int] | None:
        """The documents about the job a question names, by the subject's words in it ("TPM"
        spelled out, "data engineers"), else by the similarity of the job it names."""
        documents = self.index.documents
        if len(self.index.subjects) < 2:
            return None  # one subject: every passage is about it
        asked = set(query.terms)
        named: dict[int, int] = {}
        for d, (_, _, subject) in enumerate(documents):
            terms = set(content_terms(subject or ""))
            if terms and terms <= asked:
                named[d] = len(terms)
        if named:
            most = max(named.values())  # "senior data engineer" over "engineer"
            return {d for d, n in named.items() if n == most}
        return self.job_documents_of(query.role)

    def job_documents_of(self, role: str | None) -> set[int] | None:
        """The documents whose subject is this job (see ``same_job``), if any."""
        if not role or len(self.index.subjects) < 2:
            return None
        sims = {s: v for s, v in self.subject_similarities(role).items() if same_job(role, s, v)}
        if not sims:
            return None
        best = max(sims.values())
        documents = self.index.documents
        return {d for d, (_, _, subject) in enumerate(documents) if subject and sims.get(subject, -1.0) >= best - 1e-6}

    def conversation_documents(self, context: str, message: str) -> set[int] | None:
        """The guides a follow-up is answered from: about the job the message names, else about
        the one the conversation does (see ``documents_about``)."""
        return self.job_documents(self.analyze(message)) or self.documents_about(self.analyze(f"{context} {message}"))

    def search(self, text: str, k: int) -> Ranking:
        """The top ``k`` passages for a question."""
        query = self.analyze(text)
        return self._rank(query, k, None, self.documents_about(query))

    def analyze(self, text: str, focus: str | None = None, inherit_wants: bool = True) -> Query:
        """The question as analysed with the options these weights were fitted with."""
        return analyze(
            text,
            self.index,
            focus=focus,
            inherit_wants=inherit_wants,
            fix_typos=self.options.fix_typos,
            expand_acronyms=self.options.expand_acronyms,
            acronyms_inline=self.options.acronyms_inline,
            expand_abbreviations=self.options.expand_abbreviations,
            home=self.home_job or (self.index.subjects[0] if len(self.index.subjects) == 1 else ""),
        )

    def search_followup(self, context: str, message: str, k: int, boosts: Boosts | None = None) -> Ranking:
        """A follow-up ("and in New York City?") searched with the question it follows.

        The conversation (earlier question + message) is scored as one query; the message alone and
        the passages the follow-up refers to (see ``chat.Boosts``) add fitted amounts. Answer
        sentences are matched against the message's own tokens, so the answer is about what is
        asked now.
        """
        import numpy as np

        marked = None
        if boosts is not None:
            marked = np.flatnonzero(
                boosts.quoted + boosts.neighbour + boosts.direction + boosts.ordinal + boosts.sibling + boosts.named
            )
        message_query = self.analyze(message)
        # A message pointing at another item ("what comes after it?", "the second one?") asks
        # about that item, not for the value the conversation asked for before.
        pointed = boosts is not None and bool(boosts.direction.any() or boosts.ordinal.any())
        conversation = self.analyze(f"{context} {message}", focus=message, inherit_wants=not pointed)
        if AUTHOR_FOLLOWUP and boosts is not None and boosts.referent in self.index.bylines:
            # "Who wrote this guide? / What's his role?": pointing back at the byline asks about the author
            author = {"author": True}
            message_query, conversation = (replace(q, intents=q.intents | author) for q in (message_query, conversation))
        about = self.job_documents(message_query) or self.documents_about(conversation)
        alone = self._rank(message_query, k, marked, about)
        both = self._rank(conversation, k, _union(alone.candidates, marked), about)
        # Scored together: the passages either search found (a passage the message alone found is
        # scored for the conversation too, and the other way round).
        pool = _union(both.candidates, alone.candidates)
        if len(pool) != len(both.candidates):  # type: ignore[arg-type]
            alone = self._rank(message_query, k, pool, about)
            both = self._rank(conversation, k, pool, about)
        # Both rankings scored the same pool; elsewhere -inf stays -inf (0 x -inf would be nan).
        scored = np.isfinite(both.scores)
        scores = np.where(scored, both.scores + self.followup.message * np.where(scored, alone.scores, 0.0), -np.inf)
        if boosts is not None:
            scores = scores + (
                self.followup.quoted * boosts.quoted
                + self.followup.neighbour * boosts.neighbour
                + self.followup.direction * boosts.direction
                + self.followup.ordinal * boosts.ordinal
                + self.followup.sibling * boosts.sibling
                # the item a message names is pointed at as surely as "the next one" (no weight of its own)
                + self.followup.direction * boosts.named
            )
        # Answer sentences are matched against the message's own tokens when it has any.
        tokens = alone.tokens if len(alone.tokens.weights) else both.tokens
        cand = both.candidates if both.candidates is not None else np.arange(len(scores))
        hits = [Hit(int(i), float(scores[i])) for i in cand[np.argsort(-scores[cand], kind="stable")[:k]]]
        return Ranking(both.query, hits, scores, both.features, both.row_cosine, tokens,
                       both.role_similarity, alone=alone, conversation=both, candidates=cand,
                       referent=boosts.referent if boosts is not None else None,
                       within=boosts.within if boosts is not None else False)  # fmt: skip
