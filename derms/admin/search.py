"""The admin search box for anything that belongs to a DER: an LFDI (or its first digits) or an SFDI."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from derms.lfdi import lfdi_prefix_from_sfdi

_HEX = re.compile(r"^[0-9a-f]{1,40}$")
_DIGITS = re.compile(r"^[0-9]{1,13}$")


def lfdi_search_q(term: str, *, field: str = "lfdi") -> Q | None:
    """Match an LFDI (or its start) in any case, or an SFDI typed with or without leading zeros."""
    term = term.strip().lower()
    lookup = f"{field}__startswith"
    query = Q(**{lookup: term}) if _HEX.match(term) else None
    if _DIGITS.match(term):
        try:
            by_sfdi = Q(**{lookup: lfdi_prefix_from_sfdi(int(term))})
        except ValidationError:
            return query
        query = by_sfdi if query is None else query | by_sfdi
    return query


class LFDISearchMixin:
    """The admin search box takes an LFDI or an SFDI, of the object or of the DER ``lfdi_field`` names."""

    lfdi_field = "lfdi"
    search_fields = ("lfdi",)
    search_help_text = "LFDI (or its first digits) or SFDI, with or without leading zeros."

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        query = lfdi_search_q(search_term, field=self.lfdi_field)
        return (queryset.filter(query) if query is not None else queryset.none()), False
