"""The ontology and concept schemes: documented terms, consistency, schemes."""
from __future__ import annotations

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.ontology import ONTOLOGY_DIR, ontology_graph
from kg.vocab import TC, TCID

ONTOLOGY = URIRef("https://w3id.org/tckg/ontology")


def tc_terms(graph):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(str(TC))})


def test_every_project_term_has_label_definition_and_defined_by():
    graph = ontology_graph()
    terms = tc_terms(graph)
    assert TC.Action in terms and TC.hasAction in terms and TC.ActionPlan in terms
    missing = [t for t in terms if not (graph.value(t, RDFS.label) and graph.value(t, SKOS.definition)
                                        and graph.value(t, RDFS.isDefinedBy) == ONTOLOGY)]
    assert missing == []


def test_ontology_header_carries_its_version():
    graph = ontology_graph()
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None


def test_every_concept_has_label_definition_and_scheme():
    graph = ontology_graph()
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 4 + 3 + 16 + 23 + len(set(graph.subjects(SKOS.inScheme, TCID["scheme-stakeholder-types"])))
    bad = [c for c in concepts if not (graph.value(c, SKOS.prefLabel) and graph.value(c, SKOS.definition)
                                       and graph.value(c, SKOS.inScheme))]
    assert bad == []


def _notations(graph, cls):
    return sorted(str(graph.value(c, SKOS.notation)) for c in graph.subjects(RDF.type, cls))


def test_talent_schemes_hold_r1_r16_and_e1_e23_with_full_text():
    graph = ontology_graph()
    assert _notations(graph, TC.SummaryRecommendation) == sorted(f"R{n}" for n in range(1, 17))
    assert _notations(graph, TC.EmployerRecommendation) == sorted(f"E{n}" for n in range(1, 24))
    r8 = graph.value(TCID["talent-R8"], SKOS.definition)
    assert str(r8) == ("Employers of technical staff should ensure inclusion of technical expertise "
                       "within end to-end recruitment processes when hiring for technical roles")
    e4 = graph.value(TCID["talent-E4"], SKOS.definition)
    assert str(e4).startswith("Provide transparent guidelines for how technical staff can be costed")


def test_every_employer_recommendation_maps_to_a_summary_one_with_a_justification():
    graph = ontology_graph()
    for n in range(1, 24):
        e = TCID[f"talent-E{n}"]
        targets = [(p, o) for p in (SKOS.broadMatch, SKOS.closeMatch) for o in graph.objects(e, p)]
        assert targets, f"E{n} has no crosswalk mapping"
        for p, o in targets:
            assert (o, RDF.type, TC.SummaryRecommendation) in graph
            statements = [s for s in graph.subjects(RDF.subject, e)
                          if graph.value(s, RDF.predicate) == p and graph.value(s, RDF.object) == o]
            assert len(statements) == 1 and len(str(graph.value(statements[0], RDFS.comment))) > 20


def _hermit(graph: Graph, tmp_path):
    path = tmp_path / "ontology.owl"
    graph.serialize(path, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def test_hermit_finds_the_ontology_and_schemes_consistent(tmp_path):
    world = _hermit(ontology_graph(), tmp_path)
    assert list(world.inconsistent_classes()) == []


def test_hermit_catches_a_contradiction(tmp_path):
    """The consistency test can fail: a concept both pillar and status is refused."""
    graph = Graph() + ontology_graph()
    graph.add((TCID["pillar-visibility"], RDF.type, TC.Status))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _hermit(graph, tmp_path)


@pytest.mark.parametrize("path", sorted(ONTOLOGY_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_every_turtle_file_parses(path):
    assert len(Graph().parse(path, format="turtle")) > 0


def test_pillar_labels_match_the_model():
    from kg.model import PILLARS
    from kg.vocab import PILLAR_IRIS
    graph = ontology_graph()
    assert {str(graph.value(PILLAR_IRIS[p], SKOS.prefLabel)) for p in PILLARS} == set(PILLARS)
    assert Literal("Visibility", lang="en") in set(graph.objects(PILLAR_IRIS["Visibility"], SKOS.prefLabel))


def _names(concepts):
    return [str(c).rsplit("/", 1)[-1] for c in concepts]


@pytest.mark.parametrize("text, expected", [
    ("head of hr and the technician commitment STEERING group",
     ["stakeholder-hr", "stakeholder-steering-group"]),        # any case, labels and alt labels
    ("Human\n  Resources", ["stakeholder-hr"]),                 # words split by any space
    ("HR&D", []),                                               # & joins: not the word HR
    ("Complete", []), ("Visibility", []),                       # concepts of other schemes
    ("", []),
])
def test_stakeholder_types_named_in_wording(text, expected):
    from kg.ontology import stakeholder_types

    assert _names(stakeholder_types().all_in(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Complete", "status-complete"),
    ("  complete - ongoing", "status-complete"),
    ("In  progress, not started elsewhere", "status-in-progress"),   # the opening words decide
    ("Not started", "status-not-started"),
    ("Partially complete", None),
    ("Human resources", None),
    ("The action has been delivered.", None),   # a concept's definition is not a label
    ("complete", "status-complete"), ("COMPLETE", "status-complete"),   # any case
])
def test_status_the_wording_opens_with(text, expected):
    from kg.ontology import statuses

    found = statuses().leading(text)
    assert (None if found is None else _names([found])[0]) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ongoing", "status-in-progress"), ("  in   PROGRESS ", "status-in-progress"),
    ("Completed", "status-complete"), ("achieved", "status-complete"),
    ("not started", "status-not-started"),
    ("complete - ongoing", None),   # the whole text must be one label, not open with one
    ("on going", None), ("done", None), ("", None),
    ("Work on the action has not begun.", None),   # a definition is not a label
    ("Human resources", None),   # another scheme's label
])
def test_status_the_whole_text_names(text, expected):
    from kg.ontology import statuses

    found = statuses().named(text)
    assert (None if found is None else _names([found])[0]) == expected
