"""Running one import: validate every row, then apply all of them in one transaction, or none.

The Celery task, the portal and ``manage.py import_csv`` all run imports through :func:`run`.
"""

from collections.abc import Callable

from django.db import transaction

from imports import authorizations, topology
from imports.models import Kind
from imports.rows import FileRefused, Report

#: (phase, rows done, rows in all) -> None; phases are "validating" and "applying".
Progress = Callable[[str, int, int], None]

_FORMATS = {Kind.TOPOLOGY: topology, Kind.AUTHORIZATIONS: authorizations}


def run(*, kind: str, text: str, actor, total: int, progress: Progress, dry_run: bool = False) -> dict:
    """Import ``text`` as a ``kind`` file; return what was written, or raise FileRefused with every bad row.

    ``dry_run`` validates only. A file that changes nothing (imported before) writes nothing.
    """
    fmt = _FORMATS[Kind(kind)]
    report = Report()
    plan = fmt.validate(text, report=report, progress=lambda done: progress("validating", done, total))
    if report:
        raise FileRefused(report)
    progress("validating", total, total)
    if dry_run:
        return {"dry_run": True}
    with transaction.atomic():
        summary = fmt.apply(plan, actor=actor, progress=lambda done: progress("applying", done, total))
    progress("applying", total, total)
    return summary
