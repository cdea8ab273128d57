"""tckg as a user installs it: the wheel (built once, from the sdist), installed alone into
a fresh virtual environment outside the checkout, run from a folder outside the checkout.

The environment borrows the project's installed dependencies through a .pth line, but
not its editable install: the checkout is on no import path, so a file still read from
the source tree fails here instead of being found quietly."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest

from kg.store import read_manifest
from kg.validate import validate
from tests.conftest import ROOT
from tests.test_api_server import free_port, wait_until_up

COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"
PLAN = {"institution": "University of Example", "title": "Example plan"}
PLAN_OPTIONS = ("--institution", PLAN["institution"], "--title", PLAN["title"])
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def tracked(*folders: str) -> list[str]:
    """The work tree's files (under the folders), less what git ignores."""
    done = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--",
                           *folders], cwd=ROOT, capture_output=True, text=True, check=True)
    return [line for line in done.stdout.splitlines() if (ROOT / line).is_file()]


class Installed:
    """A virtual environment holding only the wheel, and a working folder beside it."""

    def __init__(self, base: Path, wheel: Path):
        self.venv, self.work, self.home = base / "venv", base / "work", base / "home"
        self.work.mkdir()
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)], check=True)
        self.python = self.venv / "bin" / "python"
        self.site = Path(subprocess.run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True).stdout.strip())
        # The dependencies, not the checkout: a .pth line adds a folder to sys.path but
        # does not run that folder's own .pth files (the editable install's finder).
        (self.site / "tckg-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        subprocess.run([sys.executable, "-m", "pip", "--python", str(self.python), "install",
                        "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TCKG_"))}
        return {**env, "TCKG_HOME": str(self.home), **extra}

    def tckg(self, *args: str, **extra) -> subprocess.CompletedProcess:
        return subprocess.run([self.venv / "bin" / "tckg", *args], cwd=self.work, env=self.env(**extra),
                              capture_output=True, text=True, timeout=180, check=False)

    def python_json(self, code: str, **extra):
        done = subprocess.run([self.python, "-c", code], cwd=self.work, env=self.env(**extra),
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel built from it, as `python -m build` makes them (offline:
    the build backend is the one installed here)."""
    out, tree = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("tree")
    # From a copy of the work tree less what git ignores: a checkout's leftover
    # *.egg-info/SOURCES.txt would otherwise add files the configuration left out.
    for name in tracked():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tree / name)
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(tree)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    return dist / f"tckg-{VERSION}-py3-none-any.whl"


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Installed:
    return Installed(tmp_path_factory.mktemp("installed"), wheel)


def test_the_wheel_holds_the_code_and_every_resource_once(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    files = [n for n in names if ".dist-info/" not in n]
    expected = ([p for p in tracked("kg", "search", "api")]
                + [p.replace("ontology/", "kg/_ontology/", 1) for p in tracked("ontology")]
                + [p.replace("data/", "kg/_data/", 1) for p in tracked("data")])
    assert sorted(files) == sorted(expected)
    assert "kg/_ontology/shapes/violations.ttl" in files and "kg/_data/sources/sources.json" in files


def test_the_sdist_holds_the_top_level_folders_as_the_repository_has_them(dist):
    with tarfile.open(dist / f"tckg-{VERSION}.tar.gz") as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    missing = [p for p in tracked("ontology", "data", "kg", "search", "api") if p not in names]
    assert missing == []
    assert not [n for n in names if n.endswith(".pyc") or n.startswith("tests/")]


def test_the_installed_copy_runs_and_the_checkout_is_not_on_the_path(installed):
    seen = installed.python_json(
        "import json, sys, kg, search, api, kg._ontology, kg._data\n"
        "print(json.dumps({'files': [m.__file__ for m in (kg, search, api, kg._ontology, kg._data)],"
        " 'path': sys.path, 'finders': [repr(f) for f in sys.meta_path]}))")
    assert all(Path(f).is_relative_to(installed.site) for f in seen["files"]), seen["files"]
    # The one folder inside the checkout on the path is the project's virtual
    # environment, for the dependencies; its editable-install finder is not loaded.
    venv = Path(sys.prefix).resolve()
    assert [p for p in seen["path"] if p and Path(p).resolve().is_relative_to(ROOT)] == [
        sysconfig.get_paths()["purelib"]]
    assert Path(sysconfig.get_paths()["purelib"]).resolve().is_relative_to(venv)
    assert not [f for f in seen["finders"] if "editable" in f.lower()]


def test_every_resource_the_code_names_is_in_the_installed_package(installed):
    """The resources module's names (folders and files) and its listing, read from the
    installed copy: the listing is exactly the repository's ontology/ and data/."""
    seen = installed.python_json(
        "import json\nfrom importlib.resources.abc import Traversable\nfrom kg import resources as r\n"
        "named = {k: (v.is_dir(), v.is_file()) for k, v in vars(r).items() if isinstance(v, Traversable) and not isinstance(v, type)}\n"
        "print(json.dumps({'named': named, 'shipped': [n for n, _ in r.shipped()],"
        " 'root': str(r.ONTOLOGY)}))")
    assert Path(seen["root"]).is_relative_to(installed.site)
    assert {k for k, (is_dir, is_file) in seen["named"].items() if not (is_dir or is_file)} == set()
    assert {"ONTOLOGY", "DATA", "SHAPES", "QUERIES", "SOURCES", "TEMPLATES", "CONTEXT",
            "TALENT_LABELS", "TEMPLATE_CSV", "EXAMPLE_CSV"} <= set(seen["named"])
    assert seen["shipped"] == sorted(
        [p for p in tracked("ontology") if not p.endswith("__init__.py")],
        key=lambda p: p.split("/")) + sorted(
        [p for p in tracked("data") if not p.endswith("__init__.py")], key=lambda p: p.split("/"))


def test_version(installed):
    done = installed.tckg("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"tckg {VERSION}\n", "")


def test_template_gives_the_shipped_blank_template_and_example(installed):
    blank = installed.tckg("template")
    assert blank.returncode == 0
    assert blank.stdout == (ROOT / "data/templates/plan-template.csv").read_text(encoding="utf-8")
    done = installed.tckg("template", "--example", "-o", "plan.csv")
    assert (done.returncode, done.stdout) == (0, "")
    assert (installed.work / "plan.csv").read_bytes() == (ROOT / "data/templates/plan-example.csv").read_bytes()


def test_validate_the_shipped_example_from_another_folder(installed):
    installed.tckg("template", "--example", "-o", "example.csv")
    done = installed.tckg("validate", "example.csv", *PLAN_OPTIONS, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    reference = validate((ROOT / "data/templates/plan-example.csv").read_bytes(), "csv", **PLAN)
    assert {k: report[k] for k in reference.to_json()} == reference.to_json()
    assert report["conforms"] is True
    # The other side of the edge: a pillar outside the scheme is a violation.
    (installed.work / "bad.csv").write_text(
        (installed.work / "example.csv").read_text(encoding="utf-8").replace("Visibility", "Fame", 1),
        encoding="utf-8")
    bad = installed.tckg("validate", "bad.csv", *PLAN_OPTIONS, "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["violations"] >= 1


def test_graph_build_from_the_shipped_sources_equals_the_checkouts_then_sparql(installed, built_home):
    done = installed.tckg("build", "--graph-only")
    assert done.returncode == 0, done.stderr
    assert "graph: 3934 triples, 172 actions" in done.stderr
    # The same sources and ontology read from the package give the very same graph
    # (its checksum; the generation names when each build ran, so it differs).
    def graph(home):
        return {k: v for k, v in read_manifest(home).items() if k != "generation"}

    assert graph(installed.home) == graph(built_home)
    answer = installed.tckg("sparql", COUNT)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["results"]["bindings"][0]["n"]["value"] == "172"
    (installed.work / "balance.rq").write_text(
        (ROOT / "ontology/queries/pillar-balance.rq").read_text(encoding="utf-8"), encoding="utf-8")
    balance = installed.tckg("sparql", "balance.rq", "--format", "csv")
    assert "University of Leicester,Visibility,11" in balance.stdout.splitlines()


def test_from_a_zipped_install(installed, tmp_path):
    """importlib.resources reads the package from a zip archive as well (zipimport)."""
    archive = tmp_path / "tckg.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for top in ("kg", "search", "api"):
            for path in sorted((installed.site / top).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    out.write(path, path.relative_to(installed.site).as_posix())
    run = "import sys; from api.cli import main; sys.exit(main())"
    env = installed.env(PYTHONPATH=str(archive), TCKG_HOME=str(tmp_path / "home"))
    seen = subprocess.run([installed.python, "-c", "import kg.resources as r; print(r.ONTOLOGY)"],
                          cwd=installed.work, env=env, capture_output=True, text=True, check=True)
    assert seen.stdout.startswith(str(archive))
    example = tmp_path / "example.csv"
    subprocess.run([installed.python, "-c", run, "template", "--example", "-o", str(example)],
                   cwd=installed.work, env=env, check=True)
    checked = subprocess.run([installed.python, "-c", run, "validate", str(example),
                              *PLAN_OPTIONS], cwd=installed.work, env=env,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    built = subprocess.run([installed.python, "-c", run, "build", "--graph-only"],
                           cwd=installed.work, env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert "graph: 3934 triples, 172 actions" in built.stderr


def test_search_and_serve_from_the_installed_copy(installed, search_home):
    """Over a full build's state (the session's, to spare a second model run)."""
    found = installed.tckg("search", "fair attribution policy", "--limit", "3", "--json",
                           TCKG_HOME=str(search_home))
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) == 3
    port = free_port()
    server = subprocess.Popen([installed.venv / "bin" / "tckg", "serve", "--port", str(port)],
                              cwd=installed.work, env=installed.env(TCKG_HOME=str(search_home)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        queries = httpx.get(f"{base}/sparql", headers={"Accept": "text/html"}, timeout=30)
        assert queries.status_code == 200 and "pillar-balance.rq" in queries.text
        count = httpx.get(f"{base}/sparql", params={"query": COUNT},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert count.json()["results"]["bindings"][0]["n"]["value"] == "172"
        checked = httpx.post(f"{base}/validate", params=PLAN,
                             content=(ROOT / "data/templates/plan-example.csv").read_bytes(),
                             headers={"Content-Type": "text/csv"}, timeout=60)
        assert checked.status_code == 200 and checked.json()["conforms"] is True
    finally:
        server.terminate()
        server.wait(timeout=20)


