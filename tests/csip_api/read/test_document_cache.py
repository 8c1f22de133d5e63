"""The document cache never serves what the feed says has changed, nor one client's document to another.

Each test reads through the cache (so the documents are remembered), makes a change through the domain's
services, and reads again: the answer must be exactly what a server remembering nothing renders. Reads go
through the 2030.5 listener's WSGI stack, so the cache's front (csip_api.front.documents) answers whatever
it may. The database is really committed (``transactional_db``): the cache remembers nothing read
inside a transaction that might roll back.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from csip_api import hrefs, identity
from csip_api.cache import documents
from derms.changefeed import lease
from derms.events.services import (
    cancel_control,
    create_control,
    create_curve,
    update_curve,
    update_default_control,
    update_program,
)
from derms.models import Authorization, DERCurve, EndDevice, Role
from derms.services import authorizations, rates
from groups.services import assign_groups, move_subtree, rename_group
from notifications.services import subscribe
from tests.csip_api.read.conftest import Actor, _actor, _enroll

pytestmark = pytest.mark.usefixtures("transactional_db")

VOLT_VAR = [(9500, 3000, None), (10500, -3000, None)]


def served(actor: Actor, url: str) -> bytes:
    """What ``actor`` reads through the 2030.5 listener: the cache's front, then Django."""
    answer = actor.answer(url)
    assert answer.status == 200, (url, answer.status)
    return answer.body


def fresh(actor: Actor, url: str) -> bytes:
    """What a server that remembers nothing answers."""
    identity.forget_clients()
    documents.forget()
    return served(actor, url)


def remember(actor: Actor, *urls: str) -> dict[str, bytes]:
    """Read each twice: rendered and remembered, then served from the cache."""
    first = {url: served(actor, url) for url in urls}
    for url in urls:
        assert served(actor, url) == first[url]
    return first


def assert_change_seen(actor: Actor, change, *urls: str) -> None:
    """After ``change`` commits, each of ``urls`` (all of which it alters) reads as freshly rendered."""
    before = remember(actor, *urls)
    change()
    after = {url: served(actor, url) for url in urls}
    for url in urls:
        assert after[url] != before[url], f"{url} still reads as before the change"
        assert after[url] == fresh(actor, url), url


def _topology_programs(actor: Actor) -> str:
    return hrefs.href(hrefs.FSA_PROGRAM_LIST, edev=actor.end_device.pk, fsa=hrefs.TOPOLOGY_FSA) + "?l=20"


def _controls(program) -> str:
    return hrefs.href(hrefs.CONTROL_LIST, derp=program.pk) + "?l=20"


def _active(program) -> str:
    return hrefs.href(hrefs.ACTIVE_CONTROL_LIST, derp=program.pk) + "?l=20"


def _event(program, *, start="now", duration=3600, **values):
    return create_control(
        program=program, start=start, duration=duration, values=values or {"opModMaxLimW": 5000}
    )


def test_an_event_created_or_cancelled_is_read_at_once(direct_der, programs):
    feeder = programs["feeder_1"]
    urls = (_controls(feeder), _active(feeder), _topology_programs(direct_der))
    assert_change_seen(direct_der, lambda: _event(feeder), *urls)
    control = feeder.controls.get()
    assert_change_seen(direct_der, lambda: cancel_control(control=control), *urls)


def test_a_default_control_edited_is_read_at_once(direct_der, programs):
    program = programs["sp_1"]
    url = hrefs.href(hrefs.DEFAULT_CONTROL, derp=program.pk)
    assert_change_seen(
        direct_der, lambda: update_default_control(program=program, values={"setGradW": 250}), url
    )


def test_curves_created_and_edited_are_read_at_once(direct_der, programs):
    program = programs["z"]
    curves = hrefs.href(hrefs.CURVE_LIST, derp=program.pk) + "?l=20"
    program_url = hrefs.href(hrefs.PROGRAM, derp=program.pk)
    assert_change_seen(
        direct_der,
        lambda: create_curve(program=program, curve_type=11, points=VOLT_VAR, y_ref_type=3),
        curves,
        program_url,
    )
    curve = DERCurve.objects.get(program=program)
    assert_change_seen(
        direct_der,
        lambda: update_curve(curve=curve, points=[(9000, 4000, None), *VOLT_VAR], y_ref_type=3),
        curves,
    )


def test_program_primacy_and_poll_rates_are_read_at_once(direct_der, programs):
    urls = (_topology_programs(direct_der),)
    program = programs["feeder_1"]
    assert_change_seen(
        direct_der, lambda: update_program(program=program, primacy=1, description="moved up"), *urls
    )
    assert_change_seen(direct_der, lambda: rates.set_program_poll_rate(program=program, seconds=17), *urls)
    fsa_list = hrefs.href(hrefs.FSA_LIST, edev=direct_der.end_device.pk) + "?l=20"
    assert_change_seen(
        direct_der,
        lambda: rates.set_end_device_poll_rate(end_device=direct_der.end_device, seconds=19),
        "/edev?l=10",
        fsa_list,
    )


