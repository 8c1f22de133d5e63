"""Certificates for the demo utility's clients, so a newcomer can speak 2030.5 to it at once.

Demo data is created before any certificate exists, and an LFDI is a hash of a certificate; so each direct
DER and aggregator of the demo gets a certificate from the development CA and its LFDI is moved to that
certificate's. Only ``manage.py serve`` calls this, right after it created the demo in an empty database.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from csip_api.pki import ClientCertificate, issue_client_certificate, load_client_certificate
from derms.models import Authorization, EndDevice, Role

CONNECTING_ROLES = (Role.DIRECT, Role.AGGREGATOR)


def issue_demo_certificates(*, directory: Path) -> list[ClientCertificate]:
    """Give every connecting client of the demo a certificate and rebind its LFDI to it."""
    roles = dict(Authorization.objects.filter(role__in=CONNECTING_ROLES).values_list("lfdi", "role"))
    roles.update(EndDevice.objects.filter(role__in=CONNECTING_ROLES).values_list("lfdi", "role"))
    issued = []
    with transaction.atomic():
        for lfdi, role in sorted(roles.items()):
            # Named after the demo's LFDI, so a rebuilt demo database finds the same files again.
            name = f"demo-{role}-{lfdi[:12]}"
            certificate = load_client_certificate(directory=directory, name=name) or issue_client_certificate(
                directory=directory, name=name, aggregator=role == Role.AGGREGATOR
            )
            _rebind(old=lfdi, new=certificate.lfdi)
            issued.append(certificate)
    return issued


def _rebind(*, old: str, new: str) -> None:
    Authorization.objects.filter(lfdi=old).update(lfdi=new)
    for end_device in EndDevice.objects.filter(lfdi=old):
        end_device.lfdi = new
        end_device.save()  # recomputes the SFDI
