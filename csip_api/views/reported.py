"""Resources holding what clients send: DER status and settings, log events, responses, mirrors.

GET serves what was stored; PUT and POST parse the body with the document descriptions of
:mod:`csip_api.documents` and hand plain values to the write services, each request one transaction.
A POST answers 201 with ``Location`` when it created something, 200 with the existing ``Location`` when
the same thing had been posted before.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse

from csip_api import hrefs
from csip_api.documents import DER_RESOURCES, LOG_EVENT, MIRROR_METER_READING, MIRROR_USAGE_POINT, RESPONSE
from csip_api.http import Resource, empty_response, posted, xml_response
from csip_api.paging import page_request, paginate
from csip_api.render import reported as render
from csip_api.schema_values import read_values
from csip_api.scope import Scope
from csip_api.xml.parse import Body
from derms.models import DERProgram, EndDevice, LogEvent, Response
from derms.services.alarms import post_log_event
from derms.services.der_reports import REPORTS, put_der_resource
from derms.services.metering import (
    delete_mirror_usage_point,
    post_mirror_meter_readings,
    post_mirror_usage_point,
)
from derms.services.responses import post_response

#: Where each DER resource is routed.
REPORT_PATTERNS = {
    "DERCapability": hrefs.DER_CAPABILITY,
    "DERSettings": hrefs.DER_SETTINGS,
    "DERStatus": hrefs.DER_STATUS,
    "DERAvailability": hrefs.DER_AVAILABILITY,
}


class DERReportView(Resource):
    """DERCapability, DERSettings, DERStatus or DERAvailability: what the DER last reported."""

    resource = ""

    def body_roots(self, method: str) -> tuple[str, ...]:
        return (self.resource,) if method == "PUT" else ()

    def _end_device(self, edev: int, der: int) -> EndDevice:
        end_device = self.scope.get_der_end_device(edev)
        if der != hrefs.DER_ID:
            raise Http404
        return end_device

    def get(self, request, edev, der):
        end_device = self._end_device(edev, der)
        report = REPORTS[self.resource].objects.filter(end_device=end_device).first()
        if report is None:
            raise Http404
        # Served field for field as the client last PUT it: the DER's active alarms are the server's
        # reading of what it reported (the portal shows them), not an edit of what it said.
        values = report.values
        report_href = hrefs.href(REPORT_PATTERNS[self.resource], edev=edev, der=der)
        return xml_response(render.der_report(self.resource, values, report_href=report_href))

    def put(self, request, edev, der):
        end_device = self._end_device(edev, der)
        values = read_values(self.body, DER_RESOURCES[self.resource])
        put_der_resource(end_device=end_device, resource=self.resource, values=values)
        return empty_response(204)


class LogEventListView(Resource):
    accepts = {"POST": ("LogEvent",)}

    def get(self, request, edev):
        end_device = self.scope.get_end_device(edev)
        history = LogEvent.objects.filter(end_device=end_device).order_by("-created_date_time", "-id")
        page = paginate(history, page_request(request.GET))
        list_href = hrefs.href(hrefs.LOG_EVENT_LIST, edev=edev)
        return xml_response(render.log_event_list(page, list_href=list_href))

    def post(self, request, edev):
        end_device = self.scope.get_end_device(edev)
        values = read_values(self.body, LOG_EVENT)
        log_event, created = post_log_event(end_device=end_device, values=values)
        return posted(hrefs.href(hrefs.LOG_EVENT, edev=edev, lel=log_event.pk), created=created)


class LogEventView(Resource):
    def get(self, request, edev, lel):
        end_device = self.scope.get_end_device(edev)
        log_event = LogEvent.objects.filter(end_device=end_device, pk=lel).first()
        if log_event is None:
            raise Http404
        return xml_response(render.log_event(log_event))


class MirrorUsagePointListView(Resource):
    accepts = {"POST": ("MirrorUsagePoint",)}

    def get(self, request):
        usage_points = self.scope.mirror_usage_points().select_related("end_device")
        page = paginate(usage_points.prefetch_related("meter_readings"), page_request(request.GET))
        return xml_response(render.mirror_usage_point_list(page))

    def post(self, request):
        values = read_values(self.body, MIRROR_USAGE_POINT)
        usage_point, created = post_mirror_usage_point(
            client=self.scope.end_device,
            end_device=self.scope.get_der_by_lfdi(values["deviceLFDI"]),
            values=values,
        )
        return posted(hrefs.href(hrefs.MIRROR_USAGE_POINT, mup=usage_point.pk), created=created)


class MirrorUsagePointView(Resource):
    """One MirrorUsagePoint; its MirrorMeterReadings and their Readings are POSTed here."""

    accepts = {"POST": ("MirrorMeterReading", "MirrorMeterReadingList")}

    def get(self, request, mup):
        return xml_response(render.mirror_usage_point(self.scope.get_mirror_usage_point(mup)))

    def delete(self, request, mup):
        """The client stops mirroring this usage point: it goes, with its readings."""
        usage_point = self.scope.get_mirror_usage_point(mup)
        delete_mirror_usage_point(client=self.scope.end_device, usage_point=usage_point)
        return empty_response(204)

    def post(self, request, mup):
        return post_to_mirror_usage_point(self.scope.end_device, mup, self.body)


def post_to_mirror_usage_point(client: EndDevice | None, mup: int, body: Body) -> HttpResponse:
    """Store the MirrorMeterReading, or list of them, that ``client`` POSTed to its MirrorUsagePoint
    ``mup``: the view's answer, and the 2030.5 listener's front door's (:mod:`csip_api.front.readings`).

    Stores all of it or nothing: an error raised here leaves nothing written.
    """
    entries = body.children("MirrorMeterReading") if body.tag == "MirrorMeterReadingList" else [body]
    meter_readings = [read_values(entry, MIRROR_METER_READING) for entry in entries]
    # The service finds the mirror within the client's reach itself: in the same query as the
    # MirrorMeterReadings it needs, since readings are the most frequent post of all.
    stored, created = post_mirror_meter_readings(
        client=client, usage_point_id=mup, meter_readings=meter_readings
    )
    if body.tag == "MirrorMeterReading":
        return posted(hrefs.href(hrefs.MIRROR_METER_READING, mup=mup, mr=stored[0]), created=created)
    return posted(hrefs.href(hrefs.MIRROR_USAGE_POINT, mup=mup), created=created)


class MirrorMeterReadingView(Resource):
    def get(self, request, mup, mr):
        usage_point = self.scope.get_mirror_usage_point(mup)
        meter_reading = usage_point.meter_readings.filter(pk=mr).first()
        if meter_reading is None:
            raise Http404
        return xml_response(render.mirror_meter_reading(meter_reading))


class UsagePointListView(Resource):
    """The usage points the server exposes for what clients mirror (2030.5 metering mirror)."""

    def get(self, request):
        list_href = hrefs.href(hrefs.USAGE_POINT_LIST)
        return xml_response(render.empty_list("UsagePointList", list_href=list_href, subscribable=True))


class ResponseSetListView(Resource):
    def get(self, request):
        page = paginate(self.scope.programs().order_by("primacy", "id"), page_request(request.GET))
        return xml_response(render.response_set_list(page))


class ResponseSetView(Resource):
    def get(self, request, rsps):
        return xml_response(render.response_set(self.scope.get_program(rsps)))


def _program_responses(scope: Scope, rsps: int) -> tuple[DERProgram, QuerySet[Response]]:
    """The program of ResponseSet ``rsps`` and the Responses to its events from DERs in ``scope``."""
    program = scope.get_program(rsps)
    responses = Response.objects.filter(control__program=program, end_device__in=scope.ders())
    return program, responses.select_related("control", "end_device")


class ResponseListView(Resource):
    """The Responses to a program's events, posted to the ResponseSet its events name in replyTo."""

    accepts = {"POST": ("Response", "DERControlResponse")}

    def get(self, request, rsps):
        program, responses = _program_responses(self.scope, rsps)
        page = paginate(responses.order_by("-reported_at", "-id"), page_request(request.GET))
        return xml_response(render.response_list(page, program=program))

    def post(self, request, rsps):
        program = self.scope.get_program(rsps)
        values = read_values(self.body, RESPONSE)
        response = post_response(
            client=self.scope.end_device,
            end_device=self.scope.get_der_by_lfdi(values["endDeviceLFDI"]),
            program=program,
            values=values,
        )
        return posted(hrefs.href(hrefs.RESPONSE, rsps=rsps, rsp=response.pk), created=True)


class ResponseView(Resource):
    def get(self, request, rsps, rsp):
        _, responses = _program_responses(self.scope, rsps)
        found = responses.filter(pk=rsp).first()
        if found is None:
            raise Http404
        return xml_response(render.response(found))
