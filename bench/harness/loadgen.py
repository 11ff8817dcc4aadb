"""The two load generators, behind one result shape:
wrk (closed loop: C connections, each sending as soon as its answer is complete) and
bench-load (open loop at a fixed rate, closed loop with time to first byte, held streams).

A result is a dict: requests (answers, good or not), ok, errors, error_kinds, rps over
`seconds`, latency {p50, p90, p99, max} in ms, ttfb {p50, p99} in ms or None, max_in_flight,
and latency_q / ttfb_q: the 1/1000 .. 1000/1000 quantiles in ms (slices.merge pools them)."""

import json
import os
import subprocess

from .procs import pinned

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _headers_env(headers):
    return "\n".join(headers)


def run_wrk(url, body_file, headers, connections, seconds, cpu):
    env = dict(os.environ, BENCH_BODY_FILE=body_file, BENCH_HEADERS=_headers_env(headers))
    cmd = pinned(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                  "--timeout", "30s", "-s", os.path.join(BENCH_DIR, "conf", "wrk.lua"), url], cpu)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    lines = out.stdout.splitlines()
    line = next((l for l in lines if l.startswith("WRK_JSON ")), None)
    quantiles = next((l for l in lines if l.startswith("WRK_QUANTILES ")), None)
    if line is None or quantiles is None:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[len("WRK_JSON "):])
    kinds = {k: v for k, v in r["errors"].items() if v}
    # Non-2xx answers are in both `requests` and `errors.status`.
    socket_errors = sum(v for k, v in kinds.items() if k != "status")
    duration = r["duration_us"] / 1e6
    ok = r["requests"] - kinds.get("status", 0)
    return {
        "requests": r["requests"] + socket_errors,
        "ok": ok,
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "rps": ok / duration if duration else 0.0,
        "seconds": duration,
        "latency": {k: r["latency_ms"][k] for k in ("p50", "p90", "p99", "max")},
        "latency_q": json.loads(quantiles[len("WRK_QUANTILES "):]) if r["requests"] else [],
        "ttfb": None,
        "ttfb_q": [],
        "max_in_flight": connections,
    }


def run_bench_load(tools_dir, url, body_file, headers, cpu, rate=None, connections=None,
                   streams=None, seconds=10.0, ramp=1.0, timeout=60.0, streamed=False,
                   timeline=None):
    cmd = [f"{tools_dir}/bench-load", "--url", url, "--body-file", body_file, "--json",
           "--timeout", str(timeout)]
    for h in headers:
        cmd += ["--header", h]
    if timeline:
        cmd += ["--timeline", timeline]
    if streams:
        cmd += ["--streams", str(streams), "--ramp", str(ramp)]
    elif rate:
        cmd += ["--rate", str(rate), "--duration", str(seconds)]
        if connections:
            cmd += ["--connections", str(connections)]
    else:
        cmd += ["--connections", str(connections), "--duration", str(seconds)]
    out = subprocess.run(pinned(cmd, cpu), capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"bench-load failed:\n{out.stdout}\n{out.stderr}")
    r = json.loads(out.stdout)
    return {
        "requests": r["ok"] + r["error_count"],
        "ok": r["ok"],
        "errors": r["error_count"],
        "error_kinds": r["errors"],
        "rps": r["rps"] if not streams else r["ok"] / r["elapsed_s"],
        "seconds": r["window_s"] if not streams else r["elapsed_s"],
        "latency": {k: r["latency_ms"][k] for k in ("p50", "p90", "p99", "max")},
        "latency_q": r["latency_ms"]["q"],
        "ttfb": {k: r["ttfb_ms"][k] for k in ("p50", "p99")} if streamed else None,
        "ttfb_q": r["ttfb_ms"]["q"] if streamed else [],
        "max_in_flight": r["max_in_flight"],
    }
