"""A state home built for a benchmark in a temporary folder, never $TCKG_HOME:
benchmarks must not rebuild (or half-build) the user's graph."""
from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.build import build_all
from search.encoder import Encoder, load_encoder


@contextmanager
def built_home(encoder: Encoder | None = None) -> Iterator[Path]:
    """What `tckg build` makes (graph, suggested links, suggesters, index), in a
    temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tckg-bench-") as folder:
        home = Path(folder)
        build_all(home, encoder or load_encoder())
        yield home
