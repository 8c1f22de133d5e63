"""The Django admin for the CSIP domain: a superuser's tool, every change audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group as StaffGroup
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from derms.admin.audited import AuditedModelAdmin, ViewOnlyMixin
from derms.admin.search import LFDISearchMixin
from derms.lfdi import format_sfdi
from derms.models import AuditEntry, Authorization, DERProgram, EndDevice
from derms.services import audit, authorizations
from groups.models import Group, Level
from groups.selectors import end_devices_in
from groups.services import check_assignment


class GroupFilter(admin.SimpleListFilter):
    """DERs in a group's subtree, or in a non-topology group; lists the upper levels to stay short."""

    title = "group"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        groups = Group.objects.filter(Q(level__lte=Level.FEEDER) | Q(level=Level.NON_TOPOLOGY)).order_by(
            "path"
        )
        return [(g.pk, f"{'— ' * (g.depth - 1) if g.is_topology else ''}{g}") for g in groups]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        group = Group.objects.filter(pk=self.value()).first()
        return queryset.filter(pk__in=end_devices_in(group).values("pk")) if group else queryset.none()


class ProgramFilter(admin.SimpleListFilter):
    """DERs that receive a DERProgram, i.e. belong to the program's group."""

    title = "DER program"
    parameter_name = "program"

    def lookups(self, request, model_admin):
        programs = DERProgram.objects.select_related("group").filter(
            Q(group__level__lte=Level.FEEDER) | Q(group__level=Level.NON_TOPOLOGY)
        )
        return [(p.pk, str(p)) for p in programs]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        program = DERProgram.objects.select_related("group").filter(pk=self.value()).first()
        return (
            queryset.filter(pk__in=end_devices_in(program.group).values("pk")) if program else queryset.none()
        )


class GroupMembershipForm(forms.ModelForm):
    """Checks the group choices of an EndDevice or an authorization entry against the 15-group limit."""

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned and "non_topology_groups" in cleaned:
            check_assignment(
                end_device=EndDevice(role=cleaned["role"]),
                topology_group=cleaned.get("topology_group"),
                non_topology_groups=cleaned["non_topology_groups"],
            )
        return cleaned


class NonTopologyGroupsMixin:
    filter_horizontal = ("non_topology_groups",)
    autocomplete_fields = ("topology_group",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "non_topology_groups":
            kwargs["queryset"] = Group.objects.filter(level=Level.NON_TOPOLOGY)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.display(description="SFDI", ordering="sfdi")
def _sfdi(obj) -> str:
    return format_sfdi(obj.sfdi)


@admin.register(EndDevice)
class EndDeviceAdmin(LFDISearchMixin, NonTopologyGroupsMixin, AuditedModelAdmin):
    form = GroupMembershipForm
    list_display = ("lfdi", _sfdi, "role", "aggregator", "topology_group", "enabled", "changed_time")
    list_filter = (
        "role",
        "enabled",
        ("aggregator", admin.RelatedOnlyFieldListFilter),
        GroupFilter,
        ProgramFilter,
    )
    list_select_related = ("aggregator", "topology_group")
    # changedTime is the server's record of the last change, so the save sets it (2030.5 EndDevice).
    readonly_fields = ("sfdi_display", "changed_time", "registered_at")
    fields = (
        "lfdi",
        "sfdi_display",
        "role",
        "aggregator",
        "topology_group",
        "non_topology_groups",
        "enabled",
        "changed_time",
        "device_category",
        "post_rate",
        "pin",
        "registered_at",
    )

    @admin.display(description="SFDI")
    def sfdi_display(self, obj) -> str:
        return format_sfdi(obj.sfdi) if obj.pk else "—"

    def get_readonly_fields(self, request, obj=None):
        # The LFDI names the certificate; a different certificate is a different EndDevice.
        return (*self.readonly_fields, "lfdi") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Clients reading the EndDeviceList with ``a`` find the EndDevices changed since then by it.
        obj.changed_time = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Authorization)
class AuthorizationAdmin(LFDISearchMixin, NonTopologyGroupsMixin, AuditedModelAdmin):
    form = GroupMembershipForm
    list_display = (
        "lfdi",
        _sfdi,
        "status",
        "role",
        "aggregator",
        "registration_mode",
        "topology_group",
        "last_seen",
        "decided_by",
    )
    list_filter = ("status", "role", "registration_mode", ("aggregator", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("aggregator", "topology_group", "decided_by")
    # Decisions go through the actions, which also create or disable the EndDevice.
    readonly_fields = ("status", "first_seen", "last_seen", "decided_by", "decided_at")
    actions = ("approve", "revoke", "reject")

    @admin.action(description="Approve selected entries", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, authorizations.approve, "approved")

    @admin.action(description="Revoke selected approvals", permissions=["change"])
    def revoke(self, request, queryset):
        self._decide(request, queryset, authorizations.revoke, "revoked")

    @admin.action(description="Reject selected pending or seen entries", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, authorizations.reject, "rejected")

    def _decide(self, request, queryset, decision, verb: str) -> None:
        done = 0
        for entry in queryset:
            try:
                decision(actor=request.user, authorization=entry)
            except ValidationError as exc:
                self.message_user(request, f"{entry.lfdi}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} entr{'y' if done == 1 else 'ies'} {verb}.", messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The trail is written by the application only: nobody adds, edits or deletes an entry."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "actor_name")
    date_hierarchy = "at"


admin.site.unregister(User)
admin.site.unregister(StaffGroup)


@admin.register(User)
class AuditedUserAdmin(AuditedModelAdmin, UserAdmin):
    """Staff accounts are operator changes too; a password change is recorded without the password."""

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit.record(actor=request.user, action="change_password", obj=self.get_object(request, id))
        return response


@admin.register(StaffGroup)
class AuditedStaffGroupAdmin(AuditedModelAdmin, GroupAdmin):
    pass


admin.site.site_header = "derms administration"
admin.site.site_title = "derms"
admin.site.site_url = "/"
