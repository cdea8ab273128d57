"""Search quality on the relevance set (benchmarks/relevance/), and search speed.

    python benchmarks/bench_search.py quality   # before/after table per split; similar's pairs
    python benchmarks/bench_search.py fields    # which document text represents an action best
    python benchmarks/bench_search.py speed [--sizes 10000 100000]
    python benchmarks/bench_search.py hnsw [--sizes 10000 100000]   # recall against exact

Every command builds what `tckg build` makes in a temporary folder (never
$TCKG_HOME). The relevance set is split: methods and weights are chosen on the
'tune' queries; the 'test' queries were written afterwards and choose nothing,
so their figures are the ones to quote.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.homes import built_home
from kg.vocab import action_iri_from_short_id
from search.documents import document_text, read_documents
from search.encoder import load_encoder
from search.engine import Searcher
from search.index import DOCUMENT_FIELDS, SearchIndex, embedded_text
from search.vectors import build_vectors

RELEVANCE = Path(__file__).resolve().parent / "relevance"
K = 10


def iri(key: str) -> str:
    return str(action_iri_from_short_id(key))


SPLITS = ("tune", "test")


def load_judgements(paraphrase: bool | None = None,
                    split: str | None = None) -> list[tuple[str, dict[str, int]]]:
    """(query, grades); only the paraphrases (or only the others), only one split,
    when asked."""
    data = json.loads((RELEVANCE / "queries.json").read_text())
    return [(q["query"], {iri(k): g for k, g in q["relevant"].items()}) for q in data["queries"]
            if (paraphrase is None or q.get("paraphrase", False) == paraphrase)
            and split in (None, q["split"])]


def load_pairs() -> list[tuple[str, str]]:
    return [(iri(a), iri(b)) for a, b in json.loads((RELEVANCE / "pairs.json").read_text())["pairs"]]


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k with gain 2^grade - 1 and log2 discount (Jarvelin & Kekalainen)."""
    dcg = sum((2 ** grades.get(a, 0) - 1) / math.log2(i + 2) for i, a in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = K, least: int = 1) -> float:
    """Share of the actions graded `least` or more found in the top k."""
    relevant = {a for a, g in grades.items() if g >= least}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 1.0


def searcher_for(home: Path, fields: tuple[str, ...], fusion: str = "weighted",
                 parents: bool = True, expand: bool = True) -> Searcher:
    """A searcher over the graph in `home` with documents of the given fields;
    `parents=False` ranks parents as equals of their sub-actions (round 1's method),
    `expand=False` leaves the glossary out (round 2's)."""
    from kg.store import open_store

    encoder = load_encoder()
    documents = read_documents(open_store(home))
    texts = [document_text(d, fields) for d in documents]
    embedded = [embedded_text(t) for t in texts] if expand else texts
    index = SearchIndex(documents, texts, build_vectors(encoder.encode(embedded)), {})
    searcher = Searcher(index, encoder, fusion, expand)
    if not parents:
        searcher.children = {}
    return searcher


def evaluate(searcher: Searcher, mode: str, paraphrase: bool | None = None,
             split: str | None = None) -> tuple[float, float, float]:
    """Mean nDCG@10, recall@10 of all relevant, recall@10 of the clearly relevant."""
    scores = []
    for query, grades in load_judgements(paraphrase, split):
        ranked = [r["action"] for r in searcher.search(query, K, mode=mode)]
        scores.append((ndcg(ranked, grades), recall(ranked, grades), recall(ranked, grades, K, 2)))
    return tuple(statistics.mean(s[i] for s in scores) for i in range(3))


def pair_hits(searcher: Searcher, top: int = 5) -> tuple[int, int]:
    hits = total = 0
    for a, b in load_pairs():
        for source, partner in ((a, b), (b, a)):
            total += 1
            hits += partner in [r["action"] for r in searcher.similar(source, top)]
    return hits, total


