"""What a DER reports about itself: DERCapability, DERSettings, DERAvailability, DERStatus (CSIP 5.2.5.2).

Every element a client sends is kept in ``values``, keyed by the schema's element names, in the schema's
own representation (a power is ``{"multiplier": m, "value": v}``, a time is epoch seconds, a hexBinary
bitmap is its number), so the resource can be served back exactly as received. The ratings and settings
of CSIP Table 12 and the status of Table 13 are also copied into real columns, in SI units, so the portal
can ask "which DERs can export more than 5 kW" on SQLite and PostgreSQL alike.
"""

import datetime as dt
import re

from django.db import models
from django.utils import timezone

#: CSIP Table 12: the stems behind DERCapability ``rtg<stem>`` and DERSettings ``set<stem>``.
TABLE_12_STEMS = (
    "MaxChargeRateW",
    "MaxDischargeRateW",
    "MaxVA",
    "MaxVar",
    "MaxVarNeg",
    "MaxW",
    "MinPFOverExcited",
    "MinPFUnderExcited",
    "MaxWh",
)


def column_name(element: str) -> str:
    """``rtgMaxChargeRateW`` -> ``rtg_max_charge_rate_w``: the column that mirrors a schema element."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", element)
    return "_".join(word.lower() for word in words)


def scaled(value: dict | None) -> float | None:
    """An ActivePower, ApparentPower, ReactivePower, WattHour or PowerFactor in SI units."""
    if value is None:
        return None
    number = value["displacement"] if "displacement" in value else value["value"]
    return number * 10 ** value["multiplier"]


class DERReport(models.Model):
    """A resource a client PUTs for one of its DERs (``end_device``), kept with every element it sent."""

    values = models.JSONField(help_text="Every element received, keyed by its schema name.")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} of EndDevice {self.end_device_id}"

    def copy_columns(self) -> None:
        """Refresh the queryable columns from ``values``."""
        for prefix in self.table_12_prefixes:
            for stem in TABLE_12_STEMS:
                element = prefix + stem
                setattr(self, column_name(element), scaled(self.values.get(element)))

    table_12_prefixes: tuple[str, ...] = ()


def _table_12_columns(model: type[models.Model], prefix: str, label: str) -> None:
    for stem in TABLE_12_STEMS:
        model.add_to_class(
            column_name(prefix + stem),
            models.FloatField(null=True, blank=True, verbose_name=f"{label} {stem} (SI units)"),
        )


class DERCapability(DERReport):
    """The DER's nameplate ratings, as manufactured (CSIP Table 12, "Nameplate")."""

    end_device = models.OneToOneField(
        "derms.EndDevice", on_delete=models.CASCADE, related_name="der_capability"
    )
    #: DERControlType bitmap of the modes the DER supports.
    modes_supported = models.PositiveBigIntegerField()
    #: DERType: 0 not applicable, 1 virtual or mixed, 2 reciprocating engine, ... 83 PV and storage.
    der_type = models.PositiveSmallIntegerField(verbose_name="DER type")

    table_12_prefixes = ("rtg",)

    class Meta:
        verbose_name = "DER capability"
        verbose_name_plural = "DER capabilities"

    def copy_columns(self) -> None:
        super().copy_columns()
        self.modes_supported = self.values["modesSupported"]
        self.der_type = self.values["type"]


class DERSettings(DERReport):
    """The DER's adjusted settings: its ratings as installed at this site (CSIP Table 12, "Settings")."""

    end_device = models.OneToOneField(
        "derms.EndDevice", on_delete=models.CASCADE, related_name="der_settings"
    )
    #: DERControlType bitmap of the modes enabled at this site.
    modes_enabled = models.PositiveBigIntegerField(null=True, blank=True)
    updated_time = models.DateTimeField()

    table_12_prefixes = ("set",)

    class Meta:
        verbose_name = "DER settings"
        verbose_name_plural = "DER settings"

    def copy_columns(self) -> None:
        super().copy_columns()
        self.modes_enabled = self.values.get("modesEnabled")
        self.updated_time = from_epoch(self.values["updatedTime"])


_table_12_columns(DERCapability, "rtg", "Rated")
_table_12_columns(DERSettings, "set", "Set")


class DERAvailability(DERReport):
    """What the DER can deliver right now; only the latest report is kept."""

    end_device = models.OneToOneField(
        "derms.EndDevice", on_delete=models.CASCADE, related_name="der_availability"
    )
    reading_time = models.DateTimeField()
    stat_w_avail = models.FloatField(null=True, blank=True, verbose_name="active power available (W)")
    stat_var_avail = models.FloatField(null=True, blank=True, verbose_name="reactive power available (var)")

    class Meta:
        verbose_name = "DER availability"
        verbose_name_plural = "DER availabilities"

    def copy_columns(self) -> None:
        self.reading_time = from_epoch(self.values["readingTime"])
        self.stat_w_avail = scaled(self.values.get("statWAvail"))
        self.stat_var_avail = scaled(self.values.get("statVarAvail"))


class DERStatus(DERReport):
    """One DERStatus report; every report is kept, so the status over time can be shown (CSIP Table 13)."""

    end_device = models.ForeignKey("derms.EndDevice", on_delete=models.CASCADE, related_name="der_statuses")
    reading_time = models.DateTimeField()
    #: OperationalModeStatusType: 0 not applicable, 1 off, 2 operational mode, 3 test mode.
    operational_mode_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: InverterStatusType: 0 N/A, 1 off, 2 sleeping, 3 starting, 4 tracking MPPT, 5 forced reduction, ...
    inverter_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: ConnectStatusType bitmap: bit 0 connected, 1 available, 2 operating, 3 test, 4 fault/error.
    gen_connect_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Bitmap of active alarms, bit n for the alarm raised by LogEvent code 2n (CSIP Table 14).
    alarm_status = models.PositiveBigIntegerField(null=True, blank=True)
    #: Hundredths of a percent of the usable energy storage capacity.
    state_of_charge_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "DER status"
        verbose_name_plural = "DER statuses"
        ordering = ["end_device", "-reading_time", "-id"]
        indexes = [models.Index(fields=["end_device", "-reading_time", "-id"], name="derstatus_latest")]

    def copy_columns(self) -> None:
        self.reading_time = from_epoch(self.values["readingTime"])
        self.operational_mode_status = _status_value(self.values, "operationalModeStatus")
        self.inverter_status = _status_value(self.values, "inverterStatus")
        self.gen_connect_status = _status_value(self.values, "genConnectStatus")
        self.alarm_status = self.values.get("alarmStatus")
        self.state_of_charge_status = _status_value(self.values, "stateOfChargeStatus")


def _status_value(values: dict, element: str):
    status = values.get(element)
    return None if status is None else status["value"]


def from_epoch(seconds: int):
    """A 2030.5 TimeType (seconds since 1970 UTC) as an aware datetime."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
