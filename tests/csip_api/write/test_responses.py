"""Responses to events, tracked per targeted DER (2030.5 Response function set, CSIP 6.2.4, 6.3.4)."""

import pytest

from derms.models import DERControl, DERProgram, Response, ResponseStatus
from groups.models import Group
from tests.csip_api.documents import (
    response_body,
)
from tests.csip_api.stored import snapshot


def rsp(event) -> str:
    return f"/rsps/{event.program_id}/rsp"


def latest(event, end_device) -> int:
    return Response.objects.get(control=event, end_device=end_device, is_latest=True).status


def test_direct_der_responds_to_an_event_and_gets_its_location(direct, event):
    response = direct.post(rsp(event), response_body(event, direct.lfdi, ResponseStatus.EVENT_RECEIVED))

    assert response.status_code == 201
    stored = Response.objects.get()
    assert response["Location"] == f"/rsps/{event.program_id}/rsp/{stored.pk}"
    assert (stored.control, stored.end_device, stored.client) == (event, direct.end_device, direct.end_device)


def test_each_event_keeps_the_latest_response_of_each_der_and_the_history(direct, event):
    for status, at in ((1, 1700000000), (2, 1700000300), (3, 1700003900)):
        direct.post(rsp(event), response_body(event, direct.lfdi, status, at=at))

    assert latest(event, direct.end_device) == ResponseStatus.EVENT_COMPLETED
    assert Response.objects.filter(control=event).count() == 3


def test_a_late_arriving_older_response_does_not_replace_the_latest(direct, event):
    direct.post(rsp(event), response_body(event, direct.lfdi, 2, at=1700000300))
    direct.post(rsp(event), response_body(event, direct.lfdi, 1, at=1700000000))

    assert latest(event, direct.end_device) == ResponseStatus.EVENT_STARTED


def test_aggregator_responds_for_each_of_its_ders_and_each_is_tracked(aggregator, event):
    first, second = aggregator.ders
    aggregator.post(rsp(event), response_body(event, first.lfdi, ResponseStatus.EVENT_STARTED))
    aggregator.post(rsp(event), response_body(event, second.lfdi, ResponseStatus.OPTED_OUT, root="Response"))

    assert latest(event, first) == ResponseStatus.EVENT_STARTED
    assert latest(event, second) == ResponseStatus.OPTED_OUT
    assert set(Response.objects.values_list("client", flat=True)) == {aggregator.end_device.pk}


def test_responding_for_a_der_of_another_client_answers_like_an_unknown_lfdi(aggregator, stranger, event):
    before = snapshot()

    foreign = aggregator.post(rsp(event), response_body(event, stranger.lfdi, 1))
    unknown = aggregator.post(rsp(event), response_body(event, "ab" * 20, 1))

    assert foreign.status_code == unknown.status_code == 404
    assert snapshot() == before


def test_aggregator_may_not_respond_as_itself(aggregator, event):
    before = snapshot()

    response = aggregator.post(rsp(event), response_body(event, aggregator.lfdi, 1))

    assert response.status_code == 404
    assert snapshot() == before


@pytest.fixture
def other_feeder_event(feeder):
    other = Group.objects.add_child(
        Group.objects.get_parent(feeder), create_kwargs=dict(name="Feeder 13", level=feeder.level)
    )
    program = DERProgram.objects.create(group=other, primacy=20)
    return DERControl.objects.create(program=program, start=feeder.created, duration=60)


def test_a_response_about_an_event_not_sent_to_that_der_answers_like_an_unknown_event(
    direct, other_feeder_event
):
    before = snapshot()

    response = direct.post(rsp(other_feeder_event), response_body(other_feeder_event, direct.lfdi, 1))

    assert response.status_code == 404
    assert snapshot() == before


def test_a_response_posted_to_another_programs_response_set_is_refused(direct, event, program):
    system_program = DERProgram.objects.create(group=Group.objects.get_parent(program.group), primacy=1)
    before = snapshot()

    response = direct.post(f"/rsps/{system_program.pk}/rsp", response_body(event, direct.lfdi, 1))

    assert response.status_code == 404
    assert snapshot() == before


def test_an_unknown_status_code_is_refused(direct, event):
    before = snapshot()

    response = direct.post(rsp(event), response_body(event, direct.lfdi, 99))

    assert response.status_code == 400
    assert snapshot() == before
