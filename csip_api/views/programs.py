"""DERPrograms and what they hold, readable only through an FSA of the client or one of its DERs.

Everything here is the program's, the same for every client the scope lets read it: cached once per
program (csip_api.cache.documents, Audience.PROGRAM), with the clock's next change to its events.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from csip_api import hrefs
from csip_api.cache.documents import Audience
from csip_api.http import Resource, xml_response
from csip_api.paging import page_request, paginate
from csip_api.render import programs as render
from csip_api.selectors import programs as select
from derms.changefeed import Kind
from derms.changefeed import Resource as FeedResource
from derms.models import DefaultDERControl, DERProgram


def program_sources(program_id: int) -> list[FeedResource]:
    """What a DERProgram document is built from: its fields and the sizes of its lists."""
    return [
        FeedResource(Kind.DER_PROGRAM, program_id),
        FeedResource(Kind.DER_CONTROL_LIST, program_id),
        FeedResource(Kind.DER_CURVE_LIST, program_id),
        FeedResource(Kind.DEFAULT_DER_CONTROL, program_id),
    ]


class ProgramResource(Resource):
    audience = Audience.PROGRAM


class ProgramView(ProgramResource):
    def get(self, request, derp):
        now = timezone.now()
        among = select.with_link_counts(DERProgram.objects.all(), now)
        self.sources.add(program_sources(derp))
        self.sources.until(select.next_transition([derp], now))
        return xml_response(render.program(self.scope.get_program(derp, among=among)))


class DefaultControlView(ProgramResource):
    def get(self, request, derp):
        self.sources.add(FeedResource(Kind.DEFAULT_DER_CONTROL, derp))
        program = self.scope.get_program(derp, among=DERProgram.objects.select_related("default_control"))
        try:
            default = program.default_control
        except DefaultDERControl.DoesNotExist:
            raise Http404 from None
        return xml_response(render.default_control(default))


class ControlListView(ProgramResource):
    """The program's DERControlList; ActiveControlListView narrows it to the events active now."""

    select_controls = staticmethod(select.listed_controls)
    list_name = hrefs.CONTROL_LIST

    def get(self, request, derp):
        now = timezone.now()
        query = page_request(request.GET)
        program = self.scope.get_program(derp)
        self.sources.add(FeedResource(Kind.DER_CONTROL_LIST, derp))
        self.sources.until(select.next_transition([derp], now))
        controls = select.changed_since(self.select_controls(program.pk, now), query.after)
        list_href = hrefs.href(self.list_name, derp=derp)
        return xml_response(render.control_list(paginate(controls, query), list_href=list_href, now=now))


class ActiveControlListView(ControlListView):
    select_controls = staticmethod(select.active_controls)
    list_name = hrefs.ACTIVE_CONTROL_LIST


class ControlView(ProgramResource):
    """One event, readable while it is in its program's DERControlList: 404 once its effective
    scheduled period is over (see derms.events.lifecycle.status_at)."""

    def get(self, request, derp, derc):
        now = timezone.now()
        program = self.scope.get_program(derp)
        self.sources.add(FeedResource(Kind.DER_CONTROL_LIST, derp))
        self.sources.until(select.next_transition([derp], now))
        found = select.listed_controls(program.pk, now).filter(pk=derc).first()
        if found is None:
            raise Http404
        return xml_response(render.control(found, now))


class CurveListView(ProgramResource):
    def get(self, request, derp):
        program = self.scope.get_program(derp)
        self.sources.add(FeedResource(Kind.DER_CURVE_LIST, derp))
        page = paginate(select.curves(program.pk), page_request(request.GET))
        list_href = hrefs.href(hrefs.CURVE_LIST, derp=derp)
        return xml_response(render.curve_list(page, list_href=list_href))


class CurveView(ProgramResource):
    def get(self, request, derp, dc):
        program = self.scope.get_program(derp)
        self.sources.add(FeedResource(Kind.DER_CURVE_LIST, derp))
        found = select.curves(program.pk).filter(pk=dc).first()
        if found is None:
            raise Http404
        return xml_response(render.curve(found))
