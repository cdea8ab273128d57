"""Benchmarks never touch the user's state: each benchmark, run for real in its
smallest mode, leaves $TCKG_HOME exactly as it found it (and writes nothing in
the folder it is started from). Some benchmarks read a built home; none writes
one: they work in temporary folders of their own."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# The smallest real run of each benchmark: every file in benchmarks/ must be here.
SMOKE = {
    "bench_graph.py": ["--sizes", "200", "--rdflib-sizes", "--runs", "1", "--no-cli-build"],
    "bench_validate.py": ["--sizes", "20", "--runs", "1", "--concurrent", "20", "--at-once", "2", "--http"],
    "bench_search.py": ["speed", "--sizes"],
    "bench_suggest.py": ["speed"],
    "bench_api.py": ["--duration", "1", "--connections", "1"],
    "bench_web.py": ["--rounds", "1"],
    "bench_publish.py": ["--actions", "5", "--plans", "2"],
    "bench_soak.py": ["--duration", "2", "--concurrency", "1"],
}
BENCHMARKS = sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py"))


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder under `folder`: size, modification time, content hash."""
    state = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_dir():
            state[key] = ("dir",)
        else:
            state[key] = (path.stat().st_size, path.stat().st_mtime_ns,
                          hashlib.sha256(path.read_bytes()).hexdigest())
    return state


def test_every_benchmark_has_a_smoke_run():
    assert [name for name in BENCHMARKS if name not in SMOKE] == []


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_leaves_the_users_state_alone(name, search_home, tmp_path):
    home, workdir = tmp_path / "user-home", tmp_path / "workdir"
    shutil.copytree(search_home, home)  # a built home, as a user has one
    workdir.mkdir()
    before = snapshot(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCKG_")}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), *SMOKE[name]],
                          cwd=workdir, env=dict(env, TCKG_HOME=str(home),
                                                # copy this built home, do not build one
                                                TCKG_BENCH_HOME_FROM=str(search_home)),
                          capture_output=True, text=True, timeout=300, check=False)
    assert snapshot(home) == before, f"{name} changed $TCKG_HOME:\n{done.stderr[-2000:]}"
    assert sorted(os.listdir(workdir)) == [], f"{name} wrote in the folder it ran from"
    if name == "bench_api.py" and not shutil.which("wrk"):
        assert "needs wrk" in done.stderr  # it stops before anything else
    else:
        assert done.returncode == 0, done.stderr[-2000:]
