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


def test_an_lfdi_that_is_not_hexadecimal_is_refused_with_400(direct):
    before = snapshot()

    response = direct.post("/mup", mup_body("zz" * 20))

    assert response.status_code == 400
    assert snapshot() == before
