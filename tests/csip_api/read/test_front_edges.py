"""Edges of the document cache's front (csip_api.front.documents): a request it cannot read is Django's to
answer, never an error of its own."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.csip_api.listener import LISTENER

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_query_with_too_many_fields_gets_djangos_refusal(direct_der, programs):
    url = "/edev?l=10"
    direct_der.answer(url)
    assert direct_der.answer(url).by_front
    fields = "&".join(f"f{n}=" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    answer = LISTENER.request("GET", f"{url}&{fields}", HTTP_X_FORWARDED_CLIENT_CERT=direct_der.header)
    assert (answer.status, answer.by_front) == (400, False)
