"""How often clients poll and post, per resource (CSIP 5.2.2, 5.2.5.1): a dispatcher's settings, through
derms.services.rates. ``seconds`` null returns a resource to the server's default."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.base import StaffView, end_device_or_404, program_or_404
from derms.models import MirrorUsagePoint
from derms.services import rates

#: Rates are the dispatchers' (the Dispatchers role changes programs).
READ = ("derms.view_derprogram",)
WRITE = ("derms.change_derprogram",)


class RateSerializer(serializers.Serializer):
    seconds = serializers.IntegerField(allow_null=True, help_text="The resource's own rate, or null.")
    effective = serializers.IntegerField(read_only=True, help_text="What clients are told: own or default.")


class _RateView(StaffView):
    read_permissions, write_permissions = READ, WRITE
    serializer_class = RateSerializer

    def _answer(self, own, effective):
        return Response({"seconds": own, "effective": effective})

    def _seconds(self, request):
        incoming = RateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data["seconds"]


class ProgramPollRate(_RateView):
    """The pollRate of the DERProgramLists holding the program (the fastest of their programs wins)."""

    def get(self, request, mrid: str):
        program = program_or_404(mrid)
        return self._answer(program.poll_rate, rates.poll_rate_of(program))

    @extend_schema(request=RateSerializer, responses=RateSerializer)
    def put(self, request, mrid: str):
        program = rates.set_program_poll_rate(
            program=program_or_404(mrid), seconds=self._seconds(request), actor=request.user
        )
        return self._answer(program.poll_rate, rates.poll_rate_of(program))


class EndDevicePollRate(_RateView):
    """The pollRate of the client's EndDeviceList and of the DER's FunctionSetAssignmentsList."""

    def get(self, request, lfdi: str):
        end_device = end_device_or_404(lfdi)
        return self._answer(end_device.poll_rate, rates.poll_rate_of(end_device))

    @extend_schema(request=RateSerializer, responses=RateSerializer)
    def put(self, request, lfdi: str):
        end_device = rates.set_end_device_poll_rate(
            end_device=end_device_or_404(lfdi), seconds=self._seconds(request), actor=request.user
        )
        return self._answer(end_device.poll_rate, rates.poll_rate_of(end_device))


class MirrorPostRate(_RateView):
    """The postRate a MirrorUsagePoint tells its client, over what the client posted."""

    def get(self, request, pk: int):
        usage_point = get_object_or_404(MirrorUsagePoint, pk=pk)
        return self._answer(usage_point.utility_post_rate, rates.post_rate_of(usage_point))

    @extend_schema(request=RateSerializer, responses=RateSerializer)
    def put(self, request, pk: int):
        usage_point = rates.set_mirror_post_rate(
            usage_point=get_object_or_404(MirrorUsagePoint, pk=pk),
            seconds=self._seconds(request),
            actor=request.user,
        )
        return self._answer(usage_point.utility_post_rate, rates.post_rate_of(usage_point))