def quality(home: Path, fields: tuple[str, ...] = DOCUMENT_FIELDS) -> None:
    """The before/after table: each method on each split (nDCG@10, recall@10 of
    all relevant actions, recall@10 of the clearly relevant)."""
    sizes = {split: len(load_judgements(split=split)) for split in SPLITS}
    print(f"{sizes['tune']} tune + {sizes['test']} test queries; document fields {fields}")
    print(f"| method | {' | '.join(f'{s} nDCG@10 | {s} recall@10 | {s} recall@10 (2)' for s in SPLITS)} |")
    methods = [("BM25 alone", "rrf", "bm25", True, False),
               ("dense alone", "rrf", "dense", True, False),
               ("hybrid, RRF", "rrf", "hybrid", True, False),
               ("round 1: hybrid, weighted, parents as equals", "weighted", "hybrid", False, False),
               ("before (round 2): hybrid, weighted, parents beneath sub-actions",
                "weighted", "hybrid", True, False),
               ("BM25 alone, glossary", "rrf", "bm25", True, True),
               ("dense alone, glossary", "rrf", "dense", True, True),
               ("after: round 2 + glossary (both rankings, queries and documents)", "weighted", "hybrid", True, True)]
    searchers: dict[tuple[str, bool, bool], Searcher] = {}
    for label, fusion, mode, parents, expand in methods:
        key = (fusion, parents, expand)
        if key not in searchers:
            searchers[key] = searcher_for(home, fields, fusion, parents, expand)
        figures = [f for split in SPLITS for f in evaluate(searchers[key], mode, split=split)]
        print(f"| {label} | " + " | ".join(f"{f:.3f}" for f in figures) + " |")
    by_round(searchers[("weighted", True, True)])
    hits, total = pair_hits(searchers[("weighted", True, True)])
    print(f"similar: partner in top 5 for {hits}/{total} directed pairs ({hits / total:.0%})")


def by_round(searcher: Searcher) -> None:
    """The default on the test queries by the round they were written for (each
    round's queries were judged before that round's methods were tried on them)."""
    queries = json.loads((RELEVANCE / "queries.json").read_text())["queries"]
    rounds = {q["query"]: q.get("round", 0) for q in queries if q["split"] == "test"}
    groups: dict[int, list[tuple[float, float]]] = {}
    for query, grades in load_judgements(split="test"):
        ranked = [r["action"] for r in searcher.search(query, K)]
        groups.setdefault(rounds[query], []).append((ndcg(ranked, grades), recall(ranked, grades, K, 2)))
    for number, figures in sorted(groups.items()):
        label = f"of round {number}" if number else "written before round 3"
        print(f"test queries {label} ({len(figures)}): nDCG@10 "
              f"{statistics.mean(f[0] for f in figures):.3f}, recall@10 (2) "
              f"{statistics.mean(f[1] for f in figures):.3f}")


