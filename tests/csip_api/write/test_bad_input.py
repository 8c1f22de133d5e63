"""Whatever a client gets wrong is refused with the right status and changes nothing."""

import pytest

from tests.csip_api.documents import (
    CAPABILITY,
    NS,
    log_event_body,
    mup_body,
)
from tests.csip_api.stored import snapshot

from .test_der_reports import der_path


@pytest.fixture
def targets(direct):
    """A path and a valid body for each kind of write."""
    return [
        ("put", der_path(direct.end_device, "dercap"), CAPABILITY),
        ("post", "/mup", mup_body(direct.lfdi)),
        ("post", f"/edev/{direct.end_device.pk}/lel", log_event_body(2, at=1700000000)),
    ]


def send(caller, method: str, path: str, body):
    return getattr(caller, method)(path, body)


def test_malformed_xml_is_refused_with_400(direct, targets):
    before = snapshot()

    for method, path, body in targets:
        assert send(direct, method, path, body[:-7]).status_code == 400, path

    assert snapshot() == before


def test_a_document_of_the_wrong_type_is_refused_with_400(direct, targets):
    before = snapshot()

    for method, path, _ in targets:
        assert (
            send(direct, method, path, f"<Time {NS}><currentTime>1</currentTime></Time>").status_code == 400
        )

    assert snapshot() == before


def test_a_document_outside_the_2030_5_namespace_is_refused_with_400(direct, targets):
    before = snapshot()

    for method, path, body in targets:
        assert send(direct, method, path, body.replace(f" {NS}", "", 1)).status_code == 400, path

    assert snapshot() == before


def test_entity_declarations_are_refused_with_400(direct, targets):
    before = snapshot()
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'

    for method, path, body in targets:
        assert send(direct, method, path, bomb + body).status_code == 400, path

    assert snapshot() == before


def test_a_body_over_the_configured_size_is_refused_with_413(direct, targets, settings):
    settings.CSIP_MAX_BODY_BYTES = 256
    before = snapshot()

    for method, path, body in targets:
        padded = body.replace("</", "<!--" + "x" * 300 + "--></", 1)
        assert send(direct, method, path, padded).status_code == 413, path

    assert snapshot() == before


def padded_to(body: str, size: int) -> str:
    """``body`` with a comment making it ``size`` bytes long."""
    return body.replace("</", "<!--" + "x" * (size - len(body) - 7) + "--></", 1)


@pytest.mark.parametrize(
    ("csip_limit", "django_limit"), [(4096, 1024), (1024, 4096)], ids=["above-django", "below-django"]
)
def test_the_body_limit_is_csip_max_body_bytes_whatever_djangos_own_limit(
    direct, targets, settings, csip_limit, django_limit
):
    settings.CSIP_MAX_BODY_BYTES = csip_limit
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = django_limit

    for method, path, body in targets:
        refused = send(direct, method, path, padded_to(body, csip_limit + 1))
        assert refused.status_code == 413, path
        assert refused["Content-Type"] == "application/sep+xml"
        assert refused.content == b'<Error xmlns="urn:ieee:std:2030.5:ns"><reasonCode>2</reasonCode></Error>'
        assert f"exceeds {csip_limit} bytes" in refused["X-CSIP-Error"]
        accepted = send(direct, method, path, padded_to(body, csip_limit))
        assert accepted.status_code in (200, 201, 204), path


def test_an_oversized_body_is_refused_even_where_the_resource_reads_none(aggregator, settings):
    settings.CSIP_MAX_BODY_BYTES = 256
    settings.CSIP_AGGREGATOR_MAY_DELETE = True
    before = snapshot()
    der = aggregator.ders[0]

    for method, path in (("DELETE", f"/edev/{der.pk}"), ("GET", "/dcap")):
        response = aggregator.http.generic(
            method,
            path,
            data=b"x" * 300,
            content_type="application/sep+xml",
            HTTP_X_FORWARDED_CLIENT_CERT=aggregator.header,
            REMOTE_ADDR="127.0.0.1",
        )
        assert response.status_code == 413, path

    assert snapshot() == before


def test_an_lfdi_that_is_not_hexadecimal_is_refused_with_400(direct):
    before = snapshot()

    response = direct.post("/mup", mup_body("zz" * 20))

    assert response.status_code == 400
    assert snapshot() == before
