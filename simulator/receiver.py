"""The HTTPS notification receiver of the simulated aggregators: CSIP's TLS with the dev PKI's server
certificate, the notifying server's client certificate required; a POST wakes the client it names."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from csip_api.serving.tls import server_context


class Receiver:
    """Listens on loopback; ``uri(name)`` is where client ``name`` asks to be notified."""

    def __init__(self, *, pki_dir: Path, host: str = "127.0.0.1"):
        self._listeners: dict[str, Callable[[bytes], None]] = {}
        self.received = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                listener = receiver._listeners.get(self.path.rsplit("/", 1)[-1])
                self.send_response(201 if listener else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if listener:
                    receiver.received += 1
                    listener(body)

            def log_message(self, *args):
                pass

        context = server_context(
            ca_file=pki_dir / "ca.pem",
            ecdsa_cert=pki_dir / "server-ecdsa.pem",
            ecdsa_key=pki_dir / "server-ecdsa.key",
            rsa_cert=pki_dir / "server-rsa.pem",
            rsa_key=pki_dir / "server-rsa.key",
        )
        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._host = host
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def uri(self, name: str) -> str:
        return f"https://{self._host}:{self._server.server_address[1]}/notify/{name}"

    def listen(self, name: str, listener: Callable[[bytes], None]) -> None:
        self._listeners[name] = listener

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
