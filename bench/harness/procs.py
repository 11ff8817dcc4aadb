"""Starting, pinning, waiting for and stopping the processes of a benchmark run."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cmd, cpu):
    """`cmd` run on CPU `cpu` through taskset (as is when `cpu` is None)."""
    return list(cmd) if cpu is None else ["taskset", "-c", str(cpu), *cmd]


class Proc:
    """A child process whose output goes to files in `log_dir`."""

    def __init__(self, name, cmd, log_dir, cwd=None, env=None):
        self.name = name
        self.out_path = os.path.join(log_dir, f"{name}.out")
        self.err_path = os.path.join(log_dir, f"{name}.err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.popen = subprocess.Popen(
                cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, env=env)

    @property
    def pid(self):
        return self.popen.pid

    def running(self):
        return self.popen.poll() is None

    def output(self):
        text = ""
        for path in (self.out_path, self.err_path):
            with open(path, "r", errors="replace") as f:
                text += f.read()
        return text

    def wait_line(self, pattern, timeout=10.0):
        """The first match of `pattern` in the output, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.output())
            if m:
                return m
            if not self.running():
                raise RuntimeError(f"{self.name} exited:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no '{pattern}' within {timeout} s")
            time.sleep(0.02)

    def stop(self, timeout=30.0):
        """SIGTERM, then SIGKILL when it takes longer than `timeout`; returns the exit code."""
        if self.running():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode


def wait_http(url, proc, timeout=15.0):
    """Polls `url` until it answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as res:
                if res.status == 200:
                    return
        except OSError:
            pass
        if not proc.running():
            raise RuntimeError(f"{proc.name} exited:\n{proc.output()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{proc.name}: {url} not ready within {timeout} s")
        time.sleep(0.05)
