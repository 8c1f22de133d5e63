"""A real HTTPS receiver of notifications on loopback: CSIP's TLS with a certificate from the dev PKI,
requiring the client certificate of whoever POSTs, recording every notification it is sent."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from csip_api.pki import ServerPKI
from csip_api.serving.tls import server_context
from derms.lfdi import lfdi_from_certificate


@dataclass
class Received:
    path: str
    body: bytes
    content_type: str
    sender_lfdi: str


@dataclass
class Receiver:
    pki: ServerPKI
    #: What the receiver answers; change it to simulate a failing or refusing subscriber.
    answer: int = 201
    #: While set, a POST is accepted and never answered or read (a receiver hanging mid-request).
    stall: bool = False
    stalled: threading.Event = field(default_factory=threading.Event)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def uri(self) -> str:
        return f"https://127.0.0.1:{self.port}/notify"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if receiver.stall:
                    receiver.stalled.set()
                    time.sleep(30)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                peer = x509.load_der_x509_certificate(self.connection.getpeercert(binary_form=True))
                receiver.received.append(
                    Received(
                        path=self.path,
                        body=body,
                        content_type=self.headers.get("Content-Type", ""),
                        sender_lfdi=lfdi_from_certificate(peer.public_bytes(Encoding.DER)),
                    )
                )
                self.send_response(receiver.answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        context = server_context(
            ca_file=self.pki.ca_cert,
            ecdsa_cert=self.pki.ecdsa_cert,
            ecdsa_key=self.pki.ecdsa_key,
            rsa_cert=self.pki.rsa_cert,
            rsa_key=self.pki.rsa_key,
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, *, timeout: float = 60.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.received) >= count, f"{len(self.received)} of {count} notifications arrived"
        return self.received
