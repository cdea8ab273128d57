"""The six defects of issue #17, each put into a copy of the project in turn, and
the tests that touch that code run against it: a defect is caught when they fail.

The copy is whole (code, ontology, data, tests) and comes first on PYTHONPATH, so
library code, the app and the `tckg` processes the tests start all run the
changed code; kg/_ontology and kg/_data point at the copy's folders, so the
shapes too are read from the copy, not from this work tree.

Run: `python tests/inject_defects.py [--only TEXT]`. Prints each defect with the
tests that failed against it; exit 1 when one is not caught. Slow (each defect's
tests build their own session graph and index): outside CI, like `make mutants`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("kg", "search", "api", "tests", "benchmarks", "ontology", "data", "docs",
          "README.md", "pyproject.toml", "setup.py")


@dataclass(frozen=True)
class Defect:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


DEFECTS = (
    Defect("sh:minInclusive 0 removed from the suggested-link score shape",
           "ontology/shapes/violations.ttl", "sh:minInclusive 0 ; sh:maxInclusive 1 ;",
           "sh:maxInclusive 1 ;", ("tests/test_shapes.py",)),
    Defect("the plan-period check's > becomes >=",
           "ontology/shapes/violations.ttl", "FILTER (SUBSTR(?s, 1, ?n) > SUBSTR(?e, 1, ?n))",
           "FILTER (SUBSTR(?s, 1, ?n) >= SUBSTR(?e, 1, ?n))", ("tests/test_shapes.py",)),
    Defect("the NTU parser takes the first milestone date, not the last",
           "kg/parsers/ntu.py", "Deadline(max(dates, key=month_end), timescale)",
           "Deadline(dates[0], timescale)", ("tests/test_golden.py", "tests/test_sources.py")),
    Defect("the hybrid search's BM25 share 0.25 becomes 0.5",
           "search/ranking.py", "LEXICAL_WEIGHT = 0.25", "LEXICAL_WEIGHT = 0.5",
           ("tests/test_ranking.py", "tests/test_search.py")),
    Defect("the due_to filter's <= becomes <",
           "search/filters.py", "d.due_by <= filters.due_to.isoformat()",
           "d.due_by < filters.due_to.isoformat()",
           ("tests/test_filter_rules.py", "tests/test_filters.py")),
    Defect("the SERVICE check loses its case-insensitive flag",
           "kg/store/guard.py",
           'if re.search(_KEYWORD.format("SERVICE"), bare, flags=re.IGNORECASE):',
           'if re.search(_KEYWORD.format("SERVICE"), bare):',
           # The CLI's forms too: `tckg sparql` keeps the query time limit, so with
           # the check gone it stops at the test's 3 s limit on the listener that
           # never answers, instead of waiting without end.
           ("tests/test_guard.py",
            "tests/test_read_only.py::test_service_in_any_case_is_refused_over_http",
            "tests/test_read_only.py::test_service_in_any_case_is_refused_by_the_cli")),
)


def make_copy(where: Path) -> Path:
    copy = where / "tckg"
    copy.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, copy / name)
    # The resource packages, as the wheel lays them out, so the copy's own are read.
    (copy / "kg" / "_ontology").symlink_to(copy / "ontology")
    (copy / "kg" / "_data").symlink_to(copy / "data")
    return copy


def inject(copy: Path, defect: Defect) -> str:
    """Applies the defect; returns the file's original text to restore."""
    path = copy / defect.file
    text = path.read_text(encoding="utf-8")
    if text.count(defect.old) != 1:
        raise SystemExit(f"{defect.name}: {defect.old!r} is not in {defect.file} exactly once")
    path.write_text(text.replace(defect.old, defect.new), encoding="utf-8")
    return text


def failing_tests(copy: Path, tests: tuple[str, ...]) -> tuple[int, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(copy))
    env.pop("TCKG_HOME", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
                           *tests], cwd=copy, env=env, capture_output=True, text=True,
                          check=False)
    failed = re.findall(r"^FAILED (\S+)", done.stdout, flags=re.MULTILINE)
    return done.returncode, failed


def check_copy_is_read(copy: Path) -> None:
    """The copy's code and shapes, not this tree's, are what the tests see."""
    env = dict(os.environ, PYTHONPATH=str(copy))
    probe = "import kg, kg.resources as r; print(kg.__file__); print(r.SHAPES)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=copy, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert all(line.startswith(str(copy)) for line in out.split()), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run the defects whose name holds TEXT")
    args = parser.parse_args(argv)
    missed = 0
    with tempfile.TemporaryDirectory(prefix="tckg-defects-") as where:
        copy = make_copy(Path(where))
        check_copy_is_read(copy)
        for defect in DEFECTS:
            if args.only not in defect.name:
                continue
            original = inject(copy, defect)
            try:
                code, failed = failing_tests(copy, defect.tests)
            finally:
                (copy / defect.file).write_text(original, encoding="utf-8")
            caught = code != 0 and bool(failed)
            missed += not caught
            print(f"{'caught' if caught else 'MISSED'}: {defect.name}", flush=True)
            for test in failed:
                print(f"    {test}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
