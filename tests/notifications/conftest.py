"""Subscribers: the clients of the read-side tests, and a real HTTPS receiver of their notifications."""

from collections.abc import Iterator

import pytest

from tests.csip_api.read.conftest import _proxy_identity, aggregator, direct_der, stranger  # noqa: F401
from tests.notifications.receiver import Receiver


@pytest.fixture
def notify_settings(settings, server_pki):
    """The notifier presents the dev PKI's notifier certificate and trusts its CA; loopback receivers."""
    settings.DERMS_NOTIFY_PRIVATE_ADDRESSES = True
    settings.DERMS_NOTIFY_CERT = server_pki.notifier_cert
    settings.DERMS_NOTIFY_KEY = server_pki.notifier_key
    settings.DERMS_NOTIFY_CA_FILE = server_pki.ca_cert
    settings.DERMS_NOTIFY_TIMEOUT = 2
    from csip_api.serving.tls import configured_client_context

    configured_client_context.cache_clear()
    yield settings
    configured_client_context.cache_clear()


@pytest.fixture
def receiver(server_pki, notify_settings) -> Iterator[Receiver]:
    receiver = Receiver(server_pki).start()
    yield receiver
    receiver.stop()
