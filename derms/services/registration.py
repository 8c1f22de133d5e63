"""In-band registration and removal of EndDevices (CSIP 5.3.1.2, 6.1.3-6.1.5).

Whether a client may register is decided by its authorization entry's registration mode alone; the
EndDevice is made by :func:`derms.services.authorizations.provision_end_device`, exactly as an approval
makes it. An aggregator's removal only deregisters the DER: its Responses, Readings, LogEvents and
status history stay, and registering it again brings back the same EndDevice at the same href.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from derms import changefeed
from derms.changefeed import affected
from derms.lfdi import sfdi_from_lfdi
from derms.models import Authorization, EndDevice, Role
from derms.services import audit
from derms.services.authorizations import provision_end_device
from live import publish


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
    administrator approved it to manage, never its own LFDI, and only entries approved for in-band
    registration. Registering an existing EndDevice again returns it and creates nothing; one its
    aggregator removed is enabled again.
    """
    if sfdi != sfdi_from_lfdi(lfdi):
        raise ValidationError("The sFDI does not belong to the lFDI.", code="sfdi_mismatch")
    registrant = EndDevice.objects.filter(lfdi=registrant_lfdi).first()
    if registrant is not None and registrant.role == Role.AGGREGATOR:
        authorization = _managed_authorization(aggregator=registrant, lfdi=lfdi)
    elif lfdi == registrant_lfdi:
        authorization = _own_authorization(lfdi=lfdi)
    else:
        raise RegistrationRefused("A device certificate may register only its own EndDevice.")
    if authorization.registration_mode != Authorization.RegistrationMode.IN_BAND:
        raise RegistrationRefused("This EndDevice is registered out of band by the utility.")
    existing = EndDevice.objects.filter(lfdi=lfdi).first()
    if existing is not None and existing.aggregator_id != authorization.aggregator_id:
        raise RegistrationRefused("This EndDevice is managed by another aggregator now.")
    return provision_end_device(
        authorization=authorization,
        actor_name=_client_name(registrant_lfdi),
        device_category=device_category,
        post_rate=post_rate,
    )


def _approved_entries():
    # Locked: the entry serializes the POSTs and approvals that would create its EndDevice.
    return Authorization.objects.select_for_update().filter(status=Authorization.Status.APPROVED)


def _managed_authorization(*, aggregator: EndDevice, lfdi: str) -> Authorization:
    if lfdi == aggregator.lfdi:
        raise RegistrationRefused("An aggregator is not a DER: it cannot register its own LFDI.")
    authorization = _approved_entries().filter(lfdi=lfdi, role=Role.MANAGED, aggregator=aggregator).first()
    if authorization is None:
        raise RegistrationRefused("This aggregator is not approved to manage that LFDI.")
    return authorization


def _own_authorization(*, lfdi: str) -> Authorization:
    authorization = _approved_entries().filter(lfdi=lfdi).first()
    if authorization is None or authorization.role == Role.MANAGED:
        raise RegistrationRefused("This LFDI is not approved to register itself.")
    return authorization


@transaction.atomic
def deregister_end_device(*, remover: EndDevice, end_device: EndDevice) -> EndDevice:
    """Let an aggregator remove a DER it manages, when the utility's policy allows it (CSIP 5.3.1.2).

    The EndDevice is disabled, not deleted: it leaves the aggregator's lists at once, and its history
    stays for the utility. The authorization entry is left as it is.
    """
    if remover.role != Role.AGGREGATOR or end_device.aggregator_id != remover.pk:
        raise RegistrationRefused("An aggregator removes only the DERs it manages.")
    if not settings.CSIP_AGGREGATOR_MAY_DELETE:
        raise RegistrationRefused("Aggregators may not remove EndDevices on this server.")
    end_device = EndDevice.objects.select_for_update().get(pk=end_device.pk)
    before = audit.snapshot(end_device)
    now = timezone.now()
    end_device.enabled = False
    end_device.deregistered_at = now
    end_device.changed_time = now
    end_device.save(update_fields=["enabled", "deregistered_at", "changed_time"])
    changefeed.record("end_device_deregistered", affected.end_device(end_device))
    publish.changed(end_device=end_device, kind=publish.Kind.REGISTRATION)
    audit.record_change(
        actor=None, actor_name=_client_name(remover.lfdi), action="deregister", obj=end_device, before=before
    )
    return end_device


def _client_name(lfdi: str) -> str:
    return f"2030.5 client {lfdi}"
