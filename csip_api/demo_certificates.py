"""Certificates for the demo utility's clients, so a newcomer can speak 2030.5 to it at once.

``derms.demo.demo_devices()`` names every demo client that connects with its own certificate (direct DERs
and aggregators), and ``demo_data`` takes such a client's LFDI from ``CSIP_PKI_DIR/clients/<name>.pem``
once that file exists. So ``manage.py serve`` issues the missing certificates here, then runs
``demo_data``, which builds the demo or moves its clients to their new LFDIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from csip_api.pki import ClientCertificate, issue_client_certificate, load_client_certificate
from derms.models import Role


class DemoClient(Protocol):
    name: str
    role: str


def issue_missing_demo_certificates(
    *, directory: Path, clients: Iterable[DemoClient]
) -> list[ClientCertificate]:
    """Issue a certificate for each demo client that has none yet; return the ones issued now."""
    issued = []
    for client in clients:
        if load_client_certificate(directory=directory, name=client.name) is None:
            aggregator = client.role == Role.AGGREGATOR
            issued.append(
                issue_client_certificate(directory=directory, name=client.name, aggregator=aggregator)
            )
    return issued
