"""The `tckg` command line: a thin front door over the library functions.

Exit codes: 0 success, 1 a negative answer (validate: does not conform),
2 a usage or input error the message explains.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from pathlib import Path

from api import cli_plans, cli_search
from kg.build import build_graph, progress
from kg.model import SourceError
from kg.store import StoreMissing, open_store, state_home
from kg.store.guard import QueryRefused
from kg.store.pool import pool_settings
from kg.store.query import GRAPH_FORMATS, SOLUTION_FORMATS, QuerySyntaxError, run

FORMATS = list(SOLUTION_FORMATS) + list(GRAPH_FORMATS)


class UsageError(Exception):
    """A problem with the user's input: printed, exit code 2."""


def cmd_build(args) -> int:
    from kg.build import up_to_date
    from kg.plans import lock
    from kg.publish import recover
    from search.encoder import model_name

    home = state_home()
    with lock(home):  # one writer at a time: an add waits for the build, and the other way
        recover(home)
        if args.graph_only:  # no model: enough for `tckg sparql`, not for search or serve
            _build_graph_only(home)
            return 0
        if not args.force and (why := up_to_date(home, model_name())):
            progress(f"nothing to build: {why} (--force rebuilds)")
            return 0
        _build(home)
    return 0


def _build_graph_only(home: Path) -> None:
    try:
        build_graph(home)
    except SourceError as err:
        raise UsageError(f"build failed, previous graph kept: {err}") from None


def _build(home: Path) -> None:
    from search.build import build_all, timed_load_encoder
    from search.encoder import ModelUnavailable
    from search.linking import LabelsError

    try:
        encoder, missing = timed_load_encoder(), None
    except ModelUnavailable as err:  # the graph alone is still worth building
        encoder, missing = None, err
    try:
        if encoder is None:
            build_graph(home)
        else:
            build_all(home, encoder)
    except (SourceError, LabelsError) as err:
        raise UsageError(f"build failed, previous graph kept: {err}") from None
    if missing:
        raise UsageError(f"graph built, but not its suggested links or the search index: {missing}")


def read_query(text: str) -> str:
    path = Path(text)
    if text.endswith((".rq", ".sparql")) or (len(text) < 4096 and "\n" not in text and path.is_file()):
        if not path.is_file():
            raise UsageError(f"no query file {text}")
        return path.read_text(encoding="utf-8")
    return text


def cmd_sparql(args) -> int:
    query = read_query(args.query)
    try:
        answer = run_isolated(query, args.format)
    except (QueryRefused, QuerySyntaxError, StoreMissing) as err:
        raise UsageError(str(err)) from None
    sys.stdout.buffer.write(answer.body)
    if not answer.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    return 0


_ERRORS = {e.__name__: e for e in (QueryRefused, QuerySyntaxError, StoreMissing)}


