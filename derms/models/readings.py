"""The metering mirror: what DERs measure, as posted by them or their aggregator (CSIP 5.2.5.1, 6.2.5.1).

A MirrorUsagePoint is one client's mirror of one DER's meter; it holds MirrorMeterReadings, each with
the ReadingType saying what is measured (CSIP Table 10 uom, Table 11 dataQualifier); the Readings form a
time series per DER. mRIDs are chosen by clients and collide in practice, so they are unique only
within their poster: a MirrorUsagePoint per (posting client, mRID), a MirrorMeterReading per (usage
point, mRID), a Reading per (meter reading, start), so posting the same data twice stores it once.
"""

from django.db import models
from django.utils import timezone


class MirrorUsagePoint(models.Model):
    client = models.ForeignKey(
        "derms.EndDevice",
        on_delete=models.CASCADE,
        related_name="posted_mirror_usage_points",
        help_text="The client that posted it: the DER itself or its aggregator.",
    )
    end_device = models.ForeignKey(
        "derms.EndDevice",
        on_delete=models.CASCADE,
        related_name="mirror_usage_points",
        help_text="The DER it mirrors, named by deviceLFDI.",
    )
    mrid = models.CharField(max_length=32, verbose_name="mRID")
    description = models.CharField(max_length=32, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    #: RoleFlagsType bitmap, e.g. 49 = is mirror + is DER + is submeter.
    role_flags = models.PositiveIntegerField()
    #: ServiceKind: 0 electricity.
    service_category_kind = models.PositiveSmallIntegerField()
    #: 0 off, 1 on.
    status = models.PositiveSmallIntegerField()
    post_rate = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Seconds between posts (UInt32); the server's default when empty."
    )
    #: The utility's own postRate for this mirror, which wins over what the client posted; set through
    #: derms.services.rates.
    utility_post_rate = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "mirror usage point"
        ordering = ["client", "id"]
        constraints = [models.UniqueConstraint(fields=["client", "mrid"], name="mup_mrid_per_client")]

    def __str__(self):
        return f"{self.description or self.mrid} for {self.end_device.lfdi}"


#: The ReadingType elements kept as columns (CSIP 5.2.5.1), with their model field names.
READING_TYPE_COLUMNS = {
    "accumulationBehaviour": "accumulation_behaviour",
    "commodity": "commodity",
    "dataQualifier": "data_qualifier",
    "flowDirection": "flow_direction",
    "intervalLength": "interval_length",
    "kind": "kind",
    "phase": "phase",
    "powerOfTenMultiplier": "power_of_ten_multiplier",
    "uom": "uom",
}


class MirrorMeterReading(models.Model):
    """One measured quantity of a DER (e.g. average real power over 5 minutes) and its ReadingType."""

    usage_point = models.ForeignKey(MirrorUsagePoint, on_delete=models.CASCADE, related_name="meter_readings")
    mrid = models.CharField(max_length=32, verbose_name="mRID")
    description = models.CharField(max_length=32, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    last_update_time = models.DateTimeField(null=True, blank=True)
    next_update_time = models.DateTimeField(null=True, blank=True)
    reading_type = models.JSONField(help_text="Every ReadingType element received, keyed by its schema name.")
    #: UomType; CSIP Table 10: 38 W, 63 var, 33 Hz, 29 V.
    uom = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="unit of measure")
    #: DataQualifierType; CSIP Table 11: 0 not specified, 2 average, 8 maximum, 9 minimum.
    data_qualifier = models.PositiveSmallIntegerField(null=True, blank=True)
    phase = models.PositiveSmallIntegerField(null=True, blank=True)
    interval_length = models.PositiveBigIntegerField(null=True, blank=True, help_text="Seconds (UInt32).")
    kind = models.PositiveSmallIntegerField(null=True, blank=True)
    flow_direction = models.PositiveSmallIntegerField(null=True, blank=True)
    accumulation_behaviour = models.PositiveSmallIntegerField(null=True, blank=True)
    power_of_ten_multiplier = models.SmallIntegerField(null=True, blank=True)
    commodity = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "mirror meter reading"
        ordering = ["usage_point", "id"]
        constraints = [
            models.UniqueConstraint(fields=["usage_point", "mrid"], name="mmr_mrid_per_usage_point"),
        ]

    def __str__(self):
        return self.description or self.mrid

    def copy_columns(self) -> None:
        """Refresh the ReadingType columns from ``reading_type``."""
        for element, field in READING_TYPE_COLUMNS.items():
            setattr(self, field, self.reading_type.get(element))


class Reading(models.Model):
    """One measured value of one DER over ``start`` .. ``start + duration``."""

    # Neither foreign key has an index of its own: the unique (meter_reading, start) and the time series'
    # (end_device, start) lead with them, and every post of readings would update two more b-trees.
    #: No constraint in the database: its check ran once per reading at commit, locking the same meter
    #: reading again each time (18 % of PostgreSQL's CPU per post, bench/ingest.py). Writers of readings
    #: lock each meter reading once instead (derms.services.metering), and deleting a usage point locks
    #: them first (:func:`lock_meter_readings`), so no reading outlives its meter reading. Django
    #: deletes the readings with it.
    meter_reading = models.ForeignKey(
        MirrorMeterReading,
        on_delete=models.CASCADE,
        related_name="readings",
        db_index=False,
        db_constraint=False,
    )
    #: Copied from the usage point so a DER's time series is one indexed query. No constraint of its own
    #: in the database: the meter reading's (through its usage point) already ties each reading to its
    #: DER, and checking this one too cost PostgreSQL 8 % of a post of readings (bench/ingest.py). Django
    #: still deletes a DER's readings with it.
    end_device = models.ForeignKey(
        "derms.EndDevice",
        on_delete=models.CASCADE,
        related_name="readings",
        db_index=False,
        db_constraint=False,
    )
    start = models.DateTimeField()
    duration = models.PositiveBigIntegerField(help_text="Seconds (UInt32).")
    #: Int48, in the ReadingType's uom times 10^powerOfTenMultiplier.
    value = models.BigIntegerField(null=True, blank=True)
    #: HexBinary16 bitmap: bit 0 valid, 1 manually edited, 2 estimated using reference day, ...
    quality_flags = models.PositiveIntegerField(null=True, blank=True)
    local_id = models.PositiveIntegerField(null=True, blank=True, verbose_name="localID")
    tou_tier = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="TOU tier")
    consumption_block = models.PositiveSmallIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meter_reading", "start"]
        constraints = [
            models.UniqueConstraint(fields=["meter_reading", "start"], name="reading_once_per_start"),
        ]
        indexes = [models.Index(fields=["end_device", "start"], name="reading_der_time_series")]

    def __str__(self):
        return f"{self.value} at {self.start:%Y-%m-%d %H:%M:%S}"


def lock_meter_readings(sender, instance, using="default", **kwargs):
    """Before a MirrorUsagePoint goes, whatever deletes it (its client, or the deletion of its DER or of
    its client), lock its MirrorMeterReadings, in id order as writers of readings lock them. Readings
    committed meanwhile are then deleted with them, and later writers find them gone: no foreign key in
    the database keeps a reading from outliving its meter reading (:class:`Reading`)."""
    meter_readings = MirrorMeterReading.objects.using(using).select_for_update().filter(usage_point=instance)
    list(meter_readings.order_by("pk").values_list("pk"))
