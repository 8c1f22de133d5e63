"""The portal's roles decide what a token or a session may do: every staff role reads everything,
Handbook administrators change the authorization list, EndDevices and groups, Dispatchers programs and
events, Viewers nothing; a refused write gets 403 and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from derms.models import AuditEntry
from derms.staff import DISPATCHERS, HANDBOOK_ADMINISTRATORS, VIEWERS
from groups.models import Level
from tests.api.conftest import ROLES
from tests.factories import make_lfdi, make_staff_user


def _writes(grid):
    """(name, method, url, body, the role that may) for one write of each resource."""
    program, der = grid["program"], grid["der"]
    return {
        "create group": (
            "post",
            reverse("api:groups"),
            {"name": "Feeder 13", "level": Level.FEEDER, "parent": grid["system"].pk},
            HANDBOOK_ADMINISTRATORS,
        ),
        "place a DER": (
            "put",
            reverse("api:end-device-groups", args=[der.lfdi]),
            {"topology_group": grid["feeder"].pk, "non_topology_groups": []},
            HANDBOOK_ADMINISTRATORS,
        ),
        "add an authorization": (
            "post",
            reverse("api:authorizations"),
            {"lfdi": make_lfdi("new"), "role": "direct", "topology_group": grid["service_point"].pk},
            HANDBOOK_ADMINISTRATORS,
        ),
        "create a program": (
            "post",
            reverse("api:programs"),
            {"group": grid["service_point"].pk, "primacy": 10},
            DISPATCHERS,
        ),
        "change primacy": ("patch", reverse("api:program", args=[program.mrid]), {"primacy": 5}, DISPATCHERS),
        "set defaults": (
            "put",
            reverse("api:default-control", args=[program.mrid]),
            {"values": {"opModMaxLimW": 5000}},
            DISPATCHERS,
        ),
        "add a curve": (
            "post",
            reverse("api:curves", args=[program.mrid]),
            {"curve_type": 11, "y_ref_type": 2, "points": [[9500, 3000], [10500, -3000]]},
            DISPATCHERS,
        ),
        "schedule an event": (
            "post",
            reverse("api:program-controls", args=[program.mrid]),
            {"start": grid["soon"].isoformat(), "duration": 600, "values": {"opModMaxLimW": 1000}},
            DISPATCHERS,
        ),
    }


WRITES = [
    "create group",
    "place a DER",
    "add an authorization",
    "create a program",
    "change primacy",
    "set defaults",
    "add a curve",
    "schedule an event",
]


@pytest.fixture
def grid(system, feeder, service_point, program, der, soon):
    return {
        "system": system,
        "feeder": feeder,
        "service_point": service_point,
        "program": program,
        "der": der,
        "soon": soon,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_each_write_is_allowed_to_its_role_and_refused_to_the_others(as_role, grid, write, role):
    method, url, body, allowed = _writes(grid)[write]
    client = as_role(role)
    audit_before = AuditEntry.objects.count()
    response = getattr(client, method)(url, body, content_type="application/json")
    if role == allowed:
        assert response.status_code in (200, 201), response.json()
        assert AuditEntry.objects.count() > audit_before
    else:
        assert (response.status_code, AuditEntry.objects.count()) == (403, audit_before)


READS = [
    ("api:groups", []),
    ("api:end-devices", []),
    ("api:aggregators", []),
    ("api:authorizations", []),
    ("api:programs", []),
    ("api:readings", []),
    ("api:der-status", []),
    ("api:alarms", []),
    ("api:log-events", []),
    ("api:responses", []),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_reads_every_list(as_role, grid, role):
    client = as_role(role)
    statuses = {name: client.get(reverse(name, args=args)).status_code for name, args in READS}
    program = grid["program"].mrid
    statuses["curves"] = client.get(reverse("api:curves", args=[program])).status_code
    statuses["controls"] = client.get(reverse("api:program-controls", args=[program])).status_code
    assert set(statuses.values()) == {200}, statuses


def test_a_signed_in_non_staff_user_and_an_anonymous_caller_read_nothing(client, django_user_model, grid):
    assert client.get(reverse("api:programs")).status_code == 401
    client.force_login(django_user_model.objects.create_user("customer"))
    assert client.get(reverse("api:programs")).status_code == 403


def test_a_session_write_without_the_csrf_token_is_refused(grid):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff_user("handbook-csrf", role=HANDBOOK_ADMINISTRATORS))
    response = browser.post(
        reverse("api:groups"), {"name": "X", "level": Level.FEEDER}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_viewers_exist_on_every_installation_with_read_permissions_only(viewer):
    assert viewer.has_perm("derms.view_enddevice")
    assert not any(p.split(".")[1].startswith(("add_", "change_")) for p in viewer.get_all_permissions())
    assert VIEWERS in {g.name for g in viewer.groups.all()}
