"""Groups: the topology tree (System down to Service point) and the flat non-topology groups.

Reads list and filter groups, a node's children and ancestors and its DERs; writes create a group and
move a subtree, through groups.services.
"""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import StaffListView, StaffView
from api.devices import EndDeviceSerializer
from derms.models import EndDevice
from groups import services
from groups.models import Group, Level
from groups.selectors import end_devices_in

READ = ("groups.view_group",)
WRITE = ("groups.add_group", "groups.change_group")


def with_parent(queryset):
    """Annotate each group with its parent's id, which treebeard keeps only inside the path."""
    parent = Group.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Group.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_id=Subquery(parent))


class GroupSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    level_name = serializers.CharField(source="get_level_display", read_only=True)
    is_topology = serializers.BooleanField(read_only=True)
    child_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Group
        fields = ("id", "name", "level", "level_name", "description", "parent", "is_topology", "child_count")


class GroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Level.choices)
    parent = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MoveSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all())


class GroupFilter(filters.FilterSet):
    level = filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    topology = filters.BooleanFilter(method="filter_topology", label="Topology groups (true) or not (false)")
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Group
        fields = ("level", "name")

    def filter_topology(self, queryset, name, value):
        return (
            queryset.exclude(level=Level.NON_TOPOLOGY) if value else queryset.filter(level=Level.NON_TOPOLOGY)
        )


class GroupList(StaffListView):
    read_permissions, write_permissions = READ, WRITE
    serializer_class = GroupSerializer
    filterset_class = GroupFilter

    def get_queryset(self):
        return with_parent(Group.objects.all())

    @extend_schema(request=GroupCreateSerializer, responses={201: GroupSerializer})
    def post(self, request):
        incoming = GroupCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        group = services.create_group(actor=request.user, **incoming.validated_data)
        return Response(_one(group.pk), status=status.HTTP_201_CREATED)


def _one(pk: int) -> dict:
    return GroupSerializer(get_object_or_404(with_parent(Group.objects.all()), pk=pk)).data


class GroupDetail(StaffView):
    read_permissions = READ
    serializer_class = GroupSerializer

    def get(self, request, pk: int):
        return Response(_one(pk))


class GroupChildren(StaffListView):
    """The node's direct children: walk the tree one level at a time."""

    read_permissions = READ
    serializer_class = GroupSerializer
    filterset_class = GroupFilter

    queryset = Group.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_queryset(self):
        node = get_object_or_404(Group, pk=self.kwargs["pk"])
        return with_parent(Group.objects.get_children(node))


class GroupAncestors(StaffView):
    """From the root of the tree down to the node's parent."""

    read_permissions = READ
    serializer_class = GroupSerializer
    pagination_class = None

    def get(self, request, pk: int):
        node = get_object_or_404(Group, pk=pk)
        ancestors = with_parent(Group.objects.get_ancestors(node)) if node.depth > 1 else []
        return Response(GroupSerializer(ancestors, many=True).data)


class GroupMove(StaffView):
    """Move the node and everything below it under another parent (groups.services.move_subtree)."""

    read_permissions, write_permissions = READ, WRITE
    serializer_class = MoveSerializer

    @extend_schema(request=MoveSerializer, responses={200: GroupSerializer})
    def post(self, request, pk: int):
        node = get_object_or_404(Group, pk=pk)
        incoming = MoveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.move_subtree(actor=request.user, node=node, new_parent=incoming.validated_data["parent"])
        return Response(_one(pk))


class GroupEndDevices(StaffListView):
    """The DERs in the group: placed in the node's subtree, or members of the non-topology group."""

    read_permissions = ("groups.view_group", "derms.view_enddevice")
    serializer_class = EndDeviceSerializer

    queryset = EndDevice.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_queryset(self):
        group = get_object_or_404(Group, pk=self.kwargs["pk"])
        return end_devices_in(group).select_related("aggregator").prefetch_related("non_topology_groups")
