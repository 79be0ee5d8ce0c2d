"""A benchmark corpus for issue 12: N guides derived from the real one, each about a different job.

Guide 0 is the real guide, byte for byte. Guide i >= 1 is the real guide rewritten for another job:
the job title substituted everywhere (case-preserving, with its acronym where one is natural), the
salaries, growth rate and experience ranges perturbed (consistently within the guide), the
organisations, cities and quoted names drawn from pools, bullet order shuffled within lists and some
paragraphs and bullets dropped. The guides therefore share most of their sentences, so retrieval must
tell near-identical passages about different jobs apart. Everything is seeded by the guide's index:
guide i is the same bytes whatever N is, and the same N gives byte-identical files.

For each guide the generator also knows some facts by construction and writes them as eval lines
(the CONTRACT's fact format plus "source", the file that must answer, and "control": true for the
real guide's own facts). The facts file is ordered round-robin over guides and question templates,
so its first 50 non-control lines are a balanced sample at any N.

    python bench/scale_corpus.py --guides 10 --out /tmp/corpus10 --facts /tmp/jobs10.jsonl
    python bench/scale_corpus.py --size-mb 20 --out /tmp/big/scale-20mb.txt
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "corpus" / "how-to-become-a-technical-project-manager.txt"
SEED = "tpm-scale-v1"


@dataclass(frozen=True)
class Job:
    title: str  # Title Case, as in "2026 How to Become a <title>"
    acronym: str | None  # used where the guide says "TPM(s)"; None: the job's own words
    field: str  # the field, where the guide says "technical project management"

    @property
    def lower(self) -> str:
        """Mid-sentence form: lower case except acronyms and mixed-case words ("DevOps engineer")."""
        return " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in self.title.split())


# Realistic jobs, none of them named in the real guide's text (so a generated guide's job is only
# ever spoken of in that guide), and none of the careers the eval sets' out-of-scope questions ask
# about: with a guide about nurses in the corpus, "How much do nurses earn?" is no longer out of
# scope, and the quality figures would drop for the wrong reason. Left out for that reason: nurses
# of every kind, software engineer, accountant and CPA, physical therapist, civil engineer, UX
# designer, pharmacist, dental hygienist, geoscientist, security auditor, cybersecurity analyst,
# electrician, pilot, teacher, early intervention specialist, firefighter, social worker (and data
# scientist, lawyer, product manager, scrum master). ``check_out_of_scope`` guards the exact names.
# Acronyms only where they are what people say.
JOBS: tuple[Job, ...] = tuple(
    Job(t, a, f)
    for t, a, f in (
        ("Data Engineer", None, "data engineering"),
        ("Site Reliability Engineer", "SRE", "site reliability engineering"),
        ("Clinical Research Coordinator", "CRC", "clinical research coordination"),
        ("DevOps Engineer", None, "DevOps engineering"),
        ("Financial Analyst", None, "financial analysis"),
        ("Cloud Architect", None, "cloud architecture"),
        ("Machine Learning Engineer", None, "machine learning engineering"),
        ("Actuary", None, "actuarial science"),
        ("Occupational Therapist", "OT", "occupational therapy"),
        ("Mechanical Engineer", None, "mechanical engineering"),
        ("Database Administrator", "DBA", "database administration"),
        ("Speech-Language Pathologist", "SLP", "speech-language pathology"),
        ("Construction Manager", None, "construction management"),
        ("Network Administrator", None, "network administration"),
        ("Physician Assistant", "PA", "physician assistant practice"),
        ("Investment Banker", None, "investment banking"),
        ("Electrical Engineer", None, "electrical engineering"),
        ("Medical Laboratory Scientist", "MLS", "medical laboratory science"),
        ("Certified Financial Planner", "CFP", "financial planning"),
        ("Front-End Developer", None, "front-end development"),
        ("Respiratory Therapist", "RT", "respiratory therapy"),
        ("Environmental Engineer", None, "environmental engineering"),
        ("Solutions Architect", None, "solutions architecture"),
        ("Budget Analyst", None, "budget analysis"),
        ("Aerospace Engineer", None, "aerospace engineering"),
        ("Penetration Tester", None, "penetration testing"),
        ("Emergency Medical Technician", "EMT", "emergency medical services"),
        ("Internal Auditor", None, "internal auditing"),
        ("Biomedical Engineer", None, "biomedical engineering"),
        ("Mobile App Developer", None, "mobile app development"),
        ("Insurance Underwriter", None, "insurance underwriting"),
        ("Chemical Engineer", None, "chemical engineering"),
        ("QA Engineer", None, "quality assurance engineering"),
        ("Compliance Officer", None, "regulatory compliance"),
        ("Industrial Engineer", None, "industrial engineering"),
        ("Game Developer", None, "game development"),
        ("Radiologic Technologist", None, "radiologic technology"),
        ("Supply Chain Analyst", None, "supply chain analysis"),
        ("Petroleum Engineer", None, "petroleum engineering"),
        ("Embedded Systems Engineer", None, "embedded systems engineering"),
        ("Logistics Manager", None, "logistics management"),
        ("Structural Engineer", None, "structural engineering"),
        ("Blockchain Developer", None, "blockchain development"),
        ("Health Information Manager", None, "health information management"),
        ("Loan Officer", None, "mortgage lending"),
        ("Manufacturing Engineer", None, "manufacturing engineering"),
        ("IT Support Specialist", None, "IT support"),
        ("Medical Coder", None, "medical coding"),
        ("Human Resources Manager", None, "human resources management"),
        ("Robotics Engineer", None, "robotics engineering"),
        ("Technical Writer", None, "technical writing"),
        ("Dietitian", None, "dietetics"),
        ("Talent Acquisition Specialist", None, "talent acquisition"),
        ("Architect", None, "architecture"),
        ("Web Developer", None, "web development"),
        ("Genetic Counselor", None, "genetic counseling"),
        ("Marketing Manager", None, "marketing management"),
        ("Urban Planner", None, "urban planning"),
        ("Computer Hardware Engineer", None, "computer hardware engineering"),
        ("Surgical Technologist", None, "surgical technology"),
        ("Digital Marketing Specialist", None, "digital marketing"),
        ("Land Surveyor", None, "land surveying"),
        ("Business Intelligence Developer", None, "business intelligence development"),
        ("Healthcare Administrator", None, "healthcare administration"),
        ("SEO Specialist", None, "search engine optimization"),
        ("Epidemiologist", None, "epidemiology"),
        ("Public Relations Specialist", None, "public relations"),
        ("Environmental Scientist", None, "environmental science"),
        ("Biostatistician", None, "biostatistics"),
        ("Sales Engineer", None, "sales engineering"),
        ("Hydrologist", None, "hydrology"),
        ("Management Consultant", None, "management consulting"),
        ("Wind Turbine Technician", None, "wind turbine maintenance"),
        ("Board Certified Behavior Analyst", "BCBA", "applied behavior analysis"),
        ("Real Estate Appraiser", None, "real estate appraisal"),
        ("Solar Photovoltaic Installer", None, "solar installation"),
        ("Procurement Specialist", None, "procurement"),
        ("Mental Health Counselor", None, "mental health counseling"),
        ("Customer Success Manager", "CSM", "customer success management"),
        ("HVAC Technician", None, "HVAC service"),
        ("Marriage and Family Therapist", "MFT", "marriage and family therapy"),
        ("Aircraft Mechanic", None, "aircraft maintenance"),
        ("Substance Abuse Counselor", None, "substance abuse counseling"),
        ("Air Traffic Controller", None, "air traffic control"),
        ("Clinical Psychologist", None, "clinical psychology"),
        ("School Counselor", None, "school counseling"),
        ("Instructional Designer", None, "instructional design"),
        ("Librarian", None, "librarianship"),
        ("Paralegal", None, "paralegal work"),
        ("Court Reporter", None, "court reporting"),
        ("Police Officer", None, "law enforcement"),
        ("Forensic Science Technician", None, "forensic science"),
        ("Emergency Management Director", None, "emergency management"),
        ("Interpreter", None, "interpreting"),
        ("Graphic Designer", None, "graphic design"),
        ("Animator", None, "animation"),
        ("Journalist", None, "journalism"),
        ("Event Planner", None, "event planning"),
        ("Veterinary Technician", None, "veterinary technology"),
        ("Wildlife Biologist", None, "wildlife biology"),
        ("Optometrist", None, "optometry"),
        ("Audiologist", None, "audiology"),
        ("Landscape Architect", None, "landscape architecture"),
        ("Interior Designer", None, "interior design"),
        ("Economist", None, "economics"),
        ("Market Research Analyst", None, "market research"),
        ("Operations Research Analyst", None, "operations research"),
        ("Museum Curator", None, "museum curation"),
        ("Archivist", None, "archival work"),
        ("Chiropractor", None, "chiropractic care"),
        ("Massage Therapist", None, "massage therapy"),
        ("Phlebotomist", None, "phlebotomy"),
        ("Medical Assistant", None, "medical assisting"),
        ("Athletic Trainer", None, "athletic training"),
        ("Cartographer", None, "cartography"),
        ("Meteorologist", None, "meteorology"),
        ("Agricultural Engineer", None, "agricultural engineering"),
        ("Nuclear Engineer", None, "nuclear engineering"),
        ("Materials Scientist", None, "materials science"),
        ("Food Scientist", None, "food science"),
        ("Fashion Designer", None, "fashion design"),
    )
)

# Pools the organisations, places and names are drawn from, by the slot they fill in the guide.
CLOUD = ("Amazon Web Services (AWS)", "Microsoft", "Google Cloud", "Oracle", "IBM", "Salesforce",
         "Snowflake", "VMware", "Red Hat", "Databricks", "SAP", "Cisco")  # fmt: skip
FINANCE = ("HSBC", "Barclays", "Revolut", "Monzo", "JPMorgan Chase", "Goldman Sachs", "Stripe",
           "PayPal", "Capital One", "Wells Fargo", "Klarna", "Chime")  # fmt: skip
HEALTH = ("Medtronic", "Babylon Health", "Philips", "GE HealthCare", "Epic Systems", "Oracle Health",
          "Teladoc Health", "Siemens Healthineers", "Boston Scientific", "Abbott")  # fmt: skip
CYBER = ("Palo Alto Networks", "CrowdStrike", "Fortinet", "Check Point Software", "Zscaler",
         "SentinelOne", "Okta", "Cloudflare", "Rapid7", "Mandiant", "Trellix", "Proofpoint")  # fmt: skip
ECOMMERCE = ("Amazon", "Shopify", "eBay", "Etsy", "Walmart", "Wayfair", "Target", "Zalando", "Chewy")
ENERGY = ("Siemens", "GE Renewable Energy", "Schneider Electric", "NextEra Energy", "Duke Energy",
          "Vestas", "Enel", "ABB", "Orsted")  # fmt: skip
AUTOMOTIVE = ("Tesla", "Ford", "Rivian", "General Motors", "Toyota", "Lucid Motors")
GAMING = ("Epic Games", "Electronic Arts", "Ubisoft", "Riot Games", "Valve", "Blizzard Entertainment")
INTERN_CORP = ("ServiceNow", "Salesforce", "IBM", "Cisco", "Intel", "Adobe", "Workday", "Deloitte",
               "Accenture", "Qualcomm")  # fmt: skip
AGENCY = ("The Metropolitan Transportation Authority (MTA)", "The National Aeronautics and Space Administration (NASA)",
          "The Department of Veterans Affairs (VA)", "The Environmental Protection Agency (EPA)",
          "The Federal Aviation Administration (FAA)", "The National Institutes of Health (NIH)",
          "The Tennessee Valley Authority (TVA)", "The National Oceanic and Atmospheric Administration (NOAA)",
          "The Port Authority of New York and New Jersey (PANYNJ)")  # fmt: skip
PROVIDER = ("NYU Langone Health", "Mayo Clinic", "Cleveland Clinic", "Kaiser Permanente",
            "Johns Hopkins Medicine", "Mass General Brigham", "Mount Sinai Health System",
            "Stanford Health Care", "Intermountain Health")  # fmt: skip
SPECIALIST = (("AtkinsRéalis", "design and engineering"), ("Jacobs", "infrastructure and engineering"),
              ("AECOM", "infrastructure consulting"), ("Bechtel", "engineering and construction"),
              ("Fluor", "engineering and construction"), ("Arup", "design and engineering"),
              ("WSP", "engineering consulting"), ("Stantec", "design and consulting"))  # fmt: skip
UNIVERSITY = ("Georgia Tech", "Purdue", "Cornell", "UC Berkeley", "Penn State", "Duke", "Stanford",
              "Northwestern", "the University of Michigan", "Rice")  # fmt: skip
METRO = ("New York City", "San Francisco", "Los Angeles", "Boston", "Seattle", "San Jose", "Chicago",
         "Austin", "Denver", "Atlanta", "Houston", "Philadelphia", "San Diego", "Dallas", "Miami")  # fmt: skip
JOB_MARKET = (("Chicago", "Illinois"), ("Austin", "Texas"), ("Denver", "Colorado"), ("Atlanta", "Georgia"),
              ("Phoenix", "Arizona"), ("Columbus", "Ohio"), ("Nashville", "Tennessee"), ("Portland", "Oregon"),
              ("Raleigh", "North Carolina"), ("Minneapolis", "Minnesota"), ("Detroit", "Michigan"),
              ("Pittsburgh", "Pennsylvania"))  # fmt: skip
NAMES = ("Romeo", "Valentino", "Sullivan", "Amara", "Beatriz", "Callum", "Deepa", "Emeka", "Freya",
         "Gustavo", "Hana", "Idris", "Julia", "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Rafael")  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """The guide's numbers, perturbed consistently: entry < range low <= national average < metro."""

    growth: int  # "projected to grow by 10%"
    benefits_low: int
    benefits_high: int  # "Average salaries range from $85,000 to $130,000"
    low: int
    high: int  # "range between $104,000 and $140,000"
    national: int  # "$104,711"
    metro: int  # "$112,547"
    entry: int  # "$76,683"
    upper: int  # "upwards of $148,000"
    years: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]  # 1-2, 3-5, 5-10


