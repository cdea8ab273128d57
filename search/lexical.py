"""BM25 over the search documents (bm25s, English stop words, Snowball stems)."""
from __future__ import annotations

import bm25s
import numpy as np
import Stemmer


class Lexical:
    def __init__(self, texts: list[str]):
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25 = bm25s.BM25()
        self._bm25.index(self._tokens(texts), show_progress=False)
        self._size = len(texts)

    def _tokens(self, texts: list[str]):
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (0 where no term matches)."""
        tokenized = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer,
                                   return_ids=False, show_progress=False)[0]
        vocabulary = self._bm25.vocab_dict
        known = [t for t in tokenized if t in vocabulary]
        if not known:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
