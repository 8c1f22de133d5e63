"""The Celery task that runs an uploaded import, writing its progress where the portal reads it."""

import logging

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from imports import runner
from imports.models import ImportJob
from imports.rows import FileRefused

logger = logging.getLogger(__name__)
Status = ImportJob.Status


def enqueue(job: ImportJob) -> None:
    """Run the job once the transaction that created it commits."""
    transaction.on_commit(lambda: run_import.delay(job.pk))


@shared_task
def run_import(job_id: int) -> str:
    """Run the job unless it finished already; safe to run twice (a finished job is left alone, and
    applying a file a second time changes nothing)."""
    job = ImportJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.is_finished:
        return "skipped"

    def progress(phase: str, done: int, total: int) -> None:
        # Inside the applying transaction this is seen only at commit: the page shows "applying" till then.
        ImportJob.objects.filter(pk=job_id).update(status=phase, processed_rows=min(done, total))

    try:
        summary = runner.run(
            kind=job.kind, text=job.content, actor=job.created_by, total=job.total_rows, progress=progress
        )
    except FileRefused as refused:
        _finish(
            job_id,
            Status.REFUSED,
            errors=[e.as_dict() for e in refused.report.errors],
            count=refused.report.count,
        )
    except DatabaseError as exc:
        # Another writer changed the list between validating and applying: nothing was written.
        logger.warning("import %s failed: %s", job_id, exc)
        _finish(
            job_id,
            Status.FAILED,
            errors=[{"line": 0, "field": "", "reason": f"{exc}. Nothing was written; run it again."}],
            count=1,
        )
    else:
        _finish(job_id, Status.DONE, summary=summary)
    return ImportJob.objects.get(pk=job_id).status


def _finish(job_id: int, status: str, *, errors=(), count: int = 0, summary=None) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        errors=list(errors),
        error_count=count,
        summary=summary or {},
        finished_at=timezone.now(),
    )
