"""How busy the machine was while a measure ran, so that a slow machine can be told from slow code.

Read from Linux's /proc (standard library only): the load average before and after, and the CPU time
of the whole machine split between this benchmark (this process, its children and the PostgreSQL
backends serving the benchmark's databases), other processes, the hypervisor (steal) and time that
cannot be attributed (processes that started and ended between two readings, interrupts).

The load average is recorded for the reader but does not decide "busy": it counts the benchmark's own
processes, so it is high after any heavy measure. "Busy" is decided by what other processes and the
hypervisor took from the machine during the measure.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

# Other processes and the hypervisor took more than this share of all cores' time: half a core of
# two. A measure in one process needs about one core (Python and its PostgreSQL backend take turns),
# the HTTP measure both; beyond this share the figures are those of a shared machine.
BUSY_SHARE = 0.25

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessTimes:
    parent: int
    ticks: int  # user + system time of the process itself
    reaped_ticks: int  # user + system time of its children it has waited for
    title: str


@dataclass(frozen=True)
class Snapshot:
    at: float
    load_average: tuple[float, float, float]
    machine_ticks: dict[str, int]
    processes: dict[int, ProcessTimes]


def _machine_ticks() -> dict[str, int]:
    """Every core's time since boot from the first line of /proc/stat, in clock ticks."""
    fields = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(value) for value in fields[:8])
    return {
        "total": user + nice + system + idle + iowait + irq + softirq + steal,
        "busy": user + nice + system + irq + softirq,
        "steal": steal,
    }


def _process(pid: int) -> ProcessTimes | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        title = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None  # ended while being read, or not ours to read
    # The command name is in parentheses and may hold spaces: the fields start after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return ProcessTimes(
        parent=int(fields[1]),
        ticks=int(fields[11]) + int(fields[12]),
        reaped_ticks=int(fields[13]) + int(fields[14]),
        title=title,
    )


def snapshot() -> Snapshot:
    processes = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (times := _process(int(entry.name))) is not None:
            processes[int(entry.name)] = times
    return Snapshot(time.perf_counter(), os.getloadavg(), _machine_ticks(), processes)


def _tree(snap: Snapshot, root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, times in snap.processes.items():
        children.setdefault(times.parent, []).append(pid)
    tree, pending = set(), [root]
    while pending:
        pid = pending.pop()
        tree.add(pid)
        pending.extend(children.get(pid, ()))
    return tree


def _backends(snap: Snapshot, databases: frozenset[str]) -> set[int]:
    # A backend's title: "postgres: 15/main: <user> <database> <client> <activity>".
    return {
        pid
        for pid, times in snap.processes.items()
        if times.title.startswith("postgres:") and databases & set(times.title.split())
    }


def _tree_ticks(snap: Snapshot, tree: set[int]) -> int:
    # With the time of the children they waited for: a process of the tree that ended was waited for
    # by its parent (gunicorn's workers by their master, the master and the escalation scan by the
    # benchmark), so its time moves to its parent and the sum stays whole.
    return sum(snap.processes[pid].ticks + snap.processes[pid].reaped_ticks for pid in tree if pid in snap.processes)


def _live_ticks(before: Snapshot, after: Snapshot, pids: set[int]) -> int:
    # Without the children they waited for: a parent outside the tree waiting for a process seen
    # earlier would count it twice. A process seen only at the end started during the window, all
    # of its time is the window's; one seen only at the start ended in it, its last ticks are lost
    # (they show as unattributed).
    return sum(
        after.processes[pid].ticks - (before.processes[pid].ticks if pid in before.processes else 0)
        for pid in pids
        if pid in after.processes
    )


def compare(before: Snapshot, after: Snapshot, *, databases: frozenset[str], root: int | None = None) -> dict:
    """The machine's load between two snapshots, as shares of all cores' time."""
    root = os.getpid() if root is None else root
    tree = _tree(before, root) | _tree(after, root)
    backends = (_backends(before, databases) | _backends(after, databases)) - tree
    others = (set(before.processes) | set(after.processes)) - tree - backends
    our_ticks = _tree_ticks(after, tree) - _tree_ticks(before, tree) + _live_ticks(before, after, backends)
    other_ticks = _live_ticks(before, after, others)
    total = after.machine_ticks["total"] - before.machine_ticks["total"]
    busy = after.machine_ticks["busy"] - before.machine_ticks["busy"]
    steal = after.machine_ticks["steal"] - before.machine_ticks["steal"]

    def share(ticks: int) -> float:
        return round(max(0, ticks) / total, 3) if total > 0 else 0.0

    other_share, steal_share = share(other_ticks), share(steal)
    return {
        "seconds": round(after.at - before.at, 2),
        "cores": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in before.load_average],
        "load_average_after": [round(value, 2) for value in after.load_average],
        "cpu_share": {
            "this_benchmark": share(our_ticks),
            "other_processes": other_share,
            "stolen_by_hypervisor": steal_share,
            "unattributed": share(busy - our_ticks - other_ticks),
            "idle": share(total - busy - steal),
        },
        "busy": other_share + steal_share > BUSY_SHARE,
    }


class LoadWatch:
    """The machine's load since the last mark: each measure reads the window it ran in."""

    def __init__(self, databases: set[str] | frozenset[str]):
        self.databases = frozenset(databases)
        self.started = snapshot()

    def mark(self) -> None:
        self.started = snapshot()

    def take(self) -> dict:
        """The load since the last mark, and a new mark."""
        now = snapshot()
        load = compare(self.started, now, databases=self.databases)
        self.started = now
        return load


def busy_warning(entries: list[dict]) -> str | None:
    """One line naming the measures taken while the machine was busy, or None."""
    busy = [entry for entry in entries if (entry.get("machine_load") or {}).get("busy")]
    if not busy:
        return None
    named = ", ".join(f"{entry['name']} ({_others(entry['machine_load']):.0%})" for entry in busy)
    return (
        f"WARNING: the machine was busy during {len(busy)} of {len(entries)} measures (other processes and the "
        f"hypervisor took more than {BUSY_SHARE:.0%} of its CPU time): {named}. Their figures are those of a "
        "shared machine; run again on a quiet one before comparing them."
    )


def _others(load: dict) -> float:
    return load["cpu_share"]["other_processes"] + load["cpu_share"]["stolen_by_hypervisor"]
