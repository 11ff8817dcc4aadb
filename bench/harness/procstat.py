"""CPU time and memory of a process and its children, read from /proc."""

import os
import threading
import time

TICK = 1.0 / os.sysconf("SC_CLK_TCK")


def tree(pid):
    """`pid` and its descendants (nginx: the master and its workers)."""
    out = [pid]
    for p in out:
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    out.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def cpu_split_seconds(pids):
    """(user, system): utime and stime of the processes (all their threads), in seconds. The
    first is the process's own code, the second the kernel's work for it (its system calls,
    the network stack under them)."""
    user = system = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11])  # utime (field 14)
            system += int(fields[12])  # stime (field 15)
        except OSError:
            pass
    return user * TICK, system * TICK


def thread_cpu_seconds(pids):
    """CPU time of the processes' threads summed by thread name, in seconds. From
    schedstat (nanoseconds): stat's 10 ms ticks are too coarse for a thread that works
    little, such as the gateway's database thread under a slow load."""
    out = {}
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/comm") as f:
                    name = f.read().rstrip("\n")
                with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                    ns = int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            out[name] = out.get(name, 0.0) + ns / 1e9
    return out


def threads_named(pid, name):
    """The thread ids of process `pid` whose name (comm) is `name`."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                if f.read().rstrip("\n") == name:
                    found.append(int(task))
        except (OSError, ValueError):
            continue
    return sorted(found)


def renice_threads(pid, name, nice):
    """Sets the nice value of `pid`'s threads named `name` (Linux: nice is per thread);
    returns their ids."""
    tids = threads_named(pid, name)
    for tid in tids:
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    return tids


def status_kib(pids, field):
    """The sum of a /proc/PID/status field in KiB (VmRSS, VmHWM) over the processes."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class RssSampler:
    """Samples the summed VmRSS of `pids` every `every` seconds in a thread."""

    def __init__(self, pids, every=1.0):
        self.pids = pids
        self.every = every
        self.samples = []  # (seconds since start, KiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self):
        if self.pids:
            self.samples.append((time.monotonic() - self._start, status_kib(self.pids, "VmRSS")))

    def _run(self):
        while True:
            self._sample()
            if self._stop.wait(self.every):
                return
