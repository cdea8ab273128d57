"""A damaged state folder is named, not crashed on: every derived file is checked
against its manifest on load, the message names the file and says `tckg build`,
the command line exits 2 with that one line, `tckg serve` refuses to start, and
`tckg build` repairs the folder."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from api.app import create_app
from kg.store import open_store, read_manifest
from search.encoder import model_name
from search.engine import Searcher
from search.index import IndexUnusable
from search.linking import Suggesters, SuggestersUnusable
from tests.conftest import tckg

REMEDY = "run `tckg build` to rebuild it"


def load_graph(home: Path):
    read_manifest(home)
    return open_store(home, in_memory=True)


def load_suggesters(home: Path):
    return Suggesters.load(home, model_name())


# (the damaged file, the loader that must name it, the error it raises)
PARTS = [
    ("index/vectors.faiss", Searcher.open, IndexUnusable),
    ("index/documents.json", Searcher.open, IndexUnusable),
    ("index/manifest.json", Searcher.open, IndexUnusable),
    ("index/query-encoder/model.onnx", Searcher.open, IndexUnusable),
    ("suggest/links.npz", load_suggesters, SuggestersUnusable),
    ("suggest/manifest.json", load_suggesters, SuggestersUnusable),
    ("graph/graph.nt", load_graph, RuntimeError),  # StoreDamaged, a StoreMissing
    ("graph/graph.json", load_graph, RuntimeError),
]


def replace(path: Path, data: bytes) -> None:
    path.unlink()  # never write through a hard link into the session's own folder
    path.write_bytes(data)


def truncate(path: Path) -> None:
    replace(path, path.read_bytes()[: path.stat().st_size // 2])


def overwrite(path: Path) -> None:
    """Same length, one byte in the middle changed: no size check would see it."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    replace(path, bytes(data))


def link_large(source: str, target: str) -> None:
    """Copy, but hard-link the 90 MB ONNX model (copying it took a second a test)."""
    if Path(source).stat().st_size > 8 * 1024 * 1024:
        os.link(source, target)
    else:
        shutil.copy2(source, target)


@pytest.fixture
def home(search_home, tmp_path) -> Path:
    """A copy of the session's built state folder, free to damage."""
    copy = tmp_path / "home"
    shutil.copytree(search_home, copy, copy_function=link_large)
    return copy


# Files over 8 MB (the ONNX model) are checked by size and samples (kg/integrity.py):
# one byte changed between samples is not seen, a known limit (docs/limits.md).
DAMAGES = [(*part, damage) for part in PARTS for damage in (truncate, overwrite)
           if not (part[0].endswith("model.onnx") and damage is overwrite)]


@pytest.mark.parametrize(("name", "load", "error", "damage"), DAMAGES,
                         ids=[f"{d[0]}-{d[3].__name__}" for d in DAMAGES])
def test_a_damaged_file_is_named_with_the_remedy(home, name, load, error, damage):
    load(home)  # whole, it loads
    damage(home / name)
    with pytest.raises(error) as raised:
        load(home)
    message = str(raised.value)
    assert str(home / name) in message and REMEDY in message, message


@pytest.mark.parametrize(("name", "error"), [(p[0], p[2]) for p in PARTS], ids=[p[0] for p in PARTS])
def test_serve_refuses_a_damaged_folder(home, name, error):
    truncate(home / name)
    with pytest.raises(error, match="tckg build"):
        create_app(home)


def test_cli_search_and_serve_exit_2_naming_the_file(home):
    truncate(home / "index" / "vectors.faiss")
    line = (f"{home / 'index' / 'vectors.faiss'} is damaged (its checksum does not match the "
            f"manifest): {REMEDY}\n")
    search = tckg(home, "search", "fair attribution policy", "--json")
    assert (search.returncode, search.stdout, search.stderr) == (2, "", "tckg search: " + line)
    serve = tckg(home, "serve", "--port", "0")
    assert (serve.returncode, serve.stdout, serve.stderr) == (2, "", "tckg serve: " + line)


def test_an_index_from_before_the_checksums_is_refused(home):
    manifest = home / "index" / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"checksums"', '"other"'),
                        encoding="utf-8")
    with pytest.raises(IndexUnusable, match="lists no checksums .made by an older tckg.: run"):
        Searcher.open(home)


def test_build_replaces_damaged_files(home, search_home, searcher):
    # `tckg build` itself, as the message tells the user to run: it must see the
    # damage (not say "nothing to build") and repair every part.
    for name in ("graph/graph.nt", "graph/graph.json", "index/vectors.faiss", "index/documents.json",
                 "suggest/links.npz"):
        truncate(home / name)
    build = tckg(home, "build")
    assert build.returncode == 0, build.stderr
    assert "nothing to build" not in build.stderr
    repaired = Searcher.open(home)
    assert repaired.search("fair attribution policy", 10) == searcher.search("fair attribution policy", 10)
    assert load_graph(home).__len__() == len(load_graph(search_home))
    load_suggesters(home)
