"""Poll and post rates through the API: dispatchers set them, everyone else reads them, bad ones get 400."""

from django.urls import reverse

from derms.changefeed import Kind
from derms.models import MirrorUsagePoint
from tests.factories import feed_actions

JSON = "application/json"


def put(client, url, seconds):
    return client.put(url, {"seconds": seconds}, content_type=JSON)


def test_a_dispatcher_sets_a_programs_poll_rate_and_returns_it_to_the_default(
    dispatcher_api, program, settings
):
    url = reverse("api:program-poll-rate", args=[program.mrid])

    assert put(dispatcher_api, url, 60).json() == {"seconds": 60, "effective": 60}
    assert put(dispatcher_api, url, None).json() == {"seconds": None, "effective": settings.CSIP_POLL_RATE}
    assert feed_actions(Kind.DER_PROGRAM, program)[-2:] == ["poll_rate_changed", "poll_rate_changed"]


def test_an_end_devices_poll_rate_and_a_mirrors_post_rate(dispatcher_api, der):
    mirror = MirrorUsagePoint.objects.create(
        client=der,
        end_device=der,
        mrid="MUP1",
        role_flags=49,
        service_category_kind=0,
        status=1,
        post_rate=60,
    )

    device = put(dispatcher_api, reverse("api:end-device-poll-rate", args=[der.lfdi]), 120)
    posted = put(dispatcher_api, reverse("api:mirror-post-rate", args=[mirror.pk]), 900)

    assert device.json() == {"seconds": 120, "effective": 120}
    assert posted.json() == {"seconds": 900, "effective": 900}  # over the 60 s the client posted


def test_a_rate_out_of_range_is_refused_on_its_field(dispatcher_api, program):
    response = put(dispatcher_api, reverse("api:program-poll-rate", args=[program.mrid]), 0)

    assert response.status_code == 400
    assert "rate" in response.json()
    program.refresh_from_db()
    assert program.poll_rate is None


def test_only_dispatchers_change_rates_and_everyone_reads_them(handbook_api, viewer_api, program):
    url = reverse("api:program-poll-rate", args=[program.mrid])

    assert put(handbook_api, url, 60).status_code == 403
    assert put(viewer_api, url, 60).status_code == 403
    assert viewer_api.get(url).status_code == 200
    program.refresh_from_db()
    assert program.poll_rate is None
