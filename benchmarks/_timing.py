"""Timing shared by the benchmarks (run as scripts, so this folder is on sys.path)."""

import os
import statistics
import time

import httpx


def median_time(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn``: machines here are noisy, medians are not."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cpu_seconds(pid: int, *, tree: bool = False) -> float:
    """User and system CPU seconds a process has used so far, all its threads (Linux /proc);
    ``tree``: with every process below it too (``argmap serve`` may answer in a worker of granian's)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in (os.listdir("/proc") if tree else [str(pid)]):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    pids = {pid}
    for _ in range(4 if tree else 0):  # a few levels: granian, its workers, their children
        pids |= {p for p, (ppid, _) in stats.items() if ppid in pids}
    return sum(stats[p][1] for p in pids if p in stats)


def metric(url: str, name: str) -> float:
    """One unlabelled sample of a server's ``/metrics`` (0 when absent)."""
    for line in httpx.get(f"{url}/metrics", timeout=60).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0
