"""The registrations pages: the authorization list with its filters, approving with a placement,
rejecting, revoking and approving again, and an aggregator's page with its DERs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from derms.changefeed import Kind
from derms.models import AuditEntry, Authorization, EndDevice, Role
from tests.factories import feed_actions, make_authorization, make_lfdi, make_non_topology_group

Status = Authorization.Status
OUT_OF_BAND = Authorization.RegistrationMode.OUT_OF_BAND


@pytest.fixture
def pending(db):
    return make_authorization(lfdi=make_lfdi("installer-request"), status=Status.PENDING)


@pytest.fixture
def knocking(db):
    now = timezone.now()
    return Authorization.objects.create(
        lfdi=make_lfdi("knocking"), status=Status.SEEN, role=Role.DIRECT, first_seen=now, last_seen=now
    )


def approval(**overrides):
    return {"role": Role.DIRECT, "registration_mode": OUT_OF_BAND, "pin": "", **overrides}


def url(name, entry):
    return reverse(f"portal:{name}", args=[entry.lfdi])


def rows(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


def test_the_list_filters_by_status_and_by_aggregator(
    handbook_client, pending, knocking, direct_der, managed_ders, aggregator
):
    listed = reverse("portal:registrations")
    assert rows(handbook_client.get(listed).content.decode()).count('href="/registrations/') == 6

    for status, shown, hidden in (
        ("pending", pending, knocking),
        ("seen", knocking, pending),
        ("approved", direct_der, pending),
    ):
        page = rows(handbook_client.get(listed, {"status": status}).content.decode())
        assert shown.lfdi in page and hidden.lfdi not in page, status

    page = rows(handbook_client.get(listed, {"aggregator": aggregator.lfdi}).content.decode())
    assert all(der.lfdi in page for der in managed_ders)
    assert direct_der.lfdi not in page


def test_a_revoked_entry_is_found_under_revoked(handbook_client, pending):
    pending.status = Status.REVOKED
    pending.save()
    page = rows(handbook_client.get(reverse("portal:registrations"), {"status": "revoked"}).content.decode())
    assert pending.lfdi in page


def test_an_unknown_filter_is_refused_with_the_reason(handbook_client, pending):
    response = handbook_client.get(reverse("portal:registrations"), {"status": "lost"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_every_staff_role_reads_the_pages_but_only_handbook_administrators_see_the_decisions(
    client, handbook_administrator, dispatcher, viewer, pending, aggregator
):
    for user, editor in ((handbook_administrator, True), (dispatcher, False), (viewer, False)):
        client.force_login(user)
        assert client.get(reverse("portal:registrations")).status_code == 200
        assert client.get(url("aggregator", aggregator)).status_code == 200
        page = client.get(url("registration", pending))
        assert page.status_code == 200
        assert ('id="approve"' in page.content.decode()) == editor, user
        assert ("Reject</button>" in page.content.decode()) == editor, user


def test_anonymous_visitors_are_sent_to_the_login_page(client, db, pending):
    for page in (reverse("portal:registrations"), url("registration", pending)):
        assert client.get(page).url.startswith(reverse("admin:login"))


def test_dispatchers_and_viewers_may_not_decide(refused_client, pending, direct_der):
    approved = Authorization.objects.get(lfdi=direct_der.lfdi)

    assert refused_client.post(url("registration_approve", pending), approval()).status_code == 403
    assert refused_client.post(url("registration_reject", pending)).status_code == 403
    assert refused_client.post(url("registration_revoke", approved)).status_code == 403

    assert Authorization.objects.get(pk=pending.pk).status == Status.PENDING
    assert Authorization.objects.get(pk=approved.pk).status == Status.APPROVED
    assert not AuditEntry.objects.exists()


def test_approving_a_pending_entry_places_its_new_end_device(handbook_client, pending, topology):
    vendor = make_non_topology_group("Vendor X")

    response = handbook_client.post(
        url("registration_approve", pending),
        approval(topology_group=topology.feeder.pk, non_topology_groups=[vendor.pk], pin="123455"),
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    end_device = EndDevice.objects.get(lfdi=pending.lfdi)
    assert (end_device.role, end_device.topology_group, end_device.pin) == (
        Role.DIRECT,
        topology.feeder,
        123455,
    )
    assert list(end_device.non_topology_groups.all()) == [vendor]
    assert {"place", "approve", "create"} <= set(AuditEntry.objects.values_list("action", flat=True))
    assert "end_device_registered" in feed_actions(Kind.END_DEVICE, end_device)


def test_approving_a_managed_der_through_an_aggregator_in_band_waits_for_its_post(
    handbook_client, knocking, aggregator, topology
):
    response = handbook_client.post(
        url("registration_approve", knocking),
        approval(
            role=Role.MANAGED,
            aggregator=aggregator.pk,
            topology_group=topology.service_point.pk,
            registration_mode=Authorization.RegistrationMode.IN_BAND,
        ),
    )

    assert response.status_code == 302
    knocking.refresh_from_db()
    assert (knocking.status, knocking.aggregator, knocking.role) == (
        Status.APPROVED,
        aggregator,
        Role.MANAGED,
    )
    assert not EndDevice.objects.filter(lfdi=knocking.lfdi).exists()
    aggregator_page = handbook_client.get(url("aggregator", aggregator)).content.decode()
    assert knocking.lfdi in aggregator_page


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"role": Role.MANAGED}, "A DER managed by an aggregator must name that aggregator."),
        ({"role": "owner"}, "Select a valid choice."),
        ({"pin": "1000000"}, "Ensure this value is less than or equal to 999999."),
        ({"pin": "12ab"}, "Enter a whole number."),
        ({"registration_mode": "by_post"}, "Select a valid choice."),
        ({"topology_group": "999999"}, "Select a valid choice."),
    ],
)
def test_an_approval_that_cannot_stand_is_refused_with_the_reason_and_changes_nothing(
    handbook_client, pending, overrides, error
):
    response = handbook_client.post(url("registration_approve", pending), approval(**overrides))

    assert response.status_code == 400
    assert error in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.role, pending.pin) == (Status.PENDING, Role.DIRECT, None)
    assert not EndDevice.objects.filter(lfdi=pending.lfdi).exists()
    assert not AuditEntry.objects.exists()


def test_a_direct_der_naming_an_aggregator_or_an_aggregator_in_the_topology_is_refused(
    handbook_client, pending, aggregator, topology
):
    for overrides, error in (
        ({"aggregator": aggregator.pk}, "Only a managed DER names an aggregator."),
        (
            {"role": Role.AGGREGATOR, "topology_group": topology.feeder.pk},
            "An aggregator is not a DER and sits in no topology group.",
        ),
    ):
        response = handbook_client.post(url("registration_approve", pending), approval(**overrides))
        assert response.status_code == 400
        assert error in response.content.decode()
    assert Authorization.objects.get(pk=pending.pk).status == Status.PENDING


def test_an_approval_beyond_15_groups_is_refused(handbook_client, pending, topology):
    many = [make_non_topology_group(f"NT-{i}").pk for i in range(12)]

    response = handbook_client.post(
        url("registration_approve", pending),
        approval(topology_group=topology.service_point.pk, non_topology_groups=many),
    )

    assert response.status_code == 400
    assert "at most 15 groups" in response.content.decode()
    assert not EndDevice.objects.filter(lfdi=pending.lfdi).exists()
    assert not Authorization.objects.get(pk=pending.pk).non_topology_groups.exists()


def test_an_approval_through_a_disabled_aggregator_is_refused(handbook_client, pending, aggregator):
    aggregator.enabled = False
    aggregator.save()

    response = handbook_client.post(
        url("registration_approve", pending), approval(role=Role.MANAGED, aggregator=aggregator.pk)
    )

    assert response.status_code == 400
    assert f"The aggregator {aggregator.lfdi} is disabled." in response.content.decode()
    assert Authorization.objects.get(pk=pending.pk).status == Status.PENDING


def test_rejecting_an_entry_that_only_knocked(handbook_client, knocking):
    response = handbook_client.post(url("registration_reject", knocking), follow=True)

    assert f"Rejected {knocking.lfdi}." in response.content.decode()
    knocking.refresh_from_db()
    assert knocking.status == Status.REVOKED
    assert AuditEntry.objects.get().action == "reject"


def test_revoking_disables_the_end_device_and_approving_again_enables_it_where_it_is(
    handbook_client, direct_der, topology
):
    entry = Authorization.objects.get(lfdi=direct_der.lfdi)

    handbook_client.post(url("registration_revoke", entry))

    direct_der.refresh_from_db()
    assert not direct_der.enabled
    page = handbook_client.get(url("registration", entry)).content.decode()
    assert "Approve again" in page and "has an EndDevice already" in page

    response = handbook_client.post(
        url("registration_approve", entry), approval(topology_group=topology.feeder.pk)
    )

    assert response.status_code == 302
    direct_der.refresh_from_db()
    assert direct_der.enabled
    assert direct_der.topology_group == topology.service_point
    assert Authorization.objects.get(pk=entry.pk).status == Status.APPROVED


def test_decisions_that_do_not_apply_say_why(handbook_client, pending, direct_der):
    approved = Authorization.objects.get(lfdi=direct_der.lfdi)

    revoke = handbook_client.post(url("registration_revoke", pending), follow=True).content.decode()
    reject = handbook_client.post(url("registration_reject", approved), follow=True).content.decode()
    again = handbook_client.post(url("registration_approve", approved), approval())

    assert f"Only an approved entry can be revoked; {pending.lfdi} is not." in revoke
    assert f"Only a pending or seen entry can be rejected; {approved.lfdi} is not." in reject
    assert again.status_code == 400
    assert f"{approved.lfdi} is already approved." in again.content.decode()
    assert not AuditEntry.objects.exists()


def test_an_aggregators_page_lists_the_ders_it_manages(handbook_client, aggregator, managed_ders, direct_der):
    page = handbook_client.get(url("aggregator", aggregator)).content.decode()

    ders = page[page.index('class="ders"') : page.index("Entries naming it")]
    assert all(der.lfdi in ders for der in managed_ders)
    assert direct_der.lfdi not in page
    assert handbook_client.get(url("aggregator", direct_der)).status_code == 404
