"""Websocket consumers for the portal's live views."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

FLEET_GROUP = "fleet"


class FleetConsumer(AsyncJsonWebsocketConsumer):
    """Pushes fleet changes (status, alarms, responses) to signed-in staff."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_staff:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(FLEET_GROUP, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.get_username()})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(FLEET_GROUP, self.channel_name)

    async def fleet_event(self, event):
        await self.send_json(event["payload"])