def fields(home: Path) -> None:
    variants = [("text",), ("text", "parent_text"), ("text", "success_measures"),
                ("text", "parent_text", "success_measures"), ("text", "title"),
                ("text", "pillars"), ("text", "recommendation_labels"),
                ("text", "parent_text", "success_measures", "recommendation_labels")]
    print(f"{'fields':<62} dense nDCG  hybrid nDCG  pairs@5")
    for variant in variants:
        searcher = searcher_for(home, variant)
        dense = evaluate(searcher, "dense", split="tune")[0]
        hybrid = evaluate(searcher, "hybrid", split="tune")[0]
        hits, total = pair_hits(searcher)
        print(f"{' + '.join(variant):<62} {dense:.3f}       {hybrid:.3f}        {hits}/{total}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed_queries(searcher: Searcher, queries: list[str], rounds: int = 5) -> list[float]:
    for query in queries:
        searcher.search(query, K)  # warm
    times = []
    for _ in range(rounds):
        for query in queries:
            searcher.query_vector.cache_clear()  # time the whole search, encoding included
            start = time.perf_counter()
            searcher.search(query, K)
            times.append((time.perf_counter() - start) * 1000)
    return times


def speed(sizes: list[int]) -> None:
    from benchmarks.synthetic import write_ntriples
    from kg.store import write_store
    from search.index import build_index, load_index

    queries = [q for q, _ in load_judgements()]
    start = time.perf_counter()
    encoder = load_encoder()
    print(f"model load: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    with built_home(encoder) as home:
        print(f"five plans: `tckg build` in process (graph, suggested links, index) "
              f"{time.perf_counter() - start:.2f} s")
        searcher = Searcher(load_index(home, encoder.name))  # queries encoded as in use (ONNX)
        five_plans(searcher, queries)
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_home = Path(tmp)
            start = time.perf_counter()
            write_ntriples(size, tmp_home / "graph.nt")
            write_store((tmp_home / "graph.nt").read_bytes(), tmp_home, {"actions": size})
            print(f"{size:,} actions: graph {time.perf_counter() - start:.1f} s", end="; ", flush=True)
            start = time.perf_counter()
            build_index(tmp_home, encoder)
            print(f"index built in {time.perf_counter() - start:.1f} s", end="; ", flush=True)
            index = load_index(tmp_home, encoder.name)
            print(f"FAISS index {index.vectors.ntotal * index.vectors.d * 4 / 2**20:.0f} MiB")
            report(f"{size:,} actions", timed_queries(Searcher(index), queries, 3))


def five_plans(searcher: Searcher, queries: list[str]) -> None:
    report("five plans", timed_queries(searcher, queries))
    start = time.perf_counter()
    for query in queries * 5:
        searcher.encoder.encode([query])
    print(f"  of which query encoding: {(time.perf_counter() - start) / len(queries) / 5 * 1000:.1f}"
          f" ms mean ({type(searcher.encoder).__name__})")


def hnsw_recall(home: Path, sizes: list[int], noise: float = 1.0) -> None:
    """Recall@10 of HNSW against exact search. The corpus: the real documents'
    vectors, each copied with Gaussian noise (then normalised) up to the size, so
    neighbourhoods are dense and realistic; the queries: the relevance set's."""
    import numpy as np

    from search.vectors import build_vectors, nearest

    encoder = load_encoder()
    from kg.store import open_store

    documents = read_documents(open_store(home))
    base = encoder.encode([embedded_text(document_text(d, DOCUMENT_FIELDS)) for d in documents])
    queries = encoder.encode([q for q, _ in load_judgements()])
    rng = np.random.default_rng(7)
    for size in sizes:
        picks = base[rng.integers(0, len(base), size)]
        corpus = picks + rng.normal(0, noise / np.sqrt(base.shape[1]), picks.shape)
        corpus = (corpus / np.linalg.norm(corpus, axis=1, keepdims=True)).astype(np.float32)
        exact, approximate = build_vectors(corpus, "flat"), build_vectors(corpus, "hnsw")
        recalls, times = [], []
        for vector in queries:
            truth = set(nearest(exact, vector, K)[0].tolist())
            start = time.perf_counter()
            found = set(nearest(approximate, vector, K)[0].tolist())
            times.append((time.perf_counter() - start) * 1000)
            recalls.append(len(truth & found) / K)
        print(f"{size:,} vectors: HNSW recall@10 {statistics.mean(recalls):.3f} "
              f"(min {min(recalls):.1f}), search median {statistics.median(times):.2f} ms")


def report(label: str, times: list[float]) -> None:
    print(f"{label}: search median {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms over {len(times)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("quality", "fields", "speed", "hnsw"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--fields", nargs="*", default=list(DOCUMENT_FIELDS),
                        help="document fields for `quality` (default: the index's)")
    args = parser.parse_args()
    if args.what == "speed":
        speed(args.sizes)
        return
    with built_home() as home:
        commands = {"quality": lambda: quality(home, tuple(args.fields)),
                    "fields": lambda: fields(home), "hnsw": lambda: hnsw_recall(home, args.sizes)}
        commands[args.what]()


if __name__ == "__main__":
    main()
