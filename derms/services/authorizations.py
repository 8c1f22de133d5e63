"""A handbook administrator's decisions on the authorization list (CSIP 5.2.1.4, 6.1.3).

Approving an out-of-band entry creates (or re-enables) its EndDevice in the groups chosen on the entry;
revoking disables it, so the very next request from that certificate is refused.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from derms.models import Authorization, EndDevice
from derms.services import audit
from groups.services import check_assignment

Status = Authorization.Status


@transaction.atomic
def approve(*, actor, authorization: Authorization) -> Authorization:
    """Approve the entry; in out-of-band mode the EndDevice exists from now on."""
    authorization = _locked(authorization)
    if authorization.status == Status.APPROVED:
        raise ValidationError(f"{authorization.lfdi} is already approved.")
    authorization.full_clean()
    if authorization.aggregator is not None and not authorization.aggregator.enabled:
        raise ValidationError(f"The aggregator {authorization.aggregator.lfdi} is disabled.")
    _decide(actor=actor, authorization=authorization, status=Status.APPROVED, action="approve")
    if authorization.registration_mode == Authorization.RegistrationMode.OUT_OF_BAND:
        _provision_end_device(actor=actor, authorization=authorization)
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


def _locked(authorization: Authorization) -> Authorization:
    return Authorization.objects.select_for_update().get(pk=authorization.pk)


def _decide(*, actor, authorization: Authorization, status: str, action: str) -> None:
    before = audit.snapshot(authorization)
    authorization.status = status
    authorization.decided_by = actor if actor is not None and actor.is_authenticated else None
    authorization.decided_at = timezone.now()
    authorization.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record_change(actor=actor, action=action, obj=authorization, before=before)


def _provision_end_device(*, actor, authorization: Authorization) -> EndDevice:
    """Create or update the entry's EndDevice with the role, aggregator and groups chosen on the entry."""
    end_device = EndDevice.objects.select_for_update().filter(lfdi=authorization.lfdi).first()
    before = audit.snapshot(end_device) if end_device is not None else None
    end_device = end_device or EndDevice(lfdi=authorization.lfdi)
    end_device.role = authorization.role
    end_device.aggregator = authorization.aggregator
    end_device.topology_group = authorization.topology_group
    end_device.pin = authorization.pin
    end_device.enabled = True
    end_device.changed_time = timezone.now()
    end_device.full_clean(exclude=["sfdi"])
    non_topology_groups = list(authorization.non_topology_groups.all())
    check_assignment(
        end_device=end_device,
        topology_group=authorization.topology_group,
        non_topology_groups=non_topology_groups,
    )
    end_device.save()
    end_device.non_topology_groups.set(non_topology_groups)
    audit.record_change(
        actor=actor, action="create" if before is None else "change", obj=end_device, before=before
    )
    return end_device
