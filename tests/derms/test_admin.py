"""The Django admin: every model reachable, LFDI/SFDI search, filters and authorization decisions."""

import pytest
from django.contrib import admin
from django.urls import reverse

from derms.lfdi import format_sfdi
from derms.models import AuditEntry, Authorization, DERCurve, EndDevice, Role
from tests.factories import make_authorization, make_non_topology_group, make_program


def changelist(client, model, **params):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_model_has_a_working_changelist(admin_client, direct_der, managed_ders, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", [EndDevice, Authorization, DERCurve], ids=lambda m: m._meta.label)
def test_add_pages_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:derms_{model._meta.model_name}_add")).status_code == 200


def test_end_devices_are_found_by_lfdi_in_any_case_or_by_its_first_digits(
    admin_client, direct_der, managed_ders
):
    assert changelist(admin_client, EndDevice, q=direct_der.lfdi.upper()) == [direct_der]
    assert changelist(admin_client, EndDevice, q=direct_der.lfdi[:10]) == [direct_der]


def test_end_devices_are_found_by_sfdi_with_or_without_leading_zeros(admin_client, direct_der, managed_ders):
    padded = format_sfdi(direct_der.sfdi)
    assert changelist(admin_client, EndDevice, q=padded) == [direct_der]
    assert changelist(admin_client, EndDevice, q=padded.lstrip("0")) == [direct_der]


def test_a_search_that_is_neither_lfdi_nor_sfdi_finds_nothing(admin_client, direct_der):
    assert changelist(admin_client, EndDevice, q="not-an-id") == []


def test_authorization_entries_are_found_by_sfdi(admin_client, direct_der, stranger_lfdi):
    entry = make_authorization(lfdi=stranger_lfdi)
    assert changelist(admin_client, Authorization, q=format_sfdi(entry.sfdi)) == [entry]
    assert changelist(admin_client, Authorization, q=stranger_lfdi.upper()) == [entry]


def test_end_devices_filter_by_group_subtree_and_non_topology_group(
    admin_client, topology, direct_der, managed_ders
):
    vendor = make_non_topology_group("Vendor: Helios")
    managed_ders[1].non_topology_groups.add(vendor)

    in_feeder = changelist(admin_client, EndDevice, group=topology.feeder.pk)
    assert set(in_feeder) == {direct_der, *managed_ders}
    at_point = changelist(admin_client, EndDevice, group=topology.service_point.pk)
    assert set(at_point) == {direct_der, managed_ders[0]}
    assert changelist(admin_client, EndDevice, group=vendor.pk) == [managed_ders[1]]


def test_end_devices_filter_by_program_and_aggregator(
    admin_client, topology, direct_der, managed_ders, aggregator
):
    program = make_program(topology.feeder, primacy=86)

    assert set(changelist(admin_client, EndDevice, program=program.pk)) == {direct_der, *managed_ders}
    assert set(changelist(admin_client, EndDevice, aggregator__id__exact=aggregator.pk)) == set(managed_ders)


def test_authorization_entries_filter_by_status(admin_client, direct_der, stranger_lfdi):
    pending = make_authorization(lfdi=stranger_lfdi)
    assert changelist(admin_client, Authorization, status__exact="pending") == [pending]


def run_action(client, action: str, *entries):
    return client.post(
        reverse("admin:derms_authorization_changelist"),
        {"action": action, "_selected_action": [e.pk for e in entries]},
        follow=True,
    )


def test_a_handbook_administrator_approves_from_the_list(
    client, handbook_administrator, topology, stranger_lfdi
):
    entry = make_authorization(lfdi=stranger_lfdi, topology_group=topology.service_point)
    client.force_login(handbook_administrator)

    response = run_action(client, "approve", entry)

    assert "1 entry approved." in response.content.decode()
    assert EndDevice.objects.get(lfdi=stranger_lfdi).topology_group == topology.service_point
    assert AuditEntry.objects.filter(action="approve", actor=handbook_administrator).exists()


def test_revoking_a_pending_entry_from_the_list_explains_why_not(
    client, handbook_administrator, stranger_lfdi
):
    entry = make_authorization(lfdi=stranger_lfdi)
    client.force_login(handbook_administrator)

    response = run_action(client, "revoke", entry)

    assert "Only an approved entry can be revoked" in response.content.decode()
    assert Authorization.objects.get(pk=entry.pk).status == Authorization.Status.PENDING


def test_the_end_device_form_refuses_a_sixteenth_group(admin_client, topology, direct_der):
    enrolments = [make_non_topology_group(f"Enrolment {n}") for n in range(12)]
    url = reverse("admin:derms_enddevice_change", args=[direct_der.pk])

    response = admin_client.post(
        url,
        {
            "role": Role.DIRECT,
            "topology_group": topology.service_point.pk,
            "non_topology_groups": [g.pk for g in enrolments],
            "enabled": "on",
            "changed_time_0": "2026-01-01",
            "changed_time_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert "at most 15 groups" in response.content.decode()
    assert direct_der.non_topology_groups.count() == 0
