"""The largest values the schema allows are stored and served back whole: UInt32 past PostgreSQL's
``integer`` (postRate, intervalLength, a Reading's duration, a curve's time constant) and Int48."""

from derms.lfdi import sfdi_from_lfdi
from derms.models import MirrorMeterReading, Reading, Role
from tests.csip_api.documents import MMR_MRID, NS, meter_reading_body, mup_body
from tests.factories import make_curve

from .conftest import approve
from .test_der_reports import text_of
from .test_registration import IN_BAND

UINT32_MAX = 2**32 - 1
INT48_MAX = 2**47  # Int48 in sep.xsd: -2^47 to 2^47 inclusive
INT48_MIN = -(2**47)


def test_an_end_device_registered_with_the_largest_post_rate_serves_it_back(new_caller, feeder):
    caller = new_caller("slow poster")
    approve(caller.lfdi, role=Role.DIRECT, group=feeder, registration_mode=IN_BAND)
    body = (
        f"<EndDevice {NS}><lFDI>{caller.lfdi}</lFDI><sFDI>{sfdi_from_lfdi(caller.lfdi)}</sFDI>"
        f"<changedTime>1700000000</changedTime><postRate>{UINT32_MAX}</postRate></EndDevice>"
    )

    location = caller.post("/edev", body)["Location"]

    assert text_of(caller.get(location), "postRate") == str(UINT32_MAX)


def test_a_mirror_with_the_largest_post_rate_and_interval_serves_them_back(direct):
    body = (
        mup_body(direct.lfdi)
        .replace("<intervalLength>300</intervalLength>", f"<intervalLength>{UINT32_MAX}</intervalLength>")
        .replace("</MirrorUsagePoint>", f"<postRate>{UINT32_MAX}</postRate></MirrorUsagePoint>")
    )

    location = direct.post("/mup", body)["Location"]

    served = direct.get(location)
    assert text_of(served, "postRate") == text_of(served, "intervalLength") == str(UINT32_MAX)
    assert MirrorMeterReading.objects.get(mrid=MMR_MRID).interval_length == UINT32_MAX


def test_readings_with_the_longest_duration_and_extreme_values_are_stored_whole(direct):
    location = direct.post("/mup", mup_body(direct.lfdi))["Location"]
    readings = [
        f"<Reading><timePeriod><duration>{UINT32_MAX}</duration><start>{start}</start></timePeriod>"
        f"<value>{value}</value></Reading>"
        for start, value in ((1700000000, INT48_MAX), (1700000300, INT48_MIN))
    ]

    assert direct.post(location, meter_reading_body(*readings)).status_code == 200

    stored = Reading.objects.order_by("start").values_list("duration", "value")
    assert list(stored) == [(UINT32_MAX, INT48_MAX), (UINT32_MAX, INT48_MIN)]


def test_a_curve_with_the_largest_vref_time_constant_is_served_whole(direct, program):
    curve = make_curve(program, curve_type=11, points=[(95, 50), (105, -50)])
    curve.autonomous_vref_enable = True
    curve.autonomous_vref_time_constant = UINT32_MAX
    curve.save()

    served = direct.get(f"/derp/{program.pk}/dc/{curve.pk}")

    assert served.status_code == 200
    assert text_of(served, "autonomousVRefTimeConstant") == str(UINT32_MAX)
