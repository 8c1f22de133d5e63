"""The staff portal's landing page: staff only, the fleet, what waits, the grid, programs, recent changes."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from derms.models import Authorization
from derms.services import authorizations
from groups.models import Group, Level
from tests.factories import make_authorization, make_end_device, make_group, make_lfdi, make_program


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert "next=/" in response.url


def test_a_user_who_is_not_staff_is_sent_to_the_login_too(client, db):
    client.force_login(get_user_model().objects.create_user("customer", password="customer-password"))
    assert client.get("/").status_code == 302


def test_a_dispatcher_sees_the_fleet_the_waiting_entries_the_tree_and_the_programs(
    client, dispatcher, topology, direct_der, managed_ders, stranger_lfdi
):
    make_authorization(lfdi=stranger_lfdi, status=Authorization.Status.SEEN)
    make_program(topology.system, primacy=89)
    make_program(topology.feeder, primacy=86)
    client.force_login(dispatcher)

    response = client.get("/")

    assert response.status_code == 200
    fleet = {row.role: row.total for row in response.context["fleet"]}
    assert fleet == {"direct": 1, "aggregator": 1, "managed": 2}
    assert response.context["waiting_count"] == 1
    assert [entry.lfdi for entry in response.context["waiting"]] == [stranger_lfdi]
    tree = {row.group.name: row.der_count for row in response.context["tree"]}
    assert tree == {"SYS-A1": 3, "SUB-A1-C1": 3, "FDR-A1-C1-D1": 3}
    assert [(row["primacy"], row["level"]) for row in response.context["programs"]] == [
        (86, "Feeder"),
        (89, "System"),
    ]
    page = response.content.decode()
    assert stranger_lfdi in page
    assert "Programs by primacy" in page


def test_recent_operator_changes_are_on_the_page(client, handbook_administrator, stranger_lfdi, topology):
    entry = make_authorization(lfdi=stranger_lfdi, topology_group=topology.service_point)
    authorizations.approve(actor=handbook_administrator, authorization=entry)
    client.force_login(handbook_administrator)

    response = client.get("/")

    actions = [(e.actor_name, e.action) for e in response.context["audit"]]
    assert ("handbook", "approve") in actions
    assert response.context["waiting_count"] == 0


def test_the_landing_page_costs_the_same_queries_for_a_bigger_fleet(client, dispatcher, topology, direct_der):
    client.force_login(dispatcher)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for n in range(5):
        make_end_device(seed=f"more-{n}", topology_group=topology.feeder)
        make_authorization(lfdi=make_lfdi(f"waiting-{n}"))
        make_group(f"SUB-A1-C{n + 2}", Level.SUBSTATION, Group.objects.get(pk=topology.system.pk))

    with CaptureQueriesContext(connection) as big:
        assert client.get("/").status_code == 200

    assert len(big) == len(small)
