"""The Celery application; its broker is chosen in settings (Redis, or the file system when embedded)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "derms.settings")

app = Celery("derms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks of the event engine and of the change feed live beside them, not in the app's tasks module.
app.autodiscover_tasks(["derms.events", "derms.changefeed"])
