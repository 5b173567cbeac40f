"""The highest generation served, shared by the worker processes of a machine."""

from __future__ import annotations

from app.stores.replica_snapshot import HighWater


def test_workers_share_the_mark(tmp_path):
    one, two = HighWater(tmp_path / "mark"), HighWater(tmp_path / "mark")
    assert one.get() == two.get() == 0
    one.raise_to(7)
    assert two.get() == 7  # the other worker will not serve an older generation now
    two.raise_to(5)  # never lowered by a raise
    assert one.get() == 7
    two.reset(3)  # a store rebuilt: lowered on purpose
    assert one.get() == 3
    one.close()
    two.close()


def test_without_a_directory_the_mark_is_the_process_own():
    mark = HighWater(None)
    mark.raise_to(4)
    mark.raise_to(2)
    assert mark.get() == 4
