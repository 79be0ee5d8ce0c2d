"""What a question asks, before any vector is computed: its words with typos fixed against the
corpus vocabulary, acronyms the corpus defines spelled out, and the kind of answer it wants."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .text import STOPWORDS, content_terms, stem, words

if TYPE_CHECKING:
    from .index import Index

# "how fast" asks for a rate of something changing ("how fast is it growing?"), else for a time.
_CHANGING = r"\b(grow\w*|increas\w*|ris\w*|expand\w*|declin\w*)\b"
# "more than one figure", "less than 5 years": an amount, not a comparison of two things
_AMOUNT_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple|twice|double|half)"
# Idioms of work and pay, read in plain words before anything else ("Does the PMP pay off?" asks
# whether it is worth it, not about pay; "the top brass" are executives), and everyday words for
# what a guide names otherwise (a two-year degree is an associate degree, a rookie is entry-level,
# a trap is a mistake): their words alone find other passages, or none, and read as parts of the
# question the guide does not cover.
IDIOMS = True
# What "100%" (or "100 percent") says wholly of, not as a rate: "work 100% from home", "100% remote".
_WHOLLY_OF = r"\s+(?:from\s+home|remote|remotely|in[- ]person|on[- ]?site)\b"
_IDIOMS = tuple(
    (re.compile(pattern, re.I), plain)
    for pattern, plain in (
        (r"\bpa(?:y|ys|ying|id)\s+off\b", "be worth it"),
        (r"\btake[- ]home\s+(?:pay|salary|money)\b", "pay"),
        (r"\b(?:take|takes|taking|took)\s+home\b", "earn"),
        (r"\b(?:pull|pulls|pulling|rake|rakes|raking)\s+in\b", "earn"),
        (r"\bfat(?:ter|test)?\s+pay\s?checks?\b", "higher pay"),
        (r"\bpay\s?checks?\b", "pay"),
        (r"\b(?:on|off)\s+(?:my|your|his|her|their|our|one's)\s+plate\b", "in the workload"),
        (r"\b(?:the\s+)?top\s+brass\b", "executives"),
        (r"\b(?:been\s+)?around\s+the\s+block(?:\s+a\s+few\s+times)?\b", "experienced"),
        (r"\bcut\s+out\s+for\b", "suited to"),
        (r"\bfoot\s+in\s+the\s+door\b", "first job"),
        (r"\bclimb(?:s|ing|ed)?\s+(?:up\s+)?the\s+(?:[\w-]+\s+){0,2}?ladder\b", "advance"),
        (r"\b(?:the\s+)?(?:career|corporate|job|tpm)?\s*ladder\b", "the career progression"),
        (r"\b(?:get|gets|getting|got|stay|stays|staying)\s+ahead\b", "advance"),
        (r"\b(?:count|counts|counting|counted|lean|leans|leaning|leaned)\s+on\b", "rely on"),
        (r"\b(?:traps?|pitfalls?|missteps?|blunders?|errors?)\b", "mistake"),
        # falling into a mistake is making it (not "falling into project management")
        (r"(\bmistakes?\b[^.?!]{0,40}?)\b(?:fall|falls|falling|fell)\s+in(?:to)?\b", r"\1make"),
        (r"\b(?:fall|falls|falling|fell)\s+in(?:to)?\b(?=[^.?!]{0,40}\bmistakes?\b)", "make"),
        (r"\bchas(?:e|es|ing|ed)\b", "pursue"),
        (r"\b(?:undergrad(?:uate)?|college|university)\s+(?:degrees?|majors?|studies|programs?)\b", "bachelor's degree"),
        (r"\bundergrad(?:uate)?s?\b", "bachelor's"),
        (r"\bmajor(?:s|ed|ing)?\s+in\b", "degree in"),
        (r"\btwo[- ]year\s+(?:college\s+)?degrees?\b", "associate degree"),
        (r"\bfour[- ]year\s+(?:college\s+)?degrees?\b", "bachelor's degree"),
        (r"\b(?:newcomers?|rookies?|newbies?)\b", "entry-level"),
        (r"\b(?:seasoned|veteran)\b", "experienced"),
        (r"\btestimonials?\b", "what professionals say"),
        # "100% from home", "100 percent remote": wholly, not a rate
        (rf"\b100\s*(?:%|percent)(?={_WHOLLY_OF})", "fully"),
        (r"\b(?:work|works|working|worked)\s+(?:fully\s+)?from\s+home\b", "work remotely"),
        (r"\bweigh(?:s|ing|ed)?\s+up\b", "compare"),
        (r"\b(?:study|studies|studied|studying)\s+(?:in|at)\s+(?:college|university|uni)\b", "study for a bachelor's degree"),
        (r"\bmajors\b", "bachelor's degree fields"),
        (r"\bprogrammer(s?)\b", r"coder\1"),  # the guide's word ("not the strongest coder in the room")
        # who should not become one is who it is a poor fit for ("It may be a poor fit if you prefer ...")
        (r"\b(?:should\s*n[o’']?t|would\s*n[o’']?t)\s+(?:become|be|enjoy|like|choose|pursue)\b", "would be a poor fit for"),
        (r"\b(?:bad|wrong|not\s+a\s+(?:good|great))\s+fit\b", "poor fit"),
        (r"\bnot\s+(?:suited|cut\s+out)\s+(?:to|for)\b", "a poor fit for"),
        (r"\brun(?:s|ning)?\s+(?:an?\s+)?(?:whole|entire|full)\s+projects?\b", "manage full projects"),
        (r"\b(?:whole|entire)\s+projects?\b", "full projects"),
        (r"\b(?:in\s+)?a\s+straight\s+line\b", "linear"),  # "Progression is not always linear."
        (r"\bbreak(?:s|ing)?\s+in(?:to)?\b", "enter"),
    )
)
_PAY_NOT_OFF = r"(?!pa(?:y|ys|ying|id)\s+off\b)pa(?:y|id)"
# Kinds of pay besides a salary: "What bonus do TPMs get?" asks for a figure, which a salary is not.
_PAY_KINDS = r"bonus|bonuses|stipends?|commissions?|equity|stock options|overtime pay|per diem|allowances?"
# The kind of answer a question wants, from its wording (matched against what a passage holds).
INTENTS: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        r"\b(salar\w*|pay|pays|paid|paying|earn\w*|money|compensation|wages?|income|costs?|fees?|price|priced|tuition"
        rf"|expensive|cheap|{_PAY_KINDS})\b|\$"
        r"|\bhow much\b(?!.*\b(experience|time|education|school|work)\b)"
        r"|\b(make|makes)\b.*\b(year|annually|month|hour)\b|\b(make|makes)\W*$",
        re.I,
    ),
    # Who wrote the guide: "who wrote this guide?", "who's the author?", "who is this written by?"
    "author": re.compile(
        r"^(?=.*\b(?:guide|article|page|piece|post|document|this|it)\b)(?:.*\bwho\b.*\b(?:wrote|writes|authored|penned"
        r"|put together|is behind|written|made|created)\b|.*\b(?:author(?:s|ed)?|writer)\b)|^\W*who(?:'s| is) the author\W*$"
        r"|\bthe\s+(?:author|writer)(?:'s|’s)?\b",  # "What is the author's job title?"
        re.I,
    ),
    # Where people come from into the job: "switch into TPM from?", "from which earlier jobs", "what backgrounds
    # do people come from"
    "origin": re.compile(
        r"\bfrom\W*$|\bfrom\s+(?:what|which)\b|\b(?:earlier|previous|prior|former|past)\s+(?:jobs?|roles?|careers?"
        r"|positions?|fields?|professions?)\b|\bbackgrounds\b"
        r"|\bcome\s+(?:in\s+)?from\b"
        # "What jobs do people have before becoming a TPM?" (not "what certifications ... before")
        r"|\b(?:jobs?|roles?|positions?|careers?|fields?|professions?)\b[^?.!]*\bbefore\s+(?:becoming|switching|transitioning"
        r"|(?:moving|getting|going)\s+(?:into|over)|moving\s+to)\b",  # not "before moving up"
        re.I,
    ),
    # Where or when pay is highest: "which industry pays the most?", "highest-paying sector", "top earners"
    "top_pay": re.compile(
        rf"\b(?:most|highest|best|top|biggest|largest)\b[^?.!]*\b(?:{_PAY_NOT_OFF}\w*|salar\w*|earn\w*|money|compensation)\b"
        rf"|\b(?:{_PAY_NOT_OFF}\w*|salar\w*|earn\w*|compensation)\b[^?.!]*\b(?:most|highest|best|top)\b"
        r"|\b(?:highest|top|best)[- ]pa(?:ying|id)\b",
        re.I,
    ),
    "years": re.compile(r"\b(how long|how many years|years?|when|how much experience)\b", re.I),
    "percent": re.compile(rf"%(?!{_WHOLLY_OF})|\bpercent(?!{_WHOLLY_OF})|\bhow fast\b|\bgrow", re.I),
    # ... or "what" and a plural ("What skills do I need?"), not a verb ("what does", "what helps").
    "list": re.compile(
        r"\b(list|which|what are|name|examples?|some|any|all|every|types|kinds)\b"
        r"|\bwhat\s+(?!(?:is|was|does|has|happens|makes|helps|means|takes|costs|pays|goes|comes|gets|needs|matters|counts"
        r"|works|says|seems|looks|sets|gives|keeps|leads|stands)\b)\w+[^s\W]s\b",
        re.I,
    ),
    # Asks for a whole list ("What are the main challenges...?"), not one item of it ("Which ...?").
    "whole_list": re.compile(
        r"^\W*(list|name|enumerate)\b|\bwhat are (the |some )?(main |key |common |top |biggest |typical |most important )?\w+"
        r"|\bwhat (kinds|types|sorts) of\b|\b(give me|show me) (a list|some|the)\b",
        re.I,
    ),
    "organisations": re.compile(r"\b(compan|employ|firm|organi[sz]ation|who\b|where\b|hire|banks|startups)", re.I),
    # What a question asks for, when it asks for a value: an amount of money ("what does X pay",
    # "how much does Y cost"), a count ("how many PDUs"), a rate ("pass rate", "what percentage"),
    # a duration ("how long"); and an evaluative comparison ("is X better than Y").
    "figure": re.compile(
        r"\bhow much\b[^?]*\b(earn|make|pay|paid|cost|charge|salar\w*|money|spend|fees?|price|worth|bring)"
        r"|\b(what|what's|whats)\b[^?]*"
        r"\b(salar\w*|pay|wages?|income|compensation|costs?|fees?|price|tuition|earnings|day rate|hourly rate"
        rf"|{_PAY_KINDS})\b(?!-)"
        r"|\bwhat (do|does|did|will|would|can|could)\b[^?]*\b(earn|make|pay|paid|charge|cost|earning|paying|charging|costing)s?\b"
        r"|^\W*(?!(?:are|is|do|does|did|can|could|will|would|should|has|have|was|were)\b)(\w+\W+){0,5}"
        r"(salar\w*|pay|wages?|compensation|income|fees?|costs?|tuition|price)\b(?!-)(\W+\w+){0,3}\W*$"
        # ... or whether something is paid ("Is the internship paid or unpaid?"): a figure answers
        # it, a description of the internship does not.
        r"|^\W*(?:is|are|will|would)\b[^?]*\b(?:paid|unpaid)\b|^\W*(?:do|does|did|will|would)\b[^?]*\bpay\b(?!\s+off)",
        re.I,
    ),
    # ... unless it asks about a figure rather than for one ("what affects how much TPMs earn?").
    "qualitative": re.compile(
        r"\b(affect|determin|factor|depend|influenc|matter|differ|vary|varies|lead|why|raise|boost|increase|change|help"
        r"|well|guarantee|track|negotiat|higher|more|most|better|command|same|less|lower|equal|push|drive|shap|impact"
        r"|decreas|reduc|low[- ]?cost|affordab)\w*",
        re.I,
    ),
    "rate": re.compile(
        rf"%(?!{_WHOLLY_OF})|\bpercent\w*(?!{_WHOLLY_OF})|\b\w+ rate\b|\bhow (fast|quickly)\b(?=.*{_CHANGING})"
        r"|\bby how much\b|\b(share|proportion|fraction|ratio) of\b",
        re.I,
    ),
    "count": re.compile(
        r"\bhow many\b(?!\s+(?:years?|months?|weeks?|days?|hours?)\b)|\bnumber of\b|\bhow (big|large|old)\b"
        r"|\b(?:what|which) age\b|\b(average|median|mean|typical) (age|size|number|score)\b"
        r"|\b(?!(?:the|a|an|of|its|their)\b)\w+ (score|size)\b",
        re.I,
    ),
    "duration": re.compile(
        r"\bhow long\b|\bhow many (?:years?|months?|weeks?|days?|hours?)\b|\bhow much time\b|\bhow often\b"
        rf"|\bhow (fast|quickly)\b(?!.*{_CHANGING})",
        re.I,
    ),
    # A day of the calendar: "the application deadline", "when do applications open?"
    "date": re.compile(
        r"\b(?:application|applying|apply|submission|registration|enrol\w*|exam|sign-?up)\s+(?:deadlines?|dates?|window)\b"
        r"|\b(?:what|when)(?:'s|\s+is|\s+are)\s+(?:the\s+)?(?:\w+\s+){0,3}?(?:deadline|due date|closing date|start date)s?\b"
        r"|\b(?:due|closing|what|which) dates?\b|\bwhen\s+(?:is|are|do|does|will)\b[^?.!]*\b(?:open|opens|close|closes|due)\b"
        # "in which month ...?", "what year did ... become common?", "when was it founded?"
        r"|\b(?:what|which)\s+(?:year|month|day|season|quarter)\b"
        r"|\bwhen\s+(?:was|were|did)\b[^?.!]*\b(?:founded|created|introduced|established|launched|started|began|became"
        r"|become|emerged?|coined|invented)\b",
        re.I,
    ),
    "comparison": re.compile(
        r"\b(better|best|worse|worst|superior|prefer\w*|wiser|smarter)\b(?=.*\b(or|vs\.?|versus|than|over)\b)"
        r"|\b(or|vs\.?|versus)\b(?=.*\b(better|best|worse|worst|superior|prefer\w*)\b)"
        # ... not an amount (_AMOUNT_WORDS)
        r"|\b(more|less|higher|lower|better|worse|cheaper|faster|easier|harder|bigger|greater)\s+(?:\w+\s+){0,3}?than\b"
        rf"(?!\s+(?:\$?\d|{_AMOUNT_WORDS}\b))"
        r"|\bcompared? (to|with)\b"
        # "X or Y: which one pays more?", "Tableau vs Power BI, which should I learn?": a choice
        # between two named things, whichever comes first.
        r"|^(?=.*\b(or|vs\.?|versus)\b)(?=.*\b(?:which|who)\s+(?:one\s+)?(?:[\w'-]+\s+){0,3}?(more|less|higher|lower|greater|better|worse)\b)"
        r"|^(?=.*\bwhich\b)(?=.*\b(vs\.?|versus)\b)",
        re.I,
    ),
}
# How a passage says where pay is highest ("some of the highest compensation") ...
TOP_PAY_WHERE = r"highest|top[- ]paying|best[- ]paid|most lucrative"
# ... or how high it goes ("upwards of $148,000"): what answers "which sector pays the most?"
# (retrieval.TOP_PAY, answerable.ranked_kind).
TOP_PAY_WORDS = rf"{TOP_PAY_WHERE}|upwards of"
# Answer types a question can want and a passage can hold: a question asking for one is answered
# only by a passage that gives one ("what does X pay" by a figure, "how long" by a duration).
WANTS = {"money": "figure", "count": "count", "percent": "rate", "duration": "duration", "date": "date"}  # type -> intent
DATES = True  # a deadline asks for a date (False: bench/quality_ablation.py)
# Units and currencies a question can constrain a figure to ("in euros", "per hour"): general
# knowledge about units, not about any question.
# A pay period ("hourly", "monthly"): a unit, as a currency is ("The guide does not give an hourly figure.").
RATE_WORDS = frozenset(["hourly", "monthly", "weekly", "daily", "biweekly", "fortnightly"])
UNITS = frozenset(
    [
        "euro", "euros", "eur", "€", "pound", "pounds", "gbp", "£", "sterling", "yen", "jpy", "¥", "rupee", "rupees", "inr",
        "₹", "yuan", "cny", "rmb", "aud", "cad", "chf", "sgd", "nzd", "hkd", "peso", "pesos", "mxn", "real", "reais", "brl",
        "won", "krw", "franc", "francs", "krona", "kronor", "shekel", "shekels", "dirham", "dirhams",
    ]
) | RATE_WORDS  # fmt: skip
# Units that are also everyday words ("real project experience", "weekly tasks", "what won them
# the job"): a unit only in a question that asks for pay or another quantity, or beside a figure.
PLAIN_WORD_UNITS = True
_WORD_UNITS = frozenset(["real", "won", "pound", "pounds", "franc", "francs"]) | RATE_WORDS
# "per hour", "a month": a time unit is a unit after these words (and a plain word elsewhere).
TIME_UNITS = frozenset(["hour", "hours", "day", "days", "week", "weeks", "month", "months"])
_PER = frozenset(["per", "an", "a", "each", "every"])
COUNTED_UNITS = True
_COUNTED = frozenset(["many", "few", "several"])
# A follow-up that names no answer type asks for the conversation's ("and in Chicago?" after a
# salary question); False turns this off (bench/quality_ablation.py).
WANTS_FROM_CONVERSATION = True
ConstraintKind = Literal["name", "number", "unit", "term"]
RARE_IDF = 2.3  # a term in fewer than about a tenth of the passages: what a question is specifically about


@dataclass(frozen=True)
class Constraint:
    """Something a question pins its answer to beyond its topic: a name ("Sydney", "Epic Games"),
    a number ("2030"), a unit ("euros", "hourly"), or a word the guide never uses ("PDUs")."""

    text: str  # as asked
    start: int  # offsets in the analysed (expanded) question text
    end: int
    kind: ConstraintKind
    terms: tuple[str, ...]  # stemmed terms to look for in a passage
    in_corpus: bool  # the guide uses all of them somewhere


MIN_TYPO_LENGTH = 5  # shorter words are too often real words one edit away from another

# A question about a job ("How do I become a nurse?", "What does a data scientist earn?") names the
# job in a few fixed ways. The noun phrase caught here is compared with the guide's own subject.
_NP = r"((?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*?)"
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
    # "what's a security auditor do all day?", "how to get into data science"
    re.compile(rf"\bwhat(?:'s|s|\s+does|\s+do)\s+an?\s+{_NP}\s+do\b"),
    re.compile(rf"\b(?:get|getting|break|breaking)\s+into\s+{_NP}{_NP_END}"),
]
# "What certification do occupational health nurses need?" names a job; the people a TPM works with
# need things too ("What tools do agile teams need?"), so there those name none.
_NEED = re.compile(rf"\b(?:do|does)\s+{_NP}s\s+need\b")
_GROUPS = frozenset(
    ["team", "client", "customer", "user", "stakeholder", "vendor", "executive", "leader", "partner", "member", "engineer",
     "developer", "manager"]
)  # fmt: skip
_NOT_ROLES = frozenset(
    [
        "i", "you", "it", "they", "this", "these", "those", "that", "one", "people", "someone", "me", "we", "he", "she", "what",
        "which", "who", "how", "are", "is", "the", "average", "typical", "my", "your", "our", "their", "much", "many", "do",
        "does", "did", "can", "could", "should", "would", "will", "was", "were", "has", "have",
        # "become a better communicator" asks about a quality, not another job
        "good", "better", "best", "great", "greater", "strong", "stronger", "effective", "successful", "more", "really",
        "very", "excellent",
        # a stage of a person, not a job: "What does a student need to get an internship?"
        "student", "students", "beginner", "beginners", "newcomer", "newcomers", "novice", "novices", "graduate",
        "graduates", "grad", "grads", "learner", "learners", "candidate", "candidates", "applicant", "applicants",
        "changer", "changers", "switcher", "switchers",
        # anyone at all: "Does a person have to be an expert programmer?"
        "person", "persons", "individual", "individuals", "professional", "professionals",
        # "become comfortable using ...", "become familiar with ...": a state, not a job ("a certified
        # occupational health nurse" is one)
        "comfortable", "familiar", "proficient", "confident", "fluent", "involved",
        # "when does a PMP become most useful?": a quality, not a job
        "most", "less", "least", "useful", "valuable", "important", "relevant", "necessary", "available", "possible",
        "worthwhile", "popular", "common",
        # which pay, not whose: "starting pay for a brand new TPM?", "base salary", "median wages"
        "starting", "base", "median", "mean", "annual", "yearly", "monthly", "weekly", "hourly", "national", "expected",
        "initial", "total", "gross", "net", "minimum", "maximum",
    ]
)  # fmt: skip


# What the asker is now ("I work as", "I'm currently working as"), right before a role pattern.
_ASKER = re.compile(r"(?:^|[.!?;,]\s*)(?:i|i'm|i am|im)\s+(?:\w+\s+){0,2}?(?:work|working)\s+as\s+(?:an?\s+)?$")


_AN = re.compile(r"becom\w*\s+an?\s")
# A decade of someone's life ("in my 60s", "in their 40s").
_AGE = re.compile(r"[1-9]0'?s")
_OWNERS = frozenset(["my", "your", "his", "her", "their", "our", "mid", "late", "early"])


def spelled_out(index: Index, text: str) -> str:
    """``text``'s words with the acronyms the corpus defines spelled out ("senior TPMs" -> "senior
    technical project manager")."""
    out = []
    for w in words(text):
        key = acronym_key(index, w)
        out.append(index.acronyms[key][0] if key else w)
    return " ".join(out)


