"""Read-only admin of subscriptions and notifications: only clients and the notification work write them."""

from django.contrib import admin

from derms.admin.audited import ViewOnlyMixin
from notifications.models import DeliveryAttempt, Notification, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("subscribed_path", "subscriber", "notification_uri", "limit", "expires_at")
    list_filter = ("resource",)
    list_select_related = ("subscriber",)
    search_fields = ("subscriber__lfdi", "subscribed_path", "notification_uri")


class DeliveryAttemptInline(ViewOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ("at", "http_status", "error")


@admin.register(Notification)
class NotificationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "subscribed_path", "notification_uri", "state", "attempts", "last_error")
    list_filter = ("state", "status")
    search_fields = ("subscribed_path", "notification_uri")
    inlines = [DeliveryAttemptInline]
