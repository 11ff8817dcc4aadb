"""What is measured: the fake upstream called directly, nginx in front of it, and the
gateway in front of it. Each target starts fresh for a scenario and reports its processes."""

import os
import pwd
import shutil

from . import gateway_config, keys, procstat
from .procs import Proc, free_port, pinned, wait_http

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Direct:
    """No proxy: the load goes straight to the fake upstream."""

    name = "direct"
    api = "upstream"

    def __init__(self, ctx):
        self.ctx = ctx

    def start(self):
        pass

    def stop(self):
        pass

    def pids(self):
        return []

    def base_url(self):
        return f"http://127.0.0.1:{self.ctx.upstream.port}"


class Nginx:
    """nginx as a plain reverse proxy, one worker, in the foreground."""

    name = "nginx"
    api = "upstream"

    def __init__(self, ctx):
        self.ctx = ctx
        self.proc = None

    def _write_conf(self, dir_, port, nofile):
        with open(os.path.join(BENCH_DIR, "conf", "nginx.conf.in")) as f:
            text = f.read()
        # As root, nginx would run its worker as nobody, which cannot use the run's directory.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        for key, value in {
            "@USER_LINE@": user,
            "@DIR@": dir_,
            "@PORT@": str(port),
            "@UPSTREAM_PORT@": str(self.ctx.upstream.port),
            "@NOFILE@": str(nofile),
            "@WORKER_CONNECTIONS@": str(max(1024, nofile - 100)),
        }.items():
            text = text.replace(key, value)
        path = os.path.join(dir_, "nginx.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self):
        dir_ = os.path.join(self.ctx.tmp, "nginx")
        shutil.rmtree(dir_, ignore_errors=True)
        os.makedirs(dir_)
        for attempt in range(3):
            self.port = free_port()
            conf = self._write_conf(dir_, self.port, self.ctx.nofile)
            cmd = ["nginx", "-p", dir_, "-e", os.path.join(dir_, "error.log"), "-c", conf,
                   "-g", "daemon off;"]
            self.proc = Proc("nginx", pinned(cmd, self.ctx.target_cpu), self.ctx.tmp)
            try:
                wait_http(self.base_url() + "/v1/models", self.proc)
                return
            except RuntimeError:
                with open(os.path.join(dir_, "error.log")) as f:
                    log = f.read()
                self.proc.stop()
                if "Address already in use" not in log or attempt == 2:
                    raise RuntimeError(f"nginx did not start:\n{log[-3000:]}")

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None

    def pids(self):
        from .procstat import tree

        return tree(self.proc.pid)

    def base_url(self):
        return f"http://127.0.0.1:{self.port}"


class Gateway:
    """The gateway with the bench configuration (auth on, or off for `gateway-noauth`)."""

    api = "gateway"

    def __init__(self, ctx, auth=True, wrapper=(), name=None, binary=None):
        self.ctx = ctx
        self.auth = auth
        self.wrapper = list(wrapper)  # a tool the gateway runs under (valgrind)
        self.name = name or ("gateway" if auth else "gateway-noauth")
        self.binary = binary or ctx.hadrian_bin
        self.database = os.path.join(ctx.tmp, f"{self.name}.db")  # targets may run together
        self.proc = None

    def config_path(self, port):
        path = os.path.join(self.ctx.tmp, f"{self.name}.toml")
        with open(path, "w") as f:
            f.write(gateway_config.gateway_toml(
                port, self.ctx.upstream.port, self.database,
                auth=self.auth, threads=self.ctx.gateway_threads,
                log_level=self.ctx.gateway_log_level))
        return path

    def start(self):
        if self.auth:
            keys.fresh_database(self.ctx, self.database)
        for attempt in range(3):
            self.port = free_port()
            cmd = self.wrapper + [self.binary, "serve", "--config",
                                  self.config_path(self.port)]
            self.proc = Proc(self.name, pinned(cmd, self.ctx.target_cpu), self.ctx.tmp,
                             cwd=self.ctx.tmp)
            try:
                wait_http(self.base_url() + "/health/live", self.proc,
                          timeout=60.0 if self.wrapper else 15.0)
                if self.ctx.db_nice is not None and self.auth:
                    if not procstat.renice_threads(self.proc.pid, "hadrian-db",
                                                   self.ctx.db_nice):
                        raise RuntimeError(f"{self.name}: no hadrian-db thread to renice")
                return
            except RuntimeError as e:
                self.proc.stop()
                if "in use" not in str(e) or attempt == 2:
                    raise

    def stop(self):
        if self.proc:
            code = self.proc.stop()
            if code not in (0, None):
                print(f"  note: {self.name} exited with {code}", flush=True)
            self.proc = None

    def pids(self):
        return [self.proc.pid]

    def base_url(self):
        return f"http://127.0.0.1:{self.port}"


def _gateway_b(ctx):
    """A second gateway binary (HADRIAN_BIN_B) set up as `gateway` is: an A/B comparison whose
    two sides share every round's slices."""
    binary = ctx.env.str("HADRIAN_BIN_B", "")
    if not binary or not os.path.exists(binary):
        raise SystemExit("bench: the gateway-b target needs HADRIAN_BIN_B, a gateway binary")
    return Gateway(ctx, auth=True, name="gateway-b", binary=os.path.abspath(binary))


def make_targets(ctx, names):
    known = {
        "direct": lambda: Direct(ctx),
        "nginx": lambda: Nginx(ctx),
        "gateway": lambda: Gateway(ctx, auth=True),
        "gateway-noauth": lambda: Gateway(ctx, auth=False),
        "gateway-b": lambda: _gateway_b(ctx),
    }
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"bench: unknown targets {unknown}; known: {list(known)}")
    return [known[n]() for n in names]