def acronym_key(index: Index, word: str) -> str | None:
    """The acronym the corpus defines that ``word`` is, or is the plural of ("tpms")."""
    return word if word in index.acronyms else word[:-1] if word.endswith("s") and word[:-1] in index.acronyms else None


def role_of(text: str) -> str | None:
    """The job a question asks about, when it names one in a usual way ("become a nurse")."""
    lowered = text.lower()
    for pattern in ROLE_PATTERNS:
        # "I currently work as a software tester": the asker's job now, not the one asked about
        # "keep problems from becoming emergencies": a thing turning into another, not a job ("what
        # stops people from becoming a nurse?" still names one)
        match = next((m for m in pattern.finditer(lowered) if not _ASKER.search(lowered[: m.start(1)])
                      and not (lowered[: m.start()].endswith("from ") and not _AN.match(lowered, m.start()))), None)  # fmt: skip
        if match:
            role = match.group(1).strip()
            parts = role.split()
            # "certs vs results for salary" names no job
            if parts and parts[0] not in _NOT_ROLES and parts[-1] not in _NOT_ROLES and parts[-1] not in STOPWORDS \
                    and "vs" not in parts:
                return role
    match = _NEED.search(lowered)
    if match:
        parts = match.group(1).split()
        if parts and parts[0] not in _NOT_ROLES and parts[-1] not in _NOT_ROLES | _GROUPS:
            return match.group(1).strip()
    return None


