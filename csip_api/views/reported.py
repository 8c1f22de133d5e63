"""Resources holding what clients send: DER status and settings, log events, responses, mirrors.

The write side stores these. Until a client has sent something, the four DER resources answer 404
(the client has not reported them) and the lists are empty; this module is the one place to extend.
"""

from __future__ import annotations

from django.http import Http404

from csip_api import hrefs
from csip_api.http import Resource, xml_response
from csip_api.paging import page_request, paginate
from csip_api.render import reported as render


class DERReportView(Resource):
    """DERCapability, DERSettings, DERStatus or DERAvailability: what the DER last reported."""

    def get(self, request, edev, der):
        self.scope.get_der_end_device(edev)
        raise Http404


class LogEventListView(Resource):
    def get(self, request, edev):
        self.scope.get_end_device(edev)
        list_href = hrefs.href(hrefs.LOG_EVENT_LIST, edev=edev)
        return xml_response(render.empty_list("LogEventList", list_href=list_href, subscribable=True))


class SubscriptionListView(Resource):
    def get(self, request, edev):
        if self.scope.get_end_device(edev).is_der:
            raise Http404
        list_href = hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=edev)
        return xml_response(render.empty_list("SubscriptionList", list_href=list_href, subscribable=False))


class MirrorUsagePointListView(Resource):
    def get(self, request):
        list_href = hrefs.href(hrefs.MIRROR_USAGE_POINT_LIST)
        return xml_response(
            render.empty_list("MirrorUsagePointList", list_href=list_href, subscribable=False)
        )


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
