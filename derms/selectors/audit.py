"""The audit trail as staff search it: by who, what action, which kind of object, and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from derms.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_entries(criteria: AuditFilter) -> QuerySet[AuditEntry]:
    """Newest first; each criterion left empty matches everything."""
    entries = AuditEntry.objects.order_by("-at", "-id")
    if criteria.actor:
        entries = entries.filter(actor_name__icontains=criteria.actor)
    if criteria.action:
        entries = entries.filter(action=criteria.action)
    if criteria.object_type:
        entries = entries.filter(object_type=criteria.object_type)
    if criteria.since:
        entries = entries.filter(at__date__gte=criteria.since)
    if criteria.until:
        entries = entries.filter(at__date__lte=criteria.until)
    return entries


def choices() -> tuple[list[str], list[str]]:
    """The actions and object types the trail holds, for the filter's menus."""
    actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    types = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    return list(actions), list(types)


def changed_fields(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """(field, before, after) for each field the change touched; every field for a create or delete."""
    before, after = entry.before or {}, entry.after or {}
    names = sorted(set(before) | set(after))
    both = entry.before is not None and entry.after is not None
    return [
        (name, before.get(name), after.get(name))
        for name in names
        if not both or before.get(name) != after.get(name)
    ]
