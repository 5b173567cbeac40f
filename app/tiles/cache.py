"""A small in-process cache of encoded tiles, bounded in bytes, least recently used out.

Keys carry the layer's store version, so a publish or a rollback makes the old tiles
unreachable at once (they age out); nothing has to be invalidated by hand.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

EMPTY = b""  # an empty tile is cached too (it answers 204)


class TileCache:
    """Thread-safe LRU of tile bytes; `max_bytes=0` disables it."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: Hashable, data: bytes) -> None:
        # An entry costs at least a little, so empty tiles cannot grow the cache unbounded.
        cost = len(data) + 64
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old) + 64
            self._items[key] = data
            self._size += cost
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped) + 64

    def __len__(self) -> int:
        return len(self._items)
