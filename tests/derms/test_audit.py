"""Every change an operator makes leaves an AuditEntry: who, when, what, before and after."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from derms.models import AuditEntry, EndDevice
from derms.services import audit
from tests.factories import make_authorization


def test_an_admin_change_records_who_and_the_object_before_and_after(
    admin_client, admin_user, direct_der, topology
):
    url = reverse("admin:derms_enddevice_change", args=[direct_der.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.pop("enabled")  # an unticked checkbox is absent from the form data
    data.update(
        {
            "topology_group": topology.feeder.pk,
            "changed_time_0": "2026-01-01",
            "changed_time_1": "00:00:00",
            "registered_at_0": "2026-01-01",
            "registered_at_1": "00:00:00",
            "non_topology_groups": [],
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_name, entry.action) == (admin_user, "admin", "change")
    assert (entry.object_type, entry.object_id) == ("derms.EndDevice", str(direct_der.pk))
    assert (entry.before["enabled"], entry.after["enabled"]) == (True, False)
    assert (entry.before["topology_group_id"], entry.after["topology_group_id"]) == (
        topology.service_point.pk,
        topology.feeder.pk,
    )


def test_an_admin_delete_records_the_object_as_it_was(admin_client, stranger_lfdi):
    entry = make_authorization(lfdi=stranger_lfdi)

    admin_client.post(reverse("admin:derms_authorization_delete", args=[entry.pk]), {"post": "yes"})

    deleted = AuditEntry.objects.get(action="delete")
    assert deleted.object_id == str(entry.pk)
    assert deleted.before["lfdi"] == stranger_lfdi
    assert deleted.after is None


def test_a_bulk_delete_records_one_entry_per_object(admin_client, stranger_lfdi):
    entries = [make_authorization(lfdi=stranger_lfdi), make_authorization(lfdi="ab" * 20)]

    admin_client.post(
        reverse("admin:derms_authorization_changelist"),
        {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"},
    )

    assert sorted(AuditEntry.objects.filter(action="delete").values_list("object_id", flat=True)) == sorted(
        str(e.pk) for e in entries
    )


def test_a_snapshot_holds_many_to_many_ids_and_never_a_password(db, direct_der):
    user = get_user_model().objects.create_user("someone", password="secret-password")
    assert "password" not in audit.snapshot(user)
    assert audit.snapshot(direct_der)["non_topology_groups"] == []


def test_the_audit_trail_cannot_be_edited_in_the_admin(admin_client, direct_der):
    audit.record(actor=None, action="change", obj=direct_der, before={}, after={})
    entry = AuditEntry.objects.get()

    assert admin_client.get(reverse("admin:derms_auditentry_add")).status_code == 403
    page = admin_client.get(reverse("admin:derms_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        admin_client.post(
            reverse("admin:derms_auditentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert EndDevice.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_changing_a_staff_password_in_the_admin_is_audited_without_the_password(admin_client, dispatcher):
    url = reverse("admin:auth_user_password_change", args=[dispatcher.pk])

    response = admin_client.post(
        url,
        {"password1": "a-new-long-password", "password2": "a-new-long-password", "usable_password": "true"},
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="change_password")
    assert entry.object_repr == "dispatcher"
    assert entry.before is None and entry.after is None
