"""`make bench-profile`: the gateway under the non-streaming chat load (wrk, 32
connections) recorded with `perf record -g`, summarised by bench/harness/perf_report.py.
Needs perf (Debian's linux-perf) and a kernel that allows it."""

import os
import re
import subprocess

from . import allocs, loadgen, perf_report
from .procs import pinned
from .targets import Gateway


def _record(ctx, log, name, tool_cmd, interrupt=False):
    """The gateway warmed up, then the command `tool_cmd(pid, seconds)` running while wrk loads
    it with 32 connections of `BENCH_PROFILE_BODY`; with `interrupt`, the tool is stopped with
    SIGINT when the load ends, else awaited. Returns wrk's result, the tool's stderr and exit
    code, the body file and the seconds."""
    env = ctx.env
    seconds = env.float("BENCH_PROFILE_SECONDS", 10)
    body = ctx.bodies[env.str("BENCH_PROFILE_BODY", "chat")]
    gw = Gateway(ctx)
    gw.start()
    try:
        url = gw.base_url() + "/api/v1/chat/completions"
        loadgen.run_wrk(url, body, ctx.auth_headers, 32, ctx.warmup_seconds or 1, ctx.load_cpu)
        log(f"bench-profile: {name} on the gateway for {seconds:g} s")
        tool = subprocess.Popen(pinned(tool_cmd(gw.proc.pid, seconds), ctx.load_cpu),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        result = loadgen.run_wrk(url, body, ctx.auth_headers, 32, seconds, ctx.load_cpu)
        if interrupt and tool.poll() is None:
            tool.send_signal(2)
        _, err = tool.communicate()
    finally:
        gw.stop()
    return result, err, tool.returncode, body, seconds


def syscalls(ctx, log):
    """`BENCH_PROFILE_TOOL=strace`: system calls per proxied request, by name (strace -c)."""
    out = os.path.join(ctx.tmp, "strace.txt")
    result, _, _, body, seconds = _record(
        ctx, log, "strace -c -f",
        lambda pid, _: ["strace", "-c", "-f", "-o", out, "-p", str(pid)], interrupt=True)
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


def _callgrind_control(*args):
    subprocess.run(["callgrind_control", *args], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)


def _function_name(entry):
    """`file:function(args)` from callgrind_annotate, as the function's name alone."""
    file, _, rest = entry.partition(":")
    fn = rest if rest and (file == "???" or "/" in file) else entry
    fn = perf_report.short(fn).replace("(anonymous namespace)", "{anon}")
    fn = fn.split("(", 1)[0] if not fn.startswith("(") else fn
    return fn.replace("{anon}", "(anonymous namespace)")


# Caches of one core as the simulation models them (size, ways, line): 32 KiB instruction and
# data caches and a 512 KiB last level, a core's L2 on the machines measured.
CACHE_SIM = ["--cache-sim=yes", "--I1=32768,8,64", "--D1=32768,8,64", "--LL=524288,8,64"]

# What the simulated events mean, for the lines printed per request.
EVENT_NAMES = {"Ir": "instructions", "I1mr": "instruction-cache misses (32 KiB)",
               "D1mr": "data-cache read misses (32 KiB)", "D1mw": "data-cache write misses",
               "ILmr": "last-level misses, instructions (512 KiB)",
               "DLmr": "last-level misses, data reads", "DLmw": "last-level misses, data writes"}


def event_totals(dump_text):
    """{event: total} from a callgrind dump's `events:` and `summary:` (or `totals:`) lines."""
    names = totals = None
    for line in dump_text.splitlines():
        if line.startswith("events:"):
            names = line.split()[1:]
        elif line.startswith(("summary:", "totals:")) and totals is None:
            totals = [int(v) for v in line.split()[1:]]
    if not names or not totals:
        return {}
    return dict(zip(names, totals))


def instructions(ctx, log):
    """`BENCH_PROFILE_TOOL=callgrind`: instructions per request, both of the gateway's busy
    threads counted, under an open-loop load of `BENCH_PROFILE_RATE` (200) req/s; counts that
    do not depend on the machine's speed or noise, to compare builds. Collection starts after
    the warm-up and stops before the gateway does."""
    env = ctx.env
    seconds = env.float("BENCH_PROFILE_SECONDS", 10)
    rate = env.float("BENCH_PROFILE_RATE", 200)
    name = env.str("BENCH_PROFILE_BODY", "chat")
    body = ctx.bodies[name]
    streamed = name in ("stream", "slow")
    out = os.path.join(ctx.tmp, "callgrind.out")
    cache = env.str("BENCH_PROFILE_CACHE", "") not in ("", "0")
    gw = Gateway(ctx, wrapper=["valgrind", "--tool=callgrind", "--instr-atstart=no",
                               *(CACHE_SIM if cache else []), f"--callgrind-out-file={out}"])
    gw.start()
    try:
        url = gw.base_url() + "/api/v1/chat/completions"
        load = dict(cpu=ctx.load_cpu, rate=rate, streamed=streamed, timeout=120.0)
        loadgen.run_bench_load(ctx.tools_dir, url, body, ctx.auth_headers,
                               seconds=max(ctx.warmup_seconds, 2), **load)
        log(f"bench-profile: callgrind on the gateway, {rate:g} req/s for {seconds:g} s")
        _callgrind_control("-i", "on", str(gw.proc.pid))
        result = loadgen.run_bench_load(ctx.tools_dir, url, body, ctx.auth_headers,
                                        seconds=seconds, **load)
        _callgrind_control("-d", str(gw.proc.pid))
        _callgrind_control("-i", "off", str(gw.proc.pid))
    finally:
        gw.stop()
    answers = result["ok"] or 1
    # The dump asked for is numbered; the one the gateway writes as it exits is not.
    dump = out + ".1"
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--show=Ir",
                           dump], capture_output=True, text=True, check=True).stdout
    total = re.search(r"^\s*([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", text, re.M)
    total = int(total.group(1).replace(",", "")) if total else 0
    print(f"# Gateway instructions: {os.path.basename(body)}, {rate:g} req/s open loop, "
          f"{seconds:g} s, {answers} answers, {result['errors']} errors\n")
    print(f"{total / answers:,.0f} instructions per request (callgrind, every thread)\n")
    if cache:
        with open(dump) as f:
            totals = event_totals(f.read())
        print("| per request | simulated event |\n|---:|---|")
        for event, name in EVENT_NAMES.items():
            if event in totals and event != "Ir":
                print(f"| {totals[event] / answers:,.0f} | {name} |")
        print()
    print("| per request | inclusive share | function |\n|---:|---:|---|")
    lines = int(env.float("BENCH_PROFILE_LINES", 30))
    for m in re.finditer(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*?)\s*(\[.*\])?$",
                         text.split("PROGRAM TOTALS", 1)[-1], re.M):
        if lines == 0:
            break
        count = int(m.group(1).replace(",", ""))
        fn = _function_name(m.group(3))
        print(f"| {count / answers:,.0f} | {m.group(2)} % | `{fn}` |")
        lines -= 1
    if env.str("BENCH_KEEP_TMP", ""):
        print(f"\ncallgrind data kept in {ctx.tmp}")


def profile(ctx, log):
    env = ctx.env
    tool = env.str("BENCH_PROFILE_TOOL", "perf")
    if tool == "strace":
        syscalls(ctx, log)
        return
    if tool == "callgrind":
        instructions(ctx, log)
        return
    if tool == "dhat":
        allocs.allocations(ctx, log)
        return
    data = os.path.join(ctx.tmp, "perf.data")
    # DWARF unwinding: the release build keeps no frame pointers.
    result, err, code, body, seconds = _record(
        ctx, log, "perf record -g",
        lambda pid, secs: ["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,16384",
                           "-o", data, "-p", str(pid), "--", "sleep", str(secs)])
    if code not in (0, None):
        raise SystemExit(f"bench-profile: perf record failed:\n{err}")
    log(f"bench-profile: {result.get('rps', 0):.0f} req/s during the recording")
    print(f"# Gateway profile: {os.path.basename(body)}, 32 connections, {seconds:g} s, "
          f"{result.get('rps', 0):.0f} req/s\n")
    print(perf_report.summary(data, int(env.float("BENCH_PROFILE_LINES", 30))))
    if env.str("BENCH_KEEP_TMP", ""):
        print(f"perf data kept in {data}")
