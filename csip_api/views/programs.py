"""DERPrograms and what they hold, readable only through an FSA of the client or one of its DERs."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from csip_api import hrefs
from csip_api.http import Resource, xml_response
from csip_api.paging import page_request, paginate
from csip_api.render import programs as render
from csip_api.selectors import programs as select
from derms.models import DefaultDERControl, DERProgram


class ProgramView(Resource):
    def get(self, request, derp):
        among = select.with_link_counts(DERProgram.objects.all(), timezone.now())
        return xml_response(render.program(self.scope.get_program(derp, among=among)))


class DefaultControlView(Resource):
    def get(self, request, derp):
        program = self.scope.get_program(derp, among=DERProgram.objects.select_related("default_control"))
        try:
            default = program.default_control
        except DefaultDERControl.DoesNotExist:
            raise Http404 from None
        return xml_response(render.default_control(default))


class ControlListView(Resource):
    """The program's DERControlList; ActiveControlListView narrows it to the events active now."""

    select_controls = staticmethod(select.listed_controls)
    list_name = hrefs.CONTROL_LIST

    def get(self, request, derp):
        now = timezone.now()
        query = page_request(request.GET)
        program = self.scope.get_program(derp)
        controls = select.changed_since(self.select_controls(program.pk, now), query.after)
        list_href = hrefs.href(self.list_name, derp=derp)
        return xml_response(render.control_list(paginate(controls, query), list_href=list_href, now=now))


class ActiveControlListView(ControlListView):
    select_controls = staticmethod(select.active_controls)
    list_name = hrefs.ACTIVE_CONTROL_LIST


class ControlView(Resource):
    """One event, readable while it is in its program's DERControlList: 404 once its effective
    scheduled period is over (see derms.events.lifecycle.status_at)."""

    def get(self, request, derp, derc):
        program = self.scope.get_program(derp)
        found = select.listed_controls(program.pk, timezone.now()).filter(pk=derc).first()
        if found is None:
            raise Http404
        return xml_response(render.control(found, timezone.now()))


class CurveListView(Resource):
    def get(self, request, derp):
        program = self.scope.get_program(derp)
        page = paginate(select.curves(program.pk), page_request(request.GET))
        list_href = hrefs.href(hrefs.CURVE_LIST, derp=derp)
        return xml_response(render.curve_list(page, list_href=list_href))


class CurveView(Resource):
    def get(self, request, derp, dc):
        program = self.scope.get_program(derp)
        found = select.curves(program.pk).filter(pk=dc).first()
        if found is None:
            raise Http404
        return xml_response(render.curve(found))
