"""One simulated 2030.5 client: a direct DER, or an aggregator reporting for the DERs it manages."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from csip_api.xml import NS
from simulator import documents
from simulator.connection import Answer, Budget, BudgetSpent, Connection
from simulator.der import ALARM_CODES, CONNECTED_AVAILABLE_OPERATING, SimulatedDER
from simulator.receiver import Receiver

#: Response status codes (2030.5 Table 27) the simulated DERs send.
RECEIVED, STARTED, COMPLETED, OPTED_OUT = 1, 2, 3, 4
#: Chance per post that a DER without an alarm raises one, and that one with an alarm returns to normal.
ALARM_CHANCE, RETURN_TO_NORMAL_CHANCE = 0.02, 0.3
#: Chance that a DER opts out of an event (it then answers 4 and keeps producing).
OPT_OUT_CHANCE = 0.1
WALK_RETRY_SECONDS = 5.0


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _link(document: etree._Element, name: str) -> tuple[str | None, int]:
    node = document.find(q(name))
    return (None, 0) if node is None else (node.get("href"), int(node.get("all", "1")))


@dataclass
class Tally:
    """What one client did; the fleet prints these."""

    walked: bool = False
    statuses: int = 0
    readings: int = 0
    alarms: int = 0
    responses: int = 0
    subscriptions: int = 0
    notifications: int = 0
    polls: int = 0
    error_count: int = 0
    #: The first few failed requests, to say what went wrong.
    errors: list[str] = field(default_factory=list)


class SimulatedClient:
    """Walks from /dcap, then polls and posts on the rates the server gives until its deadline."""

    def __init__(
        self,
        *,
        name: str,
        cert: Path,
        key: Path,
        lfdi: str,
        server: str,
        ca_file: Path,
        budget: Budget,
        speed: float = 1.0,
        receiver: Receiver | None = None,
        seed: int = 0,
        max_ders: int | None = None,
    ):
        self.name, self.lfdi, self.speed, self.receiver, self.max_ders = name, lfdi, speed, receiver, max_ders
        self.connection = Connection(server=server, ca_file=ca_file, cert=cert, key=key, budget=budget)
        self.rng = random.Random(f"{seed}/{name}")
        self.ders: list[SimulatedDER] = []
        self.poll_rate = 900
        self.post_rate = 300
        self.tally = Tally()
        self.notified = threading.Event()
        #: How many of its Responses each (DER, event) has sent.
        self._responded: dict[tuple[str, str], int] = {}
        self._opted_out: set[tuple[str, str]] = set()
        self._event_id = 0
        self._control_lists: dict[str, str] = {}
        self.mup_href: str | None = None
        self.subscriptions_href: str | None = None

    # --- requests -------------------------------------------------------------------------------------

    def _get(self, href: str | None, count: int | None = None) -> etree._Element | None:
        """A resource, or a whole list (``count`` given) read page by page as the server limits them."""
        if href is None:
            return None
        if count is None:
            return self._checked(self.connection.get(href), "GET", href).document()
        merged, start = None, 0
        while True:
            page = self._checked(
                self.connection.get(f"{href}?s={start}&l={max(count, 1)}"), "GET", href
            ).document()
            if page is None:
                return merged
            results = int(page.get("results", "0"))
            if merged is None:
                merged = page
            else:
                merged.extend(list(page))
            start += results
            if results == 0 or start >= int(page.get("all", "0")):
                return merged

    def _send(self, method: str, href: str, body: str) -> Answer:
        return self._checked(self.connection.request(method, href, body), method, href)

    def _checked(self, answer: Answer, method: str, href: str) -> Answer:
        if answer.status == 0 or answer.status >= 400:
            self.tally.error_count += 1
            if len(self.tally.errors) < 5:
                self.tally.errors.append(f"{method} {href}: {answer.status or 'no answer'}")
        return answer

    # --- the walk ---------------------------------------------------------------------------------------

    def walk(self) -> None:
        """Discover from /dcap: the EndDevices the server lists, their DERs, programs and controls."""
        dcap = self._get("/dcap")
        if dcap is None:
            return
        self.poll_rate = int(dcap.get("pollRate", self.poll_rate))
        self.mup_href, _ = _link(dcap, "MirrorUsagePointListLink")
        edev_href, count = _link(dcap, "EndDeviceListLink")
        end_devices = self._get(edev_href, count)
        if end_devices is None:
            return
        for end_device in end_devices.findall(q("EndDevice")):
            if end_device.findtext(q("lFDI")) == self.lfdi:
                self.subscriptions_href, _ = _link(end_device, "SubscriptionListLink")
            if end_device.find(q("DERListLink")) is None or len(self.ders) == self.max_ders:
                continue  # the aggregator's own EndDevice is no DER
            self.ders.append(self._discover(end_device))
        self._poll()
        for der in self.ders:
            rated = der.rated_w
            self._send("PUT", der.links["DERCapability"], documents.capability_body(rated_w=rated))
            self._send(
                "PUT", der.links["DERSettings"], documents.settings_body(rated_w=rated, at=int(time.time()))
            )
        self._subscribe()
        self.tally.walked = bool(self.ders) and all("DERStatus" in der.links for der in self.ders)

    def _discover(self, end_device: etree._Element) -> SimulatedDER:
        der = SimulatedDER(
            lfdi=end_device.findtext(q("lFDI")),
            edev_href=end_device.get("href"),
            rated_w=self.rng.choice([3800, 5000, 7600, 10000]),
            rng=self.rng,
        )
        der.links["LogEventList"], _ = _link(end_device, "LogEventListLink")
        der_list = self._get(*_link(end_device, "DERListLink"))
        entry = None if der_list is None else der_list.find(q("DER"))
        if der_list is not None:
            self.post_rate = int(der_list.get("pollRate", self.post_rate))
        for name in ("DERStatus", "DERCapability", "DERSettings"):
            if entry is not None and _link(entry, f"{name}Link")[0]:
                der.links[name] = _link(entry, f"{name}Link")[0]
        fsa_list = self._get(*_link(end_device, "FunctionSetAssignmentsListLink"))
        for fsa in [] if fsa_list is None else fsa_list.findall(q("FunctionSetAssignments")):
            programs = self._get(*_link(fsa, "DERProgramListLink"))
            for program in [] if programs is None else programs.findall(q("DERProgram")):
                der.program_hrefs.append(program.get("href"))
        return der

    def _subscribe(self) -> None:
        """Aggregators ask to be told of changes to each program's controls, when the server offers it."""
        href = self.subscriptions_href
        if self.receiver is None or href is None:
            return
        self.receiver.listen(self.name, lambda body: self._on_notification())
        for resource in sorted(set(self._control_lists.values())):
            answer = self._send(
                "POST", href, documents.subscription_body(resource=resource, uri=self.receiver.uri(self.name))
            )
            self.tally.subscriptions += answer.status == 201

    def _on_notification(self) -> None:
        self.tally.notifications += 1
        self.notified.set()

    # --- polling and posting ------------------------------------------------------------------------

    def _poll(self) -> None:
        """Read each program's active and default controls; answer the events with Responses."""
        self.tally.polls += 1
        served: dict[str, tuple[list[etree._Element], etree._Element | None, list[etree._Element]]] = {}
        for der in self.ders:
            der.controls = []
            for program_href in der.program_hrefs:
                if program_href not in served:
                    served[program_href] = self._program(program_href)
                active, default, events = served[program_href]
                der.controls += [
                    c for c in active if (der.lfdi, c.findtext(q("mRID"))) not in self._opted_out
                ]
                der.controls += [default] if default is not None else []
                self._respond(der, events, {c.findtext(q("mRID")) for c in active})

    def _program(self, href: str):
        program = self._get(href)
        if program is None:
            return [], None, []
        active = self._get(*_link(program, "ActiveDERControlListLink"))
        default_href, _ = _link(program, "DefaultDERControlLink")
        default = self._get(default_href) if default_href else None
        events_href, count = _link(program, "DERControlListLink")
        self._control_lists[href] = events_href
        events = self._get(events_href, count)
        listed = lambda document: [] if document is None else document.findall(q("DERControl"))  # noqa: E731
        return listed(active), default, listed(events)

    def _respond(self, der: SimulatedDER, events: list[etree._Element], active: set[str]) -> None:
        now = int(time.time())
        for event in events:
            mrid, reply_to = event.findtext(q("mRID")), event.get("replyTo")
            if not reply_to:
                continue
            key = (der.lfdi, mrid)
            start = int(event.findtext(f"{q('interval')}/{q('start')}", "0"))
            end = start + int(event.findtext(f"{q('interval')}/{q('duration')}", "0"))
            if key not in self._responded and self.rng.random() < OPT_OUT_CHANCE:
                self._opted_out.add(key)
            # Each event is answered in order: received, then started and completed, or opted out.
            if key in self._opted_out:
                path = [RECEIVED, OPTED_OUT]
            else:
                path = [RECEIVED] + [STARTED] * (mrid in active or now >= end) + [COMPLETED] * (now >= end)
            sent = self._responded.get(key, 0)
            for status in path[sent:]:
                body = documents.response_body(subject=mrid, lfdi=der.lfdi, status=status, at=now)
                if self._send("POST", reply_to, body).status != 201:
                    break
                sent += 1
                self.tally.responses += 1
            self._responded[key] = sent

    def _post(self) -> None:
        """Each DER's DERStatus and readings, and now and then an alarm or its return to normal."""
        now = int(time.time())
        for der in self.ders:
            self._maybe_alarm(der, now)
            status = documents.status_body(
                at=now,
                connect=CONNECTED_AVAILABLE_OPERATING,
                inverter=der.inverter_status(),
                alarms=der.alarm_bits(),
            )
            self.tally.statuses += self._send("PUT", der.links["DERStatus"], status).status == 204
            values = der.measure(at=now)
            body = documents.usage_point_body(
                lfdi=der.lfdi, client=self.lfdi, values=values, at=now, interval=self.post_rate
            )
            self.tally.readings += self._send("POST", self.mup_href, body).status in (201, 204)

    def _maybe_alarm(self, der: SimulatedDER, now: int) -> None:
        if der.alarm is None and self.rng.random() < ALARM_CHANCE:
            code = der.alarm = self.rng.choice(ALARM_CODES)
        elif der.alarm is not None and self.rng.random() < RETURN_TO_NORMAL_CHANCE:
            code, der.alarm = der.alarm + 1, None
        else:
            return
        self._event_id += 1
        body = documents.log_event_body(code=code, at=now, event_id=self._event_id)
        self.tally.alarms += self._send("POST", der.links["LogEventList"], body).status == 201

    def run(self, *, until: float) -> None:
        """Walk, then poll at pollRate and post at postRate (both divided by the speed) until ``until``."""
        try:
            # The server may still be starting (make start runs both at once): try the walk again.
            while True:
                self.ders = []
                self.walk()
                if self.tally.walked:
                    break
                if time.monotonic() + WALK_RETRY_SECONDS >= until:
                    return
                time.sleep(WALK_RETRY_SECONDS)
            next_poll = time.monotonic() + self.poll_rate / self.speed
            next_post = time.monotonic()
            while (now := time.monotonic()) < until:
                if now >= next_post:
                    self._post()
                    next_post = now + self.post_rate / self.speed
                if now >= next_poll or self.notified.is_set():
                    self.notified.clear()
                    self._poll()
                    next_poll = now + self.poll_rate / self.speed
                self.notified.wait(max(0.0, min(next_poll, next_post, until) - time.monotonic()))
        except BudgetSpent:
            pass
        finally:
            self.connection.close()
