"""The cast for API tests: one staff account per role, each as a token client and a session client,
plus the grid and programs of the event tests."""

import pytest
from django.test import Client

from api.tokens import issue_token
from derms.staff import DISPATCHERS, HANDBOOK_ADMINISTRATORS, VIEWERS
from tests.events.conftest import (  # noqa: F401  (fixtures)
    der,
    feeder,
    feeder_program,
    now,
    program,
    service_point,
    soon,
    system,
    vendor_group,
    volt_var_curve,
)
from tests.factories import make_staff_user

ROLES = (DISPATCHERS, HANDBOOK_ADMINISTRATORS, VIEWERS)


@pytest.fixture
def viewer(db):
    return make_staff_user("viewer", role=VIEWERS)


def token_client(user) -> Client:
    """A client that calls as a system would: a bearer token, no session, no CSRF token."""
    issued = issue_token(actor=None, user=user, name=f"{user.username} system")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(params=["token", "session"])
def as_role(request, db):
    """``as_role(role)``: a client for a fresh staff account in that role, by token or by session."""
    make_client = token_client if request.param == "token" else session_client

    def make(role: str) -> Client:
        return make_client(make_staff_user(f"{role.split()[0].lower()}-{request.param}", role=role))

    return make


@pytest.fixture
def dispatcher_api(dispatcher):
    return token_client(dispatcher)


@pytest.fixture
def handbook_api(handbook_administrator):
    return token_client(handbook_administrator)


@pytest.fixture
def viewer_api(viewer):
    return token_client(viewer)
