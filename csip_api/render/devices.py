"""DeviceCapability, EndDevice, Registration, FunctionSetAssignments and DER documents."""

from __future__ import annotations

from django.conf import settings
from lxml import etree

from csip_api import hrefs
from csip_api.hrefs import href
from csip_api.paging import Page
from csip_api.selectors.functions import FunctionSetAssignment
from csip_api.xml import Hex, element, leaf, link, list_link
from derms.models import EndDevice
from derms.services.rates import poll_rate_of


def device_capability(*, end_device_count: int, response_set_count: int, mirror_count: int) -> etree._Element:
    return element(
        "DeviceCapability",
        list_link("ResponseSetListLink", href(hrefs.RESPONSE_SET_LIST), count=response_set_count),
        link("TimeLink", href(hrefs.TIME)),
        list_link("UsagePointListLink", href(hrefs.USAGE_POINT_LIST), count=0),
        list_link("EndDeviceListLink", href(hrefs.END_DEVICE_LIST), count=end_device_count),
        list_link("MirrorUsagePointListLink", href(hrefs.MIRROR_USAGE_POINT_LIST), count=mirror_count),
        href=href(hrefs.DCAP),
        pollRate=settings.CSIP_POLL_RATE,
    )


def end_device(
    device: EndDevice, *, fsa_count: int | None, log_event_count: int, subscription_count: int | None = None
) -> etree._Element:
    """An EndDevice: a DER links to its FSAs and DERList (CSIP 6.1.7); the client's own links to its
    SubscriptionList when it may subscribe (``subscription_count`` given)."""
    ids = {"edev": device.pk}
    is_der = device.is_der
    return element(
        "EndDevice",
        list_link("DERListLink", href(hrefs.DER_LIST, **ids), count=1) if is_der else None,
        leaf("deviceCategory", None if device.device_category is None else Hex(device.device_category, 4)),
        leaf("lFDI", device.lfdi),
        list_link("LogEventListLink", href(hrefs.LOG_EVENT_LIST, **ids), count=log_event_count),
        leaf("sFDI", device.sfdi),
        leaf("changedTime", device.changed_time),
        leaf("enabled", device.enabled),
        list_link("FunctionSetAssignmentsListLink", href(hrefs.FSA_LIST, **ids), count=fsa_count)
        if is_der
        else None,
        leaf("postRate", device.post_rate),
        link("RegistrationLink", href(hrefs.REGISTRATION, **ids)) if device.pin is not None else None,
        None
        if subscription_count is None
        else list_link(
            "SubscriptionListLink", href(hrefs.SUBSCRIPTION_LIST, **ids), count=subscription_count
        ),
        href=href(hrefs.END_DEVICE, **ids),
        subscribable=1,
    )


def _subscription_list_link(ids: dict, count: int | None) -> etree._Element | None:
    if count is None:
        return None
    return list_link("SubscriptionListLink", href(hrefs.SUBSCRIPTION_LIST, **ids), count=count)


def end_device_list(
    page: Page[EndDevice],
    *,
    fsa_counts: dict[int, int],
    log_event_counts: dict[int, int],
    subscription_counts: dict[int, int],
    poll_rate: int,
) -> etree._Element:
    return element(
        "EndDeviceList",
        *(
            end_device(
                d,
                fsa_count=fsa_counts.get(d.pk),
                log_event_count=log_event_counts.get(d.pk, 0),
                subscription_count=subscription_counts.get(d.pk),
            )
            for d in page.items
        ),
        href=href(hrefs.END_DEVICE_LIST),
        subscribable=1,
        all=page.all,
        results=page.results,
        pollRate=poll_rate,
    )


def registration(device: EndDevice) -> etree._Element | None:
    """The Registration, which exists only when a PIN has been agreed."""
    if device.pin is None:
        return None
    return element(
        "Registration",
        leaf("dateTimeRegistered", device.registered_at),
        leaf("pIN", device.pin),
        href=href(hrefs.REGISTRATION, edev=device.pk),
        pollRate=settings.CSIP_POLL_RATE,
    )


def function_set_assignments(assignment: FunctionSetAssignment) -> etree._Element:
    ids = {"edev": assignment.end_device_id, "fsa": assignment.fsa_id}
    return element(
        "FunctionSetAssignments",
        list_link("DERProgramListLink", href(hrefs.FSA_PROGRAM_LIST, **ids), count=assignment.program_count),
        leaf("mRID", assignment.mrid),
        leaf("description", assignment.description),
        href=href(hrefs.FSA, **ids),
        subscribable=1,
    )


def function_set_assignments_list(device: EndDevice, page: Page[FunctionSetAssignment]) -> etree._Element:
    return element(
        "FunctionSetAssignmentsList",
        *(function_set_assignments(a) for a in page.items),
        href=href(hrefs.FSA_LIST, edev=device.pk),
        subscribable=1,
        all=page.all,
        results=page.results,
        pollRate=poll_rate_of(device),
    )


def der(device: EndDevice) -> etree._Element:
    ids = {"edev": device.pk, "der": hrefs.DER_ID}
    return element(
        "DER",
        link("DERAvailabilityLink", href(hrefs.DER_AVAILABILITY, **ids)),
        link("DERCapabilityLink", href(hrefs.DER_CAPABILITY, **ids)),
        link("DERSettingsLink", href(hrefs.DER_SETTINGS, **ids)),
        link("DERStatusLink", href(hrefs.DER_STATUS, **ids)),
        href=href(hrefs.DER, **ids),
    )


def der_list(device: EndDevice, page: Page[EndDevice]) -> etree._Element:
    """The DERList; its pollRate is how often the DER posts DERStatus (CSIP 6.3.5.2)."""
    return element(
        "DERList",
        *(der(d) for d in page.items),
        href=href(hrefs.DER_LIST, edev=device.pk),
        all=page.all,
        results=page.results,
        pollRate=device.post_rate or settings.CSIP_POST_RATE,
    )
