"""API tokens: issued and revoked on the portal, stored as a digest, acting as their staff account."""

import hashlib

from django.urls import reverse

from api.models import APIToken
from api.tokens import issue_token, revoke_token
from derms.models import AuditEntry
from tests.factories import make_staff_user


def test_a_token_is_stored_as_its_digest_and_never_in_clear(dispatcher):
    issued = issue_token(actor=None, user=dispatcher, name="ADMS")
    stored = APIToken.objects.get()
    assert issued.plaintext.startswith(f"derms_{stored.prefix}_")
    assert stored.digest == hashlib.sha256(issued.plaintext.encode()).hexdigest()
    assert issued.plaintext not in str(APIToken.objects.values().get())


def test_a_system_calls_with_its_token_and_the_last_use_is_noted(client, dispatcher):
    issued = issue_token(actor=None, user=dispatcher, name="ADMS")
    response = client.get(reverse("api:programs"), HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 200
    assert APIToken.objects.get().last_used_at is not None


def test_a_revoked_or_wrong_token_gets_401(client, dispatcher):
    issued = issue_token(actor=None, user=dispatcher, name="ADMS")
    forged = issued.plaintext[:-4] + "AAAA"
    assert client.get(reverse("api:programs"), HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
    revoke_token(actor=None, token=issued.token)
    response = client.get(reverse("api:programs"), HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert (response.status_code, response.json()) == (401, {"detail": "Unknown or revoked token."})


def test_a_token_of_a_deactivated_account_is_refused(client, dispatcher):
    issued = issue_token(actor=None, user=dispatcher, name="ADMS")
    dispatcher.is_active = False
    dispatcher.save()
    assert (
        client.get(reverse("api:programs"), HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}").status_code
        == 401
    )


def test_an_administrator_issues_a_token_on_the_portal_sees_it_once_and_revokes_it(client, dispatcher):
    admin = make_staff_user("root", superuser=True)
    client.force_login(admin)
    page = client.post(reverse("api-tokens:list"), {"name": "GIS sync", "user": dispatcher.pk})
    token = APIToken.objects.get()
    plaintext = page.context["issued"].plaintext
    assert plaintext in page.content.decode()
    assert plaintext not in client.get(reverse("api-tokens:list")).content.decode()
    assert (token.user, token.created_by) == (dispatcher, admin)

    client.post(reverse("api-tokens:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert list(
        AuditEntry.objects.filter(object_type="api.APIToken").order_by("pk").values_list("action", "actor")
    ) == [
        ("api_token.issue", admin.pk),
        ("api_token.revoke", admin.pk),
    ]


def test_staff_without_the_token_permission_cannot_reach_the_tokens_page(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get(reverse("api-tokens:list")).status_code == 403
    assert client.post(reverse("api-tokens:list"), {"name": "Mine", "user": dispatcher.pk}).status_code == 403
    assert not APIToken.objects.exists()


def test_a_token_acts_only_as_an_active_staff_account(client, db):
    admin = make_staff_user("root", superuser=True)
    customer = make_staff_user("customer")
    customer.is_staff = False
    customer.save()
    client.force_login(admin)
    page = client.post(reverse("api-tokens:list"), {"name": "X", "user": customer.pk})
    assert "user" in page.context["form"].errors
    assert not APIToken.objects.exists()
