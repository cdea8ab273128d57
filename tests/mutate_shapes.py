"""Mutation testing for the SHACL shapes, which Python mutation tools do not touch.

Each mutant removes one constraint from ontology/shapes/*.ttl, shifts one bound,
narrows or widens one digit range or quantifier of a pattern, drops one anchor,
drops one member of an sh:in list, or changes one comparison in a SPARQL
constraint. For each, the shape tests (tests/test_shapes.py, on the default
engine) run with the mutant as the shapes; a mutant is killed when they fail. Run: `python tests/mutate_shapes.py` (or `make mutants`).
Exit 1 when a mutant survives that tests/mutants-equivalent.txt does not list.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ("violations.ttl", "warnings.ttl")
EQUIVALENT = ROOT / "tests" / "mutants-equivalent.txt"
# Constraint parameters a mutant may remove.
REMOVABLE = {SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.pattern, SH["in"],
             SH.datatype, SH["or"], SH.nodeKind, SH.minInclusive, SH.maxInclusive,
             SH.minExclusive, SH.maxExclusive, SH["class"], SH.node, SH.hasValue, SH.sparql,
             SH.property, SH.targetClass, SH.targetObjectsOf}
BOUNDS = {SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.minInclusive,
          SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
OPERATORS = {" < ": (" <= ", " > "), " > ": (" >= ", " < "), " != ": (" = ",),
             " <= ": (" < ",), " >= ": (" > ",)}


@dataclass
class Mutant:
    file: str
    name: str  # stable, human-readable: "violations.ttl PeriodOrder select ' > ' -> ' >= ' #1"
    graph: Graph


def _short(node) -> str:
    if isinstance(node, URIRef):
        return node.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "_"


def _copy(graph: Graph) -> Graph:
    new = Graph()
    for prefix, ns in graph.namespaces():
        new.bind(prefix, ns)
    for triple in graph:
        new.add(triple)
    return new


def _owner(graph: Graph, node) -> str:
    """The named shape a (possibly blank) node belongs to, for the mutant's name."""
    seen = 0
    while isinstance(node, BNode) and seen < 10:
        node = next(graph.subjects(None, node), node)
        seen += 1
    return _short(node)


def _pattern_variants(pattern: str) -> Iterator[tuple[str, str]]:
    for m in re.finditer(r"\[(\d)-(\d)\]", pattern):
        low, high = int(m.group(1)), int(m.group(2))
        for a, b in ((low - 1, high), (low + 1, high), (low, high - 1), (low, high + 1)):
            if 0 <= a <= b <= 9 and (a, b) != (low, high):
                yield (f"[{low}-{high}] -> [{a}-{b}] at {m.start()}",
                       pattern[:m.start()] + f"[{a}-{b}]" + pattern[m.end():])
    for m in re.finditer(r"\{(\d+)\}", pattern):
        n = int(m.group(1))
        for k in (n - 1, n + 1):
            yield (f"{{{n}}} -> {{{k}}}", pattern[:m.start()] + f"{{{k}}}" + pattern[m.end():])
    if pattern.startswith("^"):
        yield "drop ^", pattern[1:]
    if pattern.endswith("$"):
        yield "drop $", pattern[:-1]


def _shifted(value: Literal) -> Iterator[tuple[str, Literal]]:
    number = value.toPython()
    steps = [1] if isinstance(number, int) else [Decimal(1), Decimal("0.01")]
    for step in steps:
        for shifted in (number - step, number + step):
            yield f"{number} -> {shifted}", Literal(shifted, datatype=value.datatype)


