"""The authorization list: filters, one entry with its approval form, reject, revoke and re-approve,
and an aggregator's page with its DERs. Decisions go through derms.services.authorizations."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from derms.models import Authorization, EndDevice, Role
from derms.portal.access import DECIDE_AUTHORIZATIONS, authorization_editor_required, staff_required
from derms.portal.group_forms import add_service_errors
from derms.portal.registration_forms import ApprovalForm, AuthorizationFilterForm
from derms.selectors import registrations
from derms.services import authorizations

PER_PAGE = 50


@staff_required
def registration_list(request):
    form = AuthorizationFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = registrations.authorization_list(
        status=criteria.get("status", ""), aggregator=criteria.get("aggregator")
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "aggregators": registrations.aggregators(),
    }
    return render(request, "portal/registrations.html", context, status=400 if form.errors else 200)


def _entry(lfdi: str) -> Authorization:
    queryset = Authorization.objects.select_related("aggregator", "topology_group", "decided_by")
    return get_object_or_404(queryset, lfdi=lfdi.lower())


@staff_required
def registration_page(request, lfdi: str, *, form=None, status=200):
    entry = _entry(lfdi)
    context = {
        "entry": entry,
        "end_device": EndDevice.objects.filter(lfdi=entry.lfdi).first(),
        "non_topology_groups": entry.non_topology_groups.order_by("name"),
        "may_decide": request.user.has_perm(DECIDE_AUTHORIZATIONS),
        "form": form or ApprovalForm(authorization=entry),
    }
    return render(request, "portal/registration.html", context, status=status)


@require_POST
@authorization_editor_required
def registration_approve(request, lfdi: str):
    """Approve (or re-approve after a revocation) with the placement chosen on the form."""
    entry = _entry(lfdi)
    form = ApprovalForm(request.POST, authorization=entry)
    if form.is_valid():
        try:
            authorizations.approve(actor=request.user, authorization=entry, placement=form.placement())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Approved {entry.lfdi}.")
            return redirect("portal:registration", lfdi=entry.lfdi)
    return registration_page(request, lfdi, form=form, status=400)


def _decision(service, verb: str):
    @require_POST
    @authorization_editor_required
    def view(request, lfdi: str):
        entry = _entry(lfdi)
        try:
            service(actor=request.user, authorization=entry)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{verb} {entry.lfdi}.")
        return redirect("portal:registration", lfdi=entry.lfdi)

    return view


registration_reject = _decision(authorizations.reject, "Rejected")
registration_revoke = _decision(authorizations.revoke, "Revoked")


@staff_required
def aggregator_page(request, lfdi: str):
    aggregator = get_object_or_404(EndDevice, lfdi=lfdi.lower(), role=Role.AGGREGATOR)
    context = {
        "aggregator": aggregator,
        "entry": Authorization.objects.filter(lfdi=aggregator.lfdi).first(),
        "ders": registrations.managed_ders(aggregator),
        "entries": registrations.authorization_list(aggregator=aggregator),
    }
    return render(request, "portal/aggregator.html", context)
