"""Every file tckg reads at run time, found with importlib.resources.

The repository keeps them in the top-level ontology/ and data/ folders; the build maps
those into the wheel as the packages kg._ontology and kg._data (pyproject.toml), and an
editable install maps them to the same folders. Found this way, they are there for an
installed tckg in any working directory, from a zipped install too, and nothing here
depends on where the source tree is.

What these names hold are importlib Traversables, not always pathlib Paths (a zipped
install gives zipfile.Path): read them with `/`, `read_text`, `read_bytes`, `iterdir`,
`is_file`, never with `glob` or `open()` on `str()` of them.
"""
from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable

ONTOLOGY: Traversable = files("kg._ontology")
DATA: Traversable = files("kg._data")

SHAPES = ONTOLOGY / "shapes"
QUERIES = ONTOLOGY / "queries"
CONTEXT = ONTOLOGY / "context.jsonld"
SOURCES = DATA / "sources"
TALENT_LABELS = DATA / "talent-labels.json"
TEMPLATES = DATA / "templates"
TEMPLATE_CSV = TEMPLATES / "plan-template.csv"
EXAMPLE_CSV = TEMPLATES / "plan-example.csv"


def files_in(folder: Traversable, suffix: str) -> list[Traversable]:
    """The folder's files ending in suffix, by name (what Path.glob would give,
    on any Traversable)."""
    return sorted((f for f in folder.iterdir() if f.is_file() and f.name.endswith(suffix)),
                  key=lambda f: f.name)


def shipped() -> Iterator[tuple[str, Traversable]]:
    """Every resource file, as (path as in the repository, e.g. "ontology/tckg.ttl",
    the file), leaving out the two folders' __init__.py and bytecode."""
    for top, root in (("ontology", ONTOLOGY), ("data", DATA)):
        yield from _walk(top, root)


def _walk(prefix: str, folder: Traversable) -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda f: f.name):
        name = f"{prefix}/{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _walk(name, entry)
        elif entry.name != "__init__.py" and not entry.name.endswith(".pyc"):
            yield name, entry
