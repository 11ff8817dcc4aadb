"""CPU per request split into the target's own code and the kernel's work for it."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import procstat, table  # noqa: E402


class CpuSplitTest(unittest.TestCase):
    def test_computing_counts_as_user_and_system_calls_as_system(self):
        me = [os.getpid()]
        user0, system0 = procstat.cpu_split_seconds(me)
        deadline = time.monotonic() + 30
        while procstat.cpu_split_seconds(me)[0] - user0 < 0.2 and time.monotonic() < deadline:
            sum(i * i for i in range(100_000))  # computing alone: no system call
        user1, system1 = procstat.cpu_split_seconds(me)
        self.assertGreaterEqual(user1 - user0, 0.2)
        # Reading /dev/zero is the kernel's work: it fills the buffer.
        fd = os.open("/dev/zero", os.O_RDONLY)
        try:
            while (procstat.cpu_split_seconds(me)[1] - system1 < 0.2 and
                   time.monotonic() < deadline):
                os.read(fd, 1 << 20)
        finally:
            os.close(fd)
        user2, system2 = procstat.cpu_split_seconds(me)
        self.assertGreaterEqual(system2 - system1, 0.2)
        self.assertLess(system1 - system0, user1 - user0)

    def test_a_process_that_is_gone_reads_as_nothing(self):
        self.assertEqual(procstat.cpu_split_seconds([2**22 + 12345]), (0.0, 0.0))

    def test_the_table_lists_each_measured_target_before_the_threads(self):
        measured = {"rps": 100.0, "latency": {"p50": 1.0, "p90": 2.0, "p99": 3.0},
                    "errors": 0}
        rows = [
            dict(measured, scenario="chat-c32", target="direct"),
            dict(measured, scenario="chat-c32", target="nginx", cpu_us=25.4,
                 cpu_user_us=5.62, cpu_system_us=19.8),
            dict(measured, scenario="chat-c32", target="gateway", cpu_us=35.4,
                 cpu_user_us=14.1, cpu_system_us=21.3,
                 cpu_threads_us={"hadrian": 32.7, "hadrian-db": 2.7}),
        ]
        text = table.render(rows)
        self.assertIn("- chat-c32 / nginx: user 5.62, system 19.8\n", text)
        self.assertIn("- chat-c32 / gateway: user 14.1, system 21.3\n", text)
        self.assertNotIn("chat-c32 / direct: user", text)
        self.assertLess(text.index("(user)"), text.index("by thread"))


if __name__ == "__main__":
    unittest.main()
