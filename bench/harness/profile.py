"""`make bench-profile`: the gateway under the non-streaming chat load (wrk, 32
connections) recorded with `perf record -g`, summarised by bench/harness/perf_report.py.
Needs perf (Debian's linux-perf) and a kernel that allows it."""

import os
import subprocess
import threading

from . import loadgen, perf_report
from .procs import pinned
from .targets import Gateway


def syscalls(ctx, log):
    """`BENCH_PROFILE_TOOL=strace`: system calls per proxied request, by name (strace -c)."""
    env = ctx.env
    seconds = env.float("BENCH_PROFILE_SECONDS", 10)
    body = ctx.bodies[env.str("BENCH_PROFILE_BODY", "chat")]
    gw = Gateway(ctx)
    gw.start()
    out = os.path.join(ctx.tmp, "strace.txt")
    try:
        url = gw.base_url() + "/api/v1/chat/completions"
        loadgen.run_wrk(url, body, ctx.auth_headers, 32, ctx.warmup_seconds or 1, ctx.load_cpu)
        log(f"bench-profile: strace -c -f on the gateway for {seconds:g} s")
        tracer = subprocess.Popen(
            pinned(["strace", "-c", "-f", "-o", out, "-p", str(gw.proc.pid)], ctx.load_cpu),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        result = loadgen.run_wrk(url, body, ctx.auth_headers, 32, seconds, ctx.load_cpu)
        tracer.send_signal(2)
        tracer.communicate()
    finally:
        gw.stop()
    answers = result.get("ok", 0) or 1
    print(f"# Gateway system calls: {os.path.basename(body)}, 32 connections, {seconds:g} s, "
          f"{result.get('rps', 0):.0f} req/s under strace\n")
    print("| calls per request | system call |\n|---:|---|")
    total = 0.0
    with open(out) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                calls = int(parts[3])
                total += calls / answers
                print(f"| {calls / answers:.2f} | `{parts[-1]}` |")
    print(f"| {total:.2f} | all |")


def profile(ctx, log):
    env = ctx.env
    if env.str("BENCH_PROFILE_TOOL", "perf") == "strace":
        syscalls(ctx, log)
        return
    seconds = env.float("BENCH_PROFILE_SECONDS", 10)
    body = ctx.bodies[env.str("BENCH_PROFILE_BODY", "chat")]
    gw = Gateway(ctx)
    gw.start()
    data = os.path.join(ctx.tmp, "perf.data")
    try:
        url = gw.base_url() + "/api/v1/chat/completions"
        loadgen.run_wrk(url, body, ctx.auth_headers, 32, ctx.warmup_seconds or 1, ctx.load_cpu)
        log(f"bench-profile: perf record -g on the gateway for {seconds:g} s")
        # DWARF unwinding: the release build keeps no frame pointers.
        perf = subprocess.Popen(
            pinned(["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,16384", "-o", data,
                    "-p", str(gw.proc.pid), "--", "sleep", str(seconds)], ctx.load_cpu),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        result = {}
        load = threading.Thread(target=lambda: result.update(loadgen.run_wrk(
            url, body, ctx.auth_headers, 32, seconds, ctx.load_cpu)))
        load.start()
        _, err = perf.communicate()
        load.join()
        if perf.returncode != 0:
            raise SystemExit(f"bench-profile: perf record failed:\n{err}")
    finally:
        gw.stop()
    log(f"bench-profile: {result.get('rps', 0):.0f} req/s during the recording")
    print(f"# Gateway profile: {os.path.basename(body)}, 32 connections, {seconds:g} s, "
          f"{result.get('rps', 0):.0f} req/s\n")
    print(perf_report.summary(data, int(env.float("BENCH_PROFILE_LINES", 30))))
    if env.str("BENCH_KEEP_TMP", ""):
        print(f"perf data kept in {data}")
