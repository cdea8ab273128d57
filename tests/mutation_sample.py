"""A random sample of each module's mutants, and the mutation score it estimates.

Every mutant of kg/ takes hours on the 2-core machine; a random sample of each
module's mutants (stratified: the same share of every module, at least a few of
each) gives the score of the whole with a stated margin, as mutant sampling is
used in the literature (Wong and Mathur; Zhang et al., "Operator-based and random
mutant selection"). The sample is fixed by its seed and share, so the run and its
score name the same mutants:

    python tests/mutation_sample.py pick  --share 0.15 --seed 2026 kg.   # names, for mutmut run
    python tests/mutation_sample.py score --share 0.15 --seed 2026 kg.   # the estimate

A module whose every mutant has a result counts exactly; others by their sample.
Equivalent mutants (tests/mutants-equivalent.txt) are left out as in
tests/mutation_scores.py, and a mutant that timed out counts as detected.
"""
from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

from mutation_scores import STATUS, equivalent

ROOT = Path(__file__).resolve().parents[1]


def mutants(prefixes: list[str]) -> dict[str, dict[str, int | None]]:
    """Per source file, its mutants' names and exit codes (None: not run)."""
    found: dict[str, dict[str, int | None]] = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = {name: code for name, code in json.load(meta.open())["exit_code_by_key"].items()
                 if name.startswith(tuple(prefixes))}
        if codes:
            found[str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")] = codes
    return found


def pick(names: list[str], share: float, seed: int, least: int) -> list[str]:
    """The module's sample: the same share of every module, at least `least`."""
    count = min(len(names), max(least, round(share * len(names))))
    return sorted(random.Random(f"{seed}:{min(names)}").sample(sorted(names), count))


def tally(codes: dict[str, int | None], names: list[str]) -> tuple[int, int, int]:
    """(judged, detected, not run) among the names; equivalent ones not judged."""
    same = equivalent()
    judged = detected = missing = 0
    for name in names:
        if codes[name] is None:
            missing += 1
        elif name not in same:
            judged += 1
            detected += STATUS.get(codes[name]) in ("killed", "timeout")
    return judged, detected, missing


def estimate(found, share: float, seed: int, least: int) -> tuple[list[str], float, float]:
    """Rows per module, then the scope's score and its 95% margin: each module
    weighted by its mutants, a sampled one with its sampling variance (finite
    population corrected); a module run whole adds no variance. A module with no
    judged mutant yet is left out of the weights (and said so), not counted as 100%."""
    rows, parts = [], []
    for module, codes in found.items():
        whole = all(code is not None for code in codes.values())
        names = sorted(codes) if whole else pick(list(codes), share, seed, least)
        judged, detected, missing = tally(codes, names)
        how = "all" if whole else f"sample of {len(names)}" + (f", {missing} not run" if missing else "")
        rate = detected / judged if judged else None
        rows.append(f"| `{module}` | {len(codes)} | {how} | {detected}/{judged} | "
                    + ("no result |" if rate is None else f"{100 * rate:.0f}% |"))
        if rate is not None:
            spread = 0.0 if whole or judged < 2 else \
                rate * (1 - rate) / (judged - 1) * (1 - len(names) / len(codes))
            parts.append((len(codes), rate, spread))
    total = sum(size for size, _, _ in parts)
    mean = sum(size * rate for size, rate, _ in parts) / total
    variance = sum((size / total) ** 2 * spread for size, _, spread in parts)
    return rows, mean, 1.96 * math.sqrt(variance)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("pick", "score"))
    parser.add_argument("prefixes", nargs="+", help="mutant-name prefixes, e.g. kg. or kg.rdf")
    parser.add_argument("--share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--least", type=int, default=10, help="fewest mutants sampled per module")
    args = parser.parse_args()
    found = mutants(args.prefixes)
    if args.command == "pick":
        for codes in found.values():
            for name in pick(list(codes), args.share, args.seed, args.least):
                if codes[name] is None:
                    print(name)
        return
    rows, mean, margin = estimate(found, args.share, args.seed, args.least)
    print("| module | mutants | run | detected / judged | score |\n|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nestimated score of {', '.join(args.prefixes)}: {100 * mean:.1f}% ± {100 * margin:.1f} "
          f"(95%; share {args.share}, seed {args.seed})")


if __name__ == "__main__":
    main()
