"""Staff JSON API for DER control events: create, cancel, and the resolved timeline of a DER."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from derms.events.api.serializers import (
    ControlCancelSerializer,
    ControlCreateSerializer,
    SegmentSerializer,
    TimelineQuerySerializer,
    control_data,
)
from derms.events.resolver import timeline_for_device
from derms.events.services import cancel_control, create_control
from derms.lfdi import normalize_lfdi
from derms.models import DERControl, DERProgram, EndDevice


class StaffAPIView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAdminUser]


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """The service's field-keyed errors as a 400 response."""
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class ProgramControlsView(StaffAPIView):
    def post(self, request, program_mrid: str):
        program = get_object_or_404(DERProgram, mrid=program_mrid.upper())
        incoming = ControlCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            control = create_control(program=program, actor=request.user, **incoming.validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(control_data(control, now=timezone.now()), status=status.HTTP_201_CREATED)


class ControlCancelView(StaffAPIView):
    def post(self, request, control_mrid: str):
        control = get_object_or_404(DERControl.objects.select_related("program"), mrid=control_mrid.upper())
        incoming = ControlCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            control = cancel_control(control=control, actor=request.user, **incoming.validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(control_data(control, now=timezone.now()))


class EndDeviceTimelineView(StaffAPIView):
    def get(self, request, lfdi: str):
        try:
            lfdi = normalize_lfdi(lfdi)
        except DjangoValidationError as exc:
            raise Http404("No EndDevice with this LFDI.") from exc
        end_device = get_object_or_404(EndDevice.objects.select_related("topology_group"), lfdi=lfdi)
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        segments = timeline_for_device(end_device=end_device, **query.validated_data)
        return Response({"lfdi": end_device.lfdi, "segments": SegmentSerializer(segments, many=True).data})
