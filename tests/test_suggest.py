"""Suggested TALENT links: the method's pieces on the real model and graph."""
from __future__ import annotations

import numpy as np
import pytest

from search.encoder import load_encoder
from search.linking import LabelsError, asserted_summary_codes, curated_labels, training_labels
from search.suggest import LinkSuggester, action_text, recommendation_texts


def test_recommendation_texts_carry_the_crosswalked_employer_text():
    texts = recommendation_texts()
    assert list(texts) == [f"R{i}" for i in range(1, 17)]
    assert texts["R5"].startswith("Costing technical contributions and eligibility for funding")
    assert sum(len(t) for t in texts.values()) > 16 * 300  # full texts, not labels


def test_curated_labels_cover_the_plans_that_state_no_links(searcher):
    curated = curated_labels()
    institutions = {d.action: d.institution for d in searcher.documents}
    assert len(curated) >= 40 and set(curated) <= set(institutions)
    assert {institutions[a] for a in curated} == {
        "University of Leicester", "University of Portsmouth", "Nottingham Trent University"}
    labels = training_labels(searcher.documents, curated)
    assert len(labels) == 79 + len(curated)  # asserted links, then the curated ones


@pytest.mark.parametrize("curated, named", [
    ({"https://w3id.org/tckg/id/ntu/action/99": {"R5"}}, "ntu/action/99"),
    ({"https://w3id.org/tckg/id/ntu/action/5": {"R17"}}, "ntu/action/5"),
])
def test_curated_labels_out_of_step_with_the_graph_are_refused(searcher, curated, named):
    with pytest.raises(LabelsError, match=named):
        training_labels(searcher.documents, curated)


@pytest.fixture(scope="module")
def fitted(searcher):
    """Learnt from the asserted links only, so the curated labels stay unseen."""
    documents = searcher.documents
    encoder = load_encoder()
    vectors = dict(zip((d.action for d in documents),
                       encoder.encode([action_text(d.text) for d in documents])))
    links = {d.action: asserted_summary_codes(d) for d in documents if asserted_summary_codes(d)}
    institution = {d.action: d.institution for d in documents}
    pillars = {d.action: d.pillars for d in documents}
    suggester = LinkSuggester(encoder).fit(
        np.array([vectors[a] for a in links]), list(links.values()),
        [institution[a] for a in links], [pillars[a] for a in links])
    return suggester, vectors, institution, pillars


def test_scores_are_probabilities_for_every_recommendation(fitted):
    suggester, vectors, institution, pillars = fitted
    action = "https://w3id.org/tckg/id/portsmouth/action/9"
    scores = suggester.scores(vectors[action][None, :], [institution[action]], [pillars[action]])
    assert scores.shape == (1, 16) and ((scores >= 0) & (scores <= 1)).all()
    assert suggester.codes[int(scores.argmax())] == "R11"  # the attribution policy


def test_learning_from_asserted_links_beats_zero_shot_on_unlabelled_plans(fitted):
    suggester, vectors, institution, pillars = fitted
    labels = curated_labels()
    matrix = np.array([vectors[a] for a in labels])
    learned = suggester.scores(matrix, [institution[a] for a in labels], [pillars[a] for a in labels])
    zero = suggester.zero_shot(matrix)

    def top1(scores):
        return np.mean([suggester.codes[int(row.argmax())] in gold
                        for row, gold in zip(scores, labels.values())])

    assert top1(learned) > top1(zero)


def test_saved_suggesters_score_as_the_fitted_ones(fitted, tmp_path):
    suggester, vectors, institution, pillars = fitted
    suggester.save(tmp_path / "links.npz")
    loaded = LinkSuggester.load(tmp_path / "links.npz")
    matrix = np.array(list(vectors.values())[:20])
    names, given = list(institution.values())[:20], list(pillars.values())[:20]
    np.testing.assert_allclose(loaded.scores(matrix, names, given),
                               suggester.scores(matrix, names, given))
    assert (loaded.labelled.pillars == suggester.labelled.pillars).all()
    assert suggester.labelled.pillars.any(axis=1).all()  # every labelled action has a pillar


def _labelled(pillars: list[list[bool]], targets: list[list[bool]], institutions: list[str]):
    from search.suggest import Labelled

    return Labelled(np.zeros((len(targets), 2)), np.array(targets), institutions,
                    np.array(pillars, dtype=bool))


def test_the_pillar_prior_rewards_what_the_actions_pillars_are_known_for():
    """Two labelled actions of institution B under pillar 0 both carry concept 0; one
    under pillar 1 carries concept 1. Smoothing: base = (n_c + 1) / (3 + 2), the
    pillar's rate pulled to it with weight 4: rate = (w . t + 4 base) / (w.sum + 4)."""
    from search.suggest import pillar_prior

    labelled = _labelled([[1, 0], [1, 0], [0, 1]], [[1, 0], [1, 0], [0, 1]], ["B", "B", "B"])
    others = np.ones((3, 3), dtype=bool)
    prior = pillar_prior(labelled, others, np.array([[1, 0], [0, 1], [0, 0]], dtype=bool))
    base = np.array([3 / 5, 2 / 5])
    on_pillar_0 = (np.array([2, 0]) + 4 * base) / (2 + 4)
    np.testing.assert_allclose(prior[0], np.log(on_pillar_0 / base))
    assert prior[0, 0] > 0 > prior[0, 1] and prior[1, 1] > 0 > prior[1, 0]
    np.testing.assert_allclose(prior[2], 0.0)  # no pillars known (a draft): no evidence


def test_the_pillar_prior_counts_a_catch_all_action_by_its_share_and_never_hears_the_excluded():
    from search.suggest import pillar_prior

    # one action filed under both pillars counts half for each
    labelled = _labelled([[1, 1]], [[1, 0]], ["B"])
    prior = pillar_prior(labelled, np.ones((1, 1), dtype=bool), np.array([[1, 0]], dtype=bool))
    base = np.array([2 / 3, 1 / 3])
    np.testing.assert_allclose(prior[0], np.log((np.array([0.5, 0]) + 4 * base) / 4.5 / base))
    # with the only labelled action excluded (its own institution): uniform, so 0
    prior = pillar_prior(labelled, np.zeros((1, 1), dtype=bool), np.array([[1, 0]], dtype=bool))
    np.testing.assert_allclose(prior, 0.0)
