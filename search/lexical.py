"""BM25 over the search documents (bm25s, English stop words, Snowball stems).

With the glossary (search/glossary.py), documents and queries alike carry a
token per sector concept they mention, so "PDR" in a plan meets "appraisal" in
a query (tune nDCG@10 0.763 -> 0.789 with BM25 alone changed; bench_search.py).
"""
from __future__ import annotations

import bm25s
import numpy as np
import Stemmer

from search import glossary


class Lexical:
    def __init__(self, texts: list[str], expand: bool = True):
        self._stemmer = Stemmer.Stemmer("english")
        self._expand = glossary.expanded if expand else str
        self._bm25 = bm25s.BM25()
        self._bm25.index(self._tokens([self._expand(t) for t in texts]), show_progress=False)
        self._size = len(texts)

    def _tokens(self, texts: list[str]):
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (0 where no term matches)."""
        tokenized = bm25s.tokenize([self._expand(query)], stopwords="en", stemmer=self._stemmer,
                                   return_ids=False, show_progress=False)[0]
        vocabulary = self._bm25.vocab_dict
        known = [t for t in tokenized if t in vocabulary]
        if not known:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
