"""Take the README's screenshots of the portal: the group tree, a device page's plots, an event preview.

    .venv/bin/python docs/screenshots.py            # writes docs/screenshots/*.png

It runs the demo exactly as ``make start`` does (``manage.py serve --demo``: the demo utility, its
certificates and the simulated fleet) in a throw-away DERMS_VAR_DIR with its own SQLite database, so no
real database is touched. One demo DER then reports the past day over the 2030.5 API (mutual TLS, as the
fleet does, only with earlier timestamps) so its plots have a history; Debian's chromium, driven by
Playwright with the browser tests' launch options, signs in as the demo admin and takes the pictures.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
#: The demo DER whose day is reported, and how: a PV and battery system, a report every 10 minutes.
DER_NAME = "der-001"
STEP_SECONDS = 600
DAY = 24 * 3600
#: Every process started here is given up on after this long.
START_TIMEOUT = 180

sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(var_dir: Path) -> dict[str, str]:
    """The demo's environment: its own folder and SQLite database, free ports, a fresh admin password."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DERMS_SECRET_KEY")}
    env.update(
        DJANGO_SETTINGS_MODULE="derms.settings",
        DERMS_VAR_DIR=str(var_dir),
        DERMS_ADMIN_PASSWORD=secrets.token_urlsafe(16),
        CSIP_TLS_MODE="embedded",
        CSIP_HTTPS_HOST="127.0.0.1",
        CSIP_HTTPS_PORT=str(free_port()),
        DERMS_PORTAL_PORT=str(free_port()),
        DERMS_DEMO_FLEET="on",
    )
    return env


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"manage.py serve --demo exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"nothing listens on port {port} after {START_TIMEOUT} s")


def report_the_past_day() -> str:
    """PUT a DERStatus and POST readings for every STEP_SECONDS of the past day as DER_NAME; its LFDI.

    The story the plots tell, in the utility's time zone: sleeping at night, tracking the sun by day, a
    forced power reduction in the afternoon peak, a fault for half an hour, and a battery charging by
    day and discharging at night.
    """
    from django.conf import settings

    from csip_api.pki import load_client_certificate
    from simulator import documents
    from simulator.client import SimulatedClient
    from simulator.connection import Budget

    certificate = load_client_certificate(directory=settings.CSIP_PKI_DIR, name=DER_NAME)
    client = SimulatedClient(
        name=DER_NAME,
        cert=certificate.cert,
        key=certificate.key,
        lfdi=certificate.lfdi,
        server=f"https://localhost:{settings.CSIP_HTTPS_PORT}",
        ca_file=settings.CSIP_PKI_DIR / "ca.pem",
        budget=Budget(None),
        seed=1,
    )
    client.walk()
    if not client.tally.walked:
        raise SystemExit(f"{DER_NAME} could not walk the 2030.5 API: {client.tally.errors}")
    [der] = client.ders
    zone = ZoneInfo(settings.TIME_ZONE)
    now = int(time.time())
    charge = 4000.0
    for at in range(now - DAY, now, STEP_SECONDS):
        local = dt.datetime.fromtimestamp(at, zone)
        hour = local.hour + local.minute / 60
        measured = der.measure(at=at)  # var, V and Hz with the simulator's noise; W follows the local sun
        sun = max(0.0, math.sin(math.pi * (hour - 6) / 14))
        measured["W"] = round(der.rated_w * sun * der.rng.uniform(0.9, 1.0), 1)
        measured["var"] = round(-0.1 * measured["W"], 1)
        if sun == 0:
            connect, inverter = 0b011, 2  # connected and available, inverter sleeping
        elif 16 <= hour < 16.5:
            connect, inverter = 0b10001, 7  # connected, fault
            measured["W"] = measured["var"] = 0.0
        elif 13 <= hour < 16:
            connect, inverter = 0b111, 5  # forced power reduction under the afternoon peak limit
            measured["W"] = min(measured["W"], 0.6 * der.rated_w)
        else:
            connect, inverter = 0b111, 4  # tracking the maximum power point
        charge = min(9500.0, charge + 120) if 9 <= hour < 15 else max(1500.0, charge - 50)
        status = documents.status_body(
            at=at, connect=connect, inverter=inverter, alarms=0, charge=int(charge)
        )
        readings = documents.usage_point_body(
            lfdi=der.lfdi, client=client.lfdi, values=measured, at=at, interval=STEP_SECONDS
        )
        answers = (
            client.connection.request("PUT", der.links["DERStatus"], status),
            client.connection.request("POST", client.mup_href, readings),
        )
        if any(answer.status >= 300 or answer.status == 0 for answer in answers):
            raise SystemExit(f"the 2030.5 API refused a report: {[a.status for a in answers]}")
    client.connection.close()
    return der.lfdi


