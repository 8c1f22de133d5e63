"""The group pages: the whole topology tree, one node (rename, add a child, move its subtree after a
confirm step) and the non-topology groups with their members. Changes go through groups.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from derms.models import DERProgram, EndDevice
from derms.portal.access import EDIT_GROUPS, group_editor_required, staff_required
from derms.portal.group_forms import MembersForm, MoveForm, NewGroupForm, RenameForm, add_service_errors
from derms.selectors import tree
from groups import services
from groups.models import Group
from groups.selectors import end_devices_in, topology_paths

MEMBERS_SHOWN = 500


@staff_required
def group_tree(request, *, new_system=None, new_non_topology=None, status=200):
    search = request.GET.get("q", "").strip()
    may_edit = request.user.has_perm(EDIT_GROUPS)
    return render(
        request,
        "portal/groups.html",
        {
            "roots": tree.topology_tree(search=search),
            "search": search,
            "non_topology_groups": tree.non_topology_groups(),
            "may_edit": may_edit,
            "new_system": new_system or NewGroupForm(parent=None, prefix="system"),
            "new_non_topology": new_non_topology or NewGroupForm(parent=None, topology=False, prefix="flat"),
        },
        status=status,
    )


def _group(pk: int) -> Group:
    return get_object_or_404(Group, pk=pk)


@staff_required
def group_page(request, pk: int, *, forms=None, status=200):
    group = _group(pk)
    forms = forms or {}
    context = {
        "group": group,
        "may_edit": request.user.has_perm(EDIT_GROUPS),
        "programs": DERProgram.objects.filter(group=group).order_by("primacy"),
        "rename": forms.get("rename")
        or RenameForm(initial={"name": group.name, "description": group.description}),
    }
    if group.is_topology:
        context |= {
            "node": tree.subtree(group),
            "ancestors": Group.objects.filter(path__in=topology_paths(group)[:-1]).order_by("path"),
            "child": forms.get("child") or NewGroupForm(parent=group, prefix="child"),
            "move": forms.get("move") or MoveForm(node=group),
            "placed": EndDevice.objects.filter(topology_group=group).order_by("sfdi")[:MEMBERS_SHOWN],
        }
    else:
        members = end_devices_in(group).select_related("topology_group", "aggregator").order_by("sfdi")
        context |= {
            "members": members[:MEMBERS_SHOWN],
            "member_count": members.count(),
            "add": forms.get("add") or MembersForm(),
        }
    return render(request, "portal/group.html", context, status=status)


@require_POST
@group_editor_required
def group_new(request, pk: int | None = None):
    """A child of node ``pk``; without one, a System root or (``kind=flat``) a non-topology group."""
    parent = _group(pk) if pk is not None else None
    flat = parent is None and request.POST.get("kind") == "flat"
    prefix = "child" if parent else "flat" if flat else "system"
    form = NewGroupForm(request.POST, parent=parent, topology=not flat, prefix=prefix)
    if form.is_valid():
        try:
            group = services.create_group(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Created {group}.")
            return redirect("portal:group", pk=group.pk)
    if parent is not None:
        return group_page(request, parent.pk, forms={"child": form}, status=400)
    key = "new_non_topology" if flat else "new_system"
    return group_tree(request, **{key: form}, status=400)


@require_POST
@group_editor_required
def group_rename(request, pk: int):
    group = _group(pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            group = services.rename_group(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Renamed to {group.name}.")
            return redirect("portal:group", pk=group.pk)
    return group_page(request, pk, forms={"rename": form}, status=400)


@require_POST
@group_editor_required
def group_move(request, pk: int):
    """First POST: the confirm step with what changes; POST with ``confirm``: the move itself."""
    node = _group(pk)
    form = MoveForm(request.POST, node=node)
    if not form.is_valid():
        return group_page(request, pk, forms={"move": form}, status=400)
    new_parent = form.cleaned_data["new_parent"]
    if "confirm" not in request.POST:
        impact = tree.move_impact(node=node, new_parent=new_parent)
        context = {"node": node, "new_parent": new_parent, "impact": impact, "form": form}
        return render(request, "portal/group_move.html", context)
    try:
        services.move_subtree(actor=request.user, node=node, new_parent=new_parent)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return group_page(request, pk, forms={"move": form}, status=400)
    messages.success(request, f"Moved {node.name} under {new_parent.name}.")
    return redirect("portal:group", pk=pk)


@require_POST
@group_editor_required
def members_add(request, pk: int):
    group = _group(pk)
    form = MembersForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_members(
                actor=request.user, group=group, end_devices=form.cleaned_data["lfdis"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Added {len(added)} DER{'s' if len(added) != 1 else ''} to {group.name}."
            )
            return redirect("portal:group", pk=pk)
    return group_page(request, pk, forms={"add": form}, status=400)


@require_POST
@group_editor_required
def member_remove(request, pk: int, lfdi: str):
    group = _group(pk)
    end_device = get_object_or_404(EndDevice, lfdi=lfdi.lower())
    try:
        services.remove_member(actor=request.user, group=group, end_device=end_device)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed {lfdi} from {group.name}.")
    return redirect("portal:group", pk=pk)
