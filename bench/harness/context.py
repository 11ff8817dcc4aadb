"""Settings of a run (from the environment) and what its parts share."""

import os
import platform
import resource
import shutil
import subprocess
import tempfile


class Env:
    """Typed reads of BENCH_* environment variables with defaults."""

    def str(self, name, default):
        return os.environ.get(name) or default

    def float(self, name, default):
        return float(os.environ.get(name) or default)

    def int(self, name, default):
        return int(float(os.environ.get(name) or default))


def raise_nofile():
    """Raises the soft descriptor limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def machine():
    """One line naming the machine: CPUs, model, kernel."""
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((l.split(":", 1)[1].strip() for l in out.splitlines()
                      if l.startswith("Model name")), "")
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, {model or 'unknown CPU'}, Linux {platform.release()}"


class Context:
    def __init__(self, repo):
        env = Env()
        self.env = env
        self.repo = repo
        self.hadrian_bin = os.path.abspath(env.str("HADRIAN_BIN", os.path.join(repo, "build/hadrian")))
        self.tools_dir = os.path.abspath(env.str("BENCH_TOOLS_DIR", os.path.join(repo, "build-bench")))
        self.seconds = env.float("BENCH_SECONDS", 5)
        self.slice_seconds = env.float("BENCH_SLICE_SECONDS", 1)  # 0: each target in one run
        self.rounds = max(1, env.int("BENCH_ROUNDS", 3))
        self.warmup_seconds = env.float("BENCH_WARMUP_SECONDS", 2)
        self.rss_every = env.float("BENCH_RSS_EVERY", 1)
        self.gateway_threads = env.int("BENCH_GATEWAY_THREADS", 1)
        self.gateway_log_level = env.str("BENCH_GATEWAY_LOG_LEVEL", "info")
        # The database thread's nice value (unset: the gateway's own, 5). 19 leaves it too
        # little of the shared core under a closed-loop load: a database behind the requests.
        db_nice = env.str("BENCH_DB_NICE", "")
        self.db_nice = int(db_nice) if db_nice else None
        self.nofile = raise_nofile()
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) >= 2:
            self.target_cpu = env.int("BENCH_TARGET_CPU", cpus[0])
            self.load_cpu = env.int("BENCH_LOAD_CPU", cpus[1])
        else:
            self.target_cpu = self.load_cpu = None  # one CPU: nothing to pin apart
        self.tmp = tempfile.mkdtemp(prefix="hadrian-bench-")
        self.upstream = None
        self.bodies = {}
        self.auth_headers = []

    def check_tools(self, nginx=True):
        """Exits naming what the run needs and lacks; `nginx` only when a run compares."""
        missing = [p for p in (self.hadrian_bin, f"{self.tools_dir}/bench-upstream",
                               f"{self.tools_dir}/bench-load") if not os.path.exists(p)]
        needed = ("wrk", "nginx", "taskset") if nginx else ("wrk", "taskset")
        missing += [t for t in needed if shutil.which(t) is None]
        if missing:
            raise SystemExit(f"bench: missing {', '.join(missing)} (run `make bench`)")

    def cleanup(self):
        if not os.environ.get("BENCH_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
