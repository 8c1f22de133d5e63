"""What 2030.5 clients sent, read-only: readings, DER status history, alarms and event responses.

Every list filters by the DER's LFDI and a time window, newest first, cursor-paginated.
"""

from django_filters import rest_framework as filters
from rest_framework import serializers

from api.base import StaffListView
from derms.models import AlarmState, DERStatus, LogEvent, Reading, Response


class _ByDevice(serializers.ModelSerializer):
    end_device = serializers.SlugRelatedField(slug_field="lfdi", read_only=True)


class ReadingSerializer(_ByDevice):
    meter_reading = serializers.CharField(source="meter_reading.mrid", read_only=True)
    uom = serializers.IntegerField(source="meter_reading.uom", read_only=True, allow_null=True)
    power_of_ten_multiplier = serializers.IntegerField(
        source="meter_reading.power_of_ten_multiplier", read_only=True, allow_null=True
    )

    class Meta:
        model = Reading
        fields = (
            "id",
            "end_device",
            "meter_reading",
            "uom",
            "power_of_ten_multiplier",
            "start",
            "duration",
            "value",
            "quality_flags",
            "local_id",
            "tou_tier",
            "consumption_block",
            "received_at",
        )


class DERStatusSerializer(_ByDevice):
    class Meta:
        model = DERStatus
        fields = (
            "id",
            "end_device",
            "reading_time",
            "operational_mode_status",
            "inverter_status",
            "gen_connect_status",
            "alarm_status",
            "state_of_charge_status",
            "values",
            "received_at",
        )


class AlarmSerializer(_ByDevice):
    alarm_name = serializers.CharField(source="get_alarm_display", read_only=True)

    class Meta:
        model = AlarmState
        fields = ("id", "end_device", "alarm", "alarm_name", "active", "changed_at")


class LogEventSerializer(_ByDevice):
    class Meta:
        model = LogEvent
        fields = (
            "id",
            "end_device",
            "created_date_time",
            "function_set",
            "log_event_code",
            "log_event_id",
            "log_event_pen",
            "profile_id",
            "details",
            "extended_data",
            "received_at",
        )


class ResponseSerializer(_ByDevice):
    control = serializers.SlugRelatedField(slug_field="mrid", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True, allow_null=True)

    class Meta:
        model = Response
        fields = (
            "id",
            "end_device",
            "control",
            "status",
            "status_name",
            "created_date_time",
            "reported_at",
            "received_at",
            "is_latest",
        )


def _window_filter(model, time_field: str, extra: tuple[str, ...] = ()):
    """A FilterSet by the DER's LFDI and a [since, until) window on ``time_field``."""
    attrs = {
        "end_device": filters.CharFilter(field_name="end_device__lfdi", label="The DER's LFDI"),
        "since": filters.IsoDateTimeFilter(field_name=time_field, lookup_expr="gte"),
        "until": filters.IsoDateTimeFilter(field_name=time_field, lookup_expr="lt"),
        "Meta": type("Meta", (), {"model": model, "fields": ("end_device", "since", "until", *extra)}),
    }
    return type(f"{model.__name__}Filter", (filters.FilterSet,), attrs)


def _read_only_list(
    model, serializer, *, time_field: str, permission: str, extra=(), related=("end_device",)
):
    class ListView(StaffListView):
        read_permissions = (permission,)
        serializer_class = serializer
        filterset_class = _window_filter(model, time_field, extra)
        queryset = model.objects.select_related(*related)

    ListView.__name__ = ListView.__qualname__ = f"{model.__name__}List"
    ListView.__doc__ = f"{model._meta.verbose_name_plural.capitalize()}, newest first."
    return ListView


ReadingList = _read_only_list(
    Reading,
    ReadingSerializer,
    time_field="start",
    permission="derms.view_mirrormeterreading",
    related=("end_device", "meter_reading"),
)
DERStatusList = _read_only_list(
    DERStatus, DERStatusSerializer, time_field="reading_time", permission="derms.view_derstatus"
)
AlarmList = _read_only_list(
    AlarmState,
    AlarmSerializer,
    time_field="changed_at",
    permission="derms.view_alarmstate",
    extra=("active",),
)
LogEventList = _read_only_list(
    LogEvent, LogEventSerializer, time_field="created_date_time", permission="derms.view_logevent"
)
ResponseList = _read_only_list(
    Response,
    ResponseSerializer,
    time_field="received_at",
    permission="derms.view_response",
    extra=("status",),
    related=("end_device", "control"),
)
