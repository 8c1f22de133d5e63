"""What 2030.5 clients send, for operators to look at: reports, log events, alarms, meter readings and
event responses, plus the outbox of program changes. All read-only: only the clients write these.

These tables grow with every DER (readings by far the most), so no page counts a whole table
(``show_full_result_count``), filters list only small sets (aggregators, choices), and a meter reading
shows its latest readings only.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join

from derms.admin.audited import ViewOnlyMixin
from derms.admin.search import LFDISearchMixin
from derms.models import (
    AlarmState,
    Change,
    DERAvailability,
    DERCapability,
    DERSettings,
    DERStatus,
    EndDevice,
    LogEvent,
    MirrorMeterReading,
    MirrorUsagePoint,
    Response,
    Role,
)

#: How many readings a MirrorMeterReading page shows, newest first.
LATEST_READINGS = 50


class AggregatorFilter(admin.SimpleListFilter):
    """Data of the DERs an aggregator acts for; aggregators are few, so the choice list stays short."""

    title = "aggregator"
    parameter_name = "aggregator"
    end_device_path = "end_device"

    def lookups(self, request, model_admin):
        return [(a.pk, a.lfdi) for a in EndDevice.objects.filter(role=Role.AGGREGATOR).order_by("lfdi")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(**{f"{self.end_device_path}__aggregator_id": self.value()})


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Viewing only; nobody adds, edits or deletes what a client reported."""

    show_full_result_count = False
    list_per_page = 50


class ClientDataAdmin(LFDISearchMixin, ReadOnlyAdmin):
    """Something one DER (``end_device``) reported: found by the DER's LFDI or SFDI."""

    lfdi_field = "end_device__lfdi"
    list_select_related = ("end_device",)


@admin.register(DERCapability)
class DERCapabilityAdmin(ClientDataAdmin):
    list_display = ("end_device", "der_type", "modes_supported", "received_at")
    list_filter = ("der_type", AggregatorFilter)


@admin.register(DERSettings)
class DERSettingsAdmin(ClientDataAdmin):
    list_display = ("end_device", "modes_enabled", "updated_time", "received_at")
    list_filter = (AggregatorFilter,)


@admin.register(DERAvailability)
class DERAvailabilityAdmin(ClientDataAdmin):
    list_display = ("end_device", "reading_time", "received_at")
    list_filter = (AggregatorFilter,)


@admin.register(DERStatus)
class DERStatusAdmin(ClientDataAdmin):
    list_display = (
        "end_device",
        "reading_time",
        "gen_connect_status",
        "inverter_status",
        "operational_mode_status",
        "state_of_charge_status",
        "alarm_status",
    )
    list_filter = ("inverter_status", "operational_mode_status", AggregatorFilter)
    date_hierarchy = "reading_time"


@admin.register(LogEvent)
class LogEventAdmin(ClientDataAdmin):
    list_display = (
        "end_device",
        "created_date_time",
        "function_set",
        "log_event_code",
        "log_event_id",
        "details",
        "received_at",
    )
    list_filter = ("function_set", AggregatorFilter)
    date_hierarchy = "created_date_time"


@admin.register(AlarmState)
class AlarmStateAdmin(ClientDataAdmin):
    list_display = ("end_device", "alarm", "active", "changed_at")
    list_filter = ("active", "alarm", AggregatorFilter)


@admin.register(MirrorUsagePoint)
class MirrorUsagePointAdmin(ClientDataAdmin):
    list_display = ("mrid", "description", "end_device", "client", "role_flags", "status", "created_at")
    list_filter = ("status", "service_category_kind", AggregatorFilter)
    list_select_related = ("end_device", "client")


class UsagePointAggregatorFilter(AggregatorFilter):
    end_device_path = "usage_point__end_device"


@admin.register(MirrorMeterReading)
class MirrorMeterReadingAdmin(LFDISearchMixin, ReadOnlyAdmin):
    lfdi_field = "usage_point__end_device__lfdi"
    list_display = ("mrid", "description", "usage_point", "uom", "kind", "last_update_time")
    list_filter = ("uom", "kind", UsagePointAggregatorFilter)
    list_select_related = ("usage_point", "usage_point__end_device")
    readonly_fields = ("latest_readings",)

    @admin.display(description=f"latest {LATEST_READINGS} readings")
    def latest_readings(self, obj) -> str:
        readings = latest_readings(obj)
        if not readings:
            return "None yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((r.start, r.duration, r.value, r.quality_flags) for r in readings),
        )
        return format_html(
            "<table><thead><tr><th>start</th><th>duration (s)</th><th>value</th><th>quality flags</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )


def latest_readings(meter_reading: MirrorMeterReading) -> QuerySet:
    """The newest readings of one meter reading, read backwards along its (meter reading, start) key."""
    return meter_reading.readings.order_by("-start")[:LATEST_READINGS]


@admin.register(Response)
class ResponseAdmin(ClientDataAdmin):
    list_display = ("control", "end_device", "status", "reported_at", "is_latest", "client")
    list_filter = ("status", "is_latest", AggregatorFilter)
    list_select_related = ("control", "end_device", "client")
    date_hierarchy = "reported_at"


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    """The change feed: which resource reached which version through what, and whether it was fanned out."""

    list_display = (
        "recorded_at",
        "resource",
        "object_id",
        "version",
        "action",
        "effective_at",
        "consumed_at",
    )
    list_filter = ("resource", "action")
    search_fields = ("action",)
    date_hierarchy = "recorded_at"
