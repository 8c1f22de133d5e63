"""EndDevices and aggregators: what registered, where each DER sits, and which groups it is in.

Group membership changes through groups.services.assign_groups; a DER's resolved timeline comes from
the event resolver, as on the portal's device page.
"""

from django.db.models import Count, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.base import StaffListView, StaffView, end_device_or_404
from derms.events.resolver import timeline_for_device
from derms.models import EndDevice, Role
from derms.selectors.timelines import MAX_TIMELINE_WINDOW
from groups.models import Group, Level
from groups.services import assign_groups

READ = ("derms.view_enddevice",)
WRITE = ("derms.change_enddevice",)


class EndDeviceSerializer(serializers.ModelSerializer):
    aggregator = serializers.SlugRelatedField(slug_field="lfdi", read_only=True)
    non_topology_groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = EndDevice
        fields = (
            "id",
            "lfdi",
            "sfdi",
            "role",
            "aggregator",
            "topology_group",
            "non_topology_groups",
            "enabled",
            "changed_time",
            "device_category",
            "post_rate",
            "registered_at",
            "deregistered_at",
        )


class AggregatorSerializer(serializers.ModelSerializer):
    der_count = serializers.IntegerField(read_only=True, help_text="EndDevices it manages.")

    class Meta:
        model = EndDevice
        fields = ("id", "lfdi", "sfdi", "enabled", "changed_time", "registered_at", "der_count")


class PlacementSerializer(serializers.Serializer):
    topology_group = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.exclude(level=Level.NON_TOPOLOGY), allow_null=True
    )
    non_topology_groups = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.filter(level=Level.NON_TOPOLOGY), many=True, required=False, default=list
    )


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


class TimelineSerializer(serializers.Serializer):
    lfdi = serializers.CharField()
    segments = SegmentSerializer(many=True)


class EndDeviceFilter(filters.FilterSet):
    lfdi = filters.CharFilter(method="filter_lfdi", label="LFDI prefix (hex, any case)")
    aggregator = filters.CharFilter(field_name="aggregator__lfdi", label="Aggregator LFDI")
    group = filters.NumberFilter(method="filter_group", label="Group id: its members (topology: its subtree)")

    class Meta:
        model = EndDevice
        fields = ("role", "enabled", "topology_group", "aggregator")

    def filter_lfdi(self, queryset, name, value):
        return queryset.filter(lfdi__startswith=value.strip().lower())

    def filter_group(self, queryset, name, value):
        value = Group.objects.filter(pk=value).first()
        if value is None:
            return queryset.none()
        if value.is_topology:
            return queryset.filter(topology_group__path__startswith=value.path)
        return queryset.filter(non_topology_groups=value)


class EndDeviceList(StaffListView):
    read_permissions = READ
    serializer_class = EndDeviceSerializer
    filterset_class = EndDeviceFilter
    queryset = EndDevice.objects.select_related("aggregator").prefetch_related("non_topology_groups")


class EndDeviceDetail(StaffView):
    read_permissions = READ
    serializer_class = EndDeviceSerializer

    def get(self, request, lfdi: str):
        return Response(EndDeviceSerializer(end_device_or_404(lfdi)).data)


class EndDeviceGroups(StaffView):
    """Place the DER at a topology node and set its non-topology groups (CSIP's 15-group limit holds)."""

    read_permissions, write_permissions = READ, WRITE
    serializer_class = PlacementSerializer

    @extend_schema(request=PlacementSerializer, responses={200: EndDeviceSerializer})
    def put(self, request, lfdi: str):
        end_device = end_device_or_404(lfdi)
        incoming = PlacementSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        end_device = assign_groups(actor=request.user, end_device=end_device, **incoming.validated_data)
        return Response(EndDeviceSerializer(end_device).data)


class EndDeviceTimeline(StaffView):
    """What the DER does over a window, as the event resolver works it out from its programs."""

    read_permissions = READ
    serializer_class = TimelineSerializer

    @extend_schema(parameters=[TimelineQuerySerializer], responses=TimelineSerializer)
    def get(self, request, lfdi: str):
        end_device = end_device_or_404(lfdi, EndDevice.objects.select_related("topology_group"))
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        segments = timeline_for_device(end_device=end_device, **query.validated_data)
        return Response({"lfdi": end_device.lfdi, "segments": SegmentSerializer(segments, many=True).data})


def _aggregators():
    return EndDevice.objects.filter(role=Role.AGGREGATOR).annotate(
        der_count=Count("managed_ders", filter=Q(managed_ders__enabled=True))
    )


class AggregatorList(StaffListView):
    read_permissions = READ
    serializer_class = AggregatorSerializer
    filterset_fields = ("enabled",)

    def get_queryset(self):
        return _aggregators()


class AggregatorDetail(StaffView):
    read_permissions = READ
    serializer_class = AggregatorSerializer

    def get(self, request, lfdi: str):
        return Response(AggregatorSerializer(end_device_or_404(lfdi, _aggregators())).data)
