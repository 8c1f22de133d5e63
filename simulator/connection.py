"""One keep-alive mutual-TLS connection to the 2030.5 server, within the fleet's request budget."""

from __future__ import annotations

import http.client
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from csip_api.serving.tls import client_context

MEDIA_TYPE = "application/sep+xml"


class BudgetSpent(Exception):
    """The fleet made as many requests as it was allowed."""


class Budget:
    """How many requests the whole fleet may still make (None: no limit), shared by every client."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.limit is not None and self.spent >= self.limit:
                raise BudgetSpent
            self.spent += 1


@dataclass
class Answer:
    status: int
    body: bytes
    location: str | None

    def document(self) -> etree._Element | None:
        return etree.fromstring(self.body) if self.status == 200 and self.body else None


class Connection:
    """Requests of one client, over one TLS connection that http.client reopens when the server closes it."""

    def __init__(self, *, server: str, ca_file: Path, cert: Path, key: Path, budget: Budget):
        url = urlsplit(server)
        context: ssl.SSLContext = client_context(ca_file=ca_file, cert=cert, key=key)
        self._connection = http.client.HTTPSConnection(
            url.hostname, url.port or 443, context=context, timeout=30
        )
        self._budget = budget
        self.requests = 0
        self.failures = 0

    def request(self, method: str, path: str, body: str | None = None) -> Answer:
        self._budget.take()
        self.requests += 1
        headers = {"Accept": MEDIA_TYPE} | ({"Content-Type": MEDIA_TYPE} if body is not None else {})
        try:
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
            answer = Answer(response.status, response.read(), response.getheader("Location"))
        except (OSError, http.client.HTTPException):
            self._connection.close()
            self.failures += 1
            return Answer(0, b"", None)
        if answer.status >= 400:
            self.failures += 1
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def close(self) -> None:
        self._connection.close()
