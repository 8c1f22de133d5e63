"""DeviceCapability, Time, EndDevices and what hangs off an EndDevice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from csip_api import hrefs
from csip_api.cache.documents import Audience
from csip_api.documents import END_DEVICE
from csip_api.http import Resource, empty_response, posted, xml_response
from csip_api.paging import page_request, paginate, paginate_sequence
from csip_api.render import devices as render
from csip_api.render.programs import program_list
from csip_api.render.time import time_resource
from csip_api.schema_values import read_values
from csip_api.selectors import functions
from csip_api.selectors.devices import end_device_page
from csip_api.selectors.programs import next_transition, with_link_counts
from csip_api.views.programs import program_sources
from csip_api.xml import XMLBodyError
from derms.changefeed import TOPOLOGY, Kind
from derms.changefeed import Resource as FeedResource
from derms.services.rates import poll_rate_of
from derms.services.registration import deregister_end_device, register_end_device


class ClientResource(Resource):
    """A document that is the client's own, cached per client (csip_api.cache.documents)."""

    audience = Audience.CLIENT

    def end_device_sources(self, edev: int) -> None:
        """An EndDevice the client reads: its fields, and whether the client may read it at all."""
        self.sources.add(FeedResource(Kind.END_DEVICE, edev))


class DeviceCapabilityView(ClientResource):
    def get(self, request):
        own = self.scope.end_device
        if own is not None:
            self.sources.add(
                FeedResource(Kind.END_DEVICE_LIST, own.pk),
                FeedResource(Kind.MIRROR_USAGE_POINT_LIST, own.pk),
                TOPOLOGY,
            )
        return xml_response(
            render.device_capability(
                end_device_count=self.scope.end_device_count(),
                response_set_count=self.scope.programs().count(),
                mirror_count=self.scope.mirror_usage_points().count(),
            )
        )


class TimeView(Resource):
    audience = Audience.EVERY_CLIENT

    def get(self, request):
        now = timezone.now()
        # currentTime is in whole seconds: the same document until the next one.
        self.sources.until(now.replace(microsecond=0) + dt.timedelta(seconds=1))
        return xml_response(time_resource(now))


class EndDeviceListView(ClientResource):
    accepts = {"POST": ("EndDevice",)}

    def post(self, request):
        """In-band registration (CSIP 6.1.4, 5.3.1.2): a DER registers itself, an aggregator its DERs."""
        values = read_values(self.body, END_DEVICE)
        client = self.scope.client
        lfdi = values.get("lFDI")
        if lfdi is None:
            if client.is_aggregator:
                raise XMLBodyError("An aggregator names the DER it registers by its lFDI.")
            lfdi = client.lfdi
        end_device, created = register_end_device(
            registrant_lfdi=client.lfdi,
            lfdi=lfdi,
            sfdi=values["sFDI"],
            device_category=values.get("deviceCategory"),
            post_rate=values.get("postRate"),
        )
        return posted(hrefs.href(hrefs.END_DEVICE, edev=end_device.pk), created=created)

    def get(self, request):
        page = end_device_page(self.scope, page_request(request.GET))
        own = self.scope.end_device
        if own is not None:
            # Each listed DER's fields are news on its aggregator's list (derms.changefeed.affected).
            self.sources.add(
                FeedResource(Kind.END_DEVICE_LIST, own.pk),
                FeedResource(Kind.END_DEVICE, own.pk),
                FeedResource(Kind.SUBSCRIPTION_LIST, own.pk),
                TOPOLOGY,
                (FeedResource(Kind.LOG_EVENT_LIST, device.pk) for device in page.items),
            )
        return xml_response(
            render.end_device_list(
                page,
                fsa_counts=functions.assignment_counts(page.items),
                log_event_counts=functions.log_event_counts(page.items),
                subscription_counts=functions.subscription_counts(self.scope, page.items),
                poll_rate=poll_rate_of(self.scope.end_device),
            )
        )


class EndDeviceView(ClientResource):
    def get(self, request, edev):
        device = self.scope.get_end_device(edev)
        self.end_device_sources(edev)
        self.sources.add(
            FeedResource(Kind.LOG_EVENT_LIST, edev),
            FeedResource(Kind.SUBSCRIPTION_LIST, self.scope.end_device.pk),
            TOPOLOGY,
        )
        fsa_count = functions.assignment_counts([device]).get(device.pk)
        document = render.end_device(
            device,
            fsa_count=fsa_count,
            log_event_count=device.log_events.count(),
            subscription_count=functions.subscription_counts(self.scope, [device]).get(device.pk),
        )
        return xml_response(document)

    def delete(self, request, edev):
        """An aggregator removes a DER it manages, when the utility allows it (CSIP 5.3.1.2): deregistered,
        its history kept."""
        deregister_end_device(remover=self.scope.end_device, end_device=self.scope.get_end_device(edev))
        return empty_response(200)


class RegistrationView(ClientResource):
    def get(self, request, edev):
        self.end_device_sources(edev)
        document = render.registration(self.scope.get_end_device(edev))
        if document is None:
            raise Http404
        return xml_response(document)


class AssignmentsResource(ClientResource):
    def end_device_sources(self, edev: int) -> None:
        """A DER's FSAs follow its groups and the programs in them."""
        super().end_device_sources(edev)
        self.sources.add(FeedResource(Kind.FSA_LIST, edev), TOPOLOGY)


class FunctionSetAssignmentsListView(AssignmentsResource):
    def get(self, request, edev):
        self.end_device_sources(edev)
        device = self.scope.get_der_end_device(edev)
        page = paginate_sequence(functions.assignments(device), page_request(request.GET))
        return xml_response(render.function_set_assignments_list(device, page))


class FunctionSetAssignmentsView(AssignmentsResource):
    def get(self, request, edev, fsa):
        self.end_device_sources(edev)
        device = self.scope.get_der_end_device(edev)
        return xml_response(render.function_set_assignments(functions.get_assignment(device, fsa)))


class AssignedProgramListView(AssignmentsResource):
    """The DERProgramList behind one FSA, with pollRate and each program's list counts."""

    def get(self, request, edev, fsa):
        now = timezone.now()
        self.end_device_sources(edev)
        device = self.scope.get_der_end_device(edev)
        assigned = functions.programs_of_assignment(device, fsa)
        program_ids = list(assigned.values_list("pk", flat=True))
        self.sources.add(*(program_sources(pk) for pk in program_ids))
        # The list counts events listed and active now: they change when one starts or ends.
        self.sources.until(next_transition(program_ids, now))
        programs = with_link_counts(assigned, now)
        page = paginate(programs, page_request(request.GET))
        list_href = hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=edev, fsa=fsa)
        # The fastest of the list's programs decides how often the DER polls it.
        fastest = programs.aggregate(rate=Min(Coalesce("poll_rate", settings.CSIP_POLL_RATE)))["rate"]
        return xml_response(
            program_list(page, list_href=list_href, poll_rate=fastest or settings.CSIP_POLL_RATE)
        )


class DERListView(ClientResource):
    def get(self, request, edev):
        self.end_device_sources(edev)
        device = self.scope.get_der_end_device(edev)
        return xml_response(render.der_list(device, paginate_sequence([device], page_request(request.GET))))


class DERView(ClientResource):
    def get(self, request, edev, der):
        self.end_device_sources(edev)
        device = self.scope.get_der_end_device(edev)
        if der != hrefs.DER_ID:
            raise Http404
        return xml_response(render.der(device))
