"""Programs through the API: create one, change its primacy, its defaults and its curves."""

from django.urls import reverse

from derms.changefeed import Kind
from derms.models import DERCurve
from tests.factories import feed_actions


def test_a_dispatcher_creates_a_program_and_changes_its_primacy(dispatcher_api, service_point):
    created = dispatcher_api.post(
        reverse("api:programs"), {"group": service_point.pk, "primacy": 12}, content_type="application/json"
    )
    assert created.status_code == 201
    mrid = created.json()["mrid"]
    changed = dispatcher_api.patch(
        reverse("api:program", args=[mrid.lower()]), {"primacy": 3}, content_type="application/json"
    )
    assert changed.json()["primacy"] == 3
    assert feed_actions(Kind.DER_PROGRAM, created.json()["id"]) == ["program_changed"]


def test_a_second_program_for_a_group_and_a_primacy_out_of_range_name_their_field(dispatcher_api, program):
    again = dispatcher_api.post(
        reverse("api:programs"), {"group": program.group_id, "primacy": 1}, content_type="application/json"
    )
    too_high = dispatcher_api.patch(
        reverse("api:program", args=[program.mrid]), {"primacy": 300}, content_type="application/json"
    )
    assert (again.status_code, list(again.json())) == (400, ["group"])
    assert (too_high.status_code, list(too_high.json())) == (400, ["primacy"])
    program.refresh_from_db()
    assert program.primacy == 20


def test_defaults_are_replaced_and_read_back(dispatcher_api, program):
    url = reverse("api:default-control", args=[program.mrid])
    put = dispatcher_api.put(url, {"values": {"opModMaxLimW": 5000}}, content_type="application/json")
    assert put.json() == {"values": {"opModMaxLimW": 5000}}
    assert dispatcher_api.get(url).json() == {"values": {"opModMaxLimW": 5000}}
    wrong = dispatcher_api.put(url, {"values": {"opModMaxLimW": -1}}, content_type="application/json")
    assert (wrong.status_code, list(wrong.json())) == (400, ["opModMaxLimW"])
    assert feed_actions(Kind.DEFAULT_DER_CONTROL, program) == ["default_updated"]


def test_a_curve_is_added_to_the_programs_list(dispatcher_api, program):
    url = reverse("api:curves", args=[program.mrid])
    added = dispatcher_api.post(
        url,
        {"curve_type": 11, "y_ref_type": 2, "points": [[9500, 3000], [10500, -3000, True]]},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert added.json()["points"] == [[9500, 3000, None], [10500, -3000, True]]
    [listed] = dispatcher_api.get(url).json()["results"]
    assert listed["mrid"] == added.json()["mrid"]
    assert dispatcher_api.get(reverse("api:curve", args=[listed["mrid"]])).status_code == 200


def test_a_curve_with_points_out_of_order_gets_400_on_points(dispatcher_api, program):
    response = dispatcher_api.post(
        reverse("api:curves", args=[program.mrid]),
        {"curve_type": 11, "y_ref_type": 2, "points": [[10500, 0], [9500, 0]]},
        content_type="application/json",
    )
    assert (response.status_code, list(response.json())) == (400, ["points"])
    assert not DERCurve.objects.exists()
