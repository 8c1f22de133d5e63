"""Subscribers: the clients of the read-side tests (the receiver and worker are in fixtures.py)."""

from tests.csip_api.read.conftest import _proxy_identity, aggregator, direct_der, stranger  # noqa: F401
