"""Counts of filtered queries, remembered per version table.

A version's table never changes once written (a new version is a new table), so the
number of rows a filter matches in it never changes either: `numberMatched` of a filter is
counted once per table, and paging through it, or a map asking again, costs only the page.
Bounded (least recently used out); keys name the table, so a publish needs no invalidation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class CountCache:
    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, int] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> int | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: int) -> None:
        with self._lock:
            self._items[key] = int(value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def get_or_count(self, key: Hashable, count: Callable[[], int]) -> int:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        value = int(count())
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