def test_a_der_placed_elsewhere_follows_its_new_programs_at_once(direct_der, grid, programs):
    sp_1_controls = _controls(programs["sp_1"])
    remember(direct_der, sp_1_controls)
    assert_change_seen(
        direct_der,
        lambda: assign_groups(
            actor=None,
            end_device=direct_der.end_device,
            topology_group=grid["sp_2"],
            non_topology_groups=[grid["z"]],
        ),
        _topology_programs(direct_der),
        "/dcap",
    )
    # The service point it left is no longer its program: its documents are refused, not served.
    assert direct_der.get(sp_1_controls).status_code == 404


def test_a_subtree_moved_and_a_group_renamed_are_read_at_once(direct_der, grid, programs):
    assert_change_seen(
        direct_der,
        lambda: move_subtree(actor=None, node=grid["sp_1"], new_parent=grid["feeder_2"]),
        _topology_programs(direct_der),
    )
    assert_change_seen(
        direct_der,
        lambda: rename_group(actor=None, group=grid["z"], name="Group-Z renamed"),
        hrefs.href(hrefs.FSA_LIST, edev=direct_der.end_device.pk) + "?l=20",
    )


def test_what_a_client_posts_shows_in_the_counts_it_reads(direct_der, settings):
    settings.DERMS_NOTIFY_PRIVATE_ADDRESSES = True
    own = direct_der.end_device
    end_device = hrefs.href(hrefs.END_DEVICE, edev=own.pk)
    log_event = (
        '<LogEvent xmlns="urn:ieee:std:2030.5:ns"><createdDateTime>1700000000</createdDateTime>'
        "<functionSet>0</functionSet><logEventCode>0</logEventCode><logEventID>1</logEventID>"
        "<logEventPEN>0</logEventPEN><profileID>2</profileID></LogEvent>"
    )
    lel = hrefs.href(hrefs.LOG_EVENT_LIST, edev=own.pk)
    assert_change_seen(direct_der, lambda: direct_der.post(lel, log_event), end_device)
    assert_change_seen(
        direct_der,
        lambda: subscribe(
            client=identity.client_for_lfdi(direct_der.lfdi),
            subscribed_resource=_controls_of_first_program(direct_der),
            notification_uri="https://127.0.0.1:9/notify",
            limit=1,
        ),
        end_device,
    )
    mup = (
        '<MirrorUsagePoint xmlns="urn:ieee:std:2030.5:ns"><mRID>0123456789ABCDEF0123456789ABCDEF</mRID>'
        "<roleFlags>49</roleFlags><serviceCategoryKind>0</serviceCategoryKind><status>1</status>"
        f"<deviceLFDI>{direct_der.lfdi}</deviceLFDI></MirrorUsagePoint>"
    )
    assert_change_seen(direct_der, lambda: direct_der.post("/mup", mup), "/dcap")


def _controls_of_first_program(actor: Actor) -> str:
    return _controls(actor.end_device.topology_group.der_program).split("?")[0]


def test_an_aggregators_list_follows_its_ders_at_once(aggregator, certificate_of, grid):
    managed = aggregator.managed[0]
    managed_url = hrefs.href(hrefs.END_DEVICE, edev=managed.pk)
    remember(aggregator, managed_url)
    revoked = Authorization.objects.get(lfdi=managed.lfdi)
    assert_change_seen(
        aggregator, lambda: authorizations.revoke(actor=None, authorization=revoked), "/edev?l=10", "/dcap"
    )
    assert aggregator.get(managed_url).status_code == 404

    _, lfdi = _actor(certificate_of, "managed-new")
    entry = Authorization.objects.create(
        lfdi=lfdi, role=Role.MANAGED, aggregator=aggregator.end_device, topology_group=grid["sp_2"]
    )
    assert_change_seen(
        aggregator, lambda: authorizations.approve(actor=None, authorization=entry), "/edev?l=10", "/dcap"
    )


def test_a_revoked_client_is_refused_on_its_next_request(aggregator, direct_der):
    urls = ("/dcap", "/tm", "/edev?l=10")
    for actor in (aggregator, direct_der):  # read twice: rendered, then served from what was remembered
        for url in urls * 2:
            served(actor, url)
    authorizations.revoke(actor=None, authorization=Authorization.objects.get(lfdi=aggregator.lfdi))
    for url in urls:
        assert aggregator.answer(url).status == settings.CSIP_UNAUTHORIZED_STATUS, url
        assert direct_der.answer(url).status == 200, url


