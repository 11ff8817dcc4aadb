"""The fake upstream (bench-upstream), shared by every target of a run."""

import re

from .procs import Proc, pinned


class Upstream:
    def __init__(self, tools_dir, log_dir, cpu):
        cmd = pinned([f"{tools_dir}/bench-upstream", "--port", "0"], cpu)
        self.proc = Proc("upstream", cmd, log_dir)
        m = self.proc.wait_line(r"listening on [\d.]+:(\d+)")
        self.port = int(m.group(1))

    def stop(self):
        self.proc.stop()
        m = re.search(r"bench-upstream: .*", self.proc.output())
        return m.group(0) if m else ""
