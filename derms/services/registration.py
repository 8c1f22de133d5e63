"""In-band registration and removal of EndDevices (CSIP 5.3.1.2, 6.1.3-6.1.5)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, EndDevice, Role
from derms.models.devices import check_group_limit
from derms.services import audit


class RegistrationRefused(PermissionDenied):
    """The server does not accept this registration or removal (answered 403, CSIP 6.1.3, 6.1.4)."""


@transaction.atomic
def register_end_device(
    *,
    registrant_lfdi: str,
    lfdi: str,
    sfdi: int,
    device_category: int | None = None,
    post_rate: int | None = None,
) -> tuple[EndDevice, bool]:
    """Create the EndDevice ``lfdi`` for ``registrant_lfdi``; return it and whether it was created.

    A device certificate registers only itself; an aggregator registers only the DERs a handbook
    administrator approved it to manage, never its own LFDI. The EndDevice lands in the groups its
    Authorization names. Registering an existing EndDevice again returns it and creates nothing.
    """
    if settings.CSIP_REGISTRATION_MODE != "in_band":
        raise RegistrationRefused("EndDevices are registered out of band on this server.")
    if sfdi != sfdi_from_lfdi(lfdi):
        raise ValidationError("The sFDI does not belong to the lFDI.", code="sfdi_mismatch")
    registrant = EndDevice.objects.filter(lfdi=registrant_lfdi).first()
    if registrant is not None and registrant.role == Role.AGGREGATOR:
        authorization = _managed_authorization(aggregator=registrant, lfdi=lfdi)
    elif lfdi == registrant_lfdi:
        authorization = _own_authorization(lfdi=lfdi)
    else:
        raise RegistrationRefused("A device certificate may register only its own EndDevice.")

    existing = EndDevice.objects.filter(lfdi=lfdi).first()
    if existing is not None:
        return existing, False
    end_device = EndDevice(
        lfdi=lfdi,
        role=authorization.role,
        aggregator=authorization.aggregator,
        topology_group=authorization.topology_group,
        device_category=device_category,
        post_rate=post_rate,
        changed_time=timezone.now(),
    )
    non_topology_groups = list(authorization.non_topology_groups.all())
    check_group_limit(
        topology_depth=end_device.topology_group.depth if end_device.topology_group_id else 0,
        non_topology_count=len(non_topology_groups),
    )
    end_device.save()
    end_device.non_topology_groups.set(non_topology_groups)
    _audit(registrant_lfdi=registrant_lfdi, action="end_device.register", end_device=end_device)
    return end_device, True


def _managed_authorization(*, aggregator: EndDevice, lfdi: str) -> Authorization:
    if lfdi == aggregator.lfdi:
        raise RegistrationRefused("An aggregator is not a DER: it cannot register its own LFDI.")
    authorization = Authorization.objects.filter(
        lfdi=lfdi, status=Authorization.Status.APPROVED, role=Role.MANAGED, aggregator=aggregator
    ).first()
    if authorization is None:
        raise RegistrationRefused("This aggregator is not approved to manage that LFDI.")
    return authorization


def _own_authorization(*, lfdi: str) -> Authorization:
    authorization = Authorization.objects.filter(lfdi=lfdi, status=Authorization.Status.APPROVED).first()
    if authorization is None or authorization.role == Role.MANAGED:
        raise RegistrationRefused("This LFDI is not approved to register itself.")
    return authorization


@transaction.atomic
def delete_end_device(*, remover: EndDevice, end_device: EndDevice) -> None:
    """Let an aggregator remove a DER it manages, when the utility's policy allows it (CSIP 5.3.1.2)."""
    if remover.role != Role.AGGREGATOR or end_device.aggregator_id != remover.pk:
        raise RegistrationRefused("An aggregator removes only the DERs it manages.")
    if not settings.CSIP_AGGREGATOR_MAY_DELETE:
        raise RegistrationRefused("Aggregators may not remove EndDevices on this server.")
    _audit(registrant_lfdi=remover.lfdi, action="end_device.delete", end_device=end_device)
    end_device.delete()


def _audit(*, registrant_lfdi: str, action: str, end_device: EndDevice) -> None:
    audit.record(
        actor=None,
        actor_name=f"2030.5 client {registrant_lfdi}",
        action=action,
        obj=end_device,
        after=audit.snapshot(end_device),
    )
