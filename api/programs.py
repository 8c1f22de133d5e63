"""DERPrograms with their primacy, default controls and curves (CSIP 5.2.3, 5.2.4, 6.1.8).

Writes go through derms.events.services: create_program, update_program (primacy and description),
update_default_control and create_curve.
"""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import StaffListView, StaffView, program_or_404
from derms.der_controls import CONTROLS, DEFAULT_ONLY_SETTINGS
from derms.events.services import create_curve, create_program, update_default_control, update_program
from derms.events.values import control_values
from derms.models import DERCurve, DERProgram
from groups.models import Group

READ = ("derms.view_derprogram",)
WRITE = ("derms.add_derprogram", "derms.change_derprogram")


class ProgramSerializer(serializers.ModelSerializer):
    group = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DERProgram
        fields = ("id", "mrid", "description", "group", "primacy", "version")


class ProgramCreateSerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all())
    primacy = serializers.IntegerField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    mrid = serializers.CharField(required=False, allow_null=True, default=None)


class ProgramChangeSerializer(serializers.Serializer):
    primacy = serializers.IntegerField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class DefaultControlSerializer(serializers.Serializer):
    values = serializers.DictField(
        help_text="Controls and default-only settings keyed by 2030.5 element name, e.g. opModMaxLimW; "
        "a PUT replaces them all, so those left out are unset."
    )


class CurveSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="mrid", read_only=True)
    points = serializers.SerializerMethodField()

    class Meta:
        model = DERCurve
        fields = (
            "id",
            "mrid",
            "program",
            "description",
            "creation_time",
            "curve_type",
            "x_multiplier",
            "y_multiplier",
            "y_ref_type",
            "autonomous_vref_enable",
            "autonomous_vref_time_constant",
            "open_loop_tms",
            "ramp_dec_tms",
            "ramp_inc_tms",
            "ramp_pt1_tms",
            "vref",
            "points",
        )

    def get_points(self, curve) -> list[list]:
        return [[p.x, p.y, p.excitation] for p in curve.points.all()]


class CurveCreateSerializer(serializers.Serializer):
    curve_type = serializers.IntegerField()
    points = serializers.ListField(
        child=serializers.ListField(min_length=2, max_length=3),
        help_text="[x, y] or [x, y, excitation] pairs, in order.",
    )
    y_ref_type = serializers.IntegerField()
    x_multiplier = serializers.IntegerField(required=False, default=0)
    y_multiplier = serializers.IntegerField(required=False, default=0)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    autonomous_vref_enable = serializers.BooleanField(required=False, allow_null=True, default=None)
    autonomous_vref_time_constant = serializers.IntegerField(required=False, allow_null=True, default=None)
    open_loop_tms = serializers.IntegerField(required=False, allow_null=True, default=None)
    ramp_dec_tms = serializers.IntegerField(required=False, allow_null=True, default=None)
    ramp_inc_tms = serializers.IntegerField(required=False, allow_null=True, default=None)
    ramp_pt1_tms = serializers.IntegerField(required=False, allow_null=True, default=None)
    vref = serializers.IntegerField(required=False, allow_null=True, default=None)
    mrid = serializers.CharField(required=False, allow_null=True, default=None)

    def validate_points(self, points):
        try:
            return [(int(p[0]), int(p[1]), p[2] if len(p) == 3 else None) for p in points]
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError("Each point is [x, y] or [x, y, excitation] integers.") from exc


class ProgramFilter(filters.FilterSet):
    group = filters.ModelChoiceFilter(queryset=Group.objects.all())
    level = filters.NumberFilter(field_name="group__level")
    primacy = filters.NumberFilter()

    class Meta:
        model = DERProgram
        fields = ("group", "level", "primacy")


class ProgramList(StaffListView):
    read_permissions, write_permissions = READ, WRITE
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    queryset = DERProgram.objects.all()

    @extend_schema(request=ProgramCreateSerializer, responses={201: ProgramSerializer})
    def post(self, request):
        incoming = ProgramCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        program = create_program(actor=request.user, **incoming.validated_data)
        return Response(ProgramSerializer(program).data, status=status.HTTP_201_CREATED)


class ProgramDetail(StaffView):
    """A program; PATCH changes its primacy or description."""

    read_permissions, write_permissions = READ, ("derms.change_derprogram",)
    serializer_class = ProgramSerializer

    def get(self, request, mrid: str):
        return Response(ProgramSerializer(program_or_404(mrid)).data)

    @extend_schema(request=ProgramChangeSerializer, responses={200: ProgramSerializer})
    def patch(self, request, mrid: str):
        program = program_or_404(mrid)
        incoming = ProgramChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = {"primacy": program.primacy, "description": program.description, **incoming.validated_data}
        program = update_program(actor=request.user, program=program, **changes)
        return Response(ProgramSerializer(program).data)


class DefaultControl(StaffView):
    """The program's DefaultDERControl: what its DERs do when no event is active."""

    read_permissions = ("derms.view_defaultdercontrol",)
    write_permissions = ("derms.change_defaultdercontrol",)
    serializer_class = DefaultControlSerializer

    def get(self, request, mrid: str):
        default = program_or_404(mrid).default_control
        return Response({"values": control_values(default, controls=CONTROLS + DEFAULT_ONLY_SETTINGS)})

    @extend_schema(request=DefaultControlSerializer, responses={200: DefaultControlSerializer})
    def put(self, request, mrid: str):
        program = program_or_404(mrid)
        incoming = DefaultControlSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        default = update_default_control(
            program=program, values=incoming.validated_data["values"], actor=request.user
        )
        return Response({"values": control_values(default, controls=CONTROLS + DEFAULT_ONLY_SETTINGS)})


class CurveList(StaffListView):
    """The program's DERCurveList: the curves its curve controls point to."""

    read_permissions = ("derms.view_dercurve",)
    write_permissions = ("derms.add_dercurve",)
    serializer_class = CurveSerializer
    filterset_fields = ("curve_type",)

    queryset = DERCurve.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_queryset(self):
        program = program_or_404(self.kwargs["mrid"])
        return DERCurve.objects.filter(program=program).select_related("program").prefetch_related("points")

    @extend_schema(request=CurveCreateSerializer, responses={201: CurveSerializer})
    def post(self, request, mrid: str):
        program = program_or_404(mrid)
        incoming = CurveCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        curve = create_curve(program=program, actor=request.user, **incoming.validated_data)
        return Response(CurveSerializer(curve).data, status=status.HTTP_201_CREATED)


class CurveDetail(StaffView):
    read_permissions = ("derms.view_dercurve",)
    serializer_class = CurveSerializer

    def get(self, request, mrid: str):
        curve = get_object_or_404(DERCurve.objects.select_related("program"), mrid=mrid.upper())
        return Response(CurveSerializer(curve).data)