REAL_FIGURES = Figures(10, 85_000, 130_000, 104_000, 140_000, 104_711, 112_547, 76_683, 148_000, ((1, 2), (3, 5), (5, 10)))


def perturbed_figures(rng: random.Random) -> Figures:
    low = rng.randrange(72, 120) * 1000
    high = low + rng.randrange(24, 52) * 1000
    national = low + rng.randrange(150, 9000)
    e1 = rng.choice((1, 2))
    e2 = e1 + rng.choice((1, 2))
    m1 = e2 + rng.choice((0, 1))
    m2 = m1 + rng.choice((2, 3))
    s2 = m2 + rng.choice((4, 5, 6))
    return Figures(
        growth=rng.choice([g for g in range(4, 27) if g != 10]),
        benefits_low=low - rng.randrange(8, 24) * 1000,
        benefits_high=high - rng.randrange(0, 14) * 1000,
        low=low,
        high=high,
        national=national,
        metro=national + rng.randrange(3000, 16000),
        entry=low - rng.randrange(14_000, 34_000),
        upper=high + rng.randrange(5, 22) * 1000,
        years=((e1, e2), (m1, m2), (m2, s2)),
    )


@dataclass(frozen=True)
class Guide:
    index: int
    job: Job | None  # None for the real guide
    edition: int  # > 1 when there are more guides than jobs
    file: str
    title: str
    text: str
    facts: list[dict[str, object]]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def article(word: str) -> str:
    """'a' or 'an' before a word or an acronym (said letter by letter: "an SRE", "a CPA")."""
    first = word.split()[0] if word.split() else word
    if len(first) >= 2 and first.isupper():
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[:1].lower() in "aeiou" else "a"


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|sh|ch|x|z)$", word):
        return word + "es"
    return word + "s"


