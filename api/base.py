"""What every API view shares: the permissions it names, and finding an object by its public key."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin

from derms.lfdi import normalize_lfdi
from derms.models import DERControl, DERProgram, EndDevice


class StaffView(GenericAPIView):
    """A view names the model permissions a read and a write need (see api.permissions)."""

    read_permissions: tuple[str, ...] = ()
    write_permissions: tuple[str, ...] = ()


class StaffListView(ListModelMixin, StaffView):
    """A filtered, cursor-paginated list of ``get_queryset()`` through ``serializer_class``."""

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


def end_device_or_404(lfdi: str, queryset=None) -> EndDevice:
    return get_object_or_404(queryset if queryset is not None else EndDevice.objects, lfdi=lfdi_or_404(lfdi))


def lfdi_or_404(lfdi: str) -> str:
    try:
        return normalize_lfdi(lfdi)
    except ValidationError as exc:
        raise Http404("No object with this LFDI.") from exc


def program_or_404(mrid: str) -> DERProgram:
    return get_object_or_404(DERProgram.objects.select_related("group"), mrid=mrid.upper())


def control_or_404(mrid: str) -> DERControl:
    return get_object_or_404(DERControl.objects.select_related("program"), mrid=mrid.upper())
