"""A watchdog that stops what a killed driver leaves behind (Linux).

`tidings ingest --engine ray` starts a local Ray instance. Ray ends its raylet, GCS and workers
when the driver dies, even by `kill -9`, but not its dashboard and runtime-env agents: they stay,
orphaned, for good. `start_reaper()` starts a small process that, every half second, notes the
processes under the driver; once the driver is gone it kills those still running (the same
process: pid and start time). A driver that ends normally has stopped them already (ray.shutdown).

    python -m tidings.scale.reaper DRIVER_PID
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

INTERVAL = 0.5  # seconds between looks at the driver's processes


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, …), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def descendants(pid: int) -> set[int]:
    """Processes whose parent chain leads to `pid`."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped does not run)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _started(pid: int) -> str | None:
    fields = _stat(pid)
    return fields[19] if fields else None  # field 22 of stat: start time since boot


def start_reaper() -> subprocess.Popen | None:
    """Start the watchdog for this process (Linux only; elsewhere None)."""
    if not sys.platform.startswith("linux") or not Path("/proc/self/stat").exists():
        return None
    return subprocess.Popen([sys.executable, "-m", "tidings.scale.reaper", str(os.getpid())],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def watch(driver: int) -> int:
    """Note the driver's processes until it is gone, then kill those still running; how many."""
    me = os.getpid()
    known: dict[int, str] = {}
    while alive(driver) and os.getppid() == driver:
        for pid in descendants(driver) - {me}:
            if pid not in known and (started := _started(pid)):
                known[pid] = started
        time.sleep(INTERVAL)
    killed = 0
    for pid, started in known.items():
        if alive(pid) and _started(pid) == started:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed


if __name__ == "__main__":
    watch(int(sys.argv[1]))