def title_case(text: str) -> str:
    small = {"and", "of", "in", "for", "the"}
    words = text.split()
    return " ".join(w if (i and w in small) or any(c.isupper() for c in w) else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))  # fmt: skip


def money(n: int) -> str:
    return f"${n:,}"


def listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + (", and " if len(items) > 2 else " and ") + items[-1]


def _replace(text: str, old: str, new: str, real: str) -> str:
    """Replace a passage of the real guide (gone from ``text`` only if its bullet was dropped),
    failing loudly if the real guide no longer holds it: the generator must follow the guide."""
    if old not in real:
        raise SystemExit(f"scale_corpus: the guide no longer holds {old!r}; update the generator")
    return text.replace(old, new)


def substitute_job(text: str, job: Job) -> str:
    """Every way the guide names its job or field, replaced case-preservingly, with a/an agreement."""
    sing_lower, plur_lower = job.lower, plural(job.lower)
    sing_title, plur_title = job.title, plural(job.title)
    field_lower, field_title = job.field, title_case(job.field)

    def form(matched: str, lower: str, title: str) -> str:
        words = matched.split()
        if all(w[:1].isupper() for w in words) and len(words) > 1:
            return title
        if matched[:1].isupper():
            return lower[:1].upper() + lower[1:]
        return lower

    def with_article(pattern: str, make: Callable[[re.Match[str]], str]) -> Callable[[str], str]:
        regex = re.compile(r"\b(?:(?P<art>[Aa]n?) )?" + pattern)

        def sub(s: str) -> str:
            def one(m: re.Match[str]) -> str:
                new = make(m)
                art = m.group("art")
                if art is None:
                    return new
                a = article(new)
                return (a.capitalize() if art[0].isupper() else a) + " " + new

            return regex.sub(one, s)

        return sub

    steps = [
        with_article(r"(?P<w>[Tt]echnical [Pp]roject [Mm]anagement)\b",
                     lambda m: form(m.group("w"), field_lower, field_title)),
        with_article(r"(?P<w>[Tt]echnical [Pp]roject [Mm]anagers?)\b",
                     lambda m: form(m.group("w"), plur_lower if m.group("w").endswith("s") else sing_lower,
                                    plur_title if m.group("w").endswith("s") else sing_title)),
    ]  # fmt: skip
    for step in steps:
        text = step(text)

    def acronym(m: re.Match[str]) -> str:
        many = m.group("w").endswith("s")
        if job.acronym:
            return job.acronym + ("s" if many else "")
        words = plur_lower if many else sing_lower
        # Sentence start ("TPMs must ...", "Label: TPMs define ..."): capitalise the job's words.
        before = m.string[: m.start("w")].rstrip(" ")
        if not before or before[-1] in ".?!:\n\"":
            return words[:1].upper() + words[1:]
        return words

    return with_article(r"(?P<w>TPMs?)\b", acronym)(text)


