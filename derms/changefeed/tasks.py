"""The change feed's housekeeping, run by Celery beat."""

from celery import shared_task

from derms import changefeed


@shared_task
def prune_changes() -> int:
    """Drop consumed changes past their retention (hourly): the feed stays small however busy the grid."""
    return changefeed.prune()
