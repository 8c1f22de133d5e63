"""Request and response shapes of the staff JSON API; the rules live in derms.events.services."""

import datetime as dt

from rest_framework import serializers

from derms.events.lifecycle import status_at
from derms.events.services import NOW
from derms.events.values import control_values
from derms.models import DERControl

#: The longest window one timeline request may ask for.
MAX_TIMELINE_WINDOW = dt.timedelta(days=31)


class StartField(serializers.DateTimeField):
    """A date-time with its zone, or "now"."""

    def to_internal_value(self, value):
        return NOW if value == NOW else super().to_internal_value(value)


class ControlCreateSerializer(serializers.Serializer):
    start = StartField()
    duration = serializers.IntegerField(help_text="Seconds.")
    values = serializers.DictField(help_text="Controls keyed by 2030.5 element name, e.g. opModMaxLimW.")
    randomize_start = serializers.IntegerField(required=False, allow_null=True, default=None)
    randomize_duration = serializers.IntegerField(required=False, allow_null=True, default=None)
    response_required = serializers.IntegerField(required=False, default=0)
    device_category = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ControlCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TimelineQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "The window must end after it starts."})
        if attrs["end"] - attrs["start"] > MAX_TIMELINE_WINDOW:
            raise serializers.ValidationError(
                {"end": f"At most {MAX_TIMELINE_WINDOW.days} days per request."}
            )
        return attrs


class SegmentSerializer(serializers.Serializer):
    control = serializers.CharField()
    value = serializers.JSONField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    program = serializers.CharField()
    event = serializers.CharField(allow_null=True)
    source = serializers.CharField()


def control_data(control: DERControl, *, now: dt.datetime) -> dict:
    """A DERControl as the API shows it, with its EventStatus at ``now``."""
    status = status_at(control, now)
    return {
        "mrid": control.mrid,
        "program": control.program.mrid,
        "description": control.description,
        "creation_time": control.creation_time,
        "start": control.start,
        "duration": control.duration,
        "randomize_start": control.randomize_start,
        "randomize_duration": control.randomize_duration,
        "response_required": control.response_required,
        "device_category": control.device_category,
        "status": status.current_status.label,
        "status_time": status.date_time,
        #: Past its effective scheduled period: gone from what clients read (lifecycle.status_at).
        "over": status.is_over,
        "potentially_superseded": status.potentially_superseded,
        "reason": status.reason,
        "values": control_values(control),
    }
