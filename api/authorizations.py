"""The authorization list: which LFDIs may connect and where their EndDevice starts (CSIP 5.2.1.4).

Entries are added, approved, revoked and rejected through derms.services.authorizations, as in the admin.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import StaffListView, StaffView, lfdi_or_404
from derms.lfdi import normalize_lfdi
from derms.models import Authorization, EndDevice, Role
from derms.services import authorizations
from groups.models import Group, Level

READ = ("derms.view_authorization",)
WRITE = ("derms.add_authorization", "derms.change_authorization")


class AuthorizationSerializer(serializers.ModelSerializer):
    aggregator = serializers.SlugRelatedField(slug_field="lfdi", read_only=True)
    non_topology_groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Authorization
        fields = (
            "id",
            "lfdi",
            "sfdi",
            "status",
            "role",
            "aggregator",
            "topology_group",
            "non_topology_groups",
            "registration_mode",
            "pin",
            "note",
            "first_seen",
            "last_seen",
            "decided_by",
            "decided_at",
        )


class AuthorizationCreateSerializer(serializers.Serializer):
    lfdi = serializers.CharField(max_length=40)
    role = serializers.ChoiceField(choices=Role.choices)
    aggregator = serializers.SlugRelatedField(
        slug_field="lfdi",
        queryset=EndDevice.objects.filter(role=Role.AGGREGATOR),
        required=False,
        allow_null=True,
        default=None,
    )
    topology_group = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.exclude(level=Level.NON_TOPOLOGY),
        required=False,
        allow_null=True,
        default=None,
    )
    non_topology_groups = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.filter(level=Level.NON_TOPOLOGY), many=True, required=False, default=list
    )
    registration_mode = serializers.ChoiceField(
        choices=Authorization.RegistrationMode.choices, required=False, default=None
    )
    pin = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_lfdi(self, value):
        try:
            return normalize_lfdi(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_internal_value(self, data):
        # An LFDI is stored in lower case; a client may send either case (HexBinary160).
        if isinstance(data, dict) and isinstance(data.get("aggregator"), str):
            data = {**data, "aggregator": data["aggregator"].strip().lower()}
        return super().to_internal_value(data)


class AuthorizationFilter(filters.FilterSet):
    aggregator = filters.CharFilter(field_name="aggregator__lfdi", label="Aggregator LFDI")

    class Meta:
        model = Authorization
        fields = ("status", "role", "registration_mode", "topology_group", "aggregator")


class AuthorizationList(StaffListView):
    read_permissions, write_permissions = READ, WRITE
    serializer_class = AuthorizationSerializer
    filterset_class = AuthorizationFilter
    queryset = Authorization.objects.select_related("aggregator", "decided_by").prefetch_related(
        "non_topology_groups"
    )

    @extend_schema(request=AuthorizationCreateSerializer, responses={201: AuthorizationSerializer})
    def post(self, request):
        incoming = AuthorizationCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = authorizations.create_authorization(actor=request.user, **incoming.validated_data)
        return Response(AuthorizationSerializer(entry).data, status=status.HTTP_201_CREATED)


def _entry(lfdi: str) -> Authorization:
    return get_object_or_404(AuthorizationList.queryset, lfdi=lfdi_or_404(lfdi))


class AuthorizationDetail(StaffView):
    read_permissions = READ
    serializer_class = AuthorizationSerializer

    def get(self, request, lfdi: str):
        return Response(AuthorizationSerializer(_entry(lfdi)).data)


class AuthorizationDecision(StaffView):
    """Approve, revoke or reject the entry; approval (out of band) creates or re-enables the EndDevice."""

    read_permissions, write_permissions = READ, ("derms.change_authorization",)
    serializer_class = AuthorizationSerializer
    decision = None

    @extend_schema(request=None, responses={200: AuthorizationSerializer})
    def post(self, request, lfdi: str):
        entry = self.decision(actor=request.user, authorization=_entry(lfdi))
        return Response(AuthorizationSerializer(_entry(entry.lfdi)).data)


class Approve(AuthorizationDecision):
    decision = staticmethod(authorizations.approve)


class Revoke(AuthorizationDecision):
    decision = staticmethod(authorizations.revoke)


class Reject(AuthorizationDecision):
    decision = staticmethod(authorizations.reject)
