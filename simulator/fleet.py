"""Run simulated clients side by side for a bounded time and request count, and say what they did."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from csip_api.pki import ClientCertificate
from simulator.client import SimulatedClient
from simulator.connection import Budget
from simulator.receiver import Receiver


@dataclass
class Member:
    """A client of the fleet: its dev-PKI certificate, and whether it is an aggregator (it subscribes)."""

    certificate: ClientCertificate
    aggregator: bool = False


def run(
    members: Iterable[Member],
    *,
    server: str,
    pki_dir: Path,
    duration: float | None,
    max_requests: int | None = None,
    speed: float = 1.0,
    seed: int = 0,
    ders_per_aggregator: int | None = None,
) -> list[SimulatedClient]:
    """Run every member until ``duration`` seconds have passed (None: until stopped) or the fleet made
    ``max_requests``."""
    members = list(members)
    budget = Budget(max_requests)
    receiver = Receiver(pki_dir=pki_dir) if any(m.aggregator for m in members) else None
    until = float("inf") if duration is None else time.monotonic() + duration
    clients = [
        SimulatedClient(
            name=member.certificate.name,
            cert=member.certificate.cert,
            key=member.certificate.key,
            lfdi=member.certificate.lfdi,
            server=server,
            ca_file=pki_dir / "ca.pem",
            budget=budget,
            speed=speed,
            receiver=receiver if member.aggregator else None,
            seed=seed,
            max_ders=ders_per_aggregator if member.aggregator else None,
        )
        for member in members
    ]
    threads = [
        threading.Thread(target=client.run, kwargs={"until": until}, daemon=True) for client in clients
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        if receiver is not None:
            receiver.stop()
    return clients


def report(clients: list[SimulatedClient]) -> str:
    """One line per client and a total: walks, posts, alarms, Responses, subscriptions, errors."""
    lines = []
    for client in clients:
        t = client.tally
        lines.append(
            f"{client.name}: {'walked' if t.walked else 'walk incomplete'}, {len(client.ders)} DERs, "
            f"{client.connection.requests} requests, {t.polls} polls, {t.statuses} DERStatus, "
            f"{t.readings} MirrorUsagePoint posts, {t.alarms} alarm LogEvents, {t.responses} Responses, "
            f"{t.subscriptions} subscriptions, {t.notifications} notifications, {t.error_count} errors"
            + (f" (first: {t.errors[0]})" if t.errors else "")
        )
    requests = sum(c.connection.requests for c in clients)
    lines.append(
        f"{len(clients)} clients, {sum(len(c.ders) for c in clients)} DERs, {requests} requests in all"
    )
    return "\n".join(lines)
