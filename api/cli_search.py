"""`tckg search` and `tckg similar`: front doors over search.engine."""
from __future__ import annotations

import argparse
import json
import shutil
from datetime import date
from pathlib import Path

from kg.store import StoreMissing, state_home
from kg.suggested import LINKS, THRESHOLD

# The search modules import sentence-transformers (seconds); they are imported
# when a search command runs, so `tckg sparql` and `tckg validate` stay fast.


def _errors():
    from search.encoder import ModelUnavailable
    from search.engine import QueryRejected, UnknownAction
    from search.filters import FilterError
    from search.index import IndexUnusable
    from search.linking import SuggestersUnusable

    return (QueryRejected, UnknownAction, FilterError, IndexUnusable, ModelUnavailable,
            SuggestersUnusable, StoreMissing)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-07-31") from None


def _filters(args):
    from search.filters import Filters

    return Filters(institution=args.institution, pillar=args.pillar,
                   recommendation=args.recommendation, links=args.links,
                   min_score=args.min_score, owner_type=args.owner_type,
                   due_from=args.due_from, due_to=args.due_to)


def print_results(results: list[dict]) -> None:
    """One line each: rank, score, institution, local id, the text cut to the terminal."""
    if not results:
        print("no matching actions")
        return
    width = shutil.get_terminal_size((120, 20)).columns
    for rank, hit in enumerate(results, 1):
        head = f"{rank:>3}  {hit['score']:.3f}  {hit['institution']}  {hit['local_id']}  "
        room = max(20, width - len(head))
        text = hit["text"] if len(hit["text"]) <= room else hit["text"][:room - 1] + "…"
        print(head + text)


def _inputs(text: str | None, file: str | None, what: str, usage_error) -> list[str]:
    """The one TEXT, or the non-blank lines of FILE."""
    if file:
        path = Path(file)
        if not path.is_file():
            raise usage_error(f"no such file: {path}")
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        if not any(lines):
            raise usage_error(f"{path} holds no {what} (one per line)")
        return [line for line in lines if line]
    if text:
        return [text]
    raise usage_error(f"give a TEXT or --{what} FILE")


def emit(results, as_json: bool) -> None:
    if as_json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print_results(results)


def cmd_search(args, usage_error) -> int:
    from search.engine import search

    try:
        queries = _inputs(args.text, args.queries, "queries", usage_error)
        filters = _filters(args)
        answers = {q: search(q, args.limit, filters, state_home()) for q in queries}
    except _errors() as err:
        raise usage_error(str(err)) from None
    if not args.queries:
        emit(answers[queries[0]], args.json)
    elif args.json:
        print(json.dumps(answers, indent=2, ensure_ascii=False))
    else:
        for query, results in answers.items():
            print(f"# {query}")
            print_results(results)
    return 0


def cmd_similar(args, usage_error) -> int:
    from search.engine import similar

    try:
        results = similar(args.action, args.limit, args.same_institution, state_home())
    except _errors() as err:
        raise usage_error(str(err)) from None
    emit(results, args.json)
    return 0


def cmd_suggest(args, usage_error) -> int:
    from search.assistant import Assistant
    from search.engine import check_query

    try:
        texts = _inputs(args.text, args.texts, "texts", usage_error)
        for text in texts:
            check_query(text)  # refuse bad input before anything loads
        assistant = Assistant.open(state_home())
        answers = [assistant.suggest(text, args.limit) for text in texts]
    except _errors() as err:
        raise usage_error(str(err)) from None
    if args.json:
        print(json.dumps(answers if args.texts else answers[0], indent=2, ensure_ascii=False))
        return 0
    for text, answer in zip(texts, answers):
        print(f"# {text}")
        print("pillars: " + ", ".join(f"{p['label']} {p['score']:.2f}" for p in answer["pillars"]))
        print("recommendations: " + "; ".join(f"{r['code']} {r['label']} {r['score']:.2f}"
                                              for r in answer["recommendations"]))
        print_results(answer["similar"])
    return 0


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a score between 0 and 1")
    return value


def _limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("the limit must be between 1 and 1000")
    return value


def add_commands(sub, usage_error) -> None:
    search = sub.add_parser("search", help="semantic (hybrid dense + BM25) search over actions")
    search.add_argument("text", nargs="?", help="what to look for, in plain words")
    search.add_argument("--queries", metavar="FILE",
                        help="one query per line; prints a JSON object query -> results")
    search.add_argument("--limit", type=_limit, default=10, help="results to return (default 10)")
    search.add_argument("--institution", help="only this institution's actions (name or slug)")
    search.add_argument("--pillar", help="only actions under this pillar (e.g. Recognition)")
    search.add_argument("--recommendation",
                        help="only actions linked to this TALENT code (e.g. R5, E3; asserted "
                             "links, and E-codes count for the R-codes the crosswalk maps them to)")
    search.add_argument("--links", choices=LINKS, default=None,
                        help="with --recommendation: the links the institution states (default), "
                             "the machine's suggested links, or any")
    search.add_argument("--min-score", type=_score, default=None,
                        help=f"least score of a suggested link (default {THRESHOLD})")
    search.add_argument("--owner-type", help="only actions owned by this stakeholder type "
                                             "(e.g. 'Human resources')")
    search.add_argument("--due-from", type=_date, help="only actions due on or after this date")
    search.add_argument("--due-to", type=_date, help="only actions due on or before this date")
    search.add_argument("--json", action="store_true", help="print a JSON array, best first")
    search.set_defaults(func=lambda args: cmd_search(args, usage_error))
    similar = sub.add_parser("similar", help="the actions most like one action, other "
                                             "institutions' first")
    similar.add_argument("action", help="the action's IRI, or its short id (e.g. northumbria:16)")
    similar.add_argument("--limit", type=_limit, default=10, help="results to return (default 10)")
    similar.add_argument("--same-institution", action="store_true",
                         help="also return actions of the action's own plan")
    similar.add_argument("--json", action="store_true", help="print a JSON array, best first")
    similar.set_defaults(func=lambda args: cmd_similar(args, usage_error))
    suggest = sub.add_parser("suggest", help="for a draft action: suggested pillars and TALENT "
                                             "recommendations, and similar actions elsewhere")
    suggest.add_argument("text", nargs="?", help="the draft action's text")
    suggest.add_argument("--texts", metavar="FILE",
                         help="one draft per line; prints a JSON array in the same order")
    suggest.add_argument("--limit", type=_limit, default=5,
                         help="similar actions to return (default 5)")
    suggest.add_argument("--json", action="store_true",
                         help='print {"pillars", "recommendations", "similar"} as JSON')
    suggest.set_defaults(func=lambda args: cmd_suggest(args, usage_error))
