"""EndDevices and the handbook administrators' authorization list (CSIP 5.2.1.4, 6.1.3-6.1.7)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from derms.lfdi import normalize_lfdi, sfdi_from_lfdi
from groups.models import MAX_GROUPS_PER_DER, Level


class Role(models.TextChoices):
    DIRECT = "direct", "Direct DER client"
    AGGREGATOR = "aggregator", "Aggregator"
    MANAGED = "managed", "DER managed by an aggregator"


#: PINType: a 6-digit unsigned decimal number, 0 to 999999 (2030.5 sep.xsd).
MAX_PIN = 999999


def pin_field() -> models.PositiveIntegerField:
    """The registration PIN (PINType: six decimal digits, the last its check digit), agreed out of band."""
    return models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_PIN)], verbose_name="registration PIN"
    )


def pin_within_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(pin__lte=MAX_PIN), name=name)


def default_registration_mode() -> str:
    """New authorization entries register the way the server is configured to (CSIP_REGISTRATION_MODE)."""
    return settings.CSIP_REGISTRATION_MODE


def aggregator_iff_managed(name: str) -> models.CheckConstraint:
    """One scenario only (CSIP G1): a DER managed by an aggregator names it, nobody else names one."""
    return models.CheckConstraint(
        condition=models.Q(role=Role.MANAGED, aggregator__isnull=False)
        | (~models.Q(role=Role.MANAGED) & models.Q(aggregator__isnull=True)),
        name=name,
    )


def check_scenario(*, role: str, aggregator_id: int | None, topology_group_id: int | None) -> None:
    """The same rule for forms, with messages: exactly one scenario, and aggregators outside the topology."""
    if role == Role.MANAGED and aggregator_id is None:
        raise ValidationError({"aggregator": "A DER managed by an aggregator must name that aggregator."})
    if role != Role.MANAGED and aggregator_id is not None:
        raise ValidationError({"aggregator": "Only a managed DER names an aggregator."})
    if role == Role.AGGREGATOR and topology_group_id is not None:
        raise ValidationError({"topology_group": "An aggregator is not a DER and sits in no topology group."})


class LFDIField(models.CharField):
    """40 lower-case hex digits; any case is accepted and normalised on the way in."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_lfdi(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.lower() if isinstance(value, str) else value


