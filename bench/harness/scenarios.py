"""The scenarios of `make bench` and how one of them is run against one target."""

import os
import time
from dataclasses import dataclass, field

from . import loadgen, procstat, slices

PACING_STREAM = ["X-Bench-Chunks: 20", "X-Bench-Chunk-Gap-Ms: 5"]
PACING_SLOW = ["X-Bench-Chunks: 50", "X-Bench-Chunk-Gap-Ms: 100"]
# What the official `openai` npm client (v4, on Node) sends besides Host, Authorization,
# Content-Type and Content-Length: a real client's head is four times wrk's.
SDK_HEADERS = [
    "Accept: application/json",
    "User-Agent: OpenAI/JS 4.104.0",
    "X-Stainless-Lang: js",
    "X-Stainless-Package-Version: 4.104.0",
    "X-Stainless-OS: Linux",
    "X-Stainless-Arch: x64",
    "X-Stainless-Runtime: node",
    "X-Stainless-Runtime-Version: v18.19.0",
    "X-Stainless-Retry-Count: 0",
    "X-Stainless-Timeout: 600",
    "Accept-Encoding: gzip, deflate",
    "Connection: keep-alive",
]


@dataclass
class Scenario:
    name: str
    title: str
    tool: str  # wrk | open | closed | hold
    body: str  # key of bodies.BODIES sent to the gateway
    upstream_body: str = ""  # sent to direct and nginx, when it differs
    upstream_path: str = "/v1/chat/completions"
    connections: int = 0
    rate: float = 0
    streams: int = 0
    headers: list = field(default_factory=list)  # the fake upstream's pacing, a client's fields
    streamed: bool = False


def scenarios(env):
    """Every scenario, sized by the environment (see bench/README.md)."""
    rate = env.float("BENCH_OPEN_RATE", 2000)
    streams = env.int("BENCH_STREAMS", 5000)
    return [
        Scenario("chat-c32", "chat, 32 connections (wrk)", "wrk", "chat", connections=32),
        Scenario("chat-c128", "chat, 128 connections (wrk)", "wrk", "chat", connections=128),
        Scenario("chat-sdk-c32", "chat, the openai client's header fields, 32 connections (wrk)",
                 "wrk", "chat", connections=32, headers=SDK_HEADERS),
        Scenario("chat-open", f"chat, open loop {rate:g} req/s", "open", "chat", rate=rate),
        Scenario("stream-c64", "stream 20 x 5 ms, 64 connections", "closed", "stream",
                 connections=64, headers=PACING_STREAM, streamed=True),
        Scenario("slow-streams", f"{streams} streams 50 x 100 ms held", "hold", "slow",
                 streams=streams, headers=PACING_SLOW, streamed=True),
        Scenario("image-1mib", "chat with a 1 MiB image, 8 connections (wrk)", "wrk", "image",
                 connections=8),
        Scenario("anthropic-c32", "Anthropic, 32 connections (wrk)", "wrk",
                 "anthropic-gateway", upstream_body="anthropic-upstream",
                 upstream_path="/v1/messages", connections=32),
    ]


def load(ctx, sc, target, seconds, warmup=False):
    gateway = target.api == "gateway"
    path = "/api/v1/chat/completions" if gateway else sc.upstream_path
    body = ctx.bodies[sc.body if gateway or not sc.upstream_body else sc.upstream_body]
    url = target.base_url() + path
    headers = sc.headers + ctx.auth_headers
    if sc.tool == "hold" and warmup:
        # Warming up with thousands of 5-second streams would take too long: a short closed
        # loop of quick streams through the same code instead.
        return loadgen.run_bench_load(
            tools_dir=ctx.tools_dir, url=url, body_file=ctx.bodies["stream"],
            headers=PACING_STREAM + ctx.auth_headers, cpu=ctx.load_cpu, streamed=True,
            connections=64, seconds=seconds)
    if sc.tool == "wrk":
        return loadgen.run_wrk(url, body, headers, sc.connections, seconds, ctx.load_cpu)
    common = dict(tools_dir=ctx.tools_dir, url=url, body_file=body, headers=headers,
                  cpu=ctx.load_cpu, streamed=sc.streamed)
    timelines = ctx.env.str("BENCH_TIMELINE_DIR", "")
    if timelines and not warmup:
        common["timeline"] = os.path.join(timelines, f"{sc.name}-{target.name}.txt")
    if sc.tool == "hold":
        return loadgen.run_bench_load(streams=sc.streams, ramp=ctx.env.float("BENCH_STREAM_RAMP", 1),
                                      timeout=120, **common)
    if sc.tool == "open":
        return loadgen.run_bench_load(rate=sc.rate, seconds=seconds, timeout=30, **common)
    return loadgen.run_bench_load(connections=sc.connections, seconds=seconds, **common)


