"""A handbook administrator's decisions on the authorization list (CSIP 5.2.1.4, 6.1.3).

Approving an out-of-band entry creates (or re-enables) its EndDevice in the groups chosen on the entry;
revoking disables it, so the very next request from that certificate is refused. In-band entries get
their EndDevice when the client POSTs it (:mod:`derms.services.registration`), through the same
:func:`provision_end_device`.

The entry's placement (role, aggregator, groups) is what the EndDevice starts with. Once the EndDevice
exists it is the source of truth: an operator may move it or change its groups, and approving the entry
again after a revocation, or the client registering again after its aggregator removed it, only
re-enables it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from derms import changefeed
from derms.changefeed import affected
from derms.models import Authorization, EndDevice
from derms.services import audit
from groups.models import Group
from groups.services import check_assignment
from live import publish

Status = Authorization.Status


@dataclass(frozen=True)
class Placement:
    """Where an entry's EndDevice starts, chosen when approving: scenario, groups, how it registers."""

    role: str
    aggregator: EndDevice | None = None
    topology_group: Group | None = None
    non_topology_groups: tuple[Group, ...] = ()
    registration_mode: str = Authorization.RegistrationMode.OUT_OF_BAND
    pin: int | None = None


@transaction.atomic
def create_authorization(
    *,
    actor,
    lfdi: str,
    role: str,
    aggregator: EndDevice | None = None,
    topology_group=None,
    non_topology_groups=(),
    registration_mode: str | None = None,
    pin: int | None = None,
    note: str = "",
) -> Authorization:
    """Add a pending entry for ``lfdi``: where its EndDevice will start once approved.

    Raise ValidationError keyed by field, as the admin's form does, for a duplicate LFDI, a wrong
    scenario or more groups than CSIP allows.
    """
    authorization = Authorization(
        lfdi=lfdi,
        role=role,
        aggregator=aggregator,
        topology_group=topology_group,
        pin=pin,
        note=note,
    )
    if registration_mode is not None:
        authorization.registration_mode = registration_mode
    authorization.full_clean()
    non_topology_groups = list(non_topology_groups)
    check_assignment(
        end_device=EndDevice(role=role),
        topology_group=topology_group,
        non_topology_groups=non_topology_groups,
    )
    authorization.save()
    authorization.non_topology_groups.set(non_topology_groups)
    audit.record_change(actor=actor, action="create", obj=authorization, before=None)
    return authorization


@transaction.atomic
def approve(*, actor, authorization: Authorization, placement: Placement | None = None) -> Authorization:
    """Approve the entry; in out-of-band mode the EndDevice exists from now on, and one that exists
    already (revoked before) is enabled again whatever the mode.

    With ``placement`` the entry first takes it, checked as create_authorization checks a new entry.
    """
    authorization = _locked(authorization)
    if authorization.status == Status.APPROVED:
        raise ValidationError(f"{authorization.lfdi} is already approved.")
    if placement is not None:
        _place(actor=actor, authorization=authorization, placement=placement)
    authorization.full_clean()
    _check_aggregator(authorization.aggregator)
    _decide(actor=actor, authorization=authorization, status=Status.APPROVED, action="approve")
    out_of_band = authorization.registration_mode == Authorization.RegistrationMode.OUT_OF_BAND
    if out_of_band or EndDevice.objects.filter(lfdi=authorization.lfdi).exists():
        provision_end_device(authorization=authorization, actor=actor)
    return authorization


@transaction.atomic
def revoke(*, actor, authorization: Authorization) -> Authorization:
    """Withdraw an approval and disable the EndDevice."""
    authorization = _locked(authorization)
    if authorization.status != Status.APPROVED:
        raise ValidationError(f"Only an approved entry can be revoked; {authorization.lfdi} is not.")
    _decide(actor=actor, authorization=authorization, status=Status.REVOKED, action="revoke")
    end_device = EndDevice.objects.select_for_update().filter(lfdi=authorization.lfdi).first()
    if end_device is not None and end_device.enabled:
        before = audit.snapshot(end_device)
        end_device.enabled = False
        end_device.changed_time = timezone.now()
        end_device.save(update_fields=["enabled", "changed_time"])
        changefeed.record("end_device_disabled", affected.end_device(end_device))
        publish.changed(end_device=end_device, kind=publish.Kind.REGISTRATION)
        audit.record_change(actor=actor, action="disable", obj=end_device, before=before)
    return authorization


