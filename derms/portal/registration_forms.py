"""Forms of the registrations pages: the list's filters and an approval with its placement.

derms.services.authorizations stays the judge (scenario, the 15-group limit, a disabled aggregator);
its errors are shown on the fields they concern.
"""

from django import forms

from derms.models import Authorization, EndDevice, Role
from derms.models.devices import MAX_PIN
from derms.services.authorizations import Placement
from groups.models import Group, Level


class AuthorizationFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *Authorization.Status.choices])
    aggregator = forms.ModelChoiceField(
        required=False, queryset=EndDevice.objects.filter(role=Role.AGGREGATOR), to_field_name="lfdi"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aggregator"].label_from_instance = lambda e: e.lfdi


class ApprovalForm(forms.Form):
    """The entry's scenario and placement, filled in from the entry, and how its EndDevice comes to exist."""

    role = forms.ChoiceField(choices=Role.choices, label="Scenario")
    aggregator = forms.ModelChoiceField(
        required=False,
        queryset=EndDevice.objects.filter(role=Role.AGGREGATOR).order_by("sfdi"),
        help_text="Only for a DER managed by an aggregator.",
    )
    topology_group = forms.ModelChoiceField(
        required=False,
        queryset=Group.objects.exclude(level=Level.NON_TOPOLOGY).order_by("path"),
        label="Topology node",
    )
    non_topology_groups = forms.ModelMultipleChoiceField(
        required=False,
        queryset=Group.objects.filter(level=Level.NON_TOPOLOGY).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    registration_mode = forms.ChoiceField(choices=Authorization.RegistrationMode.choices)
    pin = forms.IntegerField(required=False, min_value=0, max_value=MAX_PIN, label="Registration PIN")

    def __init__(self, *args, authorization: Authorization, **kwargs):
        initial = {
            "role": authorization.role,
            "aggregator": authorization.aggregator_id,
            "topology_group": authorization.topology_group_id,
            "non_topology_groups": [g.pk for g in authorization.non_topology_groups.all()],
            "registration_mode": authorization.registration_mode,
            "pin": authorization.pin,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["aggregator"].label_from_instance = lambda e: e.lfdi
        self.fields["topology_group"].label_from_instance = lambda g: (
            f"{'· ' * (g.depth - 1)}{g.name} ({g.get_level_display()})"
        )

    def placement(self) -> Placement:
        data = self.cleaned_data
        return Placement(
            role=data["role"],
            aggregator=data["aggregator"],
            topology_group=data["topology_group"],
            non_topology_groups=tuple(data["non_topology_groups"]),
            registration_mode=data["registration_mode"],
            pin=data["pin"],
        )
