"""DERProgram, DefaultDERControl, DERControl and DERCurve documents and their lists."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from csip_api import hrefs
from csip_api.hrefs import href
from csip_api.paging import Page
from csip_api.render.controls import control_base, default_only_settings
from csip_api.xml import Hex, element, leaf, link, list_link
from derms.events.lifecycle import status_at
from derms.models import DefaultDERControl, DERControl, DERCurve, DERProgram


def _identity(obj) -> tuple[etree._Element | None, ...]:
    """IdentifiedObject's mRID, description and version (left out while 0, as in the guide's figures)."""
    return (
        leaf("mRID", obj.mrid),
        leaf("description", obj.description or None),
        leaf("version", obj.version or None),
    )


def program(derp: DERProgram) -> etree._Element:
    """A DERProgram annotated by ``selectors.programs.with_link_counts``."""
    ids = {"derp": derp.pk}
    return element(
        "DERProgram",
        *_identity(derp),
        list_link(
            "ActiveDERControlListLink", href(hrefs.ACTIVE_CONTROL_LIST, **ids), count=derp.active_count
        ),
        link("DefaultDERControlLink", href(hrefs.DEFAULT_CONTROL, **ids)),
        list_link("DERControlListLink", href(hrefs.CONTROL_LIST, **ids), count=derp.control_count),
        list_link("DERCurveListLink", href(hrefs.CURVE_LIST, **ids), count=derp.curve_count),
        leaf("primacy", derp.primacy),
        href=href(hrefs.PROGRAM, **ids),
        subscribable=1,
    )


def program_list(page: Page[DERProgram], *, list_href: str, poll_rate: int) -> etree._Element:
    """A DERProgramList; its pollRate tells DER clients how often to poll (CSIP 6.3.3.3)."""
    return element(
        "DERProgramList",
        *(program(p) for p in page.items),
        href=list_href,
        subscribable=1,
        all=page.all,
        results=page.results,
        pollRate=poll_rate,
    )


def default_control(default: DefaultDERControl) -> etree._Element:
    return element(
        "DefaultDERControl",
        *_identity(default),
        control_base(default),
        *default_only_settings(default),
        href=href(hrefs.DEFAULT_CONTROL, derp=default.program_id),
        subscribable=1,
    )


def event_status(control: DERControl, now: dt.datetime) -> etree._Element:
    view = status_at(control, now)
    return element(
        "EventStatus",
        leaf("currentStatus", int(view.current_status)),
        leaf("dateTime", view.date_time),
        leaf("potentiallySuperseded", view.potentially_superseded),
        leaf("potentiallySupersededTime", view.potentially_superseded_time),
        leaf("reason", view.reason or None),
    )


def control(derc: DERControl, now: dt.datetime) -> etree._Element:
    """A DERControl; clients reply to the ResponseSet of its program when a response is required."""
    return element(
        "DERControl",
        *_identity(derc),
        leaf("creationTime", derc.creation_time),
        event_status(derc, now),
        element("interval", leaf("duration", derc.duration), leaf("start", derc.start)),
        leaf("randomizeDuration", derc.randomize_duration),
        leaf("randomizeStart", derc.randomize_start),
        control_base(derc),
        leaf("deviceCategory", None if derc.device_category is None else Hex(derc.device_category, 4)),
        href=href(hrefs.CONTROL, derp=derc.program_id, derc=derc.pk),
        replyTo=href(hrefs.RESPONSE_LIST, rsps=derc.program_id) if derc.response_required else None,
        responseRequired=Hex(derc.response_required, 1),
        subscribable=1,
    )


def control_list(page: Page[DERControl], *, list_href: str, now: dt.datetime) -> etree._Element:
    """A DERControlList; the ActiveDERControlList is one too (the schema has no type of its own for it)."""
    return element(
        "DERControlList",
        *(control(c, now) for c in page.items),
        href=list_href,
        subscribable=1,
        all=page.all,
        results=page.results,
    )


def curve(dc: DERCurve) -> etree._Element:
    points = (
        element("CurveData", leaf("excitation", p.excitation), leaf("xvalue", p.x), leaf("yvalue", p.y))
        for p in dc.points.all()
    )
    return element(
        "DERCurve",
        *_identity(dc),
        leaf("autonomousVRefEnable", dc.autonomous_vref_enable),
        leaf("autonomousVRefTimeConstant", dc.autonomous_vref_time_constant),
        leaf("creationTime", dc.creation_time),
        *points,
        leaf("curveType", dc.curve_type),
        leaf("openLoopTms", dc.open_loop_tms),
        leaf("rampDecTms", dc.ramp_dec_tms),
        leaf("rampIncTms", dc.ramp_inc_tms),
        leaf("rampPT1Tms", dc.ramp_pt1_tms),
        leaf("vRef", dc.vref),
        leaf("xMultiplier", dc.x_multiplier),
        leaf("yMultiplier", dc.y_multiplier),
        leaf("yRefType", dc.y_ref_type),
        href=href(hrefs.CURVE, derp=dc.program_id, dc=dc.pk),
    )


def curve_list(page: Page[DERCurve], *, list_href: str) -> etree._Element:
    return element(
        "DERCurveList", *(curve(c) for c in page.items), href=list_href, all=page.all, results=page.results
    )
