"""`BENCH_PROFILE_TOOL=dhat`: the gateway's heap allocations per request, by the code that
makes them (valgrind's DHAT), under the open-loop load of the callgrind profile. Coroutine
frames show as allocations of the coroutine itself: how many bytes of fresh memory each
request touches, and where."""

import json
import os

from . import loadgen
from .targets import Gateway


def _site(frames, table):
    """The first frame of the gateway's own code in an allocation's stack, else the caller
    of the allocator: `name (file)` as DHAT writes it, without the address."""
    names = [table[i] for i in frames]
    ours = [n for n in names if "hadrian::" in n and "operator new" not in n]
    name = ours[0] if ours else names[min(1, len(names) - 1)]
    name = name.split(": ", 1)[-1]
    return name.split(" (in ", 1)[0]


def sites(dhat, answers, lines, least=0.1):
    """(allocations per answer, bytes per answer, [(bytes, allocations, average size, site)])
    from DHAT's JSON output `dhat`: the sites that allocate at least `least` times per answer,
    most bytes first, at most `lines`. The totals count every allocation of the run,
    start-up and warm-up included."""
    answers = answers or 1
    table = dhat["ftbl"]
    total_blocks = sum(p["tbk"] for p in dhat["pps"])
    total_bytes = sum(p["tb"] for p in dhat["pps"])
    merged = {}
    for p in dhat["pps"]:
        site = _site(p["fs"], table)
        blocks, size = merged.get(site, (0, 0))
        merged[site] = (blocks + p["tbk"], size + p["tb"])
    rows = [(size / answers, blocks / answers, size / blocks, site)
            for site, (blocks, size) in merged.items() if blocks and blocks / answers >= least]
    rows.sort(key=lambda r: (-r[0], r[3]))
    return total_blocks / answers, total_bytes / answers, rows[:lines]


def allocations(ctx, log):
    env = ctx.env
    seconds = env.float("BENCH_PROFILE_SECONDS", 10)
    rate = env.float("BENCH_PROFILE_RATE", 200)
    name = env.str("BENCH_PROFILE_BODY", "chat")
    body = ctx.bodies[name]
    out = os.path.join(ctx.tmp, "dhat.json")
    # The allocator the gateway links (mimalloc) is replaced by DHAT's as libc's would be.
    gw = Gateway(ctx, wrapper=["valgrind", "--tool=dhat", "--soname-synonyms=somalloc=*mimalloc*",
                               f"--dhat-out-file={out}"])
    gw.start()
    answers = 0
    try:
        url = gw.base_url() + "/api/v1/chat/completions"
        load = dict(cpu=ctx.load_cpu, rate=rate, streamed=name in ("stream", "slow"),
                    timeout=120.0)
        log(f"bench-profile: DHAT on the gateway, {rate:g} req/s for {seconds:g} s")
        for secs in (max(ctx.warmup_seconds, 2), seconds):
            result = loadgen.run_bench_load(ctx.tools_dir, url, body, ctx.auth_headers,
                                            seconds=secs, **load)
            answers += result["ok"]
    finally:
        gw.stop()  # DHAT writes its data as the gateway exits
    with open(out) as f:
        blocks, size, rows = sites(json.load(f), answers,
                                   int(env.float("BENCH_PROFILE_LINES", 30)))
    print(f"# Gateway heap allocations: {os.path.basename(body)}, {rate:g} req/s open loop, "
          f"{answers} answers (DHAT)\n")
    print(f"{blocks:,.1f} allocations and {size:,.0f} bytes per request, start-up and warm-up "
          "included\n")
    print("| bytes per request | allocations per request | average size | site |\n"
          "|---:|---:|---:|---|")
    for size, count, average, site in rows:
        print(f"| {size:,.0f} | {count:.2f} | {average:,.0f} | `{site}` |")
    if env.str("BENCH_KEEP_TMP", ""):
        print(f"\nDHAT data kept in {out}")