def mutants(file: str) -> Iterator[Mutant]:
    base = Graph().parse(ROOT / "ontology" / "shapes" / file, format="turtle")
    for s, p, o in sorted(base):
        where = f"{file} {_owner(base, s)}"
        if p in REMOVABLE:
            g = _copy(base)
            g.remove((s, p, o))
            yield Mutant(file, f"{where} remove {_short(p)} {_short(o) if isinstance(o, URIRef) else ''}".rstrip(), g)
        if p in BOUNDS and isinstance(o, Literal):
            for label, value in _shifted(o):
                g = _copy(base)
                g.set((s, p, value))
                yield Mutant(file, f"{where} {_short(p)} {label}", g)
        if p == SH.pattern:
            for label, value in _pattern_variants(str(o)):
                g = _copy(base)
                g.set((s, p, Literal(value)))
                yield Mutant(file, f"{where} pattern {label}", g)
        if p == SH["in"]:
            members = list(Collection(base, o))
            for member in members:
                g, head = _copy(base), BNode()
                Collection(g, head, [m for m in members if m != member])
                g.set((s, p, head))
                yield Mutant(file, f"{where} in without {_short(member)}", g)
        if p == SH.select:
            text = str(o)
            for op, replacements in OPERATORS.items():
                for i, m in enumerate(re.finditer(re.escape(op), text), start=1):
                    for new in replacements:
                        g = _copy(base)
                        g.set((s, p, Literal(text[:m.start()] + new + text[m.end():])))
                        yield Mutant(file, f"{where} select {op.strip()!r} -> {new.strip()!r} #{i}", g)


def shape_tests_pass(graph: Graph) -> bool:
    """Run the shape tests (tests/test_shapes.py, default engine) with `graph` as the
    shapes: the test functions themselves, called in this process, with the
    shapes loader pointed at the mutant."""
    import kg.validate
    from tests import test_shapes as tests

    original = kg.validate.shapes_graph
    kg.validate.shapes_graph = tests.shapes_graph = lambda: graph
    try:
        tests.test_the_valid_plan_conforms_with_no_warnings("turbo")
        for case in tests.CASES:
            tests.test_each_fault_gives_exactly_its_results(case, "turbo")
        tests.test_every_shape_has_a_non_conforming_example()
        tests.test_every_shape_is_named_documented_and_has_a_message()
    except Exception:  # noqa: BLE001 (an assertion, or an engine refusing a broken shape: killed)
        return False
    finally:
        kg.validate.shapes_graph = tests.shapes_graph = original
    return True


def _with(file: str, mutated: Graph) -> Graph:
    """Both shape files as one graph, one of them mutated."""
    graph = _copy(mutated)
    for other in SHAPES:
        if other != file:
            graph.parse(ROOT / "ontology" / "shapes" / other, format="turtle")
    return graph


def equivalent() -> dict[str, str]:
    """Mutants judged equivalent: 'name<TAB>reason' lines in tests/mutants-equivalent.txt."""
    listed = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            if line.startswith("shape\t"):
                _, name, reason = line.split("\t", 2)
                listed[name] = reason
    return listed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="run only mutants whose name contains this text")
    ap.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = ap.parse_args(argv)
    found = [m for f in SHAPES for m in mutants(f) if not args.only or args.only in m.name]
    if args.list:
        print("\n".join(m.name for m in found))
        return 0
    sys.path.insert(0, str(ROOT))
    baseline = _with(SHAPES[0], Graph().parse(ROOT / "ontology" / "shapes" / SHAPES[0]))
    if not shape_tests_pass(baseline):
        print("the shape tests fail on the unmutated shapes: fix them first", file=sys.stderr)
        return 2
    survivors, started = [], time.monotonic()
    for n, mutant in enumerate(found, start=1):
        killed = not shape_tests_pass(_with(mutant.file, mutant.graph))
        print(f"[{n}/{len(found)}] {'killed  ' if killed else 'SURVIVED'} {mutant.name}", flush=True)
        if not killed:
            survivors.append(mutant.name)
    listed = equivalent()
    unexplained = [s for s in survivors if s not in listed]
    killed = len(found) - len(survivors)
    print(f"\nshape mutants: {killed}/{len(found)} killed, {len(survivors) - len(unexplained)} "
          f"listed as equivalent, {len(unexplained)} unexplained "
          f"({time.monotonic() - started:.0f} s)")
    for name in unexplained:
        print(f"  survived: {name}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