def test_an_event_turns_active_and_ends_at_its_instant(direct_der, programs, monkeypatch):
    program = programs["feeder_1"]
    clock = {"now": timezone.now().replace(microsecond=0)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    start = clock["now"] + dt.timedelta(minutes=10)
    control = _event(program, start=start, duration=60)
    active, listed = _active(program), _controls(program)
    remember(direct_der, active, listed)
    assert control.mrid not in served(direct_der, active).decode()

    clock["now"] = start - dt.timedelta(microseconds=1)
    assert control.mrid not in served(direct_der, active).decode()
    clock["now"] = start
    assert control.mrid in served(direct_der, active).decode()
    assert served(direct_der, listed) == fresh(direct_der, listed)
    clock["now"] = start + dt.timedelta(seconds=60)
    assert control.mrid not in served(direct_der, listed).decode()
    assert control.mrid not in served(direct_der, active).decode()


def test_time_is_read_anew_every_second(direct_der, monkeypatch):
    clock = {"now": timezone.now().replace(microsecond=0)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    first = served(direct_der, "/tm")
    clock["now"] += dt.timedelta(milliseconds=999)
    assert served(direct_der, "/tm") == first
    clock["now"] += dt.timedelta(milliseconds=1)
    assert served(direct_der, "/tm") != first
    assert served(direct_der, "/tm") == fresh(direct_der, "/tm")


@pytest.fixture
def other_der(client, certificate_of, grid, programs) -> Actor:
    """A direct DER on the other feeder, outside service point SP-1 and group Z."""
    header, lfdi = _actor(certificate_of, "other-der")
    return Actor(header, lfdi, _enroll(lfdi, Role.DIRECT, topology_group=grid["sp_2"]), client)


def test_no_client_is_served_anothers_document(direct_der, other_der, aggregator, programs):
    mine = [
        "/dcap",
        "/edev?l=10",
        hrefs.href(hrefs.END_DEVICE, edev=direct_der.end_device.pk),
        hrefs.href(hrefs.FSA_LIST, edev=direct_der.end_device.pk) + "?l=20",
        _topology_programs(direct_der),
        _controls(programs["sp_1"]),
        hrefs.href(hrefs.DEFAULT_CONTROL, derp=programs["z"].pk),
    ]
    aggregators = [hrefs.href(hrefs.FSA_LIST, edev=aggregator.managed[0].pk) + "?l=20"]
    remembered = remember(direct_der, *mine)
    remember(aggregator, *aggregators)

    for url in mine[:2]:  # the same path is another document for another client
        assert served(other_der, url) != remembered[url]
        assert served(other_der, url) == fresh(other_der, url)
    for url in [*mine[2:], *aggregators]:
        assert other_der.answer(url).status == 404, url
    for url in mine[2:5]:
        assert aggregator.answer(url).status == 404, url


def test_a_change_racing_the_readers_is_never_missed(direct_der, programs):
    """Events created one after the other while readers poll the list: every event committed before a
    read began is in what that read returns."""
    program = programs["feeder_1"]
    url = _controls(program).replace("l=20", "l=100")
    committed: list[str] = []
    failures: list[str] = []
    done = threading.Event()

    def write():
        try:
            for index in range(25):
                committed.append(_event(program, opModMaxLimW=1000 + index).mrid)
        finally:
            done.set()
            connection.close()

    def read():
        # A client of its own per thread, as on a server's threads.
        reader = Actor(direct_der.header, direct_der.lfdi, direct_der.end_device, Client())
        try:
            while not done.is_set():
                expected = list(committed)
                body = served(reader, url).decode()
                failures.extend(mrid for mrid in expected if mrid not in body)
        finally:
            connection.close()

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, f"stale reads missed {len(failures)} committed events"
    assert len(committed) == 25
    assert all(mrid in served(direct_der, url).decode() for mrid in committed)


def test_nothing_is_remembered_from_inside_a_transaction(direct_der, programs):
    """A read inside a transaction that then rolls back must not leave its document behind."""
    url = _controls(programs["feeder_1"])
    before = served(direct_der, url)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        _event(programs["feeder_1"])
        assert served(direct_der, url) != before
        raise Rollback
    assert served(direct_der, url) == before == fresh(direct_der, url)
    assert EndDevice.objects.filter(pk=direct_der.end_device.pk).exists()


@pytest.mark.skipif(not settings.REDIS_URL, reason="the shared tier is configured with REDIS_URL")
def test_a_document_rendered_by_one_worker_is_served_by_another_from_redis(
    direct_der, programs, django_assert_num_queries, lease_clock
):
    url = _controls(programs["feeder_1"])
    rendered = served(direct_der, url)
    documents.forget_local()  # another worker: nothing in its memory, the same Redis
    identity.forget_clients()
    lease.forget()
    served(direct_der, "/tm")  # (it knows the client already)
    # This worker's first lease on the feed's versions, the versions of the client and of the entry's
    # sources, and the programs the client may read.
    with django_assert_num_queries(3):
        assert served(direct_der, url) == rendered
    _event(programs["feeder_1"])
    lease_clock.advance(settings.DERMS_VERSION_LEASE)
    assert served(direct_der, url) != rendered
    assert served(direct_der, url) == fresh(direct_der, url)


def test_an_edit_behind_the_services_back_is_read_after_a_new_generation(direct_der):
    """Raw edits are not in the feed; the operator's command makes every cache read afresh."""
    url = "/edev?l=10"
    before = remember(direct_der, url)[url]
    EndDevice.objects.filter(pk=direct_der.end_device.pk).update(post_rate=77)
    assert served(direct_der, url) == before
    call_command("renew_database_generation")
    assert served(direct_der, url) != before
    assert served(direct_der, url) == fresh(direct_der, url)
