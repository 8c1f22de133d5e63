"""Events through the API: create and cancel controls through the service, preview, read a DER's timeline."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from derms.events.services import create_control
from derms.models import DERControl, EventStatus


@pytest.fixture
def staff_client(client, dispatcher):
    client.force_login(dispatcher)
    return client


def controls_url(program):
    return reverse("api:program-controls", args=[program.mrid])


def test_staff_create_a_control_and_get_its_status_and_values(staff_client, program, soon, dispatcher):
    response = staff_client.post(
        controls_url(program),
        {"start": soon.isoformat(), "duration": 900, "values": {"opModMaxLimW": 4000}, "description": "Peak"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    control = DERControl.objects.get(mrid=body["mrid"])
    assert (body["status"], body["over"], body["values"], body["program"]) == (
        "Scheduled",
        False,
        {"opModMaxLimW": 4000},
        program.mrid,
    )
    assert (control.start, control.duration, control.description) == (soon, 900, "Peak")


def test_a_control_starting_now_is_active_at_once(staff_client, program):
    response = staff_client.post(
        controls_url(program),
        {"start": "now", "duration": 60, "values": {"opModConnect": False}},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "Active"


def test_invalid_controls_get_400_with_errors_keyed_by_field_and_change_nothing(staff_client, program, soon):
    response = staff_client.post(
        controls_url(program),
        {"start": soon.isoformat(), "duration": -5, "values": {"setGradW": 10, "opModMaxLimW": 20000}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"duration", "setGradW", "opModMaxLimW"}
    assert not DERControl.objects.exists()


def test_a_malformed_request_gets_400(staff_client, program):
    response = staff_client.post(
        controls_url(program), {"start": "tomorrow", "values": []}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"start", "duration", "values"}


def test_staff_cancel_a_control(staff_client, program, soon):
    control = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})
    response = staff_client.post(
        reverse("api:control-cancel", args=[control.mrid]),
        {"reason": "Not needed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("Cancelled", "Not needed")
    control.refresh_from_db()
    assert control.status == EventStatus.CANCELLED
    again = staff_client.post(reverse("api:control-cancel", args=[control.mrid]))
    assert again.status_code == 400


def test_the_timeline_of_a_der_lists_every_controls_segments(staff_client, der, program, soon):
    event = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})
    response = staff_client.get(
        reverse("api:end-device-timeline", args=[der.lfdi.upper()]),
        {"start": soon.isoformat(), "end": (soon + dt.timedelta(hours=1)).isoformat()},
    )
    assert response.status_code == 200
    [segment] = response.json()["segments"]
    start, end = segment.pop("start"), segment.pop("end")
    assert segment == {
        "control": "opModMaxLimW",
        "value": 1,
        "program": program.mrid,
        "event": event.mrid,
        "source": event.mrid,
    }
    assert (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)) == (soon, event.end)


def test_a_timeline_window_must_be_sane(staff_client, der, soon):
    url = reverse("api:end-device-timeline", args=[der.lfdi])
    backwards = staff_client.get(
        url, {"start": soon.isoformat(), "end": (soon - dt.timedelta(hours=1)).isoformat()}
    )
    too_long = staff_client.get(
        url, {"start": soon.isoformat(), "end": (soon + dt.timedelta(days=40)).isoformat()}
    )
    assert (backwards.status_code, too_long.status_code) == (400, 400)
    assert staff_client.get(reverse("api:end-device-timeline", args=["nothex"])).status_code == 404


def test_only_signed_in_staff_may_use_the_api(client, program, der, soon):
    url = controls_url(program)
    payload = {"start": soon.isoformat(), "duration": 60, "values": {"opModConnect": True}}
    anonymous = client.post(url, payload, content_type="application/json")
    assert (anonymous.status_code, anonymous["WWW-Authenticate"]) == (401, "Bearer")
    user = get_user_model().objects.create_user("customer", password="pw")
    client.force_login(user)
    assert client.post(url, payload, content_type="application/json").status_code == 403
    timeline = reverse("api:end-device-timeline", args=[der.lfdi])
    assert client.get(timeline, {"start": soon.isoformat(), "end": soon.isoformat()}).status_code == 403
    assert not DERControl.objects.exists()


def test_a_staff_user_without_the_event_permissions_gets_403_and_changes_nothing(
    client, handbook_administrator, program, soon
):
    event = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})
    client.force_login(handbook_administrator)

    created = client.post(
        controls_url(program),
        {"start": soon.isoformat(), "duration": 60, "values": {"opModConnect": True}},
        content_type="application/json",
    )
    cancelled = client.post(reverse("api:control-cancel", args=[event.mrid]))

    assert (created.status_code, cancelled.status_code) == (403, 403)
    assert list(DERControl.objects.all()) == [event]
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED


def test_a_dispatcher_has_the_event_permissions_through_the_dispatchers_group(dispatcher):
    assert [g.name for g in dispatcher.groups.all()] == ["Dispatchers"]
    assert dispatcher.has_perms(["derms.add_dercontrol", "derms.change_dercontrol"])
    assert not dispatcher.has_perm("derms.delete_dercontrol")


def test_a_preview_shows_the_effect_on_the_programs_ders_and_saves_nothing(staff_client, program, der, soon):
    response = staff_client.post(
        reverse("api:program-control-preview", args=[program.mrid]),
        {"start": soon.isoformat(), "duration": 900, "values": {"opModMaxLimW": 4000}},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["der_count"], body["sampled"]) == (1, 1)
    [outcome] = body["outcomes"]
    assert (outcome["ders"], outcome["effect"]) == ([der.lfdi], "whole event")
    assert not DERControl.objects.exists()


def test_a_preview_of_an_invalid_event_names_the_fields(staff_client, program, soon):
    response = staff_client.post(
        reverse("api:program-control-preview", args=[program.mrid]),
        {"start": soon.isoformat(), "duration": 0, "values": {"opModMaxLimW": 4000}},
        content_type="application/json",
    )
    assert (response.status_code, set(response.json())) == (400, {"duration"})


def test_a_programs_events_are_listed_newest_first_with_their_status(staff_client, program, soon):
    first = create_control(program=program, start=soon, duration=600, values={"opModMaxLimW": 1})
    second = create_control(program=program, start=soon, duration=300, values={"opModMaxLimW": 2})
    response = staff_client.get(controls_url(program))
    assert response.status_code == 200
    listed = response.json()["results"]
    assert [(c["mrid"], c["status"]) for c in listed] == [
        (second.mrid, "Scheduled"),
        (first.mrid, "Scheduled"),
    ]
    one = staff_client.get(reverse("api:control", args=[first.mrid.lower()]))
    assert one.json()["values"] == {"opModMaxLimW": 1}
