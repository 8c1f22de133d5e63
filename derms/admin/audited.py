"""The admin base class that audits every change an operator makes through it and records it in the
change feed, so a superuser's edit reaches 2030.5 clients like any other."""

from django.contrib import admin
from django.db import transaction

from derms import changefeed
from derms.changefeed import affected
from derms.services import audit


class AuditedModelAdmin(admin.ModelAdmin):
    """Records create, change and delete with before/after snapshots, many-to-many fields included.

    The entry is written after the related objects are saved, so the "after" snapshot shows the
    many-to-many fields and inlines as they were stored. Override ``audit_snapshot`` to add more.
    """

    def audit_snapshot(self, obj) -> dict:
        return audit.snapshot(obj)

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        form.audit_before = self.audit_snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        # Both sides: an EndDevice moved to another aggregator leaves one list and joins another.
        changefeed.record("changed" if change else "created", affected.objects([stored, obj]))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit.record(
            actor=request.user,
            action="change" if change else "create",
            obj=form.instance,
            before=getattr(form, "audit_before", None),
            after=self.audit_snapshot(form.instance),
        )

    def delete_model(self, request, obj):
        before, pk = self.audit_snapshot(obj), obj.pk
        changefeed.record("deleted", affected.objects([obj]))
        super().delete_model(request, obj)
        obj.pk = pk
        audit.record(actor=request.user, action="delete", obj=obj, before=before)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # The admin runs actions ("Delete selected") outside a transaction: the change must not be told
        # apart from the deletion, nor a reader in between remember the old state under the new versions.
        doomed = [(obj, obj.pk, self.audit_snapshot(obj)) for obj in queryset]
        changefeed.record("deleted", affected.objects(obj for obj, _, _ in doomed))
        super().delete_queryset(request, queryset)
        for obj, pk, before in doomed:
            obj.pk = pk
            audit.record(actor=request.user, action="delete", obj=obj, before=before)


class ViewOnlyMixin:
    """For what only the application writes: staff with the view permission look, nobody edits."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
