"""SHACL validations in worker processes, one per core.

Reading a plan into rdflib and decoding the report are Python work that holds
the GIL, so validations run on threads queue behind each other: two at once
took twice as long as one. Worker processes (spawned, each with the shapes
loaded once) run them side by side on every core.

The report graph stays in the worker unless asked for: pickling it back cost
more than half a second for a 2,000-action plan.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from rdflib import Graph

from kg.validate import Report, shapes_graph, validate


def _warm() -> None:
    shapes_graph()


def _validate(data: bytes, fmt: str, with_graph: bool, fields: dict) -> Report:
    report = validate(data, fmt, **fields)
    if not with_graph:
        report.report_graph = Graph()
    return report


def default_workers() -> int:
    """$TCKG_VALIDATION_WORKERS, default one per core."""
    return int(os.environ.get("TCKG_VALIDATION_WORKERS") or os.cpu_count() or 1)


class ValidationPool:
    """`validate` in `workers` processes; `validate` blocks the calling thread."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)

    def validate(self, data: bytes, fmt: str, *, with_graph: bool = False, **fields) -> Report:
        """As kg.validate.validate (same errors), run in a worker. The report's
        `report_graph` is empty unless `with_graph`."""
        return self._executor.submit(_validate, data, fmt, with_graph, fields).result()

    def close(self) -> None:
        self._executor.shutdown(cancel_futures=True)
