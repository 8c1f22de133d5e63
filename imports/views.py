"""The portal's import pages: upload a CSV file, then watch its progress and read its report."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from derms.portal.access import staff_required
from derms.services import audit
from imports.models import ImportJob, Kind
from imports.rows import count_rows
from imports.tasks import enqueue

#: Who may import each kind: the staff role that edits what it writes (derms.staff).
PERMISSION = {Kind.TOPOLOGY: "groups.add_group", Kind.AUTHORIZATIONS: "derms.add_authorization"}


def allowed_kinds(user) -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in Kind if user.has_perm(PERMISSION[kind])]


class UploadForm(forms.Form):
    kind = forms.ChoiceField()
    file = forms.FileField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = allowed_kinds(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The file must be UTF-8 text.") from exc


@staff_required
def import_list(request):
    if not allowed_kinds(request.user):
        raise PermissionDenied("Your staff role imports nothing.")
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        name, text = form.cleaned_data["file"]
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=form.cleaned_data["kind"],
                file_name=name[:200],
                content=text,
                total_rows=count_rows(text),
                created_by=request.user,
            )
            audit.record(actor=request.user, action="import.upload", obj=job, after={"rows": job.total_rows})
            enqueue(job)
        return redirect("imports:job", job.pk)
    jobs = ImportJob.objects.defer("content").select_related("created_by")[:50]
    return render(request, "imports/list.html", {"form": form, "jobs": jobs})


@staff_required
def job_page(request, pk: int):
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    return render(request, "imports/job.html", {"job": job})
