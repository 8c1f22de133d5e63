"""The group tree in the admin: treebeard's tree view, with every create and move going through services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import TreeNodeChoiceField

from derms.admin.audited import AuditedModelAdmin
from groups.models import Group, Level, check_placement
from groups.services import check_move, create_group, group_state, move_subtree


class GroupForm(forms.ModelForm):
    """Name, level and parent; a new parent moves the whole subtree."""

    parent = TreeNodeChoiceField(
        queryset=Group.objects.none(),
        required=False,
        empty_label="— none (a System, or a non-topology group) —",
    )

    class Meta:
        model = Group
        fields = ("name", "level", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Service points are leaves: nothing sits below them.
        parents = Group.objects.filter(level__lt=Level.SERVICE_POINT).order_by("path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            if self.instance.depth > 1:
                self.initial["parent"] = Group.objects.get_parent(self.instance)
        self.fields["parent"].queryset = parents

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        if not self.instance.pk:
            if "level" in cleaned:
                check_placement(level=cleaned["level"], parent=parent)
        elif "parent" in self.changed_data:
            check_move(node=self.instance, new_parent=parent)
        return cleaned


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, TreeAdmin):
    form = GroupForm
    list_display = ("name", "level", "der_program")
    list_filter = ("level",)
    search_fields = ("name", "description")

    def audit_snapshot(self, obj) -> dict:
        return group_state(obj)

    def get_readonly_fields(self, request, obj=None):
        # Changing a level could put a node above its own parent or below its children.
        return ("level",) if obj else ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("der_program")

    def save_model(self, request, obj, form, change):
        parent = form.cleaned_data.get("parent")
        if not change:
            created = create_group(
                actor=request.user, name=obj.name, level=obj.level, parent=parent, description=obj.description
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)
        if "parent" in form.changed_data:
            move_subtree(actor=request.user, node=obj, new_parent=parent)
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # A new group's audit entry was written by create_group.
        if change:
            super().save_related(request, form, formsets, change)

    def move_node(self, request):
        """Drag and drop in the tree view, checked like any other move."""
        if not self.has_change_permission(request):
            return HttpResponseBadRequest("Not allowed to move groups.")
        node = Group.objects.filter(pk=request.POST.get("node")).first()
        target = Group.objects.filter(pk=request.POST.get("target")).first()
        relation = request.POST.get("relation")
        if node is None or target is None or relation not in ("child", "sibling"):
            return HttpResponseBadRequest("Invalid form data provided")
        new_parent = (
            target
            if relation == "child"
            else (Group.objects.get_parent(target) if target.depth > 1 else None)
        )
        try:
            if new_parent is None:
                raise ValidationError("Only a System or a non-topology group sits at the top.")
            move_subtree(actor=request.user, node=node, new_parent=new_parent)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseBadRequest("Move refused")
        messages.info(request, f"Moved {node.name} under {new_parent.name}.")
        return HttpResponse("OK")
