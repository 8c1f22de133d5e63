"""Where a portal sign-in comes from, for django-axes to count failures per username and address.

Behind nginx (``CSIP_TLS_MODE=proxy``) daphne's peer is nginx itself, over a unix socket, so every browser
would share one address and a guesser could lock any user out from anywhere. nginx appends the browser's
address to ``X-Forwarded-For`` (deploy/nginx/derms.conf); the right-most entry is the one nginx wrote, any
entries left of it are whatever the browser sent. The header is believed only from a trusted proxy.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The browser's address: nginx's last ``X-Forwarded-For`` entry in proxy mode, else the peer's."""
    peer = request.META.get("REMOTE_ADDR") or None
    # A unix-socket peer has no address; "unix" in CSIP_TRUSTED_PROXIES admits it.
    from_proxy = settings.CSIP_TLS_MODE == "proxy" and (peer or "unix") in settings.CSIP_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if from_proxy and forwarded.strip():
        return forwarded.rsplit(",", 1)[-1].strip()
    return peer