def run_isolated(query: str, fmt: str | None):
    """Run the query in a forked child: pyoxigraph 0.5.13 can abort the whole
    process (a Rust panic in ORDER BY, docs/limits.md), which no Python code
    can catch. The child's death becomes one line and exit 2."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_answer_in_child, args=(send, query, fmt), daemon=True)
    child.start()
    send.close()
    # The HTTP side's time limit: a running Oxigraph query cannot be interrupted,
    # so a query past it (or one waiting on a server that never answers) is killed.
    limit = pool_settings()["timeout"]
    if not receive.poll(limit):  # a crash ends the wait too (EOF), read below
        child.kill()
        child.join()
        raise UsageError(f"the query ran past the {limit:g} s time limit (TCKG_QUERY_TIMEOUT) "
                         "and was stopped; narrow it (filters, LIMIT) and try again")
    try:
        kind, payload = receive.recv()
    except EOFError:
        child.join()
        raise UsageError(f"the query engine crashed on this query (exit status {child.exitcode}); "
                         "see docs/limits.md, known limits") from None
    child.join()
    if kind == "ok":
        return payload
    if kind in _ERRORS:
        raise _ERRORS[kind](payload)
    raise UsageError(f"the query failed: {payload}")


def _answer_in_child(send, query: str, fmt: str | None) -> None:
    # Rust's panic message and backtrace would land on the user's terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        send.send(("ok", run(open_store(), query, fmt)))
    except Exception as err:  # noqa: BLE001 - the process boundary: report it to the parent
        kind = next((name for name, known in _ERRORS.items() if isinstance(err, known)), "other")
        send.send((kind, str(err) if kind != "other" else f"{type(err).__name__}: {err}"))


def cmd_validate(args) -> int:
    from kg.model import UnreadablePlan
    from kg.validate import validate

    data, fmt, fields = cli_plans.read_plan_file(args, UsageError)
    try:
        report = validate(data, fmt, **fields)
    except UnreadablePlan as err:
        raise UsageError(f"{args.file}: {err}") from None
    if args.report_turtle:
        report.report_graph.serialize(args.report_turtle, format="turtle")
    print_report(report, args.json)
    return 0 if report.conforms else 1


def print_report(report, as_json: bool) -> None:
    """The validation report with its pillar hints and peer exemplars, readable or as JSON."""
    from kg.validation_text import render_text

    suggestions, exemplars = report_extras(report)
    if as_json:
        print(json.dumps(dict(report.to_json(), suggested_pillars=suggestions,
                              peer_exemplars=exemplars), indent=2))
    else:
        print(render_text(report, suggestions, exemplars))


def report_extras(report) -> tuple[list[dict], dict]:
    """Pillar hints for actions without one, and peer exemplars, from the built state."""
    assistant = _assistant()
    if assistant is None:
        return [], {}
    return (assistant.pillars_for(report) if report.without_pillar else [],
            assistant.exemplars_for(report))


def _assistant():
    """The built state's assistant, for pillar hints and peer exemplars;
    validation does not need a build, so without one there are none."""
    from kg.store.base import StoreUnavailable
    from search.assistant import Assistant
    from search.index import IndexUnusable
    from search.linking import SuggestersUnusable

    try:
        return Assistant.open(state_home())
    except (StoreMissing, StoreUnavailable, IndexUnusable, SuggestersUnusable) as err:
        print(f"no pillar suggestions or peer exemplars: {err}", file=sys.stderr)
        return None


def cmd_template(args) -> int:
    from kg.resources import EXAMPLE_CSV, TEMPLATE_CSV

    text = (EXAMPLE_CSV if args.example else TEMPLATE_CSV).read_text(encoding="utf-8")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("tckg")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def cmd_serve(args) -> int:
    import uvicorn

    from api.app import create_app
    from kg.store.base import StoreUnavailable
    from search.index import IndexUnusable
    from search.linking import SuggestersUnusable
    try:
        app = create_app()
    except (StoreMissing, StoreUnavailable, IndexUnusable, SuggestersUnusable) as err:
        raise UsageError(str(err)) from None
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tckg", description=__doc__.splitlines()[0])
    top.add_argument("--version", action="version", version=f"%(prog)s {version()}",
                     help="print the installed version and exit")
    sub = top.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="parse data/sources and the plans added to "
                                         "$TCKG_HOME/plans, and build the graph and the search "
                                         "index into $TCKG_HOME (default var/)")
    build.add_argument("--graph-only", action="store_true",
                       help="build only the graph, without the model: enough for `tckg sparql`, "
                            "not for search, suggest or serve")
    build.add_argument("--force", action="store_true",
                       help="rebuild even when no source, added plan, ontology file or model changed")
    build.set_defaults(func=cmd_build)
    cli_search.add_commands(sub, UsageError)
    cli_plans.add_commands(sub, UsageError)
    sparql = sub.add_parser("sparql", help="run a read-only SPARQL query on the graph")
    sparql.add_argument("query", help="the query text, or a .rq file holding it")
    sparql.add_argument("--format", choices=FORMATS, default=None,
                        help="result format (default: json for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE)")
    sparql.set_defaults(func=cmd_sparql)
    check = sub.add_parser("validate", help="SHACL-validate a submitted plan (Turtle, JSON-LD or the CSV template); "
                                            "exit 0 conforms, 1 does not, 2 unreadable")
    check.add_argument("file", help="the plan: .ttl, .jsonld or .csv (`tckg template` prints the CSV template)")
    check.add_argument("--format", choices=["turtle", "json-ld", "csv"], help="force the input format")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--report-turtle", metavar="OUT", help="also write SHACL's sh:ValidationReport graph to OUT")
    check.add_argument("--institution", help="CSV only (required there): the publishing institution's name")
    check.add_argument("--title", help="CSV only: the plan's title")
    check.add_argument("--start", help="CSV only: the plan's first month, YYYY-MM")
    check.add_argument("--end", help="CSV only: the plan's last month, YYYY-MM")
    check.set_defaults(func=cmd_validate)
    template = sub.add_parser("template", help="print the blank CSV plan template (or, with "
                                               "--example, a filled example) for `tckg validate`")
    template.add_argument("--example", action="store_true", help="the filled example instead of the blank template")
    template.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    template.set_defaults(func=cmd_template)
    serve = sub.add_parser("serve", help="serve the HTTP API (SPARQL endpoint) over the built graph")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.set_defaults(func=cmd_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"tckg {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
