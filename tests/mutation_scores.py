"""The mutation scores per module, from mutmut's results in mutants/ and the
equivalent mutants listed in tests/mutants-equivalent.txt, as the Markdown
table docs/testing.md holds.

Run after `make mutants` (or scoped runs): `python tests/mutation_scores.py`.
Score = (killed + timeout) / (run - equivalent): a mutant whose tests hang until
mutmut's CPU-time limit (an endless loop) is detected, as PIT counts it. "Run"
counts mutants with a result; one no test in the selection reaches ("no tests")
counts as run and not detected.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
COLUMNS = ("mutants", "run", "killed", "equivalent", "survived", "timeout", "no tests")


def listed(path: Path = ROOT / "tests" / "mutants-equivalent.txt") -> dict[str, str]:
    """mutmut's mutants in the file, name -> the reason given."""
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("mutmut\t"))
    return {name: reason for _, name, reason in rows}


def equivalent() -> set[str]:
    """The mutants judged equivalent. Those listed as "not equivalent, ..." (a
    default no test can wait for, a branch no caller reaches) are explained but
    still count as survivors."""
    return {name for name, why in listed().items() if not why.startswith("not equivalent")}


def tally(mutants: Path = ROOT / "mutants") -> dict[str, Counter]:
    """Per source file: how many mutants, run, killed, ... (equivalent counted
    apart from killed and survived)."""
    same = equivalent()
    counts: dict[str, Counter] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = str(meta.relative_to(mutants)).removesuffix(".meta")
        count = counts.setdefault(module, Counter())
        for name, code in json.load(meta.open())["exit_code_by_key"].items():
            count["mutants"] += 1
            if code is None:
                continue
            count["run"] += 1
            status = "equivalent" if name in same else STATUS.get(code, "suspicious")
            count[status] += 1
    return counts


def score(count: Counter) -> str:
    judged, detected = count["run"] - count["equivalent"], count["killed"] + count["timeout"]
    return f"{100 * detected // judged}% ({detected}/{judged})" if judged else "-"


def table(counts: dict[str, Counter]) -> str:
    rows = ["| module | " + " | ".join(COLUMNS) + " | score |",
            "|---" * (len(COLUMNS) + 2) + "|"]
    for module, count in counts.items():
        if count["mutants"]:
            rows.append(f"| `{module}` | " + " | ".join(str(count[c]) for c in COLUMNS)
                        + f" | {score(count)} |")
    for label, prefix in (("`kg/` in all", "kg/"), ("the whole scope", "")):
        total = sum((c for m, c in counts.items() if m.startswith(prefix)), Counter())
        rows.append(f"| **{label}** | " + " | ".join(str(total[c]) for c in COLUMNS)
                    + f" | {score(total)} |")
    return "\n".join(rows)


def survivors(counts_for: str = "") -> list[str]:
    """The names of surviving mutants not listed in tests/mutants-equivalent.txt."""
    same, found = set(listed()), []
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        for name, code in json.load(meta.open())["exit_code_by_key"].items():
            if code == 0 and name not in same and name.startswith(counts_for):
                found.append(name)
    return found


def unrun(prefix: str = "") -> list[str]:
    """The names of mutants with no result yet: a run naming mutants runs them
    again even when they have one, so this is how to go on where a run stopped."""
    return [name for meta in sorted((ROOT / "mutants").rglob("*.py.meta"))
            for name, code in json.load(meta.open())["exit_code_by_key"].items()
            if code is None and name.startswith(prefix)]


if __name__ == "__main__":
    if sys.argv[1:2] in (["--survivors"], ["--unrun"]):
        found = survivors if sys.argv[1] == "--survivors" else unrun
        print("\n".join(found(sys.argv[2] if len(sys.argv) > 2 else "")))
    else:
        print(table(tally()))