def derive(real: str, index: int, seed: str = SEED) -> Guide:
    """Guide ``index`` (>= 1): the real guide rewritten for another job, seeded by the index only."""
    rng = random.Random(f"{seed}:{index}")
    job = JOBS[(index - 1) % len(JOBS)]
    edition = (index - 1) // len(JOBS) + 1
    figures = perturbed_figures(rng)
    body, sep, back = real.partition("\n\nReferences\n")  # the back matter (other articles) stays as is
    blocks = body.split("\n\n")

    # Drop some paragraphs and bullets, shuffle bullets within lists; never touch a block that holds
    # a fact the facts file asks about, a heading, the title and byline, or the ordered career ladder.
    facts_markers = ("$", "%", "years", "ServiceNow", "Metropolitan", "Palo Alto", "HSBC", "often called")
    out: list[str] = []
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        is_list = all(line.startswith("  • ") for line in lines)
        protected = i < 6 or any(m in block for m in facts_markers)
        if is_list and "Technical Project Coordinator" not in block:
            items = lines[:]
            rng.shuffle(items)
            droppable = [k for k, item in enumerate(items) if not any(m in item for m in facts_markers)]
            if len(items) >= 4 and droppable and rng.random() < 0.35:
                del items[rng.choice(droppable)]
            block = "\n".join(items)
        elif not is_list and len(lines) == 1 and len(block) > 160 and not protected and rng.random() < 0.12:
            continue
        out.append(block)
    text = "\n\n".join(out) + sep + back

    # Organisations, places and people.
    cloud, finance = rng.sample(CLOUD, 4), rng.sample(FINANCE, 4)
    health, cyber = rng.sample(HEALTH, 2), rng.sample(CYBER, 2)
    shops, energy = rng.sample(ECOMMERCE, 3), rng.sample(ENERGY, 2)
    car, game = rng.choice(AUTOMOTIVE), rng.choice(GAMING)
    corp, agency, provider = rng.choice(INTERN_CORP), rng.choice(AGENCY), rng.choice(PROVIDER)
    specialist, speciality = rng.choice(SPECIALIST)
    university, metro = rng.choice(UNIVERSITY), rng.choice(METRO)
    city, state = rng.choice([c for c in JOB_MARKET if c[0] != metro])
    names = rng.sample(NAMES, 3)
    replacements = [
        ("Amazon Web Services (AWS), Microsoft, Google Cloud, and Oracle", listing(cloud)),
        ("HSBC, Barclays, Revolut, and Monzo", listing(finance)),
        ("Medtronic and Babylon Health", listing(health)),
        ("Palo Alto Networks and CrowdStrike", listing(cyber)),
        ("Amazon, Shopify, and eBay", listing(shops)),
        ("Siemens and GE Renewable Energy", listing(energy)),
        ("Tesla and Epic Games", f"{car} and {game}"),
        ("Companies like ServiceNow provide positions such as the Associate Technical Program Manager Intern",
         f"Companies like {corp} provide positions such as the Associate {job.title} Intern"),
        ("The Metropolitan Transportation Authority (MTA)", agency),
        ("NYU Langone Health", provider),
        ("AtkinsRéalis, which specializes in design and engineering,", f"{specialist}, which specializes in {speciality},"),
        ("Georgia Tech's", f"{university}'s"),
        ("like New York City, salaries", f"like {metro}, salaries"),
        ("jobs Chicago area", f"jobs {city} area"),
        ("roles in Illinois", f"roles in {state}"),
        ("— Romeo", f"— {names[0]}"),
        ("— Valentino", f"— {names[1]}"),
        ("— Sullivan", f"— {names[2]}"),
        # Figures.
        ("grow by 10% through", f"grow by {figures.growth}% through"),
        ("from $85,000 to $130,000", f"from {money(figures.benefits_low)} to {money(figures.benefits_high)}"),
        ("between $104,000 and $140,000", f"between {money(figures.low)} and {money(figures.high)}"),
        ("$104,711 USD", f"{money(figures.national)} USD"),
        ("$112,547 USD", f"{money(figures.metro)} USD"),
        ("$76,683 USD", f"{money(figures.entry)} USD"),
        ("$148,000 USD", f"{money(figures.upper)} USD"),
        ("spend 1-2 years", "spend {}-{} years".format(*figures.years[0])),
        ("After 3-5 years", "After {}-{} years".format(*figures.years[1])),
        ("With 5-10 years", "With {}-{} years".format(*figures.years[2])),
    ]  # fmt: skip
    for old, new in replacements:
        text = _replace(text, old, new, real)
    if job.acronym is None:
        # "..., often called TPMs, ..." would read "data engineers, often called data engineers".
        text = _replace(text, ", often called TPMs,", "", real)
    text = substitute_job(text, job)
    if edition > 1:
        first, nl, rest = text.partition("\n")
        text = f"{first}, Edition {edition}{nl}{rest}"
    leftover = re.search(r"TPM|[Tt]echnical [Pp]roject [Mm]anage", text.partition("\n\nReferences\n")[0])
    if leftover:
        raise SystemExit(f"scale_corpus: guide {index} still names the real job at {leftover.start()}")

    name = job.title if edition == 1 else f"{job.title} {edition}"
    file = f"how-to-become-{article(job.title)}-{slug(name)}.txt"
    facts = make_facts(index, job, file, figures, cyber, metro, agency)
    for fact in facts:
        for expected in fact["expect"]:  # type: ignore[attr-defined]
            if expected.lower() not in text.lower():
                raise SystemExit(f"scale_corpus: guide {index} lacks {expected!r} for {fact['id']}")
    return Guide(index, job, edition, file, text.partition("\n")[0], text, facts)


