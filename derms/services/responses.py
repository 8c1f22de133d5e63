"""Responses to events: what each targeted DER says it did with a DERControl (CSIP 6.2.4, 6.3.4)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from derms.events.resolver import applies_to
from derms.models import DERControl, DERProgram, EndDevice, Response, ResponseStatus
from derms.models.der import from_epoch
from derms.models.devices import lock_end_device
from groups.selectors import belongs_to
from live import publish


@transaction.atomic
def post_response(*, client: EndDevice, end_device: EndDevice, program: DERProgram, values: dict) -> Response:
    """Keep a Response about the event ``subject`` for ``end_device`` and track the latest per DER.

    ``end_device`` is the DER named by endDeviceLFDI, already resolved within ``client``'s scope;
    ``program`` owns the ResponseSet it was posted to, the one its events name in replyTo. An event
    of another program, or one that was not sent to that DER, is answered as if it did not exist.
    """
    control = (
        DERControl.objects.select_related("program__group")
        .filter(mrid=values["subject"].upper(), program=program)
        .first()
    )
    if control is None or not was_sent_to(control=control, end_device=end_device):
        raise DERControl.DoesNotExist
    status = values.get("status")
    if status is not None and status not in ResponseStatus.values:
        raise ValidationError(f"{status} is not a Response status code.", code="unknown_status")
    now = timezone.now()
    created = values.get("createdDateTime")
    response = Response(
        control=control,
        end_device=end_device,
        client=client,
        status=status,
        created_date_time=None if created is None else from_epoch(created),
        received_at=now,
    )
    response.reported_at = response.created_date_time or now
    # Two first Responses for the DER at once must not both become the latest.
    lock_end_device(end_device.pk)
    latest = (
        Response.objects.select_for_update()
        .filter(control=control, end_device=end_device, is_latest=True)
        .first()
    )
    response.is_latest = latest is None or response.reported_at >= latest.reported_at
    if response.is_latest and latest is not None:
        latest.is_latest = False
        latest.save(update_fields=["is_latest"])
    response.save()
    publish.changed(end_device=end_device, kind=publish.Kind.RESPONSE)
    return response


def was_sent_to(*, control: DERControl, end_device: EndDevice) -> bool:
    """Whether ``control`` reached ``end_device``: its program serves one of the DER's groups."""
    return applies_to(control, end_device.device_category) and belongs_to(
        end_device=end_device, group=control.program.group
    )
