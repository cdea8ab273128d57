"""The state home's bookkeeping in process: checksums of derived files
(kg/integrity.py), when a build would change nothing (kg/build.up_to_date), the
upload limit's edge, the home's location and generation, short action ids. Each
rule on both sides of its edge; fast, for mutation testing. Damaged homes
through the CLI and HTTP are tested in tests/test_damaged_state.py."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from kg import integrity, limits
from kg.build import build_graph, build_inputs, up_to_date
from kg.publish import STAGED
from kg.store import (
    canonical_ntriples,
    current_generation,
    current_ntriples,
    read_manifest,
    state_home,
    write_store,
)
from kg.vocab import action_iri, short_id


class Damaged(Exception):
    pass


def test_small_files_are_hashed_whole_and_large_ones_sampled(tmp_path):
    edge = tmp_path / "edge.bin"
    edge.write_bytes(bytes(range(256)) * (integrity.WHOLE_UP_TO // 256))  # exactly the limit
    assert integrity.file_digest(edge) == hashlib.sha256(edge.read_bytes()).hexdigest()
    over = tmp_path / "over.bin"
    data = edge.read_bytes() + b"!"
    over.write_bytes(data)
    size, step = len(data), integrity.SAMPLE_BYTES
    expected = hashlib.sha256(str(size).encode())
    for i in range(integrity.SAMPLES):
        start = (size - step) * i // (integrity.SAMPLES - 1)
        expected.update(data[start:start + step])
    assert integrity.file_digest(over) == "sampled:" + expected.hexdigest()
    assert (integrity.WHOLE_UP_TO, integrity.SAMPLES, step) == (8 << 20, 64, 64 << 10)


def test_checksums_and_verify(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "sub" / "b.txt").write_text("b")
    sums = integrity.checksums(tmp_path)
    assert sums == {"a.txt": hashlib.sha256(b"a").hexdigest(),
                    "sub/b.txt": hashlib.sha256(b"b").hexdigest()}
    integrity.verify(tmp_path, sums, Damaged)  # as built: no error
    (tmp_path / "sub" / "b.txt").write_text("B")
    with pytest.raises(Damaged) as damaged:
        integrity.verify(tmp_path, sums, Damaged)
    assert str(damaged.value) == (f"{tmp_path / 'sub' / 'b.txt'} is damaged (its checksum does "
                                  "not match the manifest): run `tckg build` to rebuild it")
    (tmp_path / "a.txt").unlink()
    with pytest.raises(Damaged) as missing:
        integrity.verify(tmp_path, sums, Damaged)
    assert str(missing.value) == f"{tmp_path / 'a.txt'} is missing: run `tckg build` to rebuild it"


@pytest.mark.parametrize("expected", [None, {}])
def test_a_manifest_without_checksums_is_refused(tmp_path, expected):
    with pytest.raises(Damaged) as refused:
        integrity.verify(tmp_path, expected, Damaged)
    assert str(refused.value) == (f"the manifest in {tmp_path} lists no checksums (made by an "
                                  "older tckg): run `tckg build` to rebuild it")


def test_read_json_names_a_damaged_file(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text('{"a": [1]}')
    bad.write_text('{"a": ')
    assert integrity.read_json(good, Damaged) == {"a": [1]}
    with pytest.raises(Damaged, match=r"bad\.json is damaged \(JSONDecodeError: .*\): run `tckg build`"):
        integrity.read_json(bad, Damaged)


@pytest.mark.parametrize("size, refused", [(10 * 1024 * 1024, False), (10 * 1024 * 1024 + 1, True)])
def test_the_upload_limit_at_its_edge(monkeypatch, size, refused):
    monkeypatch.delenv("TCKG_MAX_UPLOAD_BYTES", raising=False)
    if not refused:
        limits.check_upload(size)
        return
    with pytest.raises(limits.LimitExceeded) as over:
        limits.check_upload(size)
    assert str(over.value) == ("the plan is 10,485,761 bytes (limit 10,485,760, "
                               "TCKG_MAX_UPLOAD_BYTES)")
    assert over.value.limit is limits.UPLOAD_BYTES


def test_the_upload_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_UPLOAD_BYTES", "100")
    limits.check_upload(100)
    with pytest.raises(limits.LimitExceeded, match=r"^the plan is 101 bytes \(limit 100, "):
        limits.check_upload(101)


@pytest.mark.parametrize("raw, expected", [("1", 1), ("2", 2), (" 7 ", 7), ("", 10 * 1024 * 1024)])
def test_a_limit_from_the_environment_at_its_edge(monkeypatch, raw, expected):
    monkeypatch.setenv("TCKG_MAX_UPLOAD_BYTES", raw)
    assert limits.UPLOAD_BYTES.value() == expected


@pytest.mark.parametrize("raw, message", [
    ("0", "TCKG_MAX_UPLOAD_BYTES='0' must be at least 1"),
    ("-3", "TCKG_MAX_UPLOAD_BYTES='-3' must be at least 1"),
    ("1e3", "TCKG_MAX_UPLOAD_BYTES='1e3' is not a whole number"),
    ("ten", "TCKG_MAX_UPLOAD_BYTES='ten' is not a whole number"),
])
def test_a_limit_the_environment_gets_wrong_is_named(monkeypatch, raw, message):
    monkeypatch.setenv("TCKG_MAX_UPLOAD_BYTES", raw)
    with pytest.raises(ValueError) as wrong:
        limits.UPLOAD_BYTES.value()
    assert str(wrong.value) == message


@pytest.mark.parametrize("iri, short", [
    (str(action_iri("acme", "a/action/b")), "acme:a/action/b"),  # the first /action/ splits
    (str(action_iri("northumbria", "16")), "northumbria:16"),
    (str(action_iri("leicester", "R2.1")), "leicester:R2.1"),
    (str(action_iri("acme-2024-09-2026-08", "A1%2Fb")), "acme-2024-09-2026-08:A1%2Fb"),
])
def test_short_ids(iri, short):
    assert short_id(iri) == short


def test_state_home_is_tckg_home_or_var(monkeypatch, tmp_path):
    monkeypatch.setenv("TCKG_HOME", str(tmp_path / "h"))
    assert state_home() == tmp_path / "h"
    monkeypatch.delenv("TCKG_HOME")
    monkeypatch.chdir(tmp_path)
    assert state_home() == tmp_path / "var"


@pytest.mark.parametrize("value, home", [("", "var"), (" ", "var"), ("\t\n", "var"),
                                         (".", "."), ("h", "h"), (" h", " h")])
def test_an_empty_tckg_home_means_the_default(monkeypatch, tmp_path, value, home):
    """Empty or blank is unset (the default var/), never the working directory;
    any other value, even "." or one with a leading space, is taken as written."""
    monkeypatch.setenv("TCKG_HOME", value)
    monkeypatch.chdir(tmp_path)
    assert state_home() == (tmp_path / home).resolve()


def test_generation_and_served_graph(tmp_path):
    nt = canonical_ntriples(b"<http://e.org/b> <http://e.org/p> <http://e.org/o> .\n"
                            b"<http://e.org/a> <http://e.org/p> <http://e.org/o> .\n")
    manifest = write_store(nt, tmp_path, {"generation": "g-1"})
    assert current_generation(tmp_path) == "g-1" == manifest["generation"]
    assert current_ntriples(tmp_path) == nt
    # a manifest written before generations: its checksum names the generation
    path = tmp_path / "graph" / "graph.json"
    old = {k: v for k, v in json.loads(path.read_text()).items() if k != "generation"}
    path.write_text(json.dumps(old))
    assert current_generation(tmp_path) == old["checksum"]


MODEL = "a-model"


@pytest.fixture(scope="module")
def fresh_home(tmp_path_factory):
    """A home built with its inputs recorded, and manifests for the derived parts."""
    home = tmp_path_factory.mktemp("up-to-date")
    build_graph(home, inputs=build_inputs(home, MODEL))
    checksum = read_manifest(home)["checksum"]
    for folder in STAGED:  # each part one file, listed with its checksum as a build lists it
        (home / folder).mkdir()
        (home / folder / "part.bin").write_bytes(folder.encode() * 100)
        (home / folder / "manifest.json").write_text(json.dumps(
            {"graph_checksum": checksum, "model": MODEL,
             "checksums": {"part.bin": integrity.file_digest(home / folder / "part.bin")}}))
    return home


@pytest.fixture()
def home(fresh_home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(fresh_home, copy)
    return copy


def test_an_unchanged_home_is_up_to_date(home):
    actions = read_manifest(home)["actions"]
    assert up_to_date(home, MODEL) == (
        f"the graph ({actions} actions), index and suggesters in {home} were built from the "
        "same sources, added plans, ontology, labels, model and code")


def _edit_manifest(path: Path, **changes):
    path.write_text(json.dumps(dict(json.loads(path.read_text()), **changes)))


@pytest.mark.parametrize("change", [
    "no graph", "no index", "no suggesters", "index of another graph", "suggesters of another model",
    "another model asked", "a plan added since", "inputs not recorded",
    "an index file damaged", "a suggester file missing", "checksums not listed",
    "an index manifest damaged", "the graph's dump damaged", "the graph's store gone"])
def test_any_change_means_a_build(home, change):
    model = MODEL
    if change == "no graph":
        shutil.rmtree(home / "graph")
    elif change == "no index":
        (home / "index" / "manifest.json").unlink()
    elif change == "no suggesters":
        shutil.rmtree(home / "suggest")
    elif change == "index of another graph":
        _edit_manifest(home / "index" / "manifest.json", graph_checksum="0" * 64)
    elif change == "suggesters of another model":
        _edit_manifest(home / "suggest" / "manifest.json", model="another")
    elif change == "another model asked":
        model = "another"
    elif change == "a plan added since":
        (home / "plans").mkdir()
        (home / "plans" / "registry.json").write_text('{"format": 1, "plans": []}\n')
    elif change == "inputs not recorded":
        _edit_manifest(home / "graph" / "graph.json", inputs="")
    elif change == "an index file damaged":  # same size, one byte changed
        part = home / "index" / "part.bin"
        part.write_bytes(b"X" + part.read_bytes()[1:])
    elif change == "a suggester file missing":
        (home / "suggest" / "part.bin").unlink()
    elif change == "checksums not listed":
        _edit_manifest(home / "suggest" / "manifest.json", checksums={})
    elif change == "an index manifest damaged":
        (home / "index" / "manifest.json").write_text('{"graph_checksum": ')
    elif change == "the graph's dump damaged":
        dump = home / "graph" / "graph.nt"
        dump.write_bytes(dump.read_bytes()[:-2])
    else:  # the store's own files gone, its dump and manifest kept
        for path in (home / "graph").iterdir():
            if path.name not in ("graph.nt", "graph.json"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert up_to_date(home, model) is None


def test_build_inputs_depend_on_model_and_registry(home):
    base = build_inputs(home, MODEL)
    assert build_inputs(home, MODEL) == base
    assert build_inputs(home, "another") != base
    assert build_inputs(home, MODEL, registry=b"x") != base
    assert build_inputs(home, MODEL, registry=b"") == base  # no registry file reads as empty


def test_the_code_a_build_reads_is_every_python_file_named_by_its_path():
    from kg.build import _python_files
    kg_dir = Path(__import__("kg").__file__).parent
    expected = {f"kg/{p.relative_to(kg_dir).as_posix()}" for p in kg_dir.rglob("*.py")
                if not any(part.startswith(("_", ".")) for part in p.relative_to(kg_dir).parts[:-1])}
    found = [name for name, _ in _python_files("kg")]
    assert len(found) == len(set(found)) and set(found) == expected
    assert {"kg/build.py", "kg/store/base.py", "kg/parsers/ntu.py"} <= expected


def test_read_manifest_names_a_missing_or_damaged_graph(tmp_path):
    from kg.store import StoreDamaged, StoreMissing
    with pytest.raises(StoreMissing) as missing:
        read_manifest(tmp_path)
    assert str(missing.value) == f"no graph in {tmp_path / 'graph'}: run `tckg build` first"
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "graph.json").write_text("{", encoding="utf-8")
    with pytest.raises(StoreDamaged) as damaged:
        read_manifest(tmp_path)
    assert str(damaged.value) == (
        f"{tmp_path / 'graph' / 'graph.json'} is damaged (JSONDecodeError: Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)): run `tckg build` to rebuild it")


def test_open_store_on_disk_read_only_or_as_a_copy_in_memory(tmp_path):
    import pyoxigraph as ox

    from kg.store import StoreMissing, open_store
    with pytest.raises(StoreMissing) as missing:
        open_store(tmp_path)
    assert str(missing.value) == f"no graph in {tmp_path / 'graph'}: run `tckg build` first"
    write_store(b"<urn:a> <urn:b> <urn:c> .\n", tmp_path, {"generation": "g-1"})
    extra = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.NamedNode("urn:z"))
    copy = open_store(tmp_path, in_memory=True)
    copy.add(extra)  # a copy of its own: the store on disk is not touched
    assert len(copy) == 2 and len(open_store(tmp_path, in_memory=True)) == 1
    on_disk = open_store(tmp_path)
    with pytest.raises(RuntimeError, match="read-write"):
        on_disk.add(extra)
    assert [str(q.subject) for q in on_disk] == ["<urn:a>"]


def test_the_query_runner_answers_from_the_home_it_is_given(tmp_path, monkeypatch):
    from kg.store import open_query_runner
    monkeypatch.setenv("TCKG_HOME", str(tmp_path / "elsewhere"))  # not the home asked for
    write_store(b"<urn:a> <urn:b> <urn:c> .\n", tmp_path, {"generation": "g-1"})
    runner = open_query_runner(tmp_path, timeout=30, max_rows=10, workers=1)
    try:
        assert runner.run("SELECT ?s WHERE { ?s ?p ?o }").body == b"?s\n<urn:a>\n"
    finally:
        runner.close()


def test_a_store_written_without_a_generation_gets_one_named_by_its_checksum(tmp_path):
    manifest = write_store(b"<urn:a> <urn:b> <urn:c> .\n", tmp_path, {})
    assert read_manifest(tmp_path)["generation"] == manifest["generation"]
    assert manifest["generation"].endswith("-" + manifest["checksum"][:12])
    assert current_generation(tmp_path) == manifest["generation"]


def test_a_build_names_its_generation_in_the_manifest_and_nothing_else(fresh_home):
    manifest = read_manifest(fresh_home)
    assert sorted(manifest) == ["actions", "checksum", "generation", "inputs", "triples"]
    assert manifest["generation"] != manifest["checksum"]


def test_a_second_write_leaves_one_graph_folder(tmp_path):
    for n in (1, 2):
        write_store(canonical_ntriples(b"<http://e.org/a> <http://e.org/p> \"%d\" .\n" % n), tmp_path, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph"]  # no graph.old, no graph.new
    assert current_ntriples(tmp_path) == b'<http://e.org/a> <http://e.org/p> "2" .\n'


def test_a_store_that_does_not_open_is_named_with_its_remedy(tmp_path):
    from kg.store import StoreDamaged, open_store

    write_store(canonical_ntriples(b"<http://e.org/a> <http://e.org/p> <http://e.org/o> .\n"), tmp_path, {})
    graph = tmp_path / "graph"
    for path in graph.iterdir():  # the store's own files gone, its dump and manifest kept
        if path.name not in ("graph.nt", "graph.json"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    with pytest.raises(StoreDamaged, match=f"^the graph store in {re.escape(str(graph))} does not "
                                           r"open \(.+\): run `tckg build` to rebuild it$"):
        open_store(tmp_path)
