"""The portal's API tokens page: issue a token for a system's staff account, see it once, revoke it."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.models import APIToken
from api.tokens import issue_token, revoke_token
from derms.portal.access import staff_required

MANAGE_TOKENS = "api.add_apitoken"


def tokens_required(view):
    """Staff who may issue and revoke tokens (superusers, or anyone given api.add_apitoken)."""
    return staff_required(permission_required(MANAGE_TOKENS, raise_exception=True)(view))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Which system will use it.")
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username"),
        help_text="The staff account it acts as: that account's role decides what the system may do.",
    )


@tokens_required
def token_list(request):
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = issue_token(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field, errors)
        else:
            form = TokenForm()
    tokens = APIToken.objects.select_related("user", "created_by")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "issued": issued})


@require_POST
@tokens_required
def token_revoke(request, pk: int):
    token = get_object_or_404(APIToken, pk=pk)
    try:
        revoke_token(actor=request.user, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{token.name} is revoked: it is refused from the next request on.")
    return redirect("api-tokens:list")
