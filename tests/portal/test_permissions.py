"""Who may do what: dispatchers schedule and cancel, other staff read, everyone else logs in first."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from derms.models import DERControl, EventStatus

SCHEDULE_LINK = "Schedule an event"


@pytest.fixture
def pages(direct_der, system_program, export_limit):
    return [
        reverse("portal:landing"),
        reverse("portal:device_search") + "?q=00",
        reverse("portal:device", args=[direct_der.lfdi]),
        reverse("portal:programs"),
        reverse("portal:program", args=[system_program.pk]),
        reverse("portal:event_new", args=[system_program.pk]),
    ]


def cancel_url(event):
    return reverse("portal:event_cancel", args=[event.program_id, event.pk])


def test_anonymous_visitors_are_sent_to_the_login_page(client, pages, export_limit):
    for url in [*pages, cancel_url(export_limit)]:
        response = client.post(url) if url == cancel_url(export_limit) else client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_users_who_are_not_staff_are_sent_to_the_login_page_too(client, pages, export_limit):
    client.force_login(get_user_model().objects.create_user("customer", password="customer-password"))

    for url in pages:
        assert client.get(url).status_code == 302, url
    assert client.post(cancel_url(export_limit), {"reason": "no"}).status_code == 302
    assert DERControl.objects.get().status == EventStatus.SCHEDULED


def test_staff_without_the_dispatch_permission_read_every_page_but_see_no_buttons(
    read_only_client, pages, system_program
):
    for url in pages[:-1]:  # all but the new-event form
        assert read_only_client.get(url).status_code == 200, url
    program_page = read_only_client.get(reverse("portal:program", args=[system_program.pk])).content.decode()
    assert SCHEDULE_LINK not in program_page
    assert 'name="reason"' not in program_page


def test_staff_without_the_dispatch_permission_can_neither_schedule_nor_cancel(
    read_only_client, system_program, export_limit
):
    new_event = reverse("portal:event_new", args=[system_program.pk])

    assert read_only_client.get(new_event).status_code == 403
    assert (
        read_only_client.post(
            new_event, {"start_mode": "now", "duration_minutes": "5", "opModConnect": "off", "save": ""}
        ).status_code
        == 403
    )
    assert read_only_client.post(cancel_url(export_limit), {"reason": "no"}).status_code == 403
    assert DERControl.objects.get().status == EventStatus.SCHEDULED


def test_dispatchers_see_the_buttons(dispatcher_client, system_program, export_limit):
    page = dispatcher_client.get(reverse("portal:program", args=[system_program.pk])).content.decode()

    assert SCHEDULE_LINK in page
    assert 'name="reason"' in page
    assert "csrfmiddlewaretoken" in page


def test_cancelling_needs_the_csrf_token(dispatcher, export_limit):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(dispatcher)

    assert guarded.post(cancel_url(export_limit), {"reason": "forged"}).status_code == 403
    assert DERControl.objects.get().status == EventStatus.SCHEDULED


def test_a_role_that_may_not_gets_a_page_that_says_so(read_only_client, system_program):
    response = read_only_client.get(reverse("portal:event_new", args=[system_program.pk]))

    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()
