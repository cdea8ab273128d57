"""SHACL validations in worker processes, one per core.

Reading a plan and its report is Python work that holds the GIL, so validations
run on threads queue behind each other: two at once took twice as long as one.
Worker processes (spawned, each with the shapes parsed and compiled once) run
them side by side on every core.

The report graph (N-Triples, 4 MB for a 2,000-action plan) stays in the worker
unless asked for.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kg.validate import Report, validate, warm


def _validate(data: bytes, fmt: str, with_graph: bool, fields: dict) -> Report:
    report = validate(data, fmt, **fields)
    if not with_graph:
        report.report_ntriples = ""
    return report


def default_workers() -> int:
    """$TCKG_VALIDATION_WORKERS, default one per core."""
    return int(os.environ.get("TCKG_VALIDATION_WORKERS") or os.cpu_count() or 1)


class ValidationCrashed(RuntimeError):
    """A worker died under a validation (killed, out of memory); the pool was renewed."""


class ValidationPool:
    """`validate` in `workers` processes; `validate` blocks the calling thread."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=warm)

    def validate(self, data: bytes, fmt: str, *, with_graph: bool = False, **fields) -> Report:
        """As kg.validate.validate (same errors), run in a worker. The report's
        `report_graph` is empty unless `with_graph`. A dead worker breaks the
        whole executor for good, so it is replaced and the caller told."""
        executor = self._executor
        try:
            return executor.submit(_validate, data, fmt, with_graph, fields).result()
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:
                    self._executor = self._start()
            executor.shutdown(wait=False, cancel_futures=True)
            raise ValidationCrashed("a validation worker died; the workers have been "
                                    "replaced, so the plan can be sent again") from None

    def close(self) -> None:
        self._executor.shutdown(cancel_futures=True)
