"""Test-only settings for the servers the TLS tests start: derms, plus a ``whoami`` URL. Never shipped."""

from derms.settings import *  # noqa: F403

ROOT_URLCONF = "tests.tls.urls"
CSIP_URLCONF = "tests.tls.csip_urls"
PORTAL_URLCONF = "tests.tls.portal_urls"
