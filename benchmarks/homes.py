"""A state home built for a benchmark in a temporary folder, never $TCKG_HOME:
benchmarks must not rebuild (or half-build) the user's graph."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.build import build_all
from search.encoder import Encoder, load_encoder

# A built state home to copy instead of building one: the test suite's smoke runs
# of the benchmarks use it, so that they do not each spend a minute on a build.
COPY_FROM = "TCKG_BENCH_HOME_FROM"


def make_home(home: Path, encoder: Encoder | None = None) -> Path:
    """Build into `home` what `tckg build` makes, or copy it from $TCKG_BENCH_HOME_FROM."""
    if source := os.environ.get(COPY_FROM):
        print(f"copying the built state home {source} (${COPY_FROM})", file=sys.stderr)
        shutil.copytree(source, home, dirs_exist_ok=True)
    else:
        build_all(home, encoder or load_encoder())
    return home


@contextmanager
def built_home(encoder: Encoder | None = None) -> Iterator[Path]:
    """What `tckg build` makes (graph, suggested links, suggesters, index), in a
    temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tckg-bench-") as folder:
        yield make_home(Path(folder), encoder)
