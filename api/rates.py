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
    """GET and PUT one resource's own rate; subclasses say how to find it and which service sets it."""

    read_permissions, write_permissions = READ, WRITE
    serializer_class = RateSerializer
    own_field = "poll_rate"

    def find(self, **ids):
        raise NotImplementedError

    def set_rate(self, obj, *, seconds, actor):
        raise NotImplementedError

    def effective(self, obj) -> int:
        return rates.poll_rate_of(obj)

    def get(self, request, **ids):
        return self._answer(self.find(**ids))

    @extend_schema(request=RateSerializer, responses=RateSerializer)
    def put(self, request, **ids):
        incoming = RateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        obj = self.set_rate(self.find(**ids), seconds=incoming.validated_data["seconds"], actor=request.user)
        return self._answer(obj)

    def _answer(self, obj):
        return Response({"seconds": getattr(obj, self.own_field), "effective": self.effective(obj)})


class ProgramPollRate(_RateView):
    """The pollRate of the DERProgramLists holding the program (the fastest of their programs wins)."""

    def find(self, mrid: str):
        return program_or_404(mrid)

    def set_rate(self, obj, *, seconds, actor):
        return rates.set_program_poll_rate(program=obj, seconds=seconds, actor=actor)


class EndDevicePollRate(_RateView):
    """The pollRate of the client's EndDeviceList and of the DER's FunctionSetAssignmentsList."""

    def find(self, lfdi: str):
        return end_device_or_404(lfdi)

    def set_rate(self, obj, *, seconds, actor):
        return rates.set_end_device_poll_rate(end_device=obj, seconds=seconds, actor=actor)


class MirrorPostRate(_RateView):
    """The postRate a MirrorUsagePoint tells its client, over what the client posted."""

    own_field = "utility_post_rate"

    def find(self, pk: int):
        return get_object_or_404(MirrorUsagePoint, pk=pk)

    def set_rate(self, obj, *, seconds, actor):
        return rates.set_mirror_post_rate(usage_point=obj, seconds=seconds, actor=actor)

    def effective(self, obj) -> int:
        return rates.post_rate_of(obj)
