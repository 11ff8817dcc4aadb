#!/usr/bin/env python3
"""`make bench`: the gateway measured side by side with a direct call and with nginx as a
plain reverse proxy, in one run on this machine, printed as one table.
`make bench-soak` (--soak): the gateway's memory under a long steady load.
`make bench-profile` (--profile): where the gateway spends its CPU under the chat load.
--train: the load a profile-guided build learns from (scripts/build-pgo.sh).
Settings come from BENCH_* environment variables; bench/README.md lists them."""

import datetime
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (bodies, context, keys, profile, scenarios, soak, table,  # noqa: E402
                     targets, train)
from harness.upstream import Upstream  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(text):
    print(text, file=sys.stderr, flush=True)


def header(ctx, names):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    pin = (f"target on CPU {ctx.target_cpu}, fake upstream and load on CPU {ctx.load_cpu}"
           if ctx.target_cpu is not None else "one CPU: nothing pinned")
    slicing = (f"the targets taking the load in turn in slices of {ctx.slice_seconds:g} s "
               "(the held streams: each target alone)" if ctx.slice_seconds > 0
               else "each target in one run")
    return (f"# Hadrian benchmark, {now}\n\n"
            f"- machine: {context.machine()}\n"
            f"- {pin}; each scenario in {ctx.rounds} round(s), {ctx.seconds:g} s per target "
            f"and round after {ctx.warmup_seconds:g} s of warm-up, {slicing}; a scenario's rows "
            f"come from its median round (see the lines under the table)\n"
            f"- gateway: {gateway_build(ctx)}, {ctx.gateway_threads} thread(s), auth on, SQLite, "
            f"usage recorded, log level {ctx.gateway_log_level}; targets: {', '.join(names)}\n")


def gateway_build(ctx):
    """The gateway's binary, relative to the repository when it is inside."""
    rel = os.path.relpath(ctx.hadrian_bin, ctx.repo)
    return f"`{ctx.hadrian_bin if rel.startswith('..') else rel}`"


def _guarded(run, scenario, target):
    """The row of `run()`, or a row saying why it failed (the other rows still count)."""
    try:
        return run()
    except (RuntimeError, OSError, ValueError) as e:
        log(f"  failed: {e}")
        return {"scenario": scenario, "target": target, "failed": str(e).splitlines()[0]}


def bench(ctx):
    env = ctx.env
    names = [n.strip() for n in env.str("BENCH_TARGETS", "direct,nginx,gateway").split(",")]
    chosen = env.str("BENCH_SCENARIOS", "")
    plan = scenarios.scenarios(env)
    if chosen:
        wanted = [n.strip() for n in chosen.split(",")]
        plan = [s for s in plan if s.name in wanted]
    tgts = targets.make_targets(ctx, names)
    rows = []
    for t in tgts:
        if t.name != "direct":
            log(f"bench: idle RSS of {t.name}")
            rows.append(_guarded(lambda: scenarios.idle_rss(ctx, t), "idle", t.name))
    for sc in plan:
        rows += scenarios.run_rounds(ctx, sc, tgts, _guarded, log)
    if env.str("BENCH_JSON", ""):  # first: the measurements outlive a failure to render them
        with open(env.str("BENCH_JSON", ""), "w") as f:
            json.dump(rows, f, indent=1)
    text = header(ctx, names) + "\n" + table.render(rows)
    print(text, flush=True)
    if env.str("BENCH_OUTPUT", ""):
        with open(env.str("BENCH_OUTPUT", ""), "w") as f:
            f.write(text)


def main():
    ctx = context.Context(REPO)
    # Training runs the gateway alone (also inside the image's build, which has no nginx).
    ctx.check_tools(nginx="--train" not in sys.argv[1:])
    try:
        ctx.upstream = Upstream(ctx.tools_dir, ctx.tmp, ctx.load_cpu)
        ctx.bodies = bodies.write_bodies(ctx.tmp)
        ctx.auth_headers = [f"Authorization: Bearer {keys.create_key(ctx)}"]
        if "--soak" in sys.argv[1:]:
            soak.soak(ctx, log)
        elif "--profile" in sys.argv[1:]:
            profile.profile(ctx, log)
        elif "--train" in sys.argv[1:]:
            train.train(ctx, log)
        else:
            bench(ctx)
    finally:
        if ctx.upstream:
            log(ctx.upstream.stop())
        ctx.cleanup()


if __name__ == "__main__":
    main()
