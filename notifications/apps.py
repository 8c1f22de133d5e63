from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "2030.5 subscriptions and notifications"

    def ready(self):
        from derms.changefeed import changes_committed
        from notifications import tasks

        # Every committed change is fanned out at once; the beat sweep catches what this misses.
        changes_committed.connect(tasks.fan_out_soon, dispatch_uid="notifications.fan_out")
