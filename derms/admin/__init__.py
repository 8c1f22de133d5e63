"""The Django admin of the CSIP domain, for superusers: every change audited and recorded in the change feed.

Importing the modules registers their ModelAdmins; staff do their daily work in the portal.
"""

from derms.admin import client_data, devices, programs  # noqa: F401
