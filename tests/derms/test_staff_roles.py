"""Every installation has the dispatcher and handbook administrator roles, demo or not."""

from django.contrib.auth.models import Group as StaffGroup
from django.core.management import call_command

from derms.staff import DISPATCHERS, HANDBOOK_ADMINISTRATORS


def test_migrate_creates_both_staff_roles_with_their_permissions(db):
    StaffGroup.objects.all().delete()
    call_command("migrate", verbosity=0)
    dispatchers = StaffGroup.objects.get(name=DISPATCHERS)
    handbook = StaffGroup.objects.get(name=HANDBOOK_ADMINISTRATORS)
    assert dispatchers.permissions.filter(codename="add_dercontrol").exists()
    assert not handbook.permissions.filter(codename="add_dercontrol").exists()
    assert handbook.permissions.filter(codename="change_authorization").exists()
