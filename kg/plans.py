"""The plans added beyond data/sources: kept as submitted in $TCKG_HOME/plans/.

This folder is data (back it up); everything else in the state home is derived
from it and data/sources by `tckg build`. Layout:

    plans/registry.json        every version of every added plan, with its plan fields
    plans/<plan-id>/v<n>.<ext>  each version's file, byte for byte as submitted

A plan's id is its institution's slug and its period ("univ-of-x-2024-01-2027-12"):
adding a plan with the same institution and period replaces it (the old version
stays, marked replaced); `tckg remove` marks the live version removed. Nothing
here is ever deleted. One writer at a time holds `lock(home)`.
"""
from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.vocab import plan_iri, slugify

PLANS_DIR = "plans"
REGISTRY = "registry.json"
LOCK = "publish.lock"
EXTENSIONS = {"turtle": "ttl", "json-ld": "jsonld", "csv": "csv"}
PUBLISHED, REPLACED, REMOVED = "published", "replaced", "removed"


class UnknownPlan(LookupError):
    """No published plan has that id."""


@dataclass
class Entry:
    """One version of an added plan."""
    id: str                 # institution slug + period: names the plan's IRIs
    version: int
    institution: str
    institution_slug: str
    title: str
    start: str | None       # YYYY-MM or YYYY-MM-DD, as given
    end: str | None
    format: str             # turtle, json-ld or csv
    file: str               # relative to plans/
    sha256: str
    actions: int
    added: str              # ISO time, UTC
    status: str = PUBLISHED
    changed: str | None = None  # when it was replaced or removed
    fields: dict = field(default_factory=dict)  # the CSV's plan fields, as given

    @property
    def period(self) -> str:
        return f"{self.start or '?'} to {self.end or '?'}"

    def to_json(self) -> dict:
        """One version as `tckg plans --json` and GET /plans show it."""
        return {"id": self.id, "plan": str(plan_iri(self.id)), "version": self.version,
                "status": self.status, "institution": self.institution, "title": self.title,
                "start": self.start, "end": self.end, "actions": self.actions,
                "format": self.format, "file": f"{PLANS_DIR}/{self.file}", "sha256": self.sha256,
                "added": self.added, "changed": self.changed}


def plan_id(institution_slug: str, start: str | None, end: str | None) -> str:
    """Stable across versions: the same institution and period give the same id."""
    if not (start or end):
        return f"{institution_slug}-undated"
    return f"{institution_slug}-{(start or 'open')[:7]}-{(end or 'open')[:7]}"


def institution_slug(name: str, known: dict[str, str]) -> str:
    """A source institution keeps its slug (known: name -> slug), so its plans
    share one institution node; any other is slugged from its name."""
    return known.get(name.strip()) or slugify(name) or "institution"


def plans_dir(home: Path) -> Path:
    return home / PLANS_DIR


def read_registry(home: Path) -> list[Entry]:
    path = plans_dir(home) / REGISTRY
    if not path.exists():
        return []
    return [Entry(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))["plans"]]


def registry_bytes(entries: list[Entry]) -> bytes:
    return (json.dumps({"format": 1, "plans": [asdict(e) for e in entries]}, indent=2,
                       ensure_ascii=False) + "\n").encode("utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """The file is whole or as it was: written beside it, synced, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(path.name + ".tmp")
    with open(fresh, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(fresh, path)


def published(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.status == PUBLISHED]


def live_entry(entries: list[Entry], pid: str) -> Entry:
    for entry in published(entries):
        if entry.id == pid:
            return entry
    ids = ", ".join(e.id for e in published(entries)) or "none"
    raise UnknownPlan(f"no published plan {pid!r}; published plans: {ids} (see `tckg plans`)")


def next_version(entries: list[Entry], pid: str) -> int:
    return 1 + max((e.version for e in entries if e.id == pid), default=0)


def version_file(pid: str, version: int, fmt: str) -> str:
    return f"{pid}/v{version}.{EXTENSIONS[fmt]}"


@contextmanager
def lock(home: Path) -> Iterator[None]:
    """One writer at a time over the state home (adds, removes, builds): a
    second waits. The kernel drops the lock when its process dies, killed or not."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
