"""The audit trail's one writer: who did what to which object, with the object before and after."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from derms.models import AuditEntry

#: Never copied into the trail, whatever the model.
_SECRET_FIELDS = frozenset({"password"})


def snapshot(obj: models.Model) -> dict:
    """The object's stored fields and many-to-many ids, as plain JSON values."""
    data = {
        field.attname: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.attname not in _SECRET_FIELDS
    }
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(related.pk for related in field.value_from_object(obj))
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Write one AuditEntry inside the transaction that makes the change.

    ``actor`` is the operator, or None for the system or a 2030.5 client, named by ``actor_name``.
    """
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else actor_name,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )


def record_change(
    *, actor, action: str, obj: models.Model, before: dict | None, actor_name: str = ""
) -> AuditEntry:
    """Write one AuditEntry for ``obj`` as it is now, after a change from ``before``."""
    return record(
        actor=actor, actor_name=actor_name, action=action, obj=obj, before=before, after=snapshot(obj)
    )