def make_facts(index: int, job: Job | None, file: str, figures: Figures, cyber: list[str], metro: str,
               agency: str) -> list[dict[str, object]]:
    """Questions whose answers the generator put in guide ``index`` (None: the real guide's own).
    All but the last name the job in the passage that answers; the internship bullet does not (only
    its section heading does), so there the guides differ by the agency alone."""
    one = job.lower if job else "technical project manager"
    many = plural(one)
    short = (job.acronym if job else "TPM") or one
    s1, s2 = figures.years[2]
    templates = [
        ("entry", f"What does an entry-level {short} earn?", [f"{figures.entry:,}"]),
        ("cyber", f"Which companies hire {many} in cybersecurity?", cyber),
        ("national", f"What is the national average salary for {article(one)} {one} in the US?", [f"{figures.national:,}"]),
        ("metro", f"What is the average {short} salary in {metro}?", [f"{figures.metro:,}"]),
        ("growth", f"How much is the {one} role projected to grow?", [f"{figures.growth}%"]),
        ("senior", f"How many years of experience do senior {many} usually have?", [f"{s1}-{s2} years"]),
        ("agency", f"Which government agency offers internships for aspiring {many}?",
         [re.sub(r"^The | \([A-Z]+\)$", "", agency)]),
    ]  # fmt: skip
    return [
        {"id": f"scale-{index:03d}-{kind}", "kind": "fact", "question": q, "expect": list(expect), "source": file}
        | ({"control": True} if job is None else {})
        for kind, q, expect in templates
    ]


