"""The sector glossary: which texts name which concept, and what it does to search."""
from __future__ import annotations

import pytest

from search import glossary
from search.engine import Searcher
from search.lexical import Lexical

# The actions whose plans call appraisal PDR, PDA or PDD: none says "appraisal".
APPRAISAL = {"manchester-met:15.2", "northumbria:23", "northumbria:27", "leicester:CD2c"}


@pytest.mark.parametrize("text, expected", [
    ("reviewing participation at PDA", ["appraisal"]),
    ("through 121 and PDD processes", ["appraisal"]),
    ("PDRs for every technician", ["appraisal"]),             # an acronym's plural
    ("annual-review meetings", ["appraisal"]),                # hyphen for a space
    ("Annual Review", ["appraisal"]),                         # words: any case
    ("pda", []),                                              # an acronym: capitals only
    ("a heated debate", []),                                  # HEaTED is not "heated"
    ("membership of HEaTED", ["sector_training"]),
    ("Race Equality Charter (REC)", ["edi", "charter"]),      # one text, two concepts
    ("a reference list", []),                                 # "REF" is a whole word
    ("REF submissions", ["excellence_frameworks"]),
    ("", []),
])
def test_concepts_a_text_names(text, expected):
    assert glossary.concepts(text) == expected


def test_expanded_adds_one_token_per_concept_and_leaves_other_texts_alone():
    assert glossary.expanded("PDR and CPD") == "PDR and CPD gloss_appraisal gloss_cpd"
    assert glossary.expanded("laboratory safety") == "laboratory safety"


def test_widened_adds_the_concepts_other_terms_once_and_not_the_texts_own():
    widened = glossary.widened("HEaTED training")
    query, _, extra = widened.partition(" (")
    terms = extra.rstrip(")").split(", ")
    assert query == "HEaTED training"
    assert terms == [t for t in glossary.GROUPS["sector_training"] if t != "HEaTED"]
    assert glossary.widened("laboratory safety") == "laboratory safety"


def test_every_glossary_term_names_its_own_concept():
    for concept, terms in glossary.GROUPS.items():
        for term in terms:
            assert concept in glossary.concepts(term), term


def test_bm25_meets_pdr_pda_pdd_only_through_the_glossary():
    texts = ["CPD plan based on the PDR process", "a meaningful PDA experience", "laboratory safety"]
    assert list(Lexical(texts).scores("appraisal") > 0) == [True, True, False]
    assert list(Lexical(texts, expand=False).scores("appraisal") > 0) == [False, False, False]


def test_search_for_appraisal_finds_the_plans_that_say_pdr(searcher):
    without = Searcher(searcher.index, expand=False)
    with_glossary = {r["id"] for r in searcher.search("appraisal", 5)}
    assert len(with_glossary & APPRAISAL) >= 3
    assert not {r["id"] for r in without.search("appraisal", 5)} & APPRAISAL
