"""The audit trail page: filters by who, action, object and dates; each entry's before and after."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from derms.events.services import update_default_control, update_program
from derms.models import AuditEntry


def audit(client, **query):
    return client.get(reverse("portal:audit"), query)


def test_every_change_is_listed_with_what_it_changed(dispatcher_client, dispatcher, system_program):
    update_program(program=system_program, primacy=7, description="System first", actor=dispatcher)

    page = audit(dispatcher_client).content.decode()

    assert "der_program.change" in page
    assert "primacy" in page and ">7<" in page
    assert "dispatcher" in page


def test_filters_narrow_the_trail_and_keep_their_values_across_pages(
    dispatcher_client, dispatcher, system_program, django_assert_max_num_queries
):
    update_program(program=system_program, primacy=7, description="System", actor=dispatcher)
    update_default_control(program=system_program, values={"opModMaxLimW": 10}, actor=dispatcher)

    with django_assert_max_num_queries(10):
        response = audit(dispatcher_client, action="default_der_control.update")

    page = response.content.decode()
    assert "default_der_control.update" in page
    assert "der_program.change</td>" not in page
    updates = AuditEntry.objects.filter(action="default_der_control.update").count()
    assert f"{updates} entr" in page


def test_a_date_range_selects_by_day(dispatcher_client, dispatcher, system_program):
    update_program(program=system_program, primacy=7, description="System", actor=dispatcher)
    AuditEntry.objects.filter(action="der_program.change").update(at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()

    page = audit(dispatcher_client, since=today.isoformat()).content.decode()

    assert "der_program.change</td>" not in page


def test_a_range_ending_before_it_starts_is_refused_on_the_form(dispatcher_client):
    response = audit(dispatcher_client, since="2026-12-06", until="2026-12-01")

    assert response.status_code == 400
    assert "must end on or after" in response.content.decode()


def test_the_trail_is_for_staff_only(client, db):
    response = audit(client)

    assert response.status_code == 302
