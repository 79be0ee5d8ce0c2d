"""Does the guide answer the question? A logistic model over several signals, fitted on labelled
answerable questions, off-topic questions and on-topic questions the guide does not answer (see
``learn.py``), never a hand-picked similarity cut-off.

Topicality signals: how well the best passage scores; how close the best sentence is; how much of the
question the best passage covers token by token (a question about nurses' pay finds "pay" but not
"nurses" in the salary passage); how many of the question's words the guide never uses; and how far
a job the question names is from the job the guide is about (from the guide's title).

Answerability signals (``answerable.py``): whether the passage that would answer meets the question's
constraints (a place, an organisation, a number, a unit), holds the type of value it asks for, and
compares what it asks to compare.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from .answerable import WEAK_MATCH, Coverage, coverage, holds_value
from .text import stem, words

if TYPE_CHECKING:
    from .index import Index
    from .retrieval import Ranking
    from .weights import AbstainWeights

SIGNALS = (
    "top_score", "sent", "maxsim", "oov_share", "min_token", "uncovered", "other_job",
    "name_unmatched", "name_unknown", "term_unmatched", "type_unmet", "type_unmet_near", "type_unmet_named",
    "comparison_unmet", "word_unmatched", "value_unmatched", "name_value_unmatched", "named_word_unmatched",
    "known_name_value_unmatched",
)  # fmt: skip


def signals(index: Index, ranking: Ranking, checked: Coverage | None = None) -> dict[str, float]:
    """Every signal by name; ``checked`` is the ranking's coverage when already computed."""
    asked = ranking.conversation or ranking  # the earlier question can make a follow-up answerable
    query = asked.query
    checked = checked if checked is not None else coverage(index, ranking)
    answerability = {
        "name_unmatched": checked.name_unmatched,
        "name_unknown": checked.name_unknown,
        "term_unmatched": checked.term_unmatched,
        "type_unmet": checked.type_unmet,
        "type_unmet_near": checked.type_unmet_near,
        "type_unmet_named": checked.type_unmet_named,
        "comparison_unmet": checked.comparison_unmet,
        "word_unmatched": checked.word_unmatched,
        "value_unmatched": checked.value_unmatched,
        "name_value_unmatched": checked.name_value_unmatched,
        "named_word_unmatched": checked.named_word_unmatched,
        "known_name_value_unmatched": checked.known_name_value_unmatched,
        "stage_value_unmet": checked.stage_value_unmet,
        "rate_unmatched": checked.rate_unmatched,
        "ranking_unmet": checked.ranking_unmet,
        "number_unknown": checked.number_unknown,
        "object_unknown": checked.object_unknown,
        "held_elsewhere": checked.held_elsewhere,
        "values_apart": checked.values_apart,
        "earner_unvalued": checked.earner_unvalued,
    }
    if not asked.hits:
        return dict.fromkeys(SIGNALS, 0.0) | {"oov_share": 1.0, "uncovered": 1.0, "other_job": 0.0} | answerability
    top = asked.hits[0].chunk
    matches, weights = asked.tokens.matches, asked.tokens.weights
    if matches.shape[0]:
        best = matches[:, top]
        min_token = float(best.min())
        uncovered = float((weights * (best < WEAK_MATCH)).sum() / weights.sum())
    else:
        min_token, uncovered = 0.0, 1.0
    return {
        "top_score": asked.hits[0].score,
        "sent": float(asked.column("sent").max()),
        "maxsim": float(asked.column("maxsim").max()),
        "oov_share": len(query.oov) / max(1, len(query.content)),
        "min_token": min_token,
        "uncovered": uncovered,
        # A question about another job ("What does a nurse earn?") finds the guide's salary passage
        # but names a job far from the guide's subject.
        "other_job": 1.0 - asked.role_similarity,
    } | answerability


# Below this similarity to every guide's subject, a job the question names is another job ("What
# degree do I need to become a data scientist?"): the question is declined whatever else matches.
# On the labelled sets, questions the guide answers name jobs at 0.78 or more (the job, its stages,
# "entry-level TPM"), other jobs sit at 0.55 or less (software engineer, data scientist, nurse).
OTHER_JOB = 0.6


