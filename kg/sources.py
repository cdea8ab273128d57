"""The source plans listed in a folder's sources.json, read by their parsers."""
from __future__ import annotations

import json
from pathlib import Path

from kg.model import Plan
from kg.parsers import leicester, manchester_met, northumbria, ntu, portsmouth

PARSERS = {
    "northumbria": northumbria.parse,
    "ntu": ntu.parse,
    "manchester_met": manchester_met.parse,
    "leicester": leicester.parse,
    "portsmouth": portsmouth.parse,
}


def load_sources(folder: Path) -> list[Plan]:
    """Every plan listed in the folder's sources.json, parsed."""
    meta = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    plans = []
    for entry in meta["sources"]:
        path = folder / entry["file"]
        lines = path.read_text(encoding="utf-8").splitlines()
        plan = Plan(
            slug=entry["slug"],
            institution=entry["institution"],
            title=entry["title"],
            source_file=entry["file"],
            period_start=entry.get("period", {}).get("start"),
            period_end=entry.get("period", {}).get("end"),
            period_wording=entry.get("period", {}).get("wording"),
        )
        plan.actions = PARSERS[entry["parser"]](lines, str(path), entry)
        plans.append(plan)
    return plans
