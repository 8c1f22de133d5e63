"""The portal's staff roles (derms.staff) as API permissions: every staff member reads, a role writes.

A view names the Django model permissions it needs to read and to write; the token's or the session's
staff account must hold them (Dispatchers: programs and events; Handbook administrators: the
authorization list, EndDevices and groups; Viewers: reads only).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class StaffRole(BasePermission):
    message = "Your staff role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        needed = view.read_permissions if request.method in SAFE_METHODS else view.write_permissions
        return user.has_perms(needed)
