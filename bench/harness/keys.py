"""The API key of the run, created beforehand with `hadrian keys create` as an operator
would, with limits and a budget far above what the benchmark uses."""

import os
import subprocess

from . import gateway_config


def create_key(ctx):
    path = os.path.join(ctx.tmp, "keys.toml")
    with open(path, "w") as f:
        f.write(gateway_config.gateway_toml(1, ctx.upstream.port,
                                            os.path.join(ctx.tmp, "hadrian.db")))
    cmd = [ctx.hadrian_bin, "keys", "create", "--name", "bench"]
    for flag, value in gateway_config.KEY_LIMITS.items():
        cmd += [flag, str(value)]
    cmd += ["--config", path]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ctx.tmp, check=False)
    key = out.stdout.splitlines()[0].strip() if out.stdout else ""
    if out.returncode != 0 or not key.startswith("gw_"):
        raise SystemExit(f"bench: hadrian keys create failed:\n{out.stdout}\n{out.stderr}")
    return key
