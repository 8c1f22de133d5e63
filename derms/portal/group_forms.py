"""Forms of the group pages: a new node, a new name, a move, members by LFDI.

groups.services stays the judge (levels, the 15-group limit); its errors are shown on the fields they concern.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from derms.lfdi import normalize_lfdi
from derms.models import EndDevice
from groups.models import Group, Level
from groups.services import check_move


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class RenameForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=200, required=False)


class NewGroupForm(forms.Form):
    """A node under ``parent`` at a deeper level, a System root, or a non-topology group."""

    name = forms.CharField(max_length=100)
    level = forms.TypedChoiceField(coerce=int)
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, parent: Group | None, topology: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        if not topology:
            levels = [Level.NON_TOPOLOGY]
        elif parent is None:
            levels = [Level.SYSTEM]
        else:
            levels = [level for level in Level if parent.level < level < Level.NON_TOPOLOGY]
        self.fields["level"].choices = [(level.value, level.label) for level in levels]
        if len(levels) == 1:
            self.fields["level"].initial = levels[0].value
            self.fields["level"].widget = forms.HiddenInput()


class MoveForm(forms.Form):
    """Where a topology node goes: under any node of a shallower level that is not its own parent."""

    new_parent = forms.ModelChoiceField(queryset=Group.objects.none(), label="Move under")

    def __init__(self, *args, node: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        parent_path = node.path[: -Group.steplen]
        self.fields["new_parent"].queryset = (
            Group.objects.filter(level__lt=node.level).exclude(path=parent_path).order_by("path")
        )
        self.fields["new_parent"].label_from_instance = lambda g: (
            f"{'· ' * (g.depth - 1)}{g.name} ({g.get_level_display()})"
        )

    def clean_new_parent(self):
        new_parent = self.cleaned_data["new_parent"]
        check_move(node=self.node, new_parent=new_parent)
        return new_parent


_SEPARATORS = re.compile(r"[\s,;]+")


class MembersForm(forms.Form):
    """One LFDI, or a pasted list (one a line, or separated by commas or spaces)."""

    lfdis = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 44}), label="LFDIs")

    def clean_lfdis(self) -> list[EndDevice]:
        wanted, malformed = [], []
        for word in _SEPARATORS.split(self.cleaned_data["lfdis"].strip()):
            try:
                wanted.append(normalize_lfdi(word))
            except ValidationError:
                malformed.append(word)
        if malformed:
            raise ValidationError(f"Not an LFDI (40 hexadecimal digits): {', '.join(malformed[:5])}.")
        found = {
            e.lfdi: e for e in EndDevice.objects.filter(lfdi__in=wanted).select_related("topology_group")
        }
        if unknown := [lfdi for lfdi in dict.fromkeys(wanted) if lfdi not in found]:
            raise ValidationError(f"No EndDevice has the LFDI {', '.join(unknown[:5])}.")
        return [found[lfdi] for lfdi in dict.fromkeys(wanted)]