# A place in a list or a sequence ("the second one", "the 3rd stage") points at an item; it names
# nothing the answer must be about.
POSITION_WORDS = re.compile(
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|next|previous|\d+(?:st|nd|rd|th)", re.I
)
# Words that say what type of answer a question wants ("how long", "pass rate", "paid", "better
# than"): they are asked about through the answer type, not constraints to find in a passage.
TYPE_WORDS = re.compile(
    r"(long|fast|quickly|rates?|percent\w*|number|better|best|worse|worst|higher|lower|compared?|comparison|versus|vs"
    r"|differ|differs|differences?"
    r"|superior|prefer\w*|salar\w*|pay|pays|paid|paying|earn\w*|make|makes|money|compensation|wages?|income|costs?"
    r"|fees?|price|priced|tuition|expensive|cheap"
    # what a value is called, not what it is of: "the salary figures", "pay numbers", "salary stats"
    r"|numbers|figures?|stats|statistics"
    # a definition: "what does ESG mean / stand for?"
    r"|mean|means|meaning|stand|stands|definition|define|defined|acronym|abbreviation)",
    re.I,
)


def is_type_term(term: str) -> bool:
    """A stemmed term of TYPE_WORDS ("mak" is "make", "rat" is "rate": stems drop a final silent e)."""
    return bool(TYPE_WORDS.fullmatch(term) or TYPE_WORDS.fullmatch(term + "e"))


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
    constraints: list[Constraint] = field(default_factory=list)
    wants: frozenset[str] = frozenset()  # answer types asked for (keys of WANTS)
    guide: int | None = None  # the one guide answering it, when several are in the corpus (see scoped)
    background: frozenset[str] = frozenset()  # terms only in the asker's own situation (see background_spans)


