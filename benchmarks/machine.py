"""How busy the machine was while a measure ran, so that a slow machine can be told from slow code.

Read from Linux's /proc (standard library only): the load average before and after, and the CPU time
of the whole machine split between this benchmark (this process, its children and the PostgreSQL
backends serving the benchmark's databases), other processes (with the children they waited for),
PostgreSQL backends that ended during the measure (whoever's they were), the hypervisor (steal) and
what cannot be attributed (interrupts, processes nobody waited for).

The load average is recorded for the reader but does not decide "busy": it counts the benchmark's own
processes, so it is high after any heavy measure. "Busy" is decided by what other processes, ended
backends and the hypervisor took from the machine during the measure.
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


def _postmasters(snap: Snapshot) -> set[int]:
    """The PostgreSQL servers: the parents of the processes titled "postgres: …"."""
    return {times.parent for times in snap.processes.values() if times.title.startswith("postgres:")}


def _whole_ticks(snap: Snapshot, pids: set[int]) -> int:
    # A process's own time and that of the children it waited for: when a process ends, its time
    # moves to the parent that waits for it, so the sum over a set of processes that wait for each
    # other (this benchmark's tree: gunicorn's workers waited for by their master, the master by the
    # benchmark; or everything else) stays whole across the window.
    return sum(snap.processes[pid].ticks + snap.processes[pid].reaped_ticks for pid in pids if pid in snap.processes)


def _live_ticks(before: Snapshot, after: Snapshot, pids: set[int]) -> int:
    # A process's own time only. One seen only at the end started during the window: all of its time
    # is the window's. One seen only at the start ended in it: its last ticks go to its parent.
    return sum(
        after.processes[pid].ticks - (before.processes[pid].ticks if pid in before.processes else 0)
        for pid in pids
        if pid in after.processes
    )


def compare(
    before: Snapshot,
    after: Snapshot,
    *,
    databases: frozenset[str],
    root: int | None = None,
    own_connections_churn: bool = False,
) -> dict:
    """The machine's load between two snapshots, as shares of all cores' time.

    OWN_CONNECTIONS_CHURN: the measure opened and closed its own PostgreSQL connections (gunicorn
    with a connection per request, a subprocess): the time of ended backends is then partly its own
    and does not count towards "busy".
    """
    root = os.getpid() if root is None else root
    tree = _tree(before, root) | _tree(after, root)
    backends = (_backends(before, databases) | _backends(after, databases)) - tree
    postmasters = (_postmasters(before) | _postmasters(after)) - tree
    others = (set(before.processes) | set(after.processes)) - tree - backends - postmasters
    our_ticks = _whole_ticks(after, tree) - _whole_ticks(before, tree) + _live_ticks(before, after, backends)
    # Backends that ended (the benchmark's or anyone's) leave their time to the PostgreSQL server
    # that waited for them: counted apart, since it cannot be told whose they were.
    ended_backend_ticks = sum(
        after.processes[pid].reaped_ticks - before.processes[pid].reaped_ticks
        for pid in postmasters
        if pid in before.processes and pid in after.processes
    )
    other_ticks = _whole_ticks(after, others) - _whole_ticks(before, others) + _live_ticks(before, after, postmasters)
    total = after.machine_ticks["total"] - before.machine_ticks["total"]
    busy = after.machine_ticks["busy"] - before.machine_ticks["busy"]
    steal = after.machine_ticks["steal"] - before.machine_ticks["steal"]

    def share(ticks: int) -> float:
        return round(max(0, ticks) / total, 3) if total > 0 else 0.0

    shares = {
        "this_benchmark": share(our_ticks),
        "other_processes": share(other_ticks),
        "ended_database_backends": share(ended_backend_ticks),
        "stolen_by_hypervisor": share(steal),
        "unattributed": share(busy - our_ticks - max(0, other_ticks) - ended_backend_ticks),
        "idle": share(total - busy - steal),
    }
    return {
        "seconds": round(after.at - before.at, 2),
        "cores": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in before.load_average],
        "load_average_after": [round(value, 2) for value in after.load_average],
        "cpu_share": shares,
        "own_connections_churn": own_connections_churn,
        "busy": _taken_by_others(shares, own_connections_churn) > BUSY_SHARE,
    }


def _taken_by_others(shares: dict, own_connections_churn: bool) -> float:
    taken = shares["other_processes"] + shares["stolen_by_hypervisor"]
    return taken if own_connections_churn else taken + shares["ended_database_backends"]


class LoadWatch:
    """The machine's load since the last mark: each measure reads the window it ran in."""

    def __init__(self, databases: set[str] | frozenset[str]):
        self.databases = frozenset(databases)
        self.started = snapshot()

    def mark(self) -> None:
        self.started = snapshot()

    def take(self, *, own_connections_churn: bool = False) -> dict:
        """The load since the last mark, and a new mark."""
        now = snapshot()
        load = compare(self.started, now, databases=self.databases, own_connections_churn=own_connections_churn)
        self.started = now
        return load


def busy_warning(entries: list[dict]) -> str | None:
    """One line naming the measures taken while the machine was busy, or None."""
    busy = [entry for entry in entries if (entry.get("machine_load") or {}).get("busy")]
    if not busy:
        return None
    named = ", ".join(f"{entry['name']} ({taken_by_others(entry['machine_load']):.0%})" for entry in busy)
    return (
        f"WARNING: the machine was busy during {len(busy)} of {len(entries)} measures (other processes and the "
        f"hypervisor took more than {BUSY_SHARE:.0%} of its CPU time): {named}. Their figures are those of a "
        "shared machine; run again on a quiet one before comparing them."
    )


def taken_by_others(load: dict) -> float:
    """The share of the machine that other work took during a measure (what "busy" compares)."""
    return _taken_by_others(load["cpu_share"], load.get("own_connections_churn", False))


def limit_entry(name: str, value, unit: str, limit, description: str, load: dict, **extra) -> dict:
    """A measure taken once against an upper limit (the phone's and the offline app's figures), as a
    results entry with the machine's load, printed as it is made."""
    print(f"{name:34} {value:>9} {unit:6} target ≤ {limit}  {'yes' if value <= limit else 'NO'}", flush=True)
    return {
        "name": name,
        "description": description,
        "value": value,
        "p95": value,
        "unit": unit,
        "floor": None,
        "ratio": None,
        "target": {"value": limit},
        "meets_target": value <= limit,
        "samples": 1,
        **extra,
        "machine_load": load,
    }
