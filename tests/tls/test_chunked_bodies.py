"""Request bodies sent chunked, without Content-Length, to gunicorn terminating mutual TLS: read to the
end when small, refused with 413 past CSIP_MAX_BODY_BYTES (2 MiB here, under Django's own 2.5 MB cap)."""

import http.client

import pytest
from django.conf import settings

from derms.models import EndDevice, LogEvent
from tests.csip_api.documents import log_event_body
from tests.tls.servers import client_context

pytestmark = [pytest.mark.tls, pytest.mark.django_db(transaction=True)]

CHUNK = 64 * 1024


def post_chunked(port: int, path: str, context, chunks) -> tuple[int, bytes]:
    """POST ``chunks`` with Transfer-Encoding: chunked, as http.client does for an iterable body."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        conn.request("POST", path, body=chunks, headers={"Content-Type": "application/sep+xml"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture
def log_event_list(approve, direct_der_cert) -> str:
    approve(direct_der_cert)
    return f"/edev/{EndDevice.objects.get(lfdi=direct_der_cert.lfdi).pk}/lel"


def test_a_chunked_body_is_read_to_its_end(embedded_api, server_pki, direct_der_cert, log_event_list):
    body = log_event_body(2, at=1700000000).encode()
    halves = iter([body[:40], body[40:]])

    status, _ = post_chunked(
        embedded_api.port, log_event_list, client_context(server_pki, direct_der_cert), halves
    )

    assert status == 201
    assert LogEvent.objects.get().log_event_code == 2


def test_a_chunked_body_over_the_limit_is_refused_with_413(
    embedded_api, server_pki, direct_der_cert, log_event_list
):
    body = log_event_body(2, at=1700000000).encode()
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // CHUNK + 1
    chunks = iter([body[:10], *(b" " * CHUNK for _ in range(padding)), body[10:]])

    status, content = post_chunked(
        embedded_api.port, log_event_list, client_context(server_pki, direct_der_cert), chunks
    )

    assert status == 413
    assert b"<reasonCode>2</reasonCode>" in content  # derms's Error: resource limit reached
    assert not LogEvent.objects.exists()