@transaction.atomic
def reject(*, actor, authorization: Authorization) -> Authorization:
    """Refuse a pending or merely seen LFDI; the entry stays so the decision is visible."""
    authorization = _locked(authorization)
    if authorization.status not in (Status.SEEN, Status.PENDING):
        raise ValidationError(f"Only a pending or seen entry can be rejected; {authorization.lfdi} is not.")
    _decide(actor=actor, authorization=authorization, status=Status.REVOKED, action="reject")
    return authorization


def _place(*, actor, authorization: Authorization, placement: Placement) -> None:
    before = audit.snapshot(authorization)
    authorization.role = placement.role
    authorization.aggregator = placement.aggregator
    authorization.topology_group = placement.topology_group
    authorization.registration_mode = placement.registration_mode
    authorization.pin = placement.pin
    authorization.full_clean()
    non_topology_groups = list(placement.non_topology_groups)
    check_assignment(
        end_device=EndDevice(role=placement.role),
        topology_group=placement.topology_group,
        non_topology_groups=non_topology_groups,
    )
    authorization.save()
    authorization.non_topology_groups.set(non_topology_groups)
    audit.record_change(actor=actor, action="place", obj=authorization, before=before)


def _locked(authorization: Authorization) -> Authorization:
    return Authorization.objects.select_for_update().get(pk=authorization.pk)


def _decide(*, actor, authorization: Authorization, status: str, action: str) -> None:
    before = audit.snapshot(authorization)
    authorization.status = status
    authorization.decided_by = actor if actor is not None and actor.is_authenticated else None
    authorization.decided_at = timezone.now()
    authorization.save(update_fields=["status", "decided_by", "decided_at"])
    changefeed.record(f"authorization_{action}", [affected.client(authorization.lfdi)])
    audit.record_change(actor=actor, action=action, obj=authorization, before=before)


def provision_end_device(
    *,
    authorization: Authorization,
    actor=None,
    actor_name: str = "",
    device_category: int | None = None,
    post_rate: int | None = None,
) -> tuple[EndDevice, bool]:
    """Give an approved entry its EndDevice; return it and whether it was created.

    A new EndDevice takes the entry's role, aggregator, groups and PIN (so it has its Registration);
    an existing one is left as it is, only enabled again. The caller holds the transaction and the
    entry's row lock, so an approval and a POST, or two POSTs, cannot both create it.
    ``actor`` is the operator, or None for a 2030.5 client named by ``actor_name``.
    """
    end_device = EndDevice.objects.select_for_update().filter(lfdi=authorization.lfdi).first()
    if end_device is not None:
        if not end_device.enabled:
            _enable(end_device, actor=actor, actor_name=actor_name)
        return end_device, False
    _check_aggregator(authorization.aggregator)
    end_device = EndDevice(
        lfdi=authorization.lfdi,
        role=authorization.role,
        aggregator=authorization.aggregator,
        topology_group=authorization.topology_group,
        pin=authorization.pin,
        device_category=device_category,
        post_rate=post_rate,
        changed_time=timezone.now(),
    )
    end_device.full_clean(exclude=["sfdi"])
    non_topology_groups = list(authorization.non_topology_groups.all())
    check_assignment(
        end_device=end_device,
        topology_group=authorization.topology_group,
        non_topology_groups=non_topology_groups,
    )
    end_device.save()
    end_device.non_topology_groups.set(non_topology_groups)
    changefeed.record("end_device_registered", affected.placement(end_device))
    publish.changed(end_device=end_device, kind=publish.Kind.REGISTRATION)
    audit.record_change(actor=actor, actor_name=actor_name, action="create", obj=end_device, before=None)
    return end_device, True


def _enable(end_device: EndDevice, *, actor, actor_name: str) -> None:
    """Put a revoked or deregistered EndDevice back in service, where it was."""
    _check_aggregator(end_device.aggregator)
    before = audit.snapshot(end_device)
    end_device.enabled = True
    end_device.deregistered_at = None
    end_device.changed_time = timezone.now()
    end_device.save(update_fields=["enabled", "deregistered_at", "changed_time"])
    changefeed.record("end_device_enabled", affected.end_device(end_device))
    publish.changed(end_device=end_device, kind=publish.Kind.REGISTRATION)
    audit.record_change(actor=actor, actor_name=actor_name, action="enable", obj=end_device, before=before)


def _check_aggregator(aggregator: EndDevice | None) -> None:
    if aggregator is not None and not aggregator.enabled:
        raise ValidationError(f"The aggregator {aggregator.lfdi} is disabled.")
