"""`python3 bench/run.py --train`: the load a profile-guided build learns from
(scripts/build-pgo.sh). The gateway (HADRIAN_BIN, built with HADRIAN_PGO=GENERATE) takes each
scenario's load briefly and then stops, which writes the profile. The held slow streams are
left out: they take minutes and run the same code as the short streams."""

from . import scenarios
from .targets import Gateway

LEFT_OUT = ("slow-streams",)


def plan(env):
    """The scenarios trained on, in the benchmark's order."""
    return [sc for sc in scenarios.scenarios(env) if sc.name not in LEFT_OUT]


def train(ctx, log, load=None, target=None):
    """Runs every scenario of `plan` for BENCH_TRAIN_SECONDS (3) against one gateway. A
    scenario that answers nothing, or answers with errors, stops the training: its profile
    would teach the build an error path as the hot one. Returns the answers per scenario.
    `load` and `target` replace the load client and the gateway in tests."""
    load = load or scenarios.load
    seconds = ctx.env.float("BENCH_TRAIN_SECONDS", 3)
    gw = target or Gateway(ctx)
    gw.start()
    answered = {}
    try:
        for sc in plan(ctx.env):
            result = load(ctx, sc, gw, seconds)
            ok, errors = result.get("ok", 0), result.get("errors", 0)
            log(f"train: {sc.name}: {ok} answers, {errors} errors")
            if ok == 0 or errors:
                raise RuntimeError(f"training load {sc.name} had {ok} answers and {errors} "
                                   "errors; the profile would not be the gateway's usual path")
            answered[sc.name] = ok
    finally:
        gw.stop()  # the instrumented gateway writes its profile as it exits
    return answered
