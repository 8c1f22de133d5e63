"""Live status for the portal: services publish what DERs report, websockets push it to staff.

``publish`` is called by the services after they store a DERStatus, readings, an alarm change, a Response
or a registration; it coalesces and sends through the channel layer. ``consumers`` answers the portal's
websockets; ``snapshot`` reads what a dashboard or a device page shows.
"""