def check_out_of_scope(eval_dir: Path = ROOT / "eval") -> None:
    """Fail if an out-of-scope question of the eval sets names a generated job (see JOBS)."""
    declined: list[str] = []
    for path in sorted(eval_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if item.get("kind") == "out_of_scope":
                declined.append(str(item["question"]))
            elif item.get("kind") == "followup" and not item.get("expect"):
                declined.append(str(item["turns"][-1]))
    for job in JOBS:
        names = [job.lower, plural(job.lower), job.field]
        pattern = r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b"
        acronym = rf"\b{job.acronym}s?\b" if job.acronym else None
        found = [q for q in declined
                 if re.search(pattern, q, re.IGNORECASE) or (acronym and re.search(acronym, q))]  # fmt: skip
        if found:
            raise SystemExit(f"scale_corpus: {job.title} is asked about as out of scope ({found[0]!r}); leave it out of JOBS")


def real_guide() -> Guide:
    text = GUIDE.read_text(encoding="utf-8")
    facts = make_facts(0, None, GUIDE.name, REAL_FIGURES, ["Palo Alto Networks", "CrowdStrike"], "New York City",
                       "The Metropolitan Transportation Authority (MTA)")
    return Guide(0, None, 1, GUIDE.name, text.partition("\n")[0], text, facts)


def guides(n: int, seed: str = SEED) -> Iterator[Guide]:
    """Guide 0 (the real one) then guides 1 .. n-1."""
    real = GUIDE.read_text(encoding="utf-8")
    yield real_guide()
    for i in range(1, n):
        yield derive(real, i, seed)


def round_robin(facts_by_guide: list[list[dict[str, object]]]) -> list[dict[str, object]]:
    """Facts ordered so that any prefix covers as many guides and templates as it can: in round r,
    guide g contributes its template (g + r) mod K."""
    out: list[dict[str, object]] = []
    width = max((len(f) for f in facts_by_guide), default=0)
    for r in range(width):
        for g, facts in enumerate(facts_by_guide):
            if facts:
                out.append(facts[(g + r) % len(facts)])
    return out


def write_corpus(n: int, out: Path, facts_path: Path | None, seed: str = SEED) -> list[Guide]:
    check_out_of_scope()
    out.mkdir(parents=True, exist_ok=True)
    made = list(guides(n, seed))
    names = [g.file for g in made]
    if len(set(names)) != len(names):
        raise SystemExit("scale_corpus: two guides got the same file name")
    for g in made:
        # Bytes, not text: no newline translation, so guide 0 is the real file byte for byte.
        (out / g.file).write_bytes(g.text.encode("utf-8"))
    if facts_path is not None:
        ordered = [f for f in round_robin([g.facts for g in made])]
        lines = [json.dumps(f, ensure_ascii=False) for f in ordered if not f.get("control")]
        lines += [json.dumps(f, ensure_ascii=False) for f in made[0].facts]
        facts_path.parent.mkdir(parents=True, exist_ok=True)
        facts_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return made


def write_big_file(size_mb: float, out: Path, seed: str = SEED) -> int:
    """One text file of about ``size_mb`` MB: generated guides one after another, each under its own
    distinct title line, without the bylines and back matter (mid-file, a byline would read as a
    heading, and a "References" heading would make the parser skip the rest of the file)."""
    real = GUIDE.read_text(encoding="utf-8")
    target = int(size_mb * 1024 * 1024)
    parts: list[str] = []
    total, i = 0, 0
    while total < target:
        i += 1
        g = derive(real, i, seed)
        body = g.text.partition("\n\nReferences\n")[0]
        title, _, rest = body.partition("\n\n")
        # Skip the byline lines between the title and the first paragraph.
        paragraphs = rest.split("\n\n")
        while paragraphs and len(paragraphs[0]) < 60:
            paragraphs.pop(0)
        part = title + "\n\n" + "\n\n".join(paragraphs) + "\n\n"
        parts.append(part)
        total += len(part.encode("utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes("".join(parts).encode("utf-8"))
    return i


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="corpus folder (--guides) or file (--size-mb)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--guides", type=int, help="N: the real guide plus N-1 generated guides")
    what.add_argument("--size-mb", type=float, help="one text file of about this many MB")
    parser.add_argument("--facts", type=Path, help="where to write the facts (eval lines); --guides only")
    parser.add_argument("--seed", default=SEED)
    args = parser.parse_args()
    if args.guides is not None:
        if args.guides < 1:
            parser.error("--guides must be at least 1")
        made = write_corpus(args.guides, args.out, args.facts, args.seed)
        print(f"{len(made)} guides in {args.out}" + (f", facts in {args.facts}" if args.facts else ""))
    else:
        count = write_big_file(args.size_mb, args.out, args.seed)
        print(f"{count} guides in {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
