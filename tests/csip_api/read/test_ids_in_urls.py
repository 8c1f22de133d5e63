"""Ids in 2030.5 paths: a number too long for a database key is no resource (404), never a server error."""

import pytest

from csip_api import hrefs, urls

OVERLONG_IDS = ["9" * 19, "9" * 20, "1" + "0" * 40]
ROUTES_WITH_IDS = [p for p in urls.urlpatterns if p.pattern.converters]


def route_id(pattern) -> str:
    return pattern.name


def url_with(pattern, **ids) -> str:
    return hrefs.href(pattern.pattern._route, **ids)


def test_every_route_with_an_id_takes_it_through_the_bounded_id_converter():
    assert ROUTES_WITH_IDS
    for pattern in ROUTES_WITH_IDS:
        converters = {type(c) for c in pattern.pattern.converters.values()}
        assert converters == {hrefs.IdConverter}, pattern.name


@pytest.mark.parametrize("pattern", ROUTES_WITH_IDS, ids=route_id)
def test_an_overlong_id_in_any_position_answers_404_to_every_method(direct_der, pattern):
    names = list(pattern.pattern.converters)
    own = {"edev": direct_der.end_device.pk}
    answers = {}
    for name in names:
        for overlong in OVERLONG_IDS:
            url = url_with(pattern, **{**{other: own.get(other, 1) for other in names}, name: overlong})
            for method in ("get", "post", "put", "delete"):
                send = getattr(direct_der.django_client, method)
                answers[url, method] = send(url, HTTP_X_FORWARDED_CLIENT_CERT=direct_der.header).status_code

    assert set(answers.values()) == {404}, answers


@pytest.mark.parametrize("pattern", ROUTES_WITH_IDS, ids=route_id)
def test_the_largest_id_a_path_takes_reaches_the_view_and_is_not_found(direct_der, pattern):
    largest = "9" * 18
    ids = {name: largest for name in pattern.pattern.converters}

    response = direct_der.get(url_with(pattern, **ids))

    assert response.status_code == 404
