"""A small glossary of UK higher-education vocabulary for technicians' work:
groups of words and acronyms that name the same thing, so that a query for
"appraisal" meets a plan that says "PDR" and one for "EDI" meets "equality,
diversity and inclusion".

Provenance: the terms are the sector's own, as used by the Technician Commitment
and its signatories, the TALENT reports (Gatsby), the Science Council's
professional registers, Advance HE, UKRI/Research England and university HR
practice (appraisal schemes, CPD, EDI charters). They are general vocabulary, not
the wording of the five source plans; whether they help is measured on the
relevance set (benchmarks/bench_search.py quality).

A text that contains any term of a group gets that group's concept token (e.g.
"gloss_appraisal"); documents and queries alike, so BM25 matches on the concept
with its own IDF weight, however each side words it.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Concept -> its terms. A term with capitals after its first letter (an acronym)
# matches as written, so "REF" is not "ref"; other terms match in any case; the
# last word of either may take a plural "s".
GROUPS: dict[str, tuple[str, ...]] = {
    "appraisal": ("appraisal", "PDR", "PDA", "PDD", "SDR", "P&DR", "annual review",
                  "performance review", "development review", "performance and development review",
                  "personal development review", "staff development review", "one-to-one"),
    "cpd": ("CPD", "continuing professional development", "continuous professional development",
            "professional development", "staff development", "learning and development",
            "upskilling", "training and development"),
    "edi": ("EDI", "ED&I", "E&D", "equality", "diversity", "inclusion", "equality analysis",
            "equality impact assessment", "underrepresented", "under-represented",
            "protected characteristics", "minority", "minoritised", "diverse workforce"),
    "charter": ("Athena Swan", "Athena SWAN", "Race Equality Charter", "REC",
                "Disability Confident", "Stonewall", "equality charter"),
    "registration": ("professional registration", "RSciTech", "RSci", "CSci", "CEng", "IEng",
                     "EngTech", "registered science technician", "registered scientist",
                     "chartered scientist", "chartered status", "Science Council",
                     "professional body", "Employer Champion", "registrant"),
    "sector_training": ("HEaTED", "National Technician Development Centre", "NTDC",
                        "Institute of Technical Skills and Strategy", "ITSS", "MI Talent",
                        "Midlands Innovation"),
    "apprenticeship": ("apprenticeship", "apprentice", "degree apprenticeship", "trainee",
                       "traineeship"),
    "placement": ("work experience", "placement", "internship", "intern", "T Level", "T-Level",
                  "industrial placement", "sandwich year"),
    "secondment": ("secondment", "job shadowing", "shadowing", "job rotation", "rotate",
                   "staff exchange", "exchange", "cross-training", "job swap"),
    "outreach": ("outreach", "public engagement", "widening participation", "community engagement",
                 "STEM Ambassador", "science festival", "schools and colleges", "local schools"),
    "mentoring": ("mentoring", "mentor", "mentorship", "coaching", "coach", "buddy", "buddying",
                  "peer support"),
    "excellence_frameworks": ("REF", "Research Excellence Framework", "TEF",
                              "Teaching Excellence Framework", "KEF", "Knowledge Exchange Framework"),
    "teaching_fellowship": ("HEA", "Advance HE", "AFHEA", "FHEA", "SFHEA", "PFHEA",
                            "Higher Education Academy", "PGCert", "teaching qualification"),
    "grant_costing": ("fEC", "full economic costing", "TRAC", "cost recovery", "costed", "costing",
                      "directly incurred", "directly allocated"),
    "investigator": ("co-investigator", "Co-I", "principal investigator", "PI", "co-supervisor",
                     "co-applicant"),
    "attribution": ("attribution", "authorship", "co-author", "author", "acknowledgement",
                    "acknowledgment", "CRediT", "contributorship"),
    "governance": ("committee", "governance", "decision making", "decision-making", "senate",
                   "executive board", "representation"),
    "awards": ("award", "prize", "Papin", "Technician of the Year", "nominate", "nomination"),
    "communications": ("newsletter", "social media", "Twitter", "LinkedIn", "blog",
                       "communications", "news"),
    "online_space": ("intranet", "SharePoint", "webpage", "web page", "website", "hub", "portal"),
    "workforce_data": ("HESA", "HR data", "workforce data", "staff survey", "census",
                       "workforce planning", "succession planning", "management information"),
    "leadership": ("leadership", "management development", "ILM", "Aurora", "STELLAR", "Herschel",
                   "supervisory skills"),
    "networks": ("network", "networking", "TSN", "TMU", "Technical Specialists Network",
                 "Technical Managers at Universities", "HETS"),
    "career": ("career pathway", "career progression", "career development", "career framework",
               "progression", "promotion"),
    "roles": ("job description", "role profile", "job family", "HERA", "job evaluation", "grading"),
    "workload": ("workload", "resourcing", "capacity", "staffing levels"),
    "teaching": ("teaching", "learning and teaching", "student experience",
                 "student learning experience", "curriculum", "module"),
}
PREFIX = "gloss_"


# Words as the glossary compares them: a hyphen counts as a space ("decision-making").
WORD = re.compile(r"[\w&]+")


def _acronym(term: str) -> bool:
    return " " not in term and any(c.isupper() for c in term[1:])


@lru_cache(maxsize=1)
def _terms() -> dict[str, list[tuple[tuple[str, ...], bool, str]]]:
    """First word (lower case) -> [(the term's words, as written?, concept)]. A
    word-by-word lookup: one regular expression per group took 2.4 ms a text."""
    table: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
    for concept, terms in GROUPS.items():
        for term in terms:
            exact = _acronym(term)
            words = tuple(w if exact else w.lower() for w in WORD.findall(term))
            table.setdefault(words[0].lower(), []).append((words, exact, concept))
    return table


def _same(word: str, term_word: str, last: bool) -> bool:
    return word == term_word or (last and word == term_word + "s")


def _matches(words: list[str], lower: list[str], i: int, term: tuple[str, ...], exact: bool) -> bool:
    seen = words if exact else lower
    if i + len(term) > len(seen):
        return False
    return all(_same(seen[i + k], w, k == len(term) - 1) for k, w in enumerate(term))


def concepts(text: str) -> list[str]:
    """The glossary concepts a text mentions, in glossary order."""
    table, found = _terms(), set()
    words = WORD.findall(text)
    lower = [w.lower() for w in words]
    for i, word in enumerate(lower):
        for key in {word, word[:-1]} if word.endswith("s") else {word}:
            for term, exact, concept in table.get(key, ()):
                if concept not in found and _matches(words, lower, i, term, exact):
                    found.add(concept)
    return [concept for concept in GROUPS if concept in found]


def expanded(text: str) -> str:
    """The text followed by a token per concept it mentions (for BM25, on both
    documents and queries)."""
    found = concepts(text)
    return text if not found else f"{text} {' '.join(PREFIX + c for c in found)}"


def widened(text: str) -> str:
    """The text followed by the other terms of each concept it mentions, in
    brackets: what is embedded, for queries and documents alike (MiniLM does not
    know that PDR is appraisal)."""
    lowered = text.lower()
    extra = [term for concept in concepts(text) for term in GROUPS[concept]
             if term.lower() not in lowered]
    return text if not extra else f"{text} ({', '.join(dict.fromkeys(extra))})"
