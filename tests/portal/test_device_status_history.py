"""The device page's DERStatus history: the four statuses plotted over the chosen window, and the reports
in which one of them changed, newest first."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from derms.models import DERStatus
from derms.selectors import status_history


@pytest.fixture
def now():
    return timezone.now()


def report(der, at, *, connect=None, mode=None, inverter=None, charge=None) -> DERStatus:
    return DERStatus.objects.create(
        end_device=der,
        values={},
        reading_time=at,
        gen_connect_status=connect,
        operational_mode_status=mode,
        inverter_status=inverter,
        state_of_charge_status=charge,
    )


def page_of(client, der, **query):
    return client.get(reverse("portal:device", args=[der.lfdi]), query)


def hours_ago(now, hours: float) -> dt.datetime:
    return now - dt.timedelta(hours=hours)


def test_the_statuses_of_the_window_are_plotted_as_steps_with_their_codes_named(
    dispatcher_client, direct_der, now
):
    report(direct_der, hours_ago(now, 30), connect=0b111, mode=2, inverter=4, charge=5000)
    report(direct_der, hours_ago(now, 3), connect=0b111, mode=2, inverter=4, charge=5000)
    report(direct_der, hours_ago(now, 2), connect=0b111, mode=2, inverter=5, charge=4500)
    report(direct_der, hours_ago(now, 1), connect=0b10001, mode=2, inverter=7, charge=4500)

    response = page_of(dispatcher_client, direct_der)

    series = {s["name"]: s for s in response.context["status_series"]}
    assert list(series) == [
        "genConnectStatus",
        "operationalModeStatus",
        "inverterStatus",
        "stateOfChargeStatus",
    ]
    assert [v for _, v in series["inverterStatus"]["points"]] == [4, 5, 7]  # the day's three, oldest first
    assert [v for _, v in series["stateOfChargeStatus"]["points"]] == [50.0, 45.0, 45.0]
    assert series["genConnectStatus"]["names"] == {
        "7": "connected, available, operating",
        "17": "connected, fault or error",
    }
    assert series["operationalModeStatus"]["names"] == {"2": "operational mode"}
    plots = [
        json.loads(figure.replace("&quot;", '"'))
        for figure in re.findall(r'class="status-plot" data-plot="([^"]+)"', response.content.decode())
    ]
    assert len(plots) == 4
    assert all(plot["step"] and plot["time"] for plot in plots)
    assert plots[2]["y"] == [4, 5, 7]


def test_the_changes_are_listed_newest_first_with_what_changed_marked(dispatcher_client, direct_der, now):
    report(direct_der, hours_ago(now, 30), connect=0b111, mode=2, inverter=4, charge=5000)
    report(direct_der, hours_ago(now, 3), connect=0b111, mode=2, inverter=4, charge=5000)
    report(direct_der, hours_ago(now, 2), connect=0b111, mode=2, inverter=5, charge=5000)
    report(direct_der, hours_ago(now, 1.5), connect=0b111, mode=2, inverter=5, charge=4000)
    report(direct_der, hours_ago(now, 1), connect=0b11, mode=1, inverter=5, charge=None)

    response = page_of(dispatcher_client, direct_der)

    changes = response.context["status_history"].changes
    # The report 3 h ago repeats the one before the window, and the one 1.5 h ago only its state of charge.
    assert [change.reading_time for change in changes] == [hours_ago(now, 1), hours_ago(now, 2)]
    assert changes[0].cells == [
        ("Generator connect", "connected, available", True),
        ("Operational mode", "off", True),
        ("Inverter", "forced power reduction", False),
        ("State of charge", "—", False),
    ]
    assert [changed for _, _, changed in changes[1].cells] == [False, False, True, False]
    page = response.content.decode()
    assert "<strong>forced power reduction</strong>" in page
    assert "5 reports in the last 24 h" not in page and "4 reports in the last 24 h" in page


def test_the_first_report_ever_is_a_change_in_every_coded_status(dispatcher_client, direct_der, now):
    report(direct_der, hours_ago(now, 1), mode=2)

    [change] = page_of(dispatcher_client, direct_der).context["status_history"].changes

    assert change.cells[1] == ("Operational mode", "operational mode", True)
    assert [changed for _, _, changed in change.cells] == [True, True, True, False]


def test_a_longer_window_reaches_older_reports(dispatcher_client, direct_der, now):
    report(direct_der, hours_ago(now, 30), inverter=4)
    report(direct_der, hours_ago(now, 1), inverter=5)

    day = page_of(dispatcher_client, direct_der, hours="24").context["status_history"]
    three_days = page_of(dispatcher_client, direct_der, hours="72").context["status_history"]

    assert (day.reports, len(day.changes)) == (1, 1)
    assert (three_days.reports, len(three_days.changes)) == (2, 2)


def test_at_most_the_latest_reports_are_read_and_the_page_says_so(
    dispatcher_client, direct_der, now, monkeypatch
):
    monkeypatch.setattr(status_history, "MAX_STATUSES", 3)
    for minutes in range(10, 0, -1):
        report(direct_der, now - dt.timedelta(minutes=minutes), inverter=minutes)

    response = page_of(dispatcher_client, direct_der)

    history = response.context["status_history"]
    assert history.truncated
    [inverter] = history.series
    assert [v for _, v in inverter.points] == [3, 2, 1]
    assert "the latest 3 shown" in response.content.decode()


def test_the_history_reads_a_fixed_number_of_queries_however_many_reports(
    dispatcher_client, direct_der, now, django_assert_num_queries
):
    report(direct_der, hours_ago(now, 2), inverter=4)
    with django_assert_num_queries(2):
        status_history.status_history(direct_der, until=now, hours=24)
    DERStatus.objects.bulk_create(
        DERStatus(
            end_device=direct_der,
            values={},
            reading_time=now - dt.timedelta(minutes=m),
            inverter_status=m % 3,
        )
        for m in range(1, 500)
    )

    with django_assert_num_queries(2):
        history = status_history.status_history(direct_der, until=now, hours=24)

    assert history.reports == 500
    assert len(history.changes) == status_history.CHANGES_SHOWN


def test_without_reports_in_the_window_the_page_says_so(dispatcher_client, direct_der, now):
    report(direct_der, hours_ago(now, 30), inverter=4)

    response = page_of(dispatcher_client, direct_der, hours="6")

    assert response.context["status_series"] == []
    assert "No DERStatus reported in the last 6 h." in response.content.decode()


def test_an_aggregator_page_has_no_status_history(dispatcher_client, aggregator, managed_ders):
    response = page_of(dispatcher_client, aggregator)

    assert response.context["status_history"] is None
    assert "DERStatus history" not in response.content.decode()
