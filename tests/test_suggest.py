"""Suggested TALENT links: the method's pieces on the real model and graph."""
from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.bench_search import iri
from benchmarks.bench_suggest import LABELS, asserted
from search.encoder import load_encoder
from search.suggest import LinkSuggester, recommendation_texts


def test_recommendation_texts_carry_the_crosswalked_employer_text():
    texts = recommendation_texts()
    assert list(texts) == [f"R{i}" for i in range(1, 17)]
    assert texts["R5"].startswith("Costing technical contributions and eligibility for funding")
    assert sum(len(t) for t in texts.values()) > 16 * 300  # full texts, not labels


@pytest.fixture(scope="module")
def fitted(searcher):
    documents = searcher.documents
    encoder = load_encoder()
    vectors = dict(zip((d.action for d in documents), encoder.encode([d.text for d in documents])))
    links = asserted(documents)
    institution = {d.action: d.institution for d in documents}
    suggester = LinkSuggester(encoder).fit(
        np.array([vectors[a] for a in links]), list(links.values()),
        [institution[a] for a in links])
    return suggester, vectors, institution


def test_scores_are_probabilities_for_every_recommendation(fitted):
    suggester, vectors, institution = fitted
    action = iri("portsmouth:9")
    scores = suggester.scores(vectors[action][None, :], [institution[action]])
    assert scores.shape == (1, 16) and ((scores >= 0) & (scores <= 1)).all()
    assert suggester.codes[int(scores.argmax())] == "R11"  # the attribution policy


def test_learning_from_asserted_links_beats_zero_shot_on_unlabelled_plans(fitted):
    suggester, vectors, institution = fitted
    labels = {iri(k): set(v) for k, v in json.loads(LABELS.read_text())["labels"].items()}
    matrix = np.array([vectors[a] for a in labels])
    learned = suggester.scores(matrix, [institution[a] for a in labels])
    zero = suggester.zero_shot(matrix)

    def top1(scores):
        return np.mean([suggester.codes[int(row.argmax())] in gold
                        for row, gold in zip(scores, labels.values())])

    assert top1(learned) > top1(zero)
