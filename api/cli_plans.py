"""`tckg add`, `tckg plans`, `tckg remove`: front doors over search.publish and kg.plans.

Exit codes as `tckg validate`: add gives 0 published, 1 refused (the report says
why; nothing changed), 2 unreadable input or no built state.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from kg.store import StoreMissing, state_home


def _state_errors():
    from search.encoder import ModelUnavailable
    from search.index import IndexUnusable
    from search.linking import SuggestersUnusable

    return (StoreMissing, IndexUnusable, SuggestersUnusable, ModelUnavailable)


def read_plan_file(args, usage_error) -> tuple[bytes, str, dict]:
    """The file's bytes, its format and (CSV) its plan fields, checked as `tckg validate` does."""
    from kg.model import UnreadablePlan
    from kg.submission import detect_format
    from kg.validate import max_upload_bytes

    path = Path(args.file)
    if not path.is_file():
        raise usage_error(f"no such file: {path}")
    limit = max_upload_bytes()
    if path.stat().st_size > limit:
        raise usage_error(f"{path} is {path.stat().st_size:,} bytes, over the {limit:,}-byte limit "
                          "(set TCKG_MAX_UPLOAD_BYTES to change it)")
    try:
        fmt = args.format or detect_format(name=path.name)
    except UnreadablePlan as err:
        raise usage_error(f"{path}: {err}") from None
    fields = {k: getattr(args, k) for k in ("institution", "title", "start", "end")} if fmt == "csv" else {}
    return path.read_bytes(), fmt, fields


def cmd_add(args, usage_error) -> int:
    from api.cli import print_report, report_extras
    from kg.model import UnreadablePlan
    from search.publish import Publisher

    data, fmt, fields = read_plan_file(args, usage_error)
    try:
        outcome = Publisher(state_home()).add(data, fmt, fields)
    except UnreadablePlan as err:
        raise usage_error(f"{args.file}: {err}; nothing changed") from None
    except _state_errors() as err:
        raise usage_error(f"nothing changed: {err}") from None
    if not outcome.report.conforms:
        print_report(outcome.report, args.json)
        print("tckg add: the plan does not conform; nothing changed", file=sys.stderr)
        return 1
    entry = outcome.entry
    summary = {"plan": outcome.iri, "id": entry.id, "version": entry.version,
               "actions": entry.actions, "seconds": round(outcome.seconds, 2),
               "replaced": outcome.replaced.version if outcome.replaced else None}
    if args.json:
        _, exemplars = report_extras(outcome.report)
        print(json.dumps(dict(summary, report=outcome.report.to_json(), peer_exemplars=exemplars),
                         indent=2))
        return 0
    print_report(outcome.report, False)
    replaced = f", replacing version {outcome.replaced.version}" if outcome.replaced else ""
    print(f"published {outcome.iri} (plan {entry.id}, version {entry.version}{replaced}): "
          f"{entry.actions} actions in {outcome.seconds:.2f} s")
    return 0


def cmd_plans(args, usage_error) -> int:
    from kg.plans import read_registry

    entries = read_registry(state_home())
    shown = entries if args.all else [e for e in entries if e.status == "published"]
    if args.json:
        print(json.dumps([e.to_json() for e in shown], indent=2))
        return 0
    if not shown:
        print("no added plans" + ("" if args.all else " published (--all lists replaced and removed ones)"))
        return 0
    for e in shown:
        print(f"{e.id}  v{e.version}  {e.status}  {e.institution}  \"{e.title}\"  "
              f"{e.period}  {e.actions} actions  from plans/{e.file} ({e.format}, added {e.added})")
    return 0


def cmd_remove(args, usage_error) -> int:
    from kg.plans import UnknownPlan
    from search.publish import Publisher

    pid = args.plan.rstrip("/").removesuffix("/plan").rsplit("/", 1)[-1]  # an id or the plan's IRI
    try:
        entry = Publisher(state_home()).remove(pid)
    except UnknownPlan as err:
        raise usage_error(str(err)) from None
    except _state_errors() as err:
        raise usage_error(f"nothing changed: {err}") from None
    print(f"removed {entry.id} (version {entry.version}, {entry.actions} actions); its file stays "
          f"in plans/{entry.file}: add it again to restore it")
    return 0


def add_commands(sub, usage_error) -> None:
    def bind(func):
        return lambda args: func(args, usage_error)

    add = sub.add_parser("add", help="validate a plan, then publish it into the graph, the search "
                                     "index and the suggested links; exit 0 published, 1 does not "
                                     "conform (nothing changed), 2 unreadable")
    add.add_argument("file", help="the plan: .ttl, .jsonld or .csv (see data/templates/)")
    add.add_argument("--format", choices=["turtle", "json-ld", "csv"], help="force the input format")
    add.add_argument("--json", action="store_true", help="print the outcome (or the report) as JSON")
    add.add_argument("--institution", help="CSV only (required there): the publishing institution's name")
    add.add_argument("--title", help="CSV only: the plan's title")
    add.add_argument("--start", help="CSV only: the plan's first month, YYYY-MM")
    add.add_argument("--end", help="CSV only: the plan's last month, YYYY-MM")
    add.set_defaults(func=bind(cmd_add))
    listing = sub.add_parser("plans", help="list the plans added to $TCKG_HOME/plans")
    listing.add_argument("--all", action="store_true", help="also replaced and removed versions")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=bind(cmd_plans))
    remove = sub.add_parser("remove", help="take an added plan out of the graph (its file is "
                                           "kept, marked removed; add it again to restore it)")
    remove.add_argument("plan", help="the plan's id (see `tckg plans`) or its IRI")
    remove.set_defaults(func=bind(cmd_remove))