@functools.lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], int]:
    """Place names as a question may write them in lower case ("seattle", "new york"), and the most
    words one has: the list shipped in places.txt (countries, US states, large cities; see
    tools/make_places.py)."""
    from importlib.resources import files

    text = files(__package__).joinpath("places.txt").read_text(encoding="utf-8")
    names = frozenset(n for n in text.splitlines() if n and not n.startswith("#"))
    return names, max(len(n.split()) for n in names)


def plain_name(word: str) -> str:
    """Lower case without accents ("São" -> "sao"), as places.txt writes names (and
    tools/make_places.py writes them so)."""
    if word.isascii():
        return word.lower()
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)).lower()


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def place_starts(text: str) -> set[int]:
    """Where the words of place names start in ``text``, whatever their case (longest name first)."""
    names, longest = _places()
    found = [(m.start(), plain_name(m.group())) for m in _WORD.finditer(text)]
    out: set[int] = set()
    i = 0
    while i < len(found):
        for n in range(min(longest, len(found) - i), 0, -1):
            if " ".join(w for _, w in found[i : i + n]) in names:
                out.update(start for start, _ in found[i : i + n])
                i += n
                break
        else:
            i += 1
    return out


_CASED_TOKEN = re.compile(r"[$€£¥₹]?[^\W_](?:[^\W_]|[’'&.,%])*")  # letters of any script ("AtkinsRéalis")
_SENTENCE_BREAK = re.compile(r"[.!?]\s*$|^\s*$")


_NAME_JOINERS = frozenset({"of", "in", "for", "and", "&", "the", "de"})


def is_name(phrase: str) -> bool:
    """A long form the guide writes as a name: every word capitalised but the small joining words
    ("Metropolitan Transportation Authority", "Certified Associate in Project Management"), unlike
    "Technical project managers"."""
    return all(w[0].isupper() for w in phrase.split() if w.lower() not in _NAME_JOINERS)


def abbreviation_of(word: str, text: str, index: Index) -> str | None:
    """The guide's phrase an abbreviation it never uses stands for ("NYC", "QA"), when the question
    writes it in capitals or it is no word at all; plural abbreviations get a plural phrase."""
    if word in index.surface or not word.isalpha() or not 2 <= len(word) <= 6:
        return None
    asked = re.search(rf"\b{re.escape(word)}\b", text, re.I)
    plural = word.endswith("s") and word[:-1] in index.initials
    phrase = index.initials.get(word[:-1] if plural else word)
    if asked is None or phrase is None:
        return None
    name = all(w[0].isupper() for w in phrase.split())
    # In lower case, only a name is safe to read into a word the tokenizer knows ("nyc").
    if not (asked.group().rstrip("s").isupper() or word not in index.known_words or name):
        return None
    if not name:
        phrase = phrase.lower()
    return phrase + "s" if plural and not phrase.endswith("s") else phrase


def _known_acronym(token: str, index: Index) -> bool:
    """An upper-case abbreviation the guide does not use of a phrase it does ("PMs", "QA")."""
    if not (2 <= len(token) <= 6 and token.rstrip("s").isupper() and token.isalpha()):
        return False
    key = token.lower()[:-1] if token.endswith("s") and len(token) > 2 else token.lower()
    return key not in index.surface and (key in index.acronyms or key in index.initials)


def known_word(index: Index, word: str, guide: int | None = None) -> bool:
    """Whether the corpus uses ``word`` (as written, or one of its terms); with ``guide``, whether
    that guide does."""
    terms = content_terms(word)
    if guide is not None:
        return any(index.knows_in(t, guide) for t in terms)
    return word in index.surface or any(index.knows(t) for t in terms)


def _unknown_words(index: Index, content: list[str], guide: int | None = None) -> list[str]:
    """The words of ``content`` the corpus (or ``guide``) never uses; a place in a list ("second")
    names nothing, so it is never one."""
    return [t for t in content if not known_word(index, t, guide) and not POSITION_WORDS.fullmatch(t)]


INITIALISMS = True  # a name the guide never spells out matches its initials ("United States", "US")
# Other names of one place, as people write them: "America" and "the States" are the guide's "US".
SAME_PLACE = (
    ("us", "usa", "united states", "united states of america", "america", "states"),
    ("uk", "united kingdom", "great britain", "britain"),
    ("nyc", "new york city", "big apple"),
    ("chicago", "windy city", "chi-town", "chitown"),
    ("sf", "san francisco"),
    ("la", "los angeles"),
)
PLACE_ALIASES = True
# A name the question sets aside ("certificate programmes (not PMP)", "besides HSBC") is not one the
# answer must be about.
_SET_ASIDE = re.compile(r"\b(?:not|other than|besides|apart from|aside from|except(?: for)?|excluding)\s*[(\"'“]?\s*$", re.I)
SET_ASIDE = True
# The asker's own situation, in a clause of its own before the question ("I'm a nurse with 6 years in
# hospital IT - what schooling do these jobs want?"): its words and numbers are no constraint the
# answer must meet; a name in it still is ("I'm based in Sydney. What would I earn?").
_CLAUSE_SPLIT = re.compile(r"\s[-–—]\s|[.!?;]\s+")
_ASKER_CLAUSE = re.compile(r"^\W*(?:i|i'm|i’m|im|i am|i've|i’ve|ive|i have|i was|i'd|i’d|my|as an?)\b", re.I)
BACKGROUND = True


