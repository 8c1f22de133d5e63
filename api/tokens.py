"""Issuing, revoking and checking API tokens; each issue and revocation is in the audit trail.

A token reads ``derms_<prefix>_<secret>``: the prefix finds the row, the digest of the whole token
proves it. Tokens carry 256 bits of randomness, so one fast hash is enough (no password stretching).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import APIToken
from derms.services import audit

SCHEME = "derms"
PREFIX_BYTES = 6
SECRET_BYTES = 32
#: How often the last use is written: a system polling every second should not write every second.
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class IssuedToken:
    token: APIToken
    #: The whole token, shown to the operator once and never stored.
    plaintext: str


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def issue_token(*, actor, user, name: str) -> IssuedToken:
    """A new token acting as ``user``, a staff account."""
    if not name.strip():
        raise ValidationError({"name": "Name the system that will use the token."})
    if not (user.is_active and user.is_staff):
        raise ValidationError({"user": "A token acts as an active staff account."})
    prefix = secrets.token_hex(PREFIX_BYTES)
    plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = APIToken.objects.create(
        name=name.strip(), user=user, prefix=prefix, digest=_digest(plaintext), created_by=actor
    )
    audit.record(
        actor=actor, action="api_token.issue", obj=token, after={"name": token.name, "user": user.pk}
    )
    return IssuedToken(token, plaintext)


@transaction.atomic
def revoke_token(*, actor, token: APIToken) -> APIToken:
    """From the next request on, the token is refused."""
    token = APIToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError("This token is already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoke", obj=token, before={"revoked_at": None})
    return token


def check_token(plaintext: str) -> APIToken | None:
    """The active token ``plaintext`` names, or None; notes when it was last used."""
    scheme, _, rest = plaintext.partition("_")
    prefix, _, _secret = rest.partition("_")
    if scheme != SCHEME or not prefix:
        return None
    token = APIToken.objects.select_related("user").filter(prefix=prefix, revoked_at=None).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(plaintext)):
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    ):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
