"""Who may do what in the portal: staff read every page; dispatchers also schedule and cancel events."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required

#: Staff with this permission (the Dispatchers group of derms.staff) schedule and cancel DERControls.
SCHEDULE_EVENTS = "derms.add_dercontrol"

#: Anyone else is sent to the login page.
staff_required = staff_member_required(login_url="admin:login")


def dispatcher_required(view):
    """Staff who may schedule and cancel events; other staff get 403 Forbidden."""
    return staff_required(permission_required(SCHEDULE_EVENTS, raise_exception=True)(view))


def may_schedule(user) -> bool:
    return user.has_perm(SCHEDULE_EVENTS)
