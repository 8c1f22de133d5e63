"""Lists of what clients send (log events, responses, mirrors, subscriptions) and the ResponseSets.

Storing what clients send belongs to the write side; until an entry is stored, these lists are truly
empty, and they are rendered here so that the write side only has to supply the entries.
"""

from __future__ import annotations

from lxml import etree

from csip_api import hrefs
from csip_api.documents import DER_RESOURCES, LOG_EVENT, MIRROR_METER_READING, MIRROR_USAGE_POINT, RESPONSE
from csip_api.hrefs import href
from csip_api.paging import Page
from csip_api.schema_values import render_values
from csip_api.selectors.mrids import derived_mrid
from csip_api.xml import element, leaf, list_link
from derms.models import DERProgram, LogEvent, MirrorMeterReading, MirrorUsagePoint, Response
from derms.services.rates import post_rate_of


def response_set(program: DERProgram) -> etree._Element:
    """The ResponseSet that a program's events name in ``replyTo``: one per program."""
    return element(
        "ResponseSet",
        leaf("mRID", derived_mrid("rsps", program.mrid)),
        leaf("description", (program.description or program.mrid)[:32]),
        list_link("ResponseListLink", href(hrefs.RESPONSE_LIST, rsps=program.pk), count=None),
        href=href(hrefs.RESPONSE_SET, rsps=program.pk),
    )


def response_set_list(page: Page[DERProgram]) -> etree._Element:
    return element(
        "ResponseSetList",
        *(response_set(p) for p in page.items),
        href=href(hrefs.RESPONSE_SET_LIST),
        all=page.all,
        results=page.results,
    )


def empty_list(tag: str, *, list_href: str, subscribable: bool) -> etree._Element:
    """A LogEventList, SubscriptionList, UsagePointList or MirrorUsagePointList holding nothing yet."""
    return element(tag, href=list_href, subscribable=1 if subscribable else None, all=0, results=0)


def der_report(resource: str, values: dict, *, report_href: str) -> etree._Element:
    """A DERCapability, DERSettings, DERStatus or DERAvailability, exactly as the DER reported it."""
    return render_values(resource, DER_RESOURCES[resource], values, href=report_href)


def _log_event_values(log_event: LogEvent) -> dict:
    return {
        "createdDateTime": log_event.created_date_time,
        "details": log_event.details or None,
        "extendedData": log_event.extended_data,
        "functionSet": log_event.function_set,
        "logEventCode": log_event.log_event_code,
        "logEventID": log_event.log_event_id,
        "logEventPEN": log_event.log_event_pen,
        "profileID": log_event.profile_id,
    }


def log_event(entry: LogEvent) -> etree._Element:
    entry_href = href(hrefs.LOG_EVENT, edev=entry.end_device_id, lel=entry.pk)
    return render_values("LogEvent", LOG_EVENT, _log_event_values(entry), href=entry_href)


def _page_of(tag: str, entries: list[etree._Element], page: Page, *, list_href: str, **attributes):
    """A 2030.5 list document holding one page of entries."""
    return element(tag, *entries, href=list_href, all=page.all, results=page.results, **attributes)


def log_event_list(page: Page[LogEvent], *, list_href: str) -> etree._Element:
    entries = [log_event(entry) for entry in page.items]
    return _page_of("LogEventList", entries, page, list_href=list_href, subscribable=1)


def _meter_reading_values(meter_reading: MirrorMeterReading) -> dict:
    return {
        "mRID": meter_reading.mrid,
        "description": meter_reading.description or None,
        "version": meter_reading.version,
        "lastUpdateTime": meter_reading.last_update_time,
        "nextUpdateTime": meter_reading.next_update_time,
        "ReadingType": meter_reading.reading_type,
    }


def mirror_meter_reading(meter_reading: MirrorMeterReading) -> etree._Element:
    reading_href = href(hrefs.MIRROR_METER_READING, mup=meter_reading.usage_point_id, mr=meter_reading.pk)
    return render_values(
        "MirrorMeterReading", MIRROR_METER_READING, _meter_reading_values(meter_reading), href=reading_href
    )


def mirror_usage_point(usage_point: MirrorUsagePoint) -> etree._Element:
    """A MirrorUsagePoint with its MirrorMeterReadings and the postRate clients should post at."""
    values = {
        "mRID": usage_point.mrid,
        "description": usage_point.description or None,
        "version": usage_point.version,
        "roleFlags": usage_point.role_flags,
        "serviceCategoryKind": usage_point.service_category_kind,
        "status": usage_point.status,
        "deviceLFDI": usage_point.end_device.lfdi,
        "MirrorMeterReading": [_meter_reading_values(m) for m in usage_point.meter_readings.all()],
        "postRate": post_rate_of(usage_point),
    }
    return render_values(
        "MirrorUsagePoint",
        MIRROR_USAGE_POINT,
        values,
        href=href(hrefs.MIRROR_USAGE_POINT, mup=usage_point.pk),
    )


def mirror_usage_point_list(page: Page[MirrorUsagePoint]) -> etree._Element:
    entries = [mirror_usage_point(usage_point) for usage_point in page.items]
    return _page_of("MirrorUsagePointList", entries, page, list_href=href(hrefs.MIRROR_USAGE_POINT_LIST))


def response(entry: Response) -> etree._Element:
    values = {
        "createdDateTime": entry.created_date_time,
        "endDeviceLFDI": entry.end_device.lfdi,
        "status": entry.status,
        "subject": entry.control.mrid,
    }
    entry_href = href(hrefs.RESPONSE, rsps=entry.control.program_id, rsp=entry.pk)
    return render_values("Response", RESPONSE, values, href=entry_href)


def response_list(page: Page[Response], *, program: DERProgram) -> etree._Element:
    entries = [response(entry) for entry in page.items]
    return _page_of("ResponseList", entries, page, list_href=href(hrefs.RESPONSE_LIST, rsps=program.pk))