class EndDevice(models.Model):
    """A 2030.5 EndDevice: a DER, a facility EMS or an aggregator, named by its certificate's LFDI."""

    lfdi = LFDIField(unique=True, verbose_name="LFDI")
    sfdi = models.BigIntegerField(db_index=True, editable=False, verbose_name="SFDI")
    role = models.CharField(max_length=16, choices=Role.choices)
    aggregator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_ders",
        limit_choices_to={"role": Role.AGGREGATOR},
        help_text="The aggregator that acts for this DER (managed DERs only).",
    )
    topology_group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="end_devices",
        help_text="Where the DER connects; its ancestors are its other topology groups.",
    )
    non_topology_groups = models.ManyToManyField(
        "groups.Group", blank=True, related_name="member_end_devices"
    )
    enabled = models.BooleanField(default=True)
    changed_time = models.DateTimeField(default=timezone.now)
    #: DeviceCategoryType, a HexBinary32 bitmap (e.g. bit 21, 0x200000, photovoltaic system).
    device_category = models.PositiveBigIntegerField(null=True, blank=True)
    #: UInt32 seconds.
    post_rate = models.PositiveBigIntegerField(null=True, blank=True, help_text="Seconds between posts.")
    #: Seconds between this client's polls of its EndDeviceList, and a DER's of its
    #: FunctionSetAssignmentsList; empty: CSIP_POLL_RATE. Set through derms.services.rates.
    poll_rate = models.PositiveBigIntegerField(null=True, blank=True)
    pin = pin_field()
    registered_at = models.DateTimeField(default=timezone.now)
    #: When its aggregator removed it (CSIP 5.3.1.2); the EndDevice stays, disabled, with its history.
    deregistered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sfdi"]
        constraints = [
            aggregator_iff_managed("end_device_aggregator_iff_managed"),
            pin_within_range("end_device_pin_is_six_digits"),
        ]
        indexes = [
            # An aggregator's EndDeviceList in sFDI order, paged from the index alone (CSIP 5.2.1.5).
            models.Index(fields=["aggregator", "sfdi", "id"], name="enddevice_aggregator_list"),
            # The distinct topology nodes of an aggregator's DERs, from which its programs follow.
            models.Index(fields=["aggregator", "topology_group"], name="enddevice_aggregator_node"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.lfdi}"

    def save(self, *args, **kwargs):
        self.lfdi = normalize_lfdi(self.lfdi)
        self.sfdi = sfdi_from_lfdi(self.lfdi)
        super().save(*args, **kwargs)

    @property
    def is_der(self) -> bool:
        return self.role != Role.AGGREGATOR

    def clean(self):
        check_scenario(
            role=self.role, aggregator_id=self.aggregator_id, topology_group_id=self.topology_group_id
        )
        if self.topology_group_id is not None and self.topology_group.level == Level.NON_TOPOLOGY:
            raise ValidationError({"topology_group": "Choose a topology group, not a non-topology one."})


def lock_end_device(end_device_id: int) -> None:
    """Hold the EndDevice's row until the transaction ends: writes about one DER that read before they
    write (its latest Response, its one DERCapability) happen one at a time.

    FOR NO KEY UPDATE, so rows that merely reference the DER (readings, log events) are still inserted
    alongside. SQLite, which writes one transaction at a time anyway, takes no row locks.
    """
    list(EndDevice.objects.select_for_update(no_key=True).filter(pk=end_device_id).values_list("pk"))


def check_group_limit(*, topology_depth: int, non_topology_count: int) -> None:
    """Raise ValidationError when a DER would belong to more than 15 groups (CSIP 4.3)."""
    total = topology_depth + non_topology_count
    if total > MAX_GROUPS_PER_DER:
        raise ValidationError(
            f"A DER may belong to at most {MAX_GROUPS_PER_DER} groups; this would make {total}.",
            code="too_many_groups",
        )


class Authorization(models.Model):
    """A handbook administrator's decision about one LFDI: may it connect, and how (CSIP 5.2.1.4)."""

    class Status(models.TextChoices):
        SEEN = "seen", "Seen, not approved"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REVOKED = "revoked", "Revoked"

    class RegistrationMode(models.TextChoices):
        OUT_OF_BAND = "out_of_band", "Out of band (EndDevice created on approval)"
        IN_BAND = "in_band", "In band (client POSTs its EndDevice)"

    lfdi = LFDIField(unique=True, verbose_name="LFDI")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    #: The scenario (CSIP G1): exactly one of direct, aggregator, or managed through one aggregator.
    role = models.CharField(max_length=16, choices=Role.choices)
    aggregator = models.ForeignKey(
        EndDevice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorized_ders",
        limit_choices_to={"role": Role.AGGREGATOR},
    )
    topology_group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    non_topology_groups = models.ManyToManyField("groups.Group", blank=True, related_name="+")
    #: How this LFDI's EndDevice comes to exist; the one thing that decides it (CSIP 6.1.3, 6.1.4).
    registration_mode = models.CharField(
        max_length=16, choices=RegistrationMode.choices, default=default_registration_mode
    )
    pin = pin_field()
    note = models.CharField(max_length=200, blank=True)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lfdi"]
        constraints = [
            aggregator_iff_managed("authorization_aggregator_iff_managed"),
            pin_within_range("authorization_pin_is_six_digits"),
        ]
        indexes = [models.Index(fields=["status", "lfdi"])]

    def __str__(self):
        return f"{self.lfdi} ({self.get_status_display()})"

    @property
    def sfdi(self) -> int:
        return sfdi_from_lfdi(self.lfdi)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def clean(self):
        check_scenario(
            role=self.role, aggregator_id=self.aggregator_id, topology_group_id=self.topology_group_id
        )