class _Measured:
    """What a target's measured load adds up to: CPU, wall time, RSS samples, results."""

    def __init__(self, target):
        self.target = target
        self.pids = target.pids()
        self.cpu = 0.0
        self.cpu_user = 0.0
        self.cpu_system = 0.0
        self.thread_cpu = {}  # thread name -> seconds
        self.wall = 0.0
        self.rss_kib = []
        self.results = []

    def measure(self, ctx, sc, seconds):
        user0, system0 = procstat.cpu_split_seconds(self.pids)
        threads0 = procstat.thread_cpu_seconds(self.pids)
        t0 = time.monotonic()
        with procstat.RssSampler(self.pids, ctx.rss_every) as rss:
            res = load(ctx, sc, self.target, seconds)
        self.wall += time.monotonic() - t0
        user1, system1 = procstat.cpu_split_seconds(self.pids)
        self.cpu_user += user1 - user0
        self.cpu_system += system1 - system0
        self.cpu = self.cpu_user + self.cpu_system
        for name, sec in procstat.thread_cpu_seconds(self.pids).items():
            self.thread_cpu[name] = self.thread_cpu.get(name, 0.0) + sec - threads0.get(name, 0.0)
        self.rss_kib += [kib for _, kib in rss.samples]
        self.results.append(res)

    def row(self, sc):
        """The target's row: its one result, or its slices merged."""
        res = self.results[0] if len(self.results) == 1 else slices.merge(self.results)
        row = dict(res, scenario=sc.name, title=sc.title, target=self.target.name)
        row.pop("latency_q", None)
        row.pop("ttfb_q", None)
        if self.pids:
            row["cpu_pct"] = 100.0 * self.cpu / self.wall
            row["cpu_us"] = 1e6 * self.cpu / res["requests"] if res["requests"] else None
            if res["requests"]:
                row["cpu_user_us"] = 1e6 * self.cpu_user / res["requests"]
                row["cpu_system_us"] = 1e6 * self.cpu_system / res["requests"]
            if len(self.thread_cpu) > 1 and res["requests"]:
                row["cpu_threads_us"] = {name: 1e6 * sec / res["requests"]
                                         for name, sec in sorted(self.thread_cpu.items())}
            row["peak_rss_mib"] = procstat.status_kib(self.pids, "VmHWM") / 1024.0
            row["rss_mib"] = [round(kib / 1024.0, 1) for kib in self.rss_kib]
            row["rss_drift_mib"] = ((self.rss_kib[-1] - self.rss_kib[0]) / 1024.0
                                    if self.rss_kib else None)
        return row


def run_one(ctx, sc, target):
    """Starts `target`, warms it up, measures `sc`, stops it; returns the row."""
    target.start()
    try:
        if ctx.warmup_seconds > 0:
            load(ctx, sc, target, ctx.warmup_seconds, warmup=True)
        m = _Measured(target)
        m.measure(ctx, sc, ctx.seconds)
        return m.row(sc)
    finally:
        target.stop()


def sliceable(ctx, sc):
    """Whether `sc` is measured in alternating slices: a load that runs for a set time
    (not the held streams, which last as long as their streams), with slices asked for."""
    return ctx.slice_seconds > 0 and sc.tool != "hold"


def run_sliced_round(ctx, sc, tgts, guarded, log):
    """One round of `sc` with every target running at once: each is started and warmed up,
    then each takes the load in turn for `ctx.slice_seconds` (the order reversed every other
    pass) until each has had `ctx.seconds`, so that a phase of the machine falls on all of
    them. Returns one row per target, its slices merged; a target that fails is left out of
    the passes after its failure."""
    count = max(1, round(ctx.seconds / ctx.slice_seconds))
    measured, rows = {}, {}

    def start(t):
        t.start()
        if ctx.warmup_seconds > 0:
            load(ctx, sc, t, ctx.warmup_seconds, warmup=True)
        measured[t.name] = _Measured(t)
        return {}

    try:
        for t in tgts:
            rows[t.name] = guarded(lambda: start(t), sc.name, t.name)
        for n in range(count):
            for t in (tgts if n % 2 == 0 else list(reversed(tgts))):
                if t.name not in measured or rows[t.name].get("failed"):
                    continue
                rows[t.name] = guarded(lambda: measured[t.name].measure(
                    ctx, sc, ctx.seconds / count) or {}, sc.name, t.name)
        for t in tgts:
            if t.name in measured and not rows[t.name].get("failed"):
                rows[t.name] = guarded(lambda: measured[t.name].row(sc), sc.name, t.name)
    finally:
        for t in tgts:
            t.stop()
    return [rows[t.name] for t in tgts]


def _median_key(sc):
    """What picks a target's median round when rounds are not paired: throughput where the
    load is closed and unpaced, otherwise the latency the load's pacing leaves to the target."""
    if sc.tool == "wrk":
        return "req/s", lambda r: r.get("rps")
    if sc.tool == "hold":
        return "TTFB p99 ms", lambda r: (r.get("ttfb") or {}).get("p99")
    return "p99 ms", lambda r: (r.get("latency") or {}).get("p99")


