"""Caches of the 2030.5 read path, kept correct by the change feed rather than by expiry times.

A remembered client (:mod:`csip_api.identity`) or document (:mod:`.documents`) carries the versions of
the feed resources it was built from; each request reads the current versions in one query and serves
what is remembered only when they are unchanged. A change committed is therefore seen by the very next
request of every client, in every worker and on every node.
"""
