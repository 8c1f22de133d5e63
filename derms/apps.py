from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_delete


def _ensure_staff_roles(sender, **kwargs):
    """After every migrate, once Django has created the permissions the roles are made of."""
    from derms.staff import ensure_staff_roles

    ensure_staff_roles()


def _new_database_generation(sender, using="default", **kwargs):
    """A migrated or flushed database is another database to every reader that remembers versions."""
    from derms.changefeed import new_generation

    new_generation(using=using)


class DermsConfig(AppConfig):
    name = "derms"
    verbose_name = "DERMS"

    def ready(self):
        # Every installation has the two staff roles, with or without the demo.
        post_migrate.connect(_ensure_staff_roles, sender=self)
        post_migrate.connect(_new_database_generation, sender=self)
        from derms.models.readings import MirrorUsagePoint, lock_meter_readings

        pre_delete.connect(lock_meter_readings, sender=MirrorUsagePoint)