def wait_for_the_fleet() -> None:
    """The simulated fleet's DERs have reported their capability, so the tree shows nameplate capacity."""
    from derms.models import DERCapability

    deadline = time.monotonic() + START_TIMEOUT
    while DERCapability.objects.count() < 10 and time.monotonic() < deadline:
        time.sleep(1)


def take_screenshots(*, portal: str, password: str, der_lfdi: str) -> list[Path]:
    from django.conf import settings
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from derms.models import DERProgram
    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, log_in

    program = DERProgram.objects.select_related("group").get(group__name="SYS-A1")
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    OUT.mkdir(parents=True, exist_ok=True)
    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # The plots' time axes in the utility's time zone, as its dispatchers read them.
        page = browser.new_context(viewport=VIEWPORT, timezone_id=settings.TIME_ZONE).new_page()
        log_in(page, portal, password=password)

        page.goto(f"{portal}/groups/")
        page.click("summary:has-text('SUB-A1-B1-C1')")  # one substation open down to its feeders
        taken.append(shoot(page, "group-tree"))

        page.goto(f"{portal}/devices/{der_lfdi}/")
        page.wait_for_selector(".status-plot canvas")
        scroll_to(page, "#readings")
        taken.append(shoot(page, "device-readings"))
        scroll_to(page, "#status-history")
        taken.append(shoot(page, "device-status"))

        page.goto(f"{portal}/programs/{program.pk}/events/new/")
        page.fill("#id_start_at", tomorrow.replace(hour=15, minute=0).strftime("%Y-%m-%dT%H:%M"))
        page.fill("#id_duration_minutes", "120")
        page.fill("#id_description", "Afternoon peak export limit")
        page.fill("#id_opModMaxLimW", "60")
        page.click("button[name=preview]")
        page.wait_for_selector("#preview")
        scroll_to(page, "#preview", above=70)  # the form's Preview and Save buttons above the preview
        taken.append(shoot(page, "event-preview"))
        browser.close()
    return taken


def scroll_to(page, selector: str, *, above: int = 0) -> None:
    script = (
        "([selector, above]) => { document.querySelector(selector).scrollIntoView(); scrollBy(0, -above); }"
    )
    page.evaluate(script, [selector, above])


def shoot(page, name: str) -> Path:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="derms-screenshots-") as var_dir:
        env = environment(Path(var_dir))
        os.environ.update(env)
        log = open(Path(var_dir) / "serve.log", "w")  # noqa: SIM115 (kept open for the server's life)
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "serve", "--demo"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(int(env["CSIP_HTTPS_PORT"]), server)
            wait_for_port(int(env["DERMS_PORTAL_PORT"]), server)
            import django

            django.setup()
            der_lfdi = report_the_past_day()
            wait_for_the_fleet()
            taken = take_screenshots(
                portal=f"http://127.0.0.1:{env['DERMS_PORTAL_PORT']}",
                password=env["DERMS_ADMIN_PASSWORD"],
                der_lfdi=der_lfdi,
            )
        except BaseException:
            log.flush()
            print((Path(var_dir) / "serve.log").read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
            log.close()
    for path in taken:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
