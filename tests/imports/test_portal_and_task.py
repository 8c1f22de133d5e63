"""Importing from the portal: upload, the Celery task runs it after the commit, the page shows progress
and the report."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from derms.models import Authorization
from derms.staff import VIEWERS
from imports.models import ImportJob, Kind
from imports.tasks import run_import
from tests.factories import make_lfdi, make_staff_user
from tests.imports.conftest import EXAMPLES, authorization_csv


def _upload(client, kind: str, name: str, text: str, capture):
    with capture() as callbacks:
        response = client.post(
            reverse("imports:list"), {"kind": kind, "file": SimpleUploadedFile(name, text.encode())}
        )
    return response, callbacks


def test_an_upload_runs_as_a_task_after_commit_and_the_page_shows_it_done(
    client, handbook_administrator, django_capture_on_commit_callbacks
):
    client.force_login(handbook_administrator)
    response, callbacks = _upload(
        client,
        Kind.TOPOLOGY,
        "topology.csv",
        (EXAMPLES / "topology.csv").read_text(),
        django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:job", args=[job.pk])
    assert (job.status, job.total_rows, len(callbacks)) == ("queued", 12, 1)
    queued = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in queued and "<progress" in queued

    assert run_import(job.pk) == "done"
    page = client.get(response.url).content.decode()
    assert 'value="100"' in page and "created 12" in page and 'http-equiv="refresh"' not in page
    assert run_import(job.pk) == "skipped"


def test_a_refused_file_lists_every_bad_row_on_the_page(
    client, handbook_administrator, django_capture_on_commit_callbacks
):
    client.force_login(handbook_administrator)
    text = authorization_csv(
        f"{make_lfdi('a')},direct,,,,", "nothex,direct,,,,", f"{make_lfdi('b')},nobody,,,,"
    )
    _upload(client, Kind.AUTHORIZATIONS, "ders.csv", text, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert run_import(job.pk) == "refused"
    job.refresh_from_db()
    assert [(e["line"], e["field"]) for e in job.errors] == [(3, "lfdi"), (4, "role")]
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "2 bad rows: nothing was imported" in page
    assert not Authorization.objects.exists()


def test_only_handbook_administrators_import(client, handbook_administrator, dispatcher):
    client.force_login(handbook_administrator)
    choices = client.get(reverse("imports:list")).context["form"].fields["kind"].choices
    assert [value for value, _ in choices] == [Kind.TOPOLOGY, Kind.AUTHORIZATIONS]
    for user in (dispatcher, make_staff_user("viewer", role=VIEWERS)):
        client.force_login(user)
        assert client.get(reverse("imports:list")).status_code == 403
        assert client.post(reverse("imports:list"), {"kind": Kind.TOPOLOGY}).status_code == 403
    assert not ImportJob.objects.exists()
