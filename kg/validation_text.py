"""The validation report for a person: results grouped by the action they point
at, a summary line, pillar hints and what peers do where the plan is silent.
The API's form and `tckg validate` print this; the JSON report is kg/validate.py's."""
from __future__ import annotations

from kg.validate import Report, Result


def grouped_results(report: Report) -> list[tuple[str, list[Result]]]:
    """The results by where they point, in the report's order: an action (and its
    CSV row), a row with no action id, or the plan itself."""
    groups: dict[str, list[Result]] = {}
    for result in report.results:
        if result.action_id is not None:
            where = f"Action {result.action_id}" + (f" (row {result.row})" if result.row else "")
        else:
            where = "The plan" if result.row is None else f"Row {result.row}"
        groups.setdefault(where, []).append(result)
    return list(groups.items())


def render_text(report: Report, suggested_pillars: list[dict] | None = None,
                exemplars: dict | None = None) -> str:
    """The report for a person: a summary line, then problems grouped by action.
    `suggested_pillars` ([{"focus", "pillars": [{"label", "score"}]}], best
    first) adds a hint to each action that has no pillar; `exemplars`
    (search/exemplars.py) what peers do where the plan is silent."""
    suggested = {s["focus"]: ", ".join(f"{p['label']} ({p['score']:.2f})" for p in s["pillars"][:2])
                 for s in suggested_pillars or []}
    verdict = "conforms" if report.conforms else "does not conform"
    lines = [f"The plan {verdict}: {report.violations} violation(s), {report.warnings} warning(s)."]
    groups = grouped_results(report)
    hints = {where: suggested[r.focus] for where, results in groups for r in results
             if r.focus in suggested}
    for where, results in groups:
        lines.append(f"\n{where}:")
        for r in results:
            mark = "error  " if r.severity == "Violation" else "warning"
            value = f" [given: {_short(r.value)}]" if r.value and r.path not in (None, "actions") else ""
            lines.append(f"  {mark} {r.path or '-'}: {r.message}{value}")
        if where in hints:
            lines.append(f"  hint    pillars: suggested from the action's text: {hints[where]}")
    missing = report.not_addressed
    lines.append("\nNot addressed: pillars: " + (", ".join(missing["pillars"]) or "none")
                 + "; TALENT recommendations: " + (", ".join(missing["recommendations"]) or "none") + ".")
    lines.extend(_exemplar_lines(exemplars or {}))
    return "\n".join(lines)


def _exemplar_lines(exemplars: dict) -> list[str]:
    groups = ([(f"{r['code']} {r['label']}", r["actions"]) for r in exemplars.get("recommendations", [])]
              + [(f"{p['label']} pillar", p["actions"]) for p in exemplars.get("pillars", [])])
    if not any(actions for _, actions in groups):
        return []
    lines = ["\nWhat other institutions do where this plan is silent:"]
    for title, actions in groups:
        if actions:
            lines.append(f"  {title}:")
            lines.extend(f"    {a['id']} ({a['institution']}, {a['link']}"
                         + (f" {a['score']:.2f}" if a["score"] is not None else "")
                         + f"): {_short(a['text'])}" for a in actions)
    return lines


def _short(value: str) -> str:
    value = value.rsplit("/", 1)[-1] if value.startswith("https://w3id.org/tckg/id/") else value
    return value if len(value) <= 60 else value[:57] + "..."
