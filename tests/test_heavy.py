"""Heavy-request slots are shared by every worker process and freed when a holder dies."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.errors import ServerBusy
from app.heavy import HeavySlots

#: Another worker process: takes a slot, says so, holds it until its stdin closes.
HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.heavy import HeavySlots
    with HeavySlots(Path(sys.argv[1]), int(sys.argv[2]), 5).hold():
        print("held", flush=True)
        sys.stdin.read()
    """
)


def holder(directory, slots: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory), str(slots)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],  # where `app` imports from
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_slots_are_shared_across_processes(tmp_path):
    slots = HeavySlots(tmp_path, 2, 5)
    other = holder(tmp_path, 2)  # one slot taken by another process
    try:
        with slots.hold():  # the second slot is free
            with pytest.raises(ServerBusy) as busy:
                with slots.hold():
                    pass
    finally:
        other.stdin.close()
        other.wait(timeout=60)
    assert busy.value.headers() == {"Retry-After": "5"}
    with slots.hold(), slots.hold():  # the other process ended: both slots free again
        pass


def test_a_killed_holder_frees_its_slot(tmp_path):
    other = holder(tmp_path, 1)
    with pytest.raises(ServerBusy):
        with HeavySlots(tmp_path, 1, 5).hold():
            pass
    other.kill()
    other.wait(timeout=60)
    with HeavySlots(tmp_path, 1, 5).hold():
        pass


def test_threads_of_one_process_exclude_each_other(tmp_path):
    slots = HeavySlots(tmp_path, 1, 5)
    with slots.hold():
        with pytest.raises(ServerBusy):  # flock, not fcntl: a second open file conflicts
            with HeavySlots(tmp_path, 1, 5).hold():
                pass


def test_zero_slots_means_no_limit(tmp_path):
    slots = HeavySlots(tmp_path / "never-made", 0, 5)
    with slots.hold(), slots.hold():
        pass
    assert not (tmp_path / "never-made").exists()
