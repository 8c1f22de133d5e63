"""The metering mirror: DERs' measurements posted by them or their aggregator (CSIP 5.2.5.1, 6.2.5.1).

Posts arrive as values keyed by the schema's element names. Readings are written with bulk upserts,
so an aggregator posting for thousands of DERs costs a handful of statements, and a reading posted
again replaces the stored one instead of being counted twice.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from derms import changefeed
from derms.changefeed import affected
from derms.models import EndDevice, MirrorMeterReading, MirrorUsagePoint, Reading
from derms.models.der import from_epoch
from derms.models.readings import READING_TYPE_COLUMNS
from derms.services import audit
from live import publish

#: Reading fields updated when the same reading is posted again.
_READING_UPDATE_FIELDS = [
    "duration",
    "value",
    "quality_flags",
    "local_id",
    "tou_tier",
    "consumption_block",
    "received_at",
]
_METER_READING_UPDATE_FIELDS = [
    "description",
    "version",
    "last_update_time",
    "next_update_time",
    "reading_type",
    *READING_TYPE_COLUMNS.values(),
]


def post_mirror_usage_point(
    *, client: EndDevice, end_device: EndDevice, values: dict
) -> tuple[MirrorUsagePoint, bool]:
    """Create or update ``client``'s MirrorUsagePoint for ``end_device``; return it and whether it is new.

    The same mRID from the same client is the same usage point; the MirrorMeterReadings it carries are
    stored as if posted to it. When two requests create the same usage point at once, the one whose
    INSERT loses on the unique (client, mRID) constraint runs again, as an update of the other's.
    """
    try:
        return _post_mirror_usage_point(client=client, end_device=end_device, values=values)
    except IntegrityError:
        return _post_mirror_usage_point(client=client, end_device=end_device, values=values)


@transaction.atomic
def _post_mirror_usage_point(
    *, client: EndDevice, end_device: EndDevice, values: dict
) -> tuple[MirrorUsagePoint, bool]:
    fields = {
        "description": values.get("description", ""),
        "version": values.get("version"),
        "role_flags": values["roleFlags"],
        "service_category_kind": values["serviceCategoryKind"],
        "status": values["status"],
        "post_rate": values.get("postRate"),
    }
    usage_point = (
        MirrorUsagePoint.objects.select_for_update().filter(client=client, mrid=values["mRID"]).first()
    )
    created = usage_point is None
    if created:
        # No savepoint around the INSERT (two more round trips on every creation): a conflict aborts the
        # whole transaction, and post_mirror_usage_point runs it again.
        usage_point = MirrorUsagePoint.objects.create(
            client=client, end_device=end_device, mrid=values["mRID"], **fields
        )
        changefeed.record("mirror_usage_point_created", [affected.mirror_usage_point_list(usage_point)])
    else:
        if usage_point.end_device_id != end_device.pk:
            raise ValidationError("This mRID already names the mirror of another DER.", code="mrid_in_use")
        for name, value in fields.items():
            setattr(usage_point, name, value)
        usage_point.save(update_fields=list(fields))
    store_meter_readings(
        usage_point=usage_point, meter_readings=values.get("MirrorMeterReading", []), fresh=created
    )
    return usage_point, created


@transaction.atomic
def post_mirror_meter_readings(
    *, usage_point: MirrorUsagePoint, meter_readings: list[dict]
) -> tuple[list[MirrorMeterReading], bool]:
    """Store MirrorMeterReadings and their Readings posted to ``usage_point``, all or nothing.

    Returns them and whether one of them is new (a post may also only add readings to known ones).
    """
    return store_meter_readings(usage_point=usage_point, meter_readings=meter_readings)


def store_meter_readings(
    *, usage_point: MirrorUsagePoint, meter_readings: list[dict], fresh: bool = False
) -> tuple[list[MirrorMeterReading], bool]:
    """Upsert the MirrorMeterReadings, then their Readings, in bulk; the caller holds the transaction.

    A MirrorMeterReading seen for the first time needs its ReadingType; later posts may send only
    their mRID and readings, and what they leave out keeps its stored value. Every Reading needs its
    timePeriod (CSIP 4.6.1: every measurement is time-stamped). ``fresh``: the usage point was created
    in this transaction, so it has no MirrorMeterReadings to look up yet. Returns the
    MirrorMeterReadings and whether one of them is new.
    """
    if not meter_readings:
        return [], False
    by_mrid: dict[str, tuple[dict, list[dict]]] = {}
    for values in meter_readings:
        _, readings = by_mrid.setdefault(values["mRID"], (values, []))
        readings.extend(_readings_of(values))
    existing = {} if fresh else {m.mrid: m for m in usage_point.meter_readings.filter(mrid__in=list(by_mrid))}
    stored = MirrorMeterReading.objects.bulk_create(
        [_meter_reading(usage_point, values, existing.get(mrid)) for mrid, (values, _) in by_mrid.items()],
        update_conflicts=True,
        unique_fields=["usage_point", "mrid"],
        update_fields=_METER_READING_UPDATE_FIELDS,
    )
    if any(m.pk is None for m in stored):
        # Backends that cannot return ids from an upsert: read them back.
        ids = dict(usage_point.meter_readings.filter(mrid__in=list(by_mrid)).values_list("mrid", "pk"))
        for meter_reading in stored:
            meter_reading.pk = ids[meter_reading.mrid]
    rows: dict[tuple, Reading] = {}
    for meter_reading, (_, readings) in zip(stored, by_mrid.values(), strict=True):
        for values in readings:
            reading = _reading(meter_reading, usage_point.end_device_id, values)
            rows[(meter_reading.pk, reading.start)] = reading
    Reading.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["meter_reading", "start"],
        update_fields=_READING_UPDATE_FIELDS,
        batch_size=2000,
    )
    publish.changed(end_device=usage_point.end_device, kind=publish.Kind.READINGS)
    return stored, len(existing) < len(by_mrid)


def _readings_of(values: dict) -> list[dict]:
    """The Readings of a MirrorMeterReading: those of its MirrorReadingSets and its own Reading."""
    readings = [
        reading
        for reading_set in values.get("MirrorReadingSet", [])
        for reading in reading_set.get("Reading", [])
    ]
    if values.get("Reading") is not None:
        readings.append(values["Reading"])
    return readings


def _meter_reading(
    usage_point: MirrorUsagePoint, values: dict, existing: MirrorMeterReading | None
) -> MirrorMeterReading:
    reading_type = values.get("ReadingType")
    if reading_type is None:
        if existing is None:
            raise ValidationError(
                f"MirrorMeterReading {values['mRID']} is new and needs its ReadingType.", code="required"
            )
        reading_type = existing.reading_type
    meter_reading = MirrorMeterReading(
        usage_point=usage_point,
        mrid=values["mRID"],
        description=values.get("description", existing.description if existing else ""),
        version=values.get("version", existing.version if existing else None),
        last_update_time=_time(values, "lastUpdateTime", existing.last_update_time if existing else None),
        next_update_time=_time(values, "nextUpdateTime", existing.next_update_time if existing else None),
        reading_type=reading_type,
    )
    meter_reading.copy_columns()
    return meter_reading


def _reading(meter_reading: MirrorMeterReading, end_device_id: int, values: dict) -> Reading:
    period = values.get("timePeriod")
    if period is None:
        raise ValidationError(
            f"A Reading of {meter_reading.mrid} has no timePeriod: every reading needs its time.",
            code="reading_without_time",
        )
    return Reading(
        meter_reading=meter_reading,
        end_device_id=end_device_id,
        start=from_epoch(period["start"]),
        duration=period["duration"],
        value=values.get("value"),
        quality_flags=values.get("qualityFlags"),
        local_id=values.get("localID"),
        tou_tier=values.get("touTier"),
        consumption_block=values.get("consumptionBlock"),
    )


def _time(values: dict, element: str, stored):
    """A TimeType element as a datetime, or ``stored`` when the post leaves it out."""
    return stored if values.get(element) is None else from_epoch(values[element])


@transaction.atomic
def delete_mirror_usage_point(*, client: EndDevice, usage_point: MirrorUsagePoint) -> None:
    """Delete a MirrorUsagePoint its client no longer mirrors; its MirrorMeterReadings and Readings go with
    it (2030.5 lets a client DELETE what it created). Only the client that posted it may."""
    if usage_point.client_id != client.pk:
        raise PermissionDenied("Only the client that posted a MirrorUsagePoint may delete it.")
    audit.record(
        actor=None,
        actor_name=f"2030.5 client {client.lfdi}",
        action="delete",
        obj=usage_point,
        before=audit.snapshot(usage_point),
    )
    changefeed.record("mirror_usage_point_deleted", affected.mirror_usage_point(usage_point))
    usage_point.delete()
