"""The client's SubscriptionList and its Subscriptions (CSIP 5.2.5); the rules are notifications.services'."""

from __future__ import annotations

from django.http import Http404

from csip_api import hrefs
from csip_api.documents import SUBSCRIPTION
from csip_api.http import Resource, empty_response, posted, xml_response
from csip_api.paging import page_request, paginate
from csip_api.render import subscriptions as render
from csip_api.schema_values import read_values
from csip_api.xml import XMLBodyError
from derms.models import EndDevice
from notifications.models import Subscription
from notifications.services import may_subscribe, subscribe, unsubscribe


class _OwnSubscriptions(Resource):
    def owner(self, edev: int) -> EndDevice:
        """Only the client's own EndDevice has a SubscriptionList, and only if it may subscribe."""
        end_device = self.scope.get_own_end_device(edev)
        if not may_subscribe(self.scope.client):
            raise Http404
        return end_device


class SubscriptionListView(_OwnSubscriptions):
    accepts = {"POST": ("Subscription",)}

    def get(self, request, edev):
        owner = self.owner(edev)
        subscriptions = Subscription.objects.filter(subscriber=owner).order_by("id")
        page = paginate(subscriptions, page_request(request.GET))
        list_href = hrefs.href(hrefs.SUBSCRIPTION_LIST, edev=edev)
        return xml_response(render.subscription_list(page, list_href=list_href))

    def post(self, request, edev):
        self.owner(edev)
        body = self.body
        if body.child("Condition") is not None:
            raise XMLBodyError("Conditional subscriptions are not offered: leave Condition out.")
        values = read_values(body, SUBSCRIPTION)
        if values["encoding"] != render.ENCODING_XML:
            raise XMLBodyError("Only encoding 0 (application/sep+xml) is offered.")
        subscription, created = subscribe(
            client=self.scope.client,
            subscribed_resource=values["subscribedResource"],
            notification_uri=values["notificationURI"],
            limit=values["limit"],
            level=values["level"],
        )
        return posted(render.subscription_href(subscription), created=created)


class SubscriptionView(_OwnSubscriptions):
    def _subscription(self, edev: int, sub: int) -> Subscription:
        return Subscription.objects.get(subscriber=self.owner(edev), pk=sub)

    def get(self, request, edev, sub):
        return xml_response(render.subscription(self._subscription(edev, sub)))

    def delete(self, request, edev, sub):
        unsubscribe(self._subscription(edev, sub))
        return empty_response(204)