# Words that carry no constraint in a question whatever the guide says: light verbs ("run projects",
# "make sense", "go about"), vague nouns ("stuff", "kinds") and hedges ("is it true that", "actually").
LIGHT_WORDS = frozenset(
    [
        "run", "runs", "running", "ran", "get", "gets", "getting", "got", "go", "goes", "going", "went", "take", "takes",
        "taking", "took", "keep", "keeps", "keeping", "put", "puts", "putting", "hold", "holds", "holding", "try",
        "tries", "trying", "tried", "sense", "true", "truly", "somewhere", "something", "someone", "somebody", "anything",
        "anyone", "everything", "everyone", "stuff", "thing", "things", "lot", "lots", "kind", "kinds", "sort", "sorts",
        "bit", "bits", "way", "ways", "actual", "exact", "precise", "actually", "basically", "literally", "exactly",
        "probably", "maybe", "perhaps", "show", "shows",
        "honestly", "seriously", "generally", "usually", "normally", "typically", "always", "ever", "still", "sometimes",
        "often", "instead", "away", "wait", "catch", "yet", "already", "anymore",
        # vague people and plain praise or size ("folks who want to", "a great programmer", "a brand new TPM")
        "people", "person", "folks", "individual", "individuals", "great", "good", "big", "whole", "new", "brand", "advice",
        "deal", "dealing", "back", "right", "break", "breaking",
        # verbs of having on offer ("the internship ServiceNow offers"): the passage lists it, in whatever words
        "offer", "offers", "offered", "offering", "provide", "provides", "provided", "give", "gives", "given",
        # words about the guide itself ("what considerations does the guide suggest", "the practitioners quoted")
        "suggest", "suggests", "suggested", "mention", "mentions", "mentioned", "quote", "quotes", "quoted", "overview",
        "section", "article", "consideration", "considerations", "write", "writes", "writing", "written", "wrote", "real",
        "purpose", "point", "author", "authored", "guide", "guides",
        "bring", "brings", "bringing", "brought", "talk", "talks", "talking", "talked", "refer", "refers", "referring",
        "referred", "cite", "cites", "citing", "cited", "recommend", "recommends", "recommended", "recommending",
        # asking what a word means ("What does ESG stand for?"): the passage spells it out, in no such words
        "stand", "stands", "mean", "means", "meaning", "define", "defined", "definition",
        # going after a thing, as "get" is ("the point to pursue the PMP")
        "pursue", "pursues", "pursuing", "pursued", "obtain", "obtains", "obtaining", "obtained",
        # words for a span of figures ("what pay band", "a ballpark"): the guide says "range"
        "band", "bands", "bracket", "brackets", "ballpark",
        # the job itself, however named ("in this job", "the role", "this line of work")
        "job", "jobs", "work", "role", "roles", "career", "careers", "field", "position", "positions", "profession", "occupation",
    ]
)  # fmt: skip
LIGHT = True
# "What's the average salary in healthcare?": a figure asked of a setting the guide knows, which a
# figure must be given for ("in", "at", "for" a word of its own, not the topic's): a constraint as a
# name is, so "healthcare" unmatched beside any figure is a figure the guide does not give.
QUALIFIERS = True
_QUALIFIER = re.compile(r"\b(?:in|at|for|within|across)\s+(?:the\s+|a\s+|an\s+)?([a-z][a-z-]+)\b(?:\s+([a-z]+))?", re.I)
# A place within the range of figures ("at the top end", "at the start"), not a setting.
_RANGE_PLACES = {"top", "bottom", "end", "start", "beginning", "high", "low", "upper", "lower", "middle", "peak", "max",
                 "maximum", "minimum", "most", "least"}  # fmt: skip
_NUMBER_WORDS = frozenset(["one", "ones", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])
LOWER_NAMES = True  # a name the guide writes capitalised, typed in lower case among other capitals
# The job pointed at, not named ("this kind of job", "this line of work", "go this route"): in a
# chat about one job, it is that job (the assistant's ``home_job``), searched for as named.
THIS_JOB = True
_THIS_JOB = re.compile(
    r"\b(?:this|that)\s+(?:(?:kind|type|sort|line)\s+of\s+)?(?:jobs?|work|careers?|field|roles?|professions?"
    r"|occupations?|positions?|route|path|gig|trade)\b",
    re.I,
)


# "What skills do I need to become a TPM?": "to become" before the job is how a guide on a job
# frames it ("How to Become a Technical Project Manager"), and the headings of some of its sections
# say it (credentials, benefits, self-assessment). Beside a word of the question's own ("skills") it
# names no section, and is read as "as" ("What skills do I need as a TPM?"). Alone with the job
# ("What do I need to become a TPM?") it is the question, and kept.
UNFRAMED = True
_FRAMING = re.compile(r"\bto\s+become\s+(?:an?\s+)?((?:[\w-]+\s+){0,3}[\w-]+)", re.I)


def unframed(text: str, index: Index) -> str:
    """``text`` with "become" before the job it names read as "as" (see UNFRAMED) when words of its
    own remain: "What skills do I need to become a TPM?" as "What skills do I need as a TPM?"."""
    if not UNFRAMED:
        return text
    subject = index.subject_terms
    out = text
    for found in _FRAMING.finditer(text):
        after = content_terms(found.group(1))
        jobs = (index.guide_subject_terms[d] for d in index.subject_guides.get(after[0], ())) if after else ()
        if any(set(after[: len(job)]) == job for job in jobs):  # a guide's job, named whole
            rest = text[: found.start()] + text[found.end():]
            own = [t for t in content_terms(rest) if t not in subject and t not in light_terms()]
            if own:
                out = out.replace(found.group(0), "as " + found.group(0).split(None, 2)[2], 1)
    return out


def is_light(word: str) -> bool:
    """``word`` (lower case, as typed) is one of LIGHT_WORDS, and they are on (LIGHT)."""
    return LIGHT and word in LIGHT_WORDS


def light_terms() -> frozenset[str]:
    """The stemmed terms of LIGHT_WORDS (none when LIGHT is off)."""
    return _light_terms() if LIGHT else frozenset()


@functools.lru_cache(maxsize=1)
def _light_terms() -> frozenset[str]:
    return frozenset(t for w in LIGHT_WORDS for t in content_terms(w))


# "85k", "$120K", "1.5m": a figure written short.
_SHORT_NUMBER = re.compile(r"^[$€£]?(\d+(?:\.\d+)?)([km])$", re.I)
SHORT_NUMBERS = True


def plain_number(token: str) -> str:
    """The digits of a number as the guide's figures are kept ("$85,000" -> "85000"), a short one
    written out ("85k" -> "85000")."""
    short = _SHORT_NUMBER.match(token) if SHORT_NUMBERS else None
    if short:
        value = float(short.group(1)) * (1_000 if short.group(2).lower() == "k" else 1_000_000)
        return str(int(value)) if value.is_integer() else str(value)
    return re.sub(r"[^\d.%]", "", token)


