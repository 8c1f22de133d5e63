"""The OpenAPI schema is valid by drf-spectacular's own check, and served with a browsable page."""

from django.core.management import call_command
from django.urls import reverse


def test_the_schema_validates_without_warnings(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/authorizations/{lfdi}/approve/" in schema
    assert "bearer" in schema


def test_the_schema_and_its_page_are_served(client, db):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    page = client.get(reverse("api:docs"))
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "derms integration API"
    assert page.status_code == 200
    assert "swagger-ui" in page.content.decode()
