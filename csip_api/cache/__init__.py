"""Caches of the 2030.5 read path, kept correct by the change feed rather than by expiry times.

A remembered client (:mod:`csip_api.identity`) or document (:mod:`.documents`) carries the versions of
the feed resources it was built from, and is served only when they are unchanged. The current versions
come from the process's leased copy of the feed (:mod:`derms.changefeed.lease`): no query within a lease,
and every write waits a lease out after its commit, so a change is seen by every request that starts
after its writer returned, in every worker and on every node. :mod:`csip_api.front.documents` serves
remembered documents before Django builds a request.
"""