def _pair_key(sc, by_target):
    """The gateway's figure against a reference target measured in the same round, which is
    what the targets judge: req/s ÷ nginx's for the `wrk` scenarios, p99 over the direct
    call's for the paced ones, the TTFB p99 itself for the slow streams. None (each target's
    own median round is shown then) without the gateway or the reference."""
    gateway = by_target.get("gateway")
    if gateway is None:
        return None
    if sc.tool == "hold":
        return "gateway TTFB p99 ms", lambda n: (gateway[n].get("ttfb") or {}).get("p99")
    if sc.tool == "wrk":
        ref = by_target.get("nginx")
        if ref is None:
            return None

        def ratio(n):
            a, b = gateway[n].get("rps"), ref[n].get("rps")
            return a / b if a and b else None
        return "gateway req/s ÷ nginx's", ratio
    ref = by_target.get("direct")
    if ref is None:
        return None

    def added(n):
        a = (gateway[n].get("latency") or {}).get("p99")
        b = (ref[n].get("latency") or {}).get("p99")
        return a - b if a is not None and b is not None else None
    return "gateway p99 − direct p99 ms", added


def _median_round(values):
    """Index of the median of the values that are not None (the lower one of an even count)."""
    known = sorted((v, n) for n, v in enumerate(values) if v is not None)
    return known[(len(known) - 1) // 2][1] if known else None


def _merged(sc, rounds, pick=None):
    """One row for a (scenario, target) measured in several rounds: round `pick`, else the
    target's median round by `_median_key`, with the errors of every round and the highest
    peak RSS."""
    done = [r for r in rounds if not r.get("failed")]
    if not done:
        return rounds[0]
    label, key = _median_key(sc)
    if pick is not None and not rounds[pick].get("failed"):
        row = dict(rounds[pick])
    else:
        row = dict(sorted(done, key=lambda r: key(r) or 0)[(len(done) - 1) // 2])
    row["rounds"] = (label, [None if r.get("failed") else key(r) for r in rounds])
    row["errors"] = sum(r.get("errors", 0) for r in done)
    kinds = {}
    for r in done:
        for k, v in (r.get("error_kinds") or {}).items():
            kinds[k] = kinds.get(k, 0) + v
    row["error_kinds"] = kinds
    peaks = [r["peak_rss_mib"] for r in done if r.get("peak_rss_mib") is not None]
    if peaks:
        row["peak_rss_mib"] = max(peaks)
    if len(done) < len(rounds):
        row["failed_rounds"] = len(rounds) - len(done)
    return row


def run_rounds(ctx, sc, tgts, guarded, log):
    """`sc` against every target in `ctx.rounds` rounds, each round running the targets in
    turn, so that a slow phase of the machine falls on all of them rather than on one. The
    rows shown all come from one round, the median one by `_pair_key` (a comparison within a
    round, seconds apart, not across the machine's phases); one row per target (`_merged`)."""
    by_target = {t.name: [] for t in tgts}
    for n in range(ctx.rounds):
        if sliceable(ctx, sc):
            log(f"bench: {sc.name} ({sc.title}), round {n + 1}/{ctx.rounds}, "
                f"{', '.join(t.name for t in tgts)} in slices of {ctx.slice_seconds:g} s")
            done = run_sliced_round(ctx, sc, tgts, guarded, log)
        else:
            done = []
            for t in tgts:
                log(f"bench: {sc.name} ({sc.title}) against {t.name}, "
                    f"round {n + 1}/{ctx.rounds}")
                done.append(guarded(lambda: run_one(ctx, sc, t), sc.name, t.name))
        for t, row in zip(tgts, done):
            if "rps" in row:
                each = ", ".join(f"{v:.0f}" for v in row.get("slice_rps", []))
                log(f"  {t.name}: {row['rps']:.0f} req/s, p99 {row['latency']['p99']:.3f} ms, "
                    f"{row['errors']} errors" + (f" (slices: {each})" if each else ""))
            by_target[t.name].append(row)
    pair = _pair_key(sc, by_target)
    pick = None
    if pair is not None:
        label, key = pair
        values = []
        for n in range(ctx.rounds):
            failed = any(rows[n].get("failed") for rows in by_target.values())
            values.append(None if failed else key(n))
        pick = _median_round(values)
    rows = [_merged(sc, by_target[t.name], pick) for t in tgts]
    if pick is not None and rows:
        rows[0]["pairing"] = (label, values, pick)
    return rows


def idle_rss(ctx, target, settle=2.0):
    """RSS of a target freshly started and idle for `settle` seconds."""
    target.start()
    try:
        time.sleep(settle)
        pids = target.pids()
        return {"scenario": "idle", "title": "idle after start", "target": target.name,
                "peak_rss_mib": procstat.status_kib(pids, "VmRSS") / 1024.0}
    finally:
        target.stop()
