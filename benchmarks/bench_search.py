"""Search quality on the relevance set (benchmarks/relevance/), and search speed.

    python benchmarks/bench_search.py quality   # nDCG@10, recall@10 per method; similar's pairs
    python benchmarks/bench_search.py fields    # which document text represents an action best
    python benchmarks/bench_search.py speed [--sizes 10000 100000]
    python benchmarks/bench_search.py hnsw [--sizes 10000 100000]   # recall against exact

Quality runs against the graph in $TCKG_HOME (default var/; run `tckg build` first).
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

from kg.store import open_store, state_home
from kg.vocab import action_iri_from_short_id
from search.documents import document_text, read_documents
from search.encoder import load_encoder
from search.engine import Searcher
from search.index import DOCUMENT_FIELDS, SearchIndex
from search.vectors import build_vectors

RELEVANCE = Path(__file__).resolve().parent / "relevance"
K = 10


def iri(key: str) -> str:
    return str(action_iri_from_short_id(key))


def load_judgements(paraphrase: bool | None = None) -> list[tuple[str, dict[str, int]]]:
    """(query, grades); only the paraphrases (or only the others) when asked."""
    data = json.loads((RELEVANCE / "queries.json").read_text())
    return [(q["query"], {iri(k): g for k, g in q["relevant"].items()}) for q in data["queries"]
            if paraphrase is None or q.get("paraphrase", False) == paraphrase]


def load_pairs() -> list[tuple[str, str]]:
    return [(iri(a), iri(b)) for a, b in json.loads((RELEVANCE / "pairs.json").read_text())["pairs"]]


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k with gain 2^grade - 1 and log2 discount (Jarvelin & Kekalainen)."""
    dcg = sum((2 ** grades.get(a, 0) - 1) / math.log2(i + 2) for i, a in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    relevant = {a for a, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant)


def searcher_for(fields: tuple[str, ...], fusion: str = "weighted") -> Searcher:
    encoder = load_encoder()
    documents = read_documents(open_store(state_home()))
    texts = [document_text(d, fields) for d in documents]
    index = SearchIndex(documents, texts, build_vectors(encoder.encode(texts)), {})
    return Searcher(index, encoder, fusion)


def evaluate(searcher: Searcher, mode: str, paraphrase: bool | None = None) -> tuple[float, float]:
    scores = []
    for query, grades in load_judgements(paraphrase):
        ranked = [r["action"] for r in searcher.search(query, K, mode=mode)]
        scores.append((ndcg(ranked, grades), recall(ranked, grades)))
    return statistics.mean(s[0] for s in scores), statistics.mean(s[1] for s in scores)


def pair_hits(searcher: Searcher, top: int = 5) -> tuple[int, int]:
    hits = total = 0
    for a, b in load_pairs():
        for source, partner in ((a, b), (b, a)):
            total += 1
            hits += partner in [r["action"] for r in searcher.similar(source, top)]
    return hits, total


def quality(fields: tuple[str, ...] = DOCUMENT_FIELDS) -> None:
    print(f"{len(load_judgements())} queries; document fields {fields}")
    print(f"{'':<20} {'all':^17} {'plan wording':^17} {'paraphrases':^17}")
    print(f"{'method':<20}" + " nDCG@10 recall@10" * 3)
    for fusion in ("rrf", "weighted"):
        searcher = searcher_for(fields, fusion)
        modes = ("bm25", "dense", "hybrid") if fusion == "rrf" else ("hybrid",)
        for mode in modes:
            label = mode if mode != "hybrid" else f"hybrid ({fusion})"
            figures = [evaluate(searcher, mode, subset) for subset in (None, False, True)]
            print(f"{label:<20}" + "".join(f" {n:7.3f} {r:9.3f}" for n, r in figures))
    hits, total = pair_hits(searcher_for(fields))
    print(f"similar: partner in top 5 for {hits}/{total} directed pairs ({hits / total:.0%})")


def fields() -> None:
    variants = [("text",), ("text", "parent_text"), ("text", "success_measures"),
                ("text", "parent_text", "success_measures"), ("text", "title"),
                ("text", "pillars"), ("text", "recommendation_labels"),
                ("text", "parent_text", "success_measures", "recommendation_labels")]
    print(f"{'fields':<62} dense nDCG  hybrid nDCG  pairs@5")
    for variant in variants:
        searcher = searcher_for(variant)
        dense, _ = evaluate(searcher, "dense")
        hybrid, _ = evaluate(searcher, "hybrid")
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
    from kg.build import build_graph
    from kg.store import write_store
    from search.index import build_index, load_index

    queries = [q for q, _ in load_judgements()]
    start = time.perf_counter()
    encoder = load_encoder()
    print(f"model load: {time.perf_counter() - start:.2f} s")
    home = state_home()
    start = time.perf_counter()
    build_graph(home)
    graph_s = time.perf_counter() - start
    start = time.perf_counter()
    build_index(home, encoder)
    print(f"five plans: graph {graph_s:.2f} s + index {time.perf_counter() - start:.2f} s")
    searcher = Searcher(load_index(home, encoder.name))  # queries encoded as in use (ONNX)
    report("five plans", timed_queries(searcher, queries))
    start = time.perf_counter()
    for query in queries * 5:
        searcher.encoder.encode([query])
    print(f"  of which query encoding: {(time.perf_counter() - start) / len(queries) / 5 * 1000:.1f}"
          f" ms mean ({type(searcher.encoder).__name__})")
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


def hnsw_recall(sizes: list[int], noise: float = 1.0) -> None:
    """Recall@10 of HNSW against exact search. The corpus: the real documents'
    vectors, each copied with Gaussian noise (then normalised) up to the size, so
    neighbourhoods are dense and realistic; the queries: the relevance set's."""
    import numpy as np

    from search.vectors import build_vectors, nearest

    encoder = load_encoder()
    documents = read_documents(open_store(state_home()))
    base = encoder.encode([document_text(d, DOCUMENT_FIELDS) for d in documents])
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
    commands = {"quality": lambda: quality(tuple(args.fields)), "fields": fields,
                "speed": lambda: speed(args.sizes), "hnsw": lambda: hnsw_recall(args.sizes)}
    commands[args.what]()


if __name__ == "__main__":
    main()
