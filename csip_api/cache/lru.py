"""A bounded, thread-safe least-recently-used map: the in-process tier of each cache.

gunicorn's gthread workers serve several requests at once in one process, so every access holds a lock;
each entry has a cost (bytes for documents, 1 for clients) and the least recently used entries go once
the total passes the bound, which is what keeps a worker's memory flat however many clients poll it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V, *, cost: int = 1) -> None:
        if cost > self.capacity:
            self.discard(key)  # too large to keep: at least the older value must not be served
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= previous[1]
            self._entries[key] = (value, cost)
            self._size += cost
            while self._size > self.capacity:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._size -= evicted

    def discard(self, key: Hashable) -> None:
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= previous[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    @property
    def size(self) -> int:
        """The summed cost of what is held."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)
