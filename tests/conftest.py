"""Fixtures every test tree may use: the cast of a utility, and the certificates and real servers of the
TLS and end-to-end tests."""

pytest_plugins = ["tests.csip_api.utility", "tests.tls.fixtures"]
