"""The audit trail: every change an operator or a 2030.5 client made, searchable, with before and after."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from derms.portal.access import staff_required
from derms.selectors.audit import AuditFilter, audit_entries, changed_fields, choices

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, label="Who")
    action = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(required=False, label="Object")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any"), *((a, a) for a in actions)]
        self.fields["object_type"].choices = [("", "Any"), *((t, t) for t in object_types)]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The range must end on or after its first day.")
        return data


@staff_required
def audit_trail(request):
    actions, object_types = choices()
    form = AuditFilterForm(request.GET or None, actions=actions, object_types=object_types)
    criteria = AuditFilter(**form.cleaned_data) if form.is_bound and form.is_valid() else AuditFilter()
    page = Paginator(audit_entries(criteria), PER_PAGE).get_page(request.GET.get("page"))
    rows = [(entry, changed_fields(entry)) for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "portal/audit.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
        status=status,
    )
