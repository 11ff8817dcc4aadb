"""`make bench-soak`: the gateway under a steady mixed load (whole and streamed chats, open
loop) for BENCH_SOAK_SECONDS, its RSS sampled all along; memory that keeps growing in the
second half is reported as a leak suspect."""

import subprocess

from . import procstat
from .procs import pinned
from .targets import Gateway


def _slope_mib_per_min(samples):
    """Least-squares slope of (seconds, KiB) samples, in MiB per minute."""
    n = len(samples)
    if n < 2:
        return 0.0
    mx = sum(t for t, _ in samples) / n
    my = sum(v for _, v in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    cov = sum((t - mx) * (v - my) for t, v in samples)
    return cov / var * 60 / 1024


def soak(ctx, log):
    env = ctx.env
    seconds = env.float("BENCH_SOAK_SECONDS", 600)
    rate = env.float("BENCH_SOAK_RATE", 1000)
    stream_rate = env.float("BENCH_SOAK_STREAM_RATE", rate / 10)
    every = env.float("BENCH_SOAK_SAMPLE_SECONDS", 10)
    limit = env.float("BENCH_SOAK_MAX_SLOPE", 1.0)
    gw = Gateway(ctx)
    gw.start()
    try:
        url = gw.base_url() + "/api/v1/chat/completions"
        loads = [("chat", rate, []), ("stream", stream_rate,
                                      ["X-Bench-Chunks: 20", "X-Bench-Chunk-Gap-Ms: 5"])]
        log(f"bench-soak: {seconds:g} s at {rate:g} chat + {stream_rate:g} stream req/s, "
            f"RSS every {every:g} s")
        procs = []
        for body, r, headers in loads:
            cmd = [f"{ctx.tools_dir}/bench-load", "--url", url, "--body-file", ctx.bodies[body],
                   "--rate", str(r), "--duration", str(seconds), "--label", f"soak {body}"]
            for h in headers + ctx.auth_headers:
                cmd += ["--header", h]
            procs.append(subprocess.Popen(pinned(cmd, ctx.load_cpu), stdout=subprocess.PIPE,
                                          text=True))
        sampler = procstat.RssSampler(gw.pids(), every)
        with sampler:
            outputs = [p.communicate()[0] for p in procs]
        samples = sampler.samples
        hwm = procstat.status_kib(gw.pids(), "VmHWM")
    finally:
        gw.stop()
    half = [s for s in samples if s[0] >= seconds / 2]
    slope = _slope_mib_per_min(half)
    print("# Hadrian soak\n")
    for out in outputs:
        print(out)
    print("| t s | RSS MiB |\n|---|---|")
    for t, kib in samples:
        print(f"| {t:.0f} | {kib / 1024:.1f} |")
    first, last = samples[0][1] / 1024, samples[-1][1] / 1024
    verdict = "steady" if slope <= limit else "GROWING (leak suspect)"
    print(f"\nRSS {first:.1f} → {last:.1f} MiB, peak {hwm / 1024:.1f} MiB; second-half slope "
          f"{slope:+.2f} MiB/min (limit {limit:g}): {verdict}")
