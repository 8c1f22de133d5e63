"""DER control events of a program: list, create, preview through the resolver, and cancel.

Creating and cancelling go through derms.events.services, previewing through
derms.selectors.event_preview, as on the portal's event form.
"""

import datetime as dt

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import StaffListView, StaffView, control_or_404, program_or_404
from derms.events.lifecycle import status_at
from derms.events.services import NOW, cancel_control, create_control
from derms.events.values import control_values
from derms.models import DERControl
from derms.selectors.event_preview import candidate_event, preview_event

READ = ("derms.view_dercontrol",)


class StartField(serializers.DateTimeField):
    """A date-time with its zone, or "now"."""

    def to_internal_value(self, value):
        return NOW if value == NOW else super().to_internal_value(value)


class ControlCreateSerializer(serializers.Serializer):
    start = StartField(help_text='An ISO 8601 date-time with its zone, or "now".')
    duration = serializers.IntegerField(help_text="Seconds.")
    values = serializers.DictField(help_text="Controls keyed by 2030.5 element name, e.g. opModMaxLimW.")
    randomize_start = serializers.IntegerField(required=False, allow_null=True, default=None)
    randomize_duration = serializers.IntegerField(required=False, allow_null=True, default=None)
    response_required = serializers.IntegerField(required=False, default=0)
    device_category = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ControlCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ControlSerializer(serializers.Serializer):
    """A DERControl with its EventStatus now."""

    mrid = serializers.CharField()
    program = serializers.CharField()
    description = serializers.CharField()
    creation_time = serializers.DateTimeField()
    start = serializers.DateTimeField()
    duration = serializers.IntegerField()
    randomize_start = serializers.IntegerField(allow_null=True)
    randomize_duration = serializers.IntegerField(allow_null=True)
    response_required = serializers.IntegerField()
    device_category = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    status_time = serializers.DateTimeField()
    over = serializers.BooleanField(
        help_text="Past its effective scheduled period: gone from what clients read."
    )
    potentially_superseded = serializers.BooleanField()
    reason = serializers.CharField()
    values = serializers.DictField()


def control_data(control: DERControl, *, now: dt.datetime) -> dict:
    status_now = status_at(control, now)
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
        "status": status_now.current_status.label,
        "status_time": status_now.date_time,
        "over": status_now.is_over,
        "potentially_superseded": status_now.potentially_superseded,
        "reason": status_now.reason,
        "values": control_values(control),
    }


class RowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    value = serializers.CharField()
    source = serializers.CharField(help_text='The event\'s description or mRID, or "default".')
    event = serializers.CharField(source="event_mrid", allow_null=True)


class ControlTimelineSerializer(serializers.Serializer):
    control = serializers.CharField(source="label")
    rows = RowSerializer(many=True)


class OutcomeSerializer(serializers.Serializer):
    ders = serializers.SerializerMethodField()
    effect = serializers.CharField()
    overridden_by = serializers.SerializerMethodField(help_text="Programs whose events replace it, by mRID.")
    without_event = ControlTimelineSerializer(many=True)
    with_event = ControlTimelineSerializer(many=True)

    def get_ders(self, outcome) -> list[str]:
        return [der.lfdi for der in outcome.ders]

    def get_overridden_by(self, outcome) -> list[str]:
        return [program.mrid for program in outcome.overridden_by]


class PreviewSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    der_count = serializers.IntegerField(help_text="DERs in the program's group.")
    sampled = serializers.IntegerField()
    outcomes = OutcomeSerializer(many=True)


class ControlFilter(filters.FilterSet):
    starts_after = filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = DERControl
        fields = ("status", "starts_after", "starts_before")


class ProgramControls(StaffListView):
    """The program's events; POST schedules one."""

    read_permissions, write_permissions = READ, ("derms.add_dercontrol",)
    serializer_class = ControlSerializer
    filterset_class = ControlFilter

    queryset = DERControl.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_queryset(self):
        program = program_or_404(self.kwargs["program_mrid"])
        return DERControl.objects.filter(program=program).select_related("program")

    def list(self, request, program_mrid: str):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        now = timezone.now()
        return self.get_paginated_response([control_data(control, now=now) for control in page])

    @extend_schema(request=ControlCreateSerializer, responses={201: ControlSerializer})
    def post(self, request, program_mrid: str):
        program = program_or_404(program_mrid)
        incoming = ControlCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        control = create_control(program=program, actor=request.user, **incoming.validated_data)
        return Response(control_data(control, now=timezone.now()), status=status.HTTP_201_CREATED)


class ProgramControlPreview(StaffView):
    """What the event would do on the first DERs of the program's group, saving nothing."""

    read_permissions, write_permissions = READ, ("derms.add_dercontrol",)
    serializer_class = PreviewSerializer

    @extend_schema(request=ControlCreateSerializer, responses={200: PreviewSerializer})
    def post(self, request, program_mrid: str):
        program = program_or_404(program_mrid)
        incoming = ControlCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        preview = preview_event(candidate=candidate_event(program=program, **incoming.validated_data))
        return Response(PreviewSerializer(preview).data)


class ControlDetail(StaffView):
    read_permissions = READ
    serializer_class = ControlSerializer

    def get(self, request, control_mrid: str):
        return Response(control_data(control_or_404(control_mrid), now=timezone.now()))


class ControlCancel(StaffView):
    read_permissions, write_permissions = READ, ("derms.change_dercontrol",)
    serializer_class = ControlCancelSerializer

    @extend_schema(request=ControlCancelSerializer, responses={200: ControlSerializer})
    def post(self, request, control_mrid: str):
        incoming = ControlCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        control = cancel_control(
            control=control_or_404(control_mrid), actor=request.user, **incoming.validated_data
        )
        return Response(control_data(control, now=timezone.now()))
