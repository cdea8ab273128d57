"""A small glossary of UK higher-education vocabulary for technicians' work:
groups of words and acronyms that name the same thing, so that a query for
"appraisal" meets a plan that says "PDR" and one for "EDI" meets "equality,
diversity and inclusion".

Provenance: the terms are the sector's own, as used by the Technician Commitment
and its signatories, the TALENT reports (Gatsby), the Science Council's
professional registers, Advance HE, UKRI/Research England and university HR
practice (appraisal schemes, CPD, EDI charters). They are general vocabulary, not
the wording of the five source plans; whether they help is measured on the
relevance set (benchmarks/bench_search.py glossary).

A text that contains any term of a group gets that group's concept token (e.g.
"gloss_appraisal"); documents and queries alike, so BM25 matches on the concept
with its own IDF weight, however each side words it.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Concept -> its terms. An all-capital term (an acronym) matches in capitals only,
# so "REF" is not "ref"; other terms match in any case, also with a plural "s".
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


def _pattern(term: str) -> str:
    body = re.escape(term).replace(r"\ ", r"[\s-]+")
    if " " not in term and any(c.isupper() for c in term[1:]):  # an acronym: as written
        return rf"(?-i:\b{body}s?\b)"
    return rf"\b{body}s?\b"


@lru_cache(maxsize=1)
def _matchers() -> list[tuple[str, re.Pattern]]:
    return [(concept, re.compile("|".join(_pattern(t) for t in terms), re.IGNORECASE))
            for concept, terms in GROUPS.items()]


def concepts(text: str) -> list[str]:
    """The glossary concepts a text mentions, in glossary order."""
    return [concept for concept, matcher in _matchers() if matcher.search(text)]


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
