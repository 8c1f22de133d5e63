"""Finding an EndDevice from the portal by the start of its LFDI or by its SFDI."""

from django.urls import reverse

from derms.lfdi import format_sfdi
from tests.factories import make_end_device

SEARCH = reverse("portal:device_search")


def test_a_unique_lfdi_prefix_opens_the_device_page(dispatcher_client, direct_der):
    response = dispatcher_client.get(SEARCH, {"q": direct_der.lfdi[:8].upper()})

    assert response.status_code == 302
    assert response.url == reverse("portal:device", args=[direct_der.lfdi])


def test_an_sfdi_finds_the_device_with_or_without_its_leading_zeros(dispatcher_client, direct_der):
    padded = format_sfdi(direct_der.sfdi)
    for typed in (padded, str(direct_der.sfdi), f" {padded[:4]} {padded[4:]} "):
        response = dispatcher_client.get(SEARCH, {"q": typed})
        assert response.url == reverse("portal:device", args=[direct_der.lfdi]), typed


def test_a_short_prefix_lists_every_match(dispatcher_client, topology):
    devices = [make_end_device(seed=f"fleet-{n}", topology_group=topology.feeder) for n in range(40)]
    prefix = devices[0].lfdi[0]
    matching = sorted((d for d in devices if d.lfdi.startswith(prefix)), key=lambda d: d.sfdi)

    response = dispatcher_client.get(SEARCH, {"q": prefix})

    assert response.status_code == 200
    assert [d.lfdi for d in response.context["found"]] == [d.lfdi for d in matching]
    assert format_sfdi(matching[0].sfdi) in response.content.decode()


def test_a_query_matching_nothing_says_so(dispatcher_client, direct_der):
    response = dispatcher_client.get(SEARCH, {"q": "not-an-lfdi"})

    assert response.status_code == 200
    assert response.context["found"] == []
    assert "No EndDevice has an LFDI starting with" in response.content.decode()


def test_the_search_box_is_on_every_portal_page(dispatcher_client, db):
    page = dispatcher_client.get(reverse("portal:landing")).content.decode()

    assert f'action="{SEARCH}"' in page
