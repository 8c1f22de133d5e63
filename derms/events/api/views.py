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
    """Signed-in staff; a view that writes names the Django model permission it needs."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAdminUser]
    #: Model permissions a request needs on top of being staff, e.g. ("derms.add_dercontrol",).
    required_permissions: tuple[str, ...] = ()

    def check_permissions(self, request):
        super().check_permissions(request)
        if not request.user.has_perms(self.required_permissions):
            self.permission_denied(request, message="Your staff role may not change DER control events.")


def _call_service(request, serializer_class, service, **kwargs):
    """Validate the request body, call ``service`` with it, and answer its field errors with a 400."""
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    try:
        return service(actor=request.user, **kwargs, **incoming.validated_data)
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise serializers.ValidationError(errors) from exc


class ProgramControlsView(StaffAPIView):
    required_permissions = ("derms.add_dercontrol",)

    def post(self, request, program_mrid: str):
        program = get_object_or_404(DERProgram, mrid=program_mrid.upper())
        control = _call_service(request, ControlCreateSerializer, create_control, program=program)
        return Response(control_data(control, now=timezone.now()), status=status.HTTP_201_CREATED)


class ControlCancelView(StaffAPIView):
    required_permissions = ("derms.change_dercontrol",)

    def post(self, request, control_mrid: str):
        control = get_object_or_404(DERControl.objects.select_related("program"), mrid=control_mrid.upper())
        control = _call_service(request, ControlCancelSerializer, cancel_control, control=control)
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
