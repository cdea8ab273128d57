"""The `tckg` command line: a thin front door over the library functions.

Exit codes: 0 success, 1 a negative answer (validate: does not conform),
2 a usage or input error the message explains.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api import cli_search
from kg.build import build_graph
from kg.model import SourceError
from kg.store import StoreMissing, open_store, state_home
from kg.store.guard import QueryRefused
from kg.store.query import GRAPH_FORMATS, SOLUTION_FORMATS, QuerySyntaxError, run

FORMATS = list(SOLUTION_FORMATS) + list(GRAPH_FORMATS)


class UsageError(Exception):
    """A problem with the user's input: printed, exit code 2."""


def cmd_build(args) -> int:
    from search.build import build_all, timed_load_encoder
    from search.encoder import ModelUnavailable
    from search.linking import LabelsError

    home = state_home()
    if args.graph_only:  # no model: enough for `tckg sparql`, not for search or serve
        try:
            build_graph(home)
        except SourceError as err:
            raise UsageError(f"build failed, previous graph kept: {err}") from None
        return 0
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
    return 0


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
        answer = run(open_store(), query, args.format)
    except (QueryRefused, QuerySyntaxError, StoreMissing) as err:
        raise UsageError(str(err)) from None
    sys.stdout.buffer.write(answer.body)
    if not answer.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    return 0


def cmd_validate(args) -> int:
    from kg.model import UnreadablePlan
    from kg.submission import detect_format
    from kg.validate import max_upload_bytes, render_text, validate

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    limit = max_upload_bytes()
    if path.stat().st_size > limit:
        raise UsageError(f"{path} is {path.stat().st_size:,} bytes, over the {limit:,}-byte limit "
                         "(set TCKG_MAX_UPLOAD_BYTES to change it)")
    try:
        fmt = args.format or detect_format(name=path.name)
        fields = {k: getattr(args, k) for k in ("institution", "title", "start", "end")} if fmt == "csv" else {}
        report = validate(path.read_bytes(), fmt, **fields)
    except UnreadablePlan as err:
        raise UsageError(f"{path}: {err}") from None
    if args.report_turtle:
        report.report_graph.serialize(args.report_turtle, format="turtle")
    suggestions = _pillar_suggestions(report) if report.without_pillar else []
    if args.json:
        print(json.dumps(dict(report.to_json(), suggested_pillars=suggestions), indent=2))
    else:
        print(render_text(report, suggestions))
    return 0 if report.conforms else 1


def _pillar_suggestions(report) -> list[dict]:
    """Pillars for the actions that have none, from the suggesters of the built
    graph; validation does not need a build, so without one there are none."""
    from search.assistant import Assistant
    from search.index import IndexUnusable
    from search.linking import SuggestersUnusable

    try:
        return Assistant.open(state_home()).pillars_for(report)
    except (StoreMissing, IndexUnusable, SuggestersUnusable) as err:
        print(f"no pillar suggestions: {err}", file=sys.stderr)
        return []


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
    from search.index import IndexUnusable
    from search.linking import SuggestersUnusable
    try:
        app = create_app()
    except (StoreMissing, IndexUnusable, SuggestersUnusable) as err:
        raise UsageError(str(err)) from None
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tckg", description=__doc__.splitlines()[0])
    top.add_argument("--version", action="version", version=f"%(prog)s {version()}",
                     help="print the installed version and exit")
    sub = top.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="parse data/sources and build the graph and the search "
                                         "index into $TCKG_HOME (default var/)")
    build.add_argument("--graph-only", action="store_true",
                       help="build only the graph, without the model: enough for `tckg sparql`, "
                            "not for search, suggest or serve")
    build.set_defaults(func=cmd_build)
    cli_search.add_commands(sub, UsageError)
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
