"""Who may do what in the portal: staff read every page; dispatchers also schedule and cancel events;
handbook administrators also decide the authorization list and shape the group tree."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required

#: Staff with this permission (the Dispatchers group of derms.staff) schedule and cancel DERControls.
SCHEDULE_EVENTS = "derms.add_dercontrol"
#: Handbook administrators: create, rename and move groups and change their members.
EDIT_GROUPS = "groups.change_group"
#: Handbook administrators: approve, reject and revoke authorization entries.
DECIDE_AUTHORIZATIONS = "derms.change_authorization"

#: Anyone else is sent to the login page.
staff_required = staff_member_required(login_url="admin:login")


def _requiring(permission: str):
    def decorator(view):
        return staff_required(permission_required(permission, raise_exception=True)(view))

    return decorator


#: Staff who may schedule and cancel events; other staff get 403 Forbidden.
dispatcher_required = _requiring(SCHEDULE_EVENTS)
#: Staff who may change the group tree and memberships; other staff get 403 Forbidden.
group_editor_required = _requiring(EDIT_GROUPS)
#: Staff who may decide authorization entries; other staff get 403 Forbidden.
authorization_editor_required = _requiring(DECIDE_AUTHORIZATIONS)


def may_schedule(user) -> bool:
    return user.has_perm(SCHEDULE_EVENTS)