def other_job(index: Index, ranking: Ranking) -> bool:
    """The question is about a job no guide is about, and does not name a guide's own subject
    ("What does a software developer need to move into technical project management?" names both)."""
    asked = ranking.conversation or ranking
    if asked.query.role is None or asked.role_similarity >= OTHER_JOB:
        return False
    # The best passage's heading is about such people ("What does an intern do?" finds "What
    # internships can you apply for ...?"): a person of the guide's own world, not another job.
    head = stem(asked.query.role.split()[-1])
    if asked.hits and any(w.startswith(head) for w in words(index.chunks[asked.hits[0].chunk].section)):
        return False
    # Names a guide's subject too: two words of one subject ("data" of "Data Engineer" and
    # "project" of "Technical Project Manager" name neither).
    named = Counter(d for t in set(asked.query.terms) for d in index.subject_guides.get(t, ()))
    return not any(n >= 2 for n in named.values())


# Signals that decline a question alone when they hold fully, whatever else matches: a value asked
# for names the guide uses, but no near passage gives that kind of value beside any of them ("What's
# the salary in the Chicago area?", where the guide names Chicago only for job searches); a
# comparison asked that no near passage makes ("Is Tableau better than Power BI for that?"); a value
# asked of a stage whose passage lacks it; a rate given beside none of the message's words; a number
# asked about that the guide never writes ("growth through 2030"); a thing got or offered, or whose
# typical value is asked, that the guide never names ("Does Tesla sponsor work visas?", "the average
# yearly raise"); a figure asked of two things the guide gives figures for apart ("entry-level TPMs
# in New York City"). On the labelled sets each fires on at most
# one fact, which the fitted model declines too, but the last: it fires on five facts (three of them
# answered right without it: "offers student placements", "a student summer gig", "come with
# fatter paychecks") against 13 unanswered questions it alone declines. The model
# weighs them with the rest, which in a conversation the earlier turns' words can outweigh: as rules
# they cannot be.
DECIDING: tuple[str, ...] = (
    "known_name_value_unmatched", "comparison_unmet", "stage_value_unmet", "rate_unmatched", "ranking_unmet",
    "number_unknown", "object_unknown", "values_apart", "type_unmet_near", "earner_unvalued", "held_elsewhere",
)  # fmt: skip
# "How much does a master's in project management cost?": a kind of value (a figure, a duration, a
# rate; not a count) that none of the passages near the question gives declines alone, as the
# signals above do.
NO_VALUE_NEAR = True


class Abstainer:
    def __init__(self, weights: AbstainWeights):
        self.model = weights.model
        self.threshold = weights.threshold
        # A short message in a conversation stands alone when it is at least this likely answered.
        self.standalone = weights.standalone

    def probability(self, values: dict[str, float]) -> float:
        """Probability that the guide answers the question."""
        missing = set(self.model.features) - set(values)
        if missing:
            raise KeyError(f"no value for signal(s) {sorted(missing)}")
        return self.model.probability(values)

    def covered(self, index: Index, ranking: Ranking, checked: Coverage | None = None) -> bool:
        if ranking.hits and ranking.hits[0].chunk in index.bylines:
            # a question on who wrote the guide, and the byline saying so (retrieval.AUTHOR_BOOST);
            # not "how much does he earn?", a value the byline does not give
            byline = index.chunks[ranking.hits[0].chunk].text
            return all(holds_value(kind, byline) for kind in (ranking.alone or ranking).query.wants)
        if other_job(index, ranking):
            return False
        values = signals(index, ranking, checked)
        # a count may be of a list's items ("How many stages does the path have?"), written as no number
        no_value = NO_VALUE_NEAR and "count" not in ranking.query.wants
        if any(values[name] >= 1.0 for name in DECIDING if no_value or name != "type_unmet_near"):
            return False
        return self.probability(values) >= self.threshold
