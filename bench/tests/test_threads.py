"""CPU per request by thread: read from /proc by thread name, shown under the table."""

import ctypes
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import procstat, table  # noqa: E402

PR_SET_NAME = 15


def burn_named(name, seconds, ready, done):
    """Names the calling thread, spends `seconds` of CPU, then waits for `done`."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, name.encode(), 0, 0, 0)
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
    ready.set()
    done.wait()


class ThreadCpuTest(unittest.TestCase):
    def test_a_named_thread_has_its_own_cpu(self):
        ready, done = threading.Event(), threading.Event()
        worker = threading.Thread(target=burn_named, args=("bench-burn", 0.3, ready, done))
        worker.start()
        try:
            self.assertTrue(ready.wait(10))
            by_name = procstat.thread_cpu_seconds([os.getpid()])
        finally:
            done.set()
            worker.join()
        self.assertIn("bench-burn", by_name)
        # At least most of what it burned (ticks are 10 ms), and no more than the process.
        self.assertGreaterEqual(by_name["bench-burn"], 0.2)
        self.assertLessEqual(sum(by_name.values()),
                             sum(procstat.cpu_split_seconds([os.getpid()])) + 0.05)

    def test_a_named_thread_is_found_and_reniced_alone(self):
        ready, done = threading.Event(), threading.Event()
        worker = threading.Thread(target=burn_named, args=("bench-nice", 0.0, ready, done))
        worker.start()
        try:
            self.assertTrue(ready.wait(10))
            tids = procstat.renice_threads(os.getpid(), "bench-nice", 19)
            self.assertEqual(len(tids), 1)
            self.assertNotEqual(tids[0], os.getpid())
            self.assertEqual(os.getpriority(os.PRIO_PROCESS, tids[0]), 19)
            self.assertEqual(procstat.threads_named(os.getpid(), "no-such-thread"), [])
        finally:
            done.set()
            worker.join()
        self.assertNotEqual(os.getpriority(os.PRIO_PROCESS, os.getpid()), 19)

    def test_a_process_that_is_gone_reads_as_nothing(self):
        self.assertEqual(procstat.thread_cpu_seconds([2**22 + 12345]), {})

    def test_the_table_lists_each_threaded_target(self):
        measured = {"rps": 100.0, "latency": {"p50": 1.0, "p90": 2.0, "p99": 3.0},
                    "errors": 0}
        rows = [
            dict(measured, scenario="chat-c32", target="nginx", cpu_us=30.0, errors=1,
                 error_kinds={"timeout": 1}),
            dict(measured, scenario="chat-c32", target="gateway", cpu_us=40.0,
                 cpu_threads_us={"hadrian": 37.5, "hadrian-db": 2.25, "hadrian-log": 0.1}),
        ]
        text = table.render(rows)
        self.assertIn("- chat-c32 / gateway: hadrian 37.5, hadrian-db 2.25, hadrian-log 0.1",
                      text)
        self.assertNotIn("chat-c32 / nginx: ", text.split("by thread")[1])
        # A list of its own, after the notes on errors, so that none reads as a thread's.
        self.assertLess(text.index("nginx: errors: timeout 1"), text.index("by thread"))
        self.assertIn("\n\nCPU µs per request by thread", text)


if __name__ == "__main__":
    unittest.main()
