"""Checksums of the derived files in the state folder, written into each part's
manifest at build time and checked on load, so that a truncated or overwritten
file is named (with `tckg build` as the remedy) instead of failing deep inside
FAISS, numpy or json."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

REMEDY = "run `tckg build` to rebuild it"
# Hashing the 90 MB ONNX query encoder whole took 0.45 s, on every `tckg search`;
# files past this size are hashed from their size and evenly spaced samples
# (4 MB read), which still catches truncation and most overwrites.
WHOLE_UP_TO = 8 * 1024 * 1024
SAMPLES, SAMPLE_BYTES = 64, 64 * 1024


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of the file, or for a large file of its size and samples."""
    size = path.stat().st_size
    if size <= WHOLE_UP_TO:
        return file_sha256(path)
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as stream:
        for i in range(SAMPLES):
            stream.seek((size - SAMPLE_BYTES) * i // (SAMPLES - 1))
            digest.update(stream.read(SAMPLE_BYTES))
    return "sampled:" + digest.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """Every file under `folder` (its path there, '/'-separated) -> its digest."""
    return {path.relative_to(folder).as_posix(): file_digest(path)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def verify(folder: Path, expected: dict[str, str] | None, error: type[Exception]) -> None:
    """Raise `error` naming the first file whose checksum is not the manifest's."""
    if not expected:
        raise error(f"the manifest in {folder} lists no checksums (made by an older tckg): "
                    f"{REMEDY}")
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise error(f"{path} is missing: {REMEDY}")
        if file_digest(path) != digest:
            raise error(f"{path} is damaged (its checksum does not match the manifest): {REMEDY}")


def read_json(path: Path, error: type[Exception]):
    """The JSON in `path`; one that does not parse raises `error` naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        raise error(f"{path} is damaged ({type(err).__name__}: {err}): {REMEDY}") from None