def background_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` tells the asker's own situation: clauses opening with "I", "I'm", "my" or
    "as a" that are not the question (they do not end in "?"), when the text has another clause."""
    if not BACKGROUND:
        return []
    cuts = [0, *(m.end() for m in _CLAUSE_SPLIT.finditer(text)), len(text)]
    spans = [(a, b) for a, b in itertools.pairwise(cuts) if text[a:b].strip()]
    if len(spans) < 2:
        return []
    return [(a, b) for a, b in spans if _ASKER_CLAUSE.match(text[a:b]) and not text[a:b].rstrip().endswith("?")]


def asker_terms(text: str, index: Index) -> frozenset[str]:
    """The terms of ``text`` that appear only where it tells the asker's own situation."""
    spans = background_spans(text)
    if not spans:
        return frozenset()
    inside = {t for a, b in spans for t in content_terms(" ".join(correct(w, index) for w in words(text[a:b])))}
    rest, at = [], 0
    for a, b in spans:
        rest.append(text[at:a])
        at = b
    rest.append(text[at:])
    return frozenset(inside - set(content_terms(" ".join(correct(w, index) for w in words(" ".join(rest))))))


def _same_place(index: Index, shown: str) -> tuple[str, ...] | None:
    """The terms of the name the guide uses for the place ``shown`` names another way, or None."""
    name = re.sub(r"^the\s+", "", shown.lower()).strip(".")
    for names in SAME_PLACE if PLACE_ALIASES else ():
        if name in names:
            for other in names:
                terms = tuple(content_terms(other))
                if terms and all(index.knows(t) for t in terms):
                    return terms
    return None


def _titled(token: str) -> bool:
    """A capitalised word that is not "I" ("I'm") or an acronym ("TPMs")."""
    word = re.split(r"['’]", token)[0]
    return word[:1].isupper() and word != "I" and sum(ch.isupper() for ch in word) == 1


def _priced(tokens: list[tuple[int, str]], i: int, text: str) -> bool:
    """Whether the word at ``tokens[i]`` stands beside a figure or in a question asking for pay or
    another quantity."""
    beside = [tokens[j][1] for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
    return any(any(ch.isdigit() for ch in w) for w in beside) or bool(INTENTS["money"].search(text) or wanted(text))


def constraints_of(text: str, index: Index, guide: int | None = None, typed: str | None = None) -> list[Constraint]:
    """The names, numbers, units and unknown words of a question, grouped into phrases.

    A name is a capitalised word that does not open a sentence (or any word the corpus only writes
    capitalised, or a place name in any case); words common across the guide ("technical",
    "project") name its topic, not a constraint, and only join a name that already has a specific
    word ("Microsoft Project"), as do small words between two capitalised ones ("Certified
    Associate in Project Management").
    Words that say what type of answer is wanted (TYPE_WORDS) are not constraints.
    With several guides and the question answered from one (``guide``), a word is unknown when
    that guide does not use it, and a word typed in lower case is a name only if that guide uses
    it: another guide's "Space Force" does not make "the energy space" a name. ``typed``: the
    question as asked, when ``text`` has typos corrected (a word typed in lower case is a name by
    LOWER_NAMES only if it was typed: "keep tabs on" corrected to "tableau" is not).
    """
    own = guide if len(index.documents) > 1 else None  # with one guide, its words are the corpus's
    tokens = [(m.start(), m.group().rstrip(".,’'")) for m in _CASED_TOKEN.finditer(text)]
    alpha = [t for _, t in tokens if t[:1].isalpha()]
    # Title Case or SHOUTING carries no information about names.
    ignore_case = len(alpha) >= 4 and sum(t[0].isupper() for t in alpha) >= 0.6 * len(alpha)
    tokens = [(start, token) for start, token in tokens if token and not TYPE_WORDS.fullmatch(token)
              and not POSITION_WORDS.fullmatch(token)]  # fmt: skip
    found: list[Constraint] = []
    group: list[tuple[int, str]] = []
    places = place_starts(text)  # "in seattle" names a place, as "in Seattle" does
    uncased = ignore_case or not any(ch.isupper() for ch in text)
    # Nearly so: no word is capitalised but where a sentence opens, "I", and acronyms ("how much
    # does medtronic pay TPMs?"): a word the guide writes as a name is one here too, unless it is
    # also a common word ("new", "city"), which such a writer may mean as one.
    as_typed = set(words(typed)) if typed is not None else None
    lower_names = LOWER_NAMES and not uncased and not any(
        _titled(token) and not (i == 0 or _SENTENCE_BREAK.search(text[:start])) for i, (start, token) in enumerate(tokens))

    def generic(word: str) -> bool:
        terms = content_terms(word)
        return bool(terms) and all(index.generic(t, own) for t in terms)

    def flush() -> None:
        while group and (generic(group[-1][1]) or group[-1][1].lower() in _NAME_JOINERS):
            group.pop()
        if group:
            start, end = group[0][0], group[-1][0] + len(group[-1][1])
            terms = tuple(t for _, w in group for t in content_terms(w))
            if terms:
                shown = text[start:end]
                if shown.islower() and all(s in places for s, _ in group):
                    shown = shown.title()  # "The guide gives no figure for Seattle", however it was typed
                known = all(index.knows(t) for t in terms)
                initials = "".join(w[0] for _, w in group if w.lower() not in _NAME_JOINERS).lower()
                if not known and INITIALISMS and len(initials) >= 2 and index.knows(initials):
                    terms, known = (initials,), True  # "the United States" is the guide's "US"
                alias = None if known else _same_place(index, shown)
                if alias is not None:
                    terms, known = alias, True
                if not (SET_ASIDE and _SET_ASIDE.search(text[:start])):
                    found.append(Constraint(shown, start, end, "name", terms, known))
        group.clear()

    def background(start: int) -> bool:
        return any(a <= start < b for a, b in asker)

    asker = background_spans(text)

    for i, (start, token) in enumerate(tokens):
        lower = token.lower()
        opens = i == 0 or bool(_SENTENCE_BREAK.search(text[:start]))
        if opens:
            flush()  # a name does not run on into the next sentence ("the US? And in New York City?")
        if any(ch.isdigit() for ch in token):
            flush()
            if _AGE.fullmatch(token) and i > 0 and tokens[i - 1][1].lower() in _OWNERS:
                continue  # "in my 60s" says who asks, not a figure the guide must give
            if background(start):
                continue  # "with 6 years in hospital IT": the asker's, not a figure asked for
            digits = plain_number(token)
            found.append(Constraint(token, start, start + len(token), "number", (digits,), digits in index.numbers))
            continue
        # "per week", and "how many weeks": a time given in that unit (the guide's years do not answer it)
        per_unit = lower in TIME_UNITS and i > 0 and tokens[i - 1][1].lower() in (_PER | _COUNTED if COUNTED_UNITS else _PER)
        if PLAIN_WORD_UNITS and lower in _WORD_UNITS and not _priced(tokens, i, text):
            pass  # an everyday word here, read as any other word below
        elif lower in UNITS or per_unit or (len(token) == 1 and token in "$€£¥₹"):
            flush()
            unit = stem(lower)
            found.append(Constraint(token, start, start + len(token), "unit", (unit,), index.knows(unit)))
            continue
        # Casing is evidence when the question has it; otherwise the guide's own casing is.
        if _known_acronym(token, index) or lower.rstrip("s") in index.acronyms:
            flush()  # "PM", "TPM-related": the guide's own terms, abbreviated
            continue
        capitalised = not ignore_case and ((token[0].isupper() and not opens) or (len(token) > 1 and token.isupper()))
        if group and lower in _NAME_JOINERS:
            group.append((start, token))  # kept only if a capitalised word follows
            continue
        if lower in STOPWORDS or re.split(r"['’]", lower)[0] in STOPWORDS:  # "I'd", "What's"
            flush()
            continue
        if lower in CHAT_WORDS and lower not in index.word_counts:
            flush()  # a texting spelling or filler ("yrs", "OK", "tbh") stands for a word, not a name
            continue
        if lower in _NUMBER_WORDS and not capitalised:
            flush()  # "how long do people stay in the first one?": another guide's "Capital One" is no name here
            continue
        lower_name = lower_names and (as_typed is None or lower in as_typed) and lower not in index.known_words.tokenizer
        # "a new tpm": the guide's "New" (York) is a name's word, not a name ("new york" is a place by itself)
        proper = (uncased or lower_name) and lower in index.proper and not is_light(lower) and (
            own is None or known_word(index, lower, own))
        if capitalised or proper or start in places:
            if not generic(token) or group:
                group.append((start, token))
            continue
        flush()
        terms = tuple(content_terms(lower))
        if terms and not known_word(index, lower, own) and not background(start) and not is_light(lower):
            found.append(Constraint(token, start, start + len(token), "term", terms, False))
    flush()
    return found


# "How is a TPM role different from a Scrum Master role?", "the difference between X and Y": asks for a
# comparison, which only a sentence comparing them answers.
DIFFERENCES = True
_DIFFERENCE = re.compile(r"\bdiffer(?:ent|s)?\s+(?:from|than)\b|\bdifferences?\s+between\b", re.I)

# "Give me the tips for excelling", "show me some examples", "tell me the main challenges": a plural
# asked for as a request, not a question, asks for a list too.
GIVE_ME_LISTS = True
_GIVE_ME_PLURAL = re.compile(r"\b(?:give|show|tell)\s+me\s+(?:the|some|all|your)\s+(?:[\w-]+\s+)?[\w-]*[^s\W]s\b", re.I)

# Texting spellings, read as the words they stand for ("how many yrs b4 im ready", "wat shud i do").
CHAT_WORDS = {
    "wat": "what", "wut": "what", "wht": "what", "shud": "should", "shld": "should", "yrs": "years", "yr": "year",
    "b4": "before", "u": "you", "ur": "your", "r": "are", "ppl": "people", "thru": "through", "tho": "though",
    "abt": "about", "bc": "because", "cuz": "because", "govt": "government", "mgmt": "management", "mgr": "manager",
    "avg": "average", "hrs": "hours", "w/o": "without", "reqs": "requirements", "wrk": "work", "exp": "experience",
    "n": "and", "em": "them", "y": "why", "wud": "would", "wich": "which", "kno": "know", "bout": "about", "qs": "questions",
    "comp": "compensation", "w": "with", "wfh": "work from home", "pls": "please", "plz": "please",
    # chat fillers say nothing the answer must be about
    "tbh": "really", "lol": "really", "imo": "really", "btw": "really", "ok": "really", "okay": "really",
}  # fmt: skip


# "PMP or CAMP?": a word typed in capitals that the corpus neither uses nor defines is the acronym it
# defines one slip away (two letters swapped, or one changed), when only one is
ACRONYM_TYPOS = True
_CAPITALS = re.compile(r"\b[A-Z]{3,6}\b")


def acronym_typo(word: str, index: Index) -> str:
    """The acronym the corpus defines that ``word`` (typed in capitals) is a slip of, or ""."""
    if acronym_key(index, word) or len(word) < 3 or word in index.word_counts:
        return ""
    from rapidfuzz.distance import DamerauLevenshtein

    near = [a for a in index.acronym_keys if len(a) == len(word) and DamerauLevenshtein.distance(a, word) == 1]
    return near[0] if len(near) == 1 else ""


# How much likelier a wrong letter is than a missing or extra one, when weighing two corrections by
# how often the corpus writes each
COMMON_SLIPS = True
SAME_LENGTH_ODDS = 5
# A slip in a form of a word the corpus writes only in another: "goverment agancy internships" is
# "agency", one edit away, which the corpus writes only as "agencies" (Index.inflections). A word
# whose stem the corpus uses is a form of that word, not a slip ("payed" is not "paced").
INFLECTED_SLIPS = True


def correct(word: str, index: Index) -> str:
    """The corpus word an unknown word stands for, or the word itself.

    Only words no dictionary knows are touched, so "wanting" stays even though "warning" is one
    edit away. A misspelling becomes the corpus word one or two edits away ("salery" -> "salary");
    a clipped word becomes the corpus word it starts ("certs" -> "certifications", "execs" ->
    "executives", "grad" -> "graduate").
    """
    if word in CHAT_WORDS and word not in index.word_counts:  # the corpus itself may use one ("exp" in a URL)
        return CHAT_WORDS[word]
    if SHORT_NUMBERS and _SHORT_NUMBER.match(word):
        number = plain_number(word)  # "85k" is written as the guide writes figures: "85,000"
        return f"{int(number):,}" if number.isdigit() else number
    if not word.isalpha() or word in STOPWORDS:
        return word
    spelled = other_spelling(word, index)
    if spelled:
        return spelled
    if word in index.known_words:
        return word
    clipped = abbreviation(word, index)
    if clipped:
        return clipped
    if len(word) < MIN_TYPO_LENGTH:
        return (SHORT_SWAPS and swapped(word, index)) or word
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    limit = 1 if len(word) < 8 else 2
    found = process.extract(word, index.correctable, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None)
    if not found and INFLECTED_SLIPS and stem(word) not in index.corpus_stems:
        # one edit only, and not a form of a word the corpus uses ("payed", "interning", "postings")
        found = process.extract(word, index.inflections, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None)
    if not found:
        return word
    # Among words as few edits away, the likeliest: a wrong letter is a likelier slip than a missing
    # or extra one ("coordinater" is "coordinator", not "coordinate"), unless the other word is far
    # more common ("managrs" is "managers", written 23 times, not "manages", written once).
    fewest = min(d for _, d, _ in found)
    same = [(w, at) for w, d, at in found if d == fewest]  # at: the word's place in the vocabulary
    if not COMMON_SLIPS:
        return min(same, key=lambda x: (len(x[0]) != len(word), x[1]))[0]
    counts = index.word_counts
    return min(same, key=lambda x: (-counts.get(x[0], 0) * (SAME_LENGTH_ODDS if len(x[0]) == len(word) else 1), x[1]))[0]


# Two letters typed the wrong way round in a short word ("Yrok" for "York"): a slip too common to
# leave, and, unlike any other edit, one that seldom turns one real word into another.
SHORT_SWAPS = True


def swapped(word: str, index: Index) -> str | None:
    """The one corpus word ``word`` is with two neighbouring letters swapped back, or None."""
    if len(word) < 3:
        return None
    near = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    found = [w for w in near - {word} if w in index.word_counts]  # "waht" is "what"
    return found[0] if len(found) == 1 else None


# British and American spellings of one word ("licence" and "license", "programme" and "program",
# "specialise" and "specialize"): each way round, as the corpus may use either.
_SPELLINGS = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"), ("ises", "izes"),
    ("ising", "izing"), ("yse", "yze"),
    ("our", "or"), ("ours", "ors"), ("tre", "ter"), ("tres", "ters"), ("ence", "ense"), ("ences", "enses"),
    ("lled", "led"), ("lling", "ling"), ("programme", "program"), ("programmes", "programs"), ("ogue", "og"),
)  # fmt: skip
SPELLINGS = True


def other_spelling(word: str, index: Index) -> str | None:
    """The corpus's spelling of ``word`` when the corpus never writes it this way, or None."""
    if not SPELLINGS or word in index.word_counts or len(word) < 5:
        return None
    for a, b in _SPELLINGS:
        for end, other in ((a, b), (b, a)):
            if word.endswith(end):
                candidate = word[: -len(end)] + other
                if candidate in index.word_counts:
                    return candidate
    return None


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


def intents_of(asked: str) -> dict[str, bool]:
    """Which of INTENTS the question's wording shows (a plural asked for as a request is a list too,
    a difference asked for a comparison)."""
    intents = {name: bool(p.search(asked)) for name, p in INTENTS.items()}
    intents["list"] = intents["list"] or (GIVE_ME_LISTS and bool(_GIVE_ME_PLURAL.search(asked)))
    intents["comparison"] = intents["comparison"] or (DIFFERENCES and bool(_DIFFERENCE.search(asked)))
    return intents


def analyze(
    text: str,
    index: Index,
    *,
    focus: str | None = None,
    fix_typos: bool = True,
    expand_acronyms: bool = True,
    acronyms_inline: bool = False,
    expand_abbreviations: bool = True,
    inherit_wants: bool = True,
    home: str = "",
) -> Query:
    """``text`` is what retrieval searches for; ``home``: the job a question pointing at "this
    job" without naming one means; ``focus`` (a follow-up's last message) is what
    the answer sentence must be about, and what decides the answer type and list intent;
    ``inherit_wants``: a focus naming no answer type asks for the conversation's ("and in
    Chicago?" after a salary question), unless it points at another item ("what comes after it?")."""
    tokens = words(text)
    capitals = {w.lower() for w in _CAPITALS.findall(text)} if ACRONYM_TYPOS else set()
    fixed = [(t in capitals and acronym_typo(t, index)) or correct(t, index) for t in tokens] if fix_typos else tokens
    corrections = {a: b for a, b in zip(tokens, fixed, strict=True) if a != b}
    expanded = text
    for wrong, right in corrections.items():
        expanded = re.sub(rf"\b{re.escape(wrong)}\b", right, expanded, flags=re.I)
    for idiom, plain in _IDIOMS if IDIOMS else ():
        expanded = idiom.sub(plain, expanded)
    if expand_acronyms:
        spelled = {}
        for t in dict.fromkeys(fixed):
            key = acronym_key(index, t)
            if key:
                long, plural_form = index.acronyms[key]
                # "TPM" -> "technical project manager", "TPMs" -> "technical project managers"
                spelled[t] = long[:-1] if plural_form and t == key and long.endswith("s") else long
                if not is_name(long):
                    spelled[t] = spelled[t].lower()  # "technical project managers", not a name
            elif expand_abbreviations and abbreviation_of(t, text, index):
                spelled[t] = abbreviation_of(t, text, index) or t
        if spelled and acronyms_inline:
            # "an entry-level TPM" -> "an entry-level technical project manager"
            for t, long in spelled.items():
                expanded = re.sub(rf"\b{re.escape(t)}\b", long, expanded, flags=re.I)
        elif spelled:
            expanded = f"{expanded} ({', '.join(spelled.values())})"
    if (THIS_JOB and home and _THIS_JOB.search(text) and role_of(expanded) is None
            and not set(content_terms(home)) <= set(content_terms(expanded))):  # fmt: skip
        expanded = f"{expanded} ({home.lower()})"
    content = [t for t in fixed if t not in STOPWORDS and any(ch.isalnum() for ch in t)]
    oov = _unknown_words(index, content)
    asker = asker_terms(expanded, index) if fix_typos else frozenset()
    # the asker's own words, and light ones, are none the guide must know
    oov = [t for t in oov if not (asker and (said := set(content_terms(t))) and said <= asker)
           and not is_light(t)]  # fmt: skip
    asked = focus if focus is not None else text
    constraints = constraints_of(expanded, index, typed=text)
    if QUALIFIERS and "money" in wanted(asked):
        constraints += qualifiers(expanded, index, constraints, asker)
    # "the Big Apple", "America": searched for as the guide names the place too ("New York City")
    named_as = [" ".join(c.terms) for c in constraints
                if c.kind == "name" and c.in_corpus and c.terms != tuple(content_terms(c.text))]  # fmt: skip
    if PLACE_ALIASES and named_as:
        expanded = f"{expanded} ({', '.join(dict.fromkeys(named_as))})"
    focus_words = [correct(t, index) for t in words(asked)] if fix_typos else words(asked)
    for wrong, right in corrections.items():  # the answer type is read from the corrected wording
        asked = re.sub(rf"\b{re.escape(wrong)}\b", right, asked, flags=re.I)
    expanded = unframed(expanded, index)
    return Query(
        text=text,
        expanded=expanded,
        words=fixed,
        terms=content_terms(expanded),
        oov=oov,
        content=content,
        intents=intents_of(asked),
        corrections=corrections,
        focus_terms=content_terms(" ".join(focus_words)),
        role=role_of(expanded),
        constraints=constraints,
        background=asker,
        wants=wanted(asked)
        or (wanted(expanded) if focus is not None and inherit_wants and WANTS_FROM_CONVERSATION and not _about_value(asked)
            and not _asks_own_subject(asked)
            else frozenset()),
    )


def qualifiers(text: str, index: Index, found: list[Constraint], asker: frozenset[str]) -> list[Constraint]:
    """The settings a figure is asked of, as known words (see QUALIFIERS), not already constraints,
    that no passage of the guide gives a figure beside."""
    out = []
    taken = {t for c in found for t in c.terms}
    for m in _QUALIFIER.finditer(text):
        word = m.group(1).lower()
        terms = tuple(content_terms(word))
        head = (m.group(2) or "").lower()  # "in the benefits overview": the guide's own section
        if (not terms or not m.group(1).islower() or word in STOPWORDS or is_light(word)
                or TYPE_WORDS.fullmatch(word) or word in _RANGE_PLACES or is_light(head)
                or word.endswith("ly")  # "for a highly experienced TPM": a word saying how, not a setting
                or word in TIME_UNITS or word in UNITS or set(terms) & (taken | asker) or acronym_key(index, word)
                or not all(index.knows(t) and not index.generic(t) for t in terms)):  # fmt: skip
            continue
        if any(index.has_money[index.passage_bm25.docs_of(t)].any() for t in terms):
            continue  # a passage gives a figure beside it ("in competitive tech industries"): found or not by retrieval
        out.append(Constraint(m.group(1), m.start(1), m.end(1), "name", terms, True))
    return out


def scoped(query: Query, index: Index, guide: int | None) -> Query:
    """The question as the one guide answering it sees it (several guides): its unknown words and
    names by that guide's words, not the corpus's. With one guide, the question as it is."""
    if guide is None or len(index.documents) <= 1:
        return query
    oov = _unknown_words(index, query.content, guide)
    return dataclasses.replace(query, constraints=constraints_of(query.expanded, index, guide, query.text), oov=oov, guide=guide)


# "and what's the outlook for 2026?" names what it asks for ("outlook"): not the rate asked before.
_OWN_SUBJECT = re.compile(r"\bwhat(?:'s|s|\s+is|\s+are)\s+(?:the\s+|their\s+|its\s+)?([a-z]+)\b", re.I)
_VALUE_NOUNS = frozenset(
    ["average", "median", "range", "figure", "number", "rate", "amount", "total", "typical", "starting", "pay", "salary",
     "cost", "price", "percentage", "growth", "difference", "one", "it", "that", "this"]
)  # fmt: skip


OWN_SUBJECT = True


def _asks_own_subject(text: str) -> bool:
    """A message naming what it asks for ("what's the outlook ...?"), other than a value word."""
    found = _OWN_SUBJECT.search(text) if OWN_SUBJECT else None
    if found is None:
        return False
    noun = found.group(1).lower()
    return noun not in _VALUE_NOUNS and noun not in STOPWORDS


def _about_value(text: str) -> bool:
    """A message asking about a value rather than for one ("what else would push my pay higher?"):
    it does not take the value the conversation asked for."""
    return bool(INTENTS["qualitative"].search(text) and _PAY_WORD.search(text))


_PAY_WORD = re.compile(r"\b(?:salar\w*|pay|paid|wages?|income|compensation|comp|earn\w*|money)\b", re.I)


_QUESTION_END = re.compile(r"(?<=[?!.])\s+")
WANTS_PER_SENTENCE = True


# "Which industry has the best pay?" asks which one, not a figure (as "Which industry pays the most?").
WHICH_PAYS_MOST = True
_WHICH = re.compile(r"\bwhich\b", re.I)

# "How much more does X pay than Y?" asks for a figure (a difference), though "more" alone asks
# only whether ("Do TPMs in big cities earn more?").
HOW_MUCH_MORE = True
_HOW_MUCH_MORE = re.compile(r"\bhow\s+much\s+(?:more|less|higher|lower)\b", re.I)


def _qualitative_pay(part: str) -> bool:
    if HOW_MUCH_MORE and _HOW_MUCH_MORE.search(part):
        return False
    return bool(INTENTS["qualitative"].search(part) or which_pays_most(part))


def which_pays_most(part: str) -> bool:
    return WHICH_PAYS_MOST and bool(_WHICH.search(part) and INTENTS["top_pay"].search(part))


def wanted(text: str) -> frozenset[str]:
    """The answer types ``text`` asks for (keys of WANTS). A follow-up that names none ("and in
    Chicago?") asks for what the conversation asked for ("What's the average salary?"). Each
    sentence is read on its own: "Is it higher in New York City?" after "How much do TPMs make?"
    asks about a figure, and the conversation still asks for one."""
    return frozenset(
        t for part in (_QUESTION_END.split(text) if WANTS_PER_SENTENCE else [text]) for t, intent in WANTS.items()
        if INTENTS[intent].search(part) and not (t == "money" and _qualitative_pay(part))
        and (DATES or t != "date")
    )  # fmt: skip
