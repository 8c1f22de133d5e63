"""How often clients poll and post, set by the utility per resource (CSIP 5.2.2, 5.2.5.1).

The settings CSIP_POLL_RATE and CSIP_POST_RATE are the defaults; a DERProgram, an EndDevice or a
MirrorUsagePoint may carry its own. Each change is audited and recorded in the change feed, so subscribers
and caches learn of it like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from derms import changefeed
from derms.changefeed import Kind, Resource, affected
from derms.models import DERProgram, EndDevice, MirrorUsagePoint
from derms.services import audit

UINT32_MAX = 2**32 - 1


def poll_rate_of(obj: DERProgram | EndDevice | None) -> int:
    """Its own pollRate, or the server's default (also for a client not registered yet)."""
    return getattr(obj, "poll_rate", None) or settings.CSIP_POLL_RATE


def post_rate_of(usage_point: MirrorUsagePoint) -> int:
    return usage_point.utility_post_rate or usage_point.post_rate or settings.CSIP_POST_RATE


def _check(seconds: int | None) -> None:
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= UINT32_MAX
    ):
        raise ValidationError({"rate": f"Give seconds from 1 to {UINT32_MAX}, or nothing for the default."})


@transaction.atomic
def set_program_poll_rate(*, program: DERProgram, seconds: int | None, actor=None) -> DERProgram:
    """Every DERProgramList holding ``program`` tells its DERs to poll at least this often."""
    _check(seconds)
    program = DERProgram.objects.select_for_update().get(pk=program.pk)
    before = audit.snapshot(program)
    program.poll_rate = seconds
    program.save(update_fields=["poll_rate"])
    changefeed.record("poll_rate_changed", affected.program(program))
    audit.record_change(actor=actor, action="der_program.poll_rate", obj=program, before=before)
    return program


@transaction.atomic
def set_end_device_poll_rate(*, end_device: EndDevice, seconds: int | None, actor=None) -> EndDevice:
    """The client's EndDeviceList, and a DER's FunctionSetAssignmentsList, carry this pollRate."""
    _check(seconds)
    end_device = EndDevice.objects.select_for_update().get(pk=end_device.pk)
    before = audit.snapshot(end_device)
    end_device.poll_rate = seconds
    end_device.save(update_fields=["poll_rate"])
    changefeed.record(
        "poll_rate_changed", [*affected.end_device(end_device), Resource(Kind.FSA_LIST, end_device.pk)]
    )
    audit.record_change(actor=actor, action="end_device.poll_rate", obj=end_device, before=before)
    return end_device


@transaction.atomic
def set_mirror_post_rate(
    *, usage_point: MirrorUsagePoint, seconds: int | None, actor=None
) -> MirrorUsagePoint:
    """The MirrorUsagePoint tells its client to post its readings this often, whatever it posted."""
    _check(seconds)
    usage_point = MirrorUsagePoint.objects.select_for_update().get(pk=usage_point.pk)
    before = audit.snapshot(usage_point)
    usage_point.utility_post_rate = seconds
    usage_point.save(update_fields=["utility_post_rate"])
    changefeed.record("post_rate_changed", [Resource(Kind.MIRROR_USAGE_POINT, usage_point.pk)])
    audit.record_change(actor=actor, action="mirror_usage_point.post_rate", obj=usage_point, before=before)
    return usage_point
