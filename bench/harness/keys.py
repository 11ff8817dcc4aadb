"""The API key of the run, created beforehand with `hadrian keys create` as an operator
would, with limits and a budget far above what the benchmark uses. The database holding it
is copied afresh for each start of the gateway, so that no scenario inherits the usage
records of the ones before it."""

import glob
import os
import shutil
import subprocess

SEED_DB = "keys.db"


def fresh_database(ctx, path):
    """Replaces the database at `path` with a copy of the one holding the key."""
    for old in glob.glob(path + "*"):
        os.remove(old)
    seed = os.path.join(ctx.tmp, SEED_DB)
    for f in glob.glob(seed + "*"):
        shutil.copy(f, path + f[len(seed):])

from . import gateway_config


def create_key(ctx):
    path = os.path.join(ctx.tmp, "keys.toml")
    with open(path, "w") as f:
        f.write(gateway_config.gateway_toml(1, ctx.upstream.port,
                                            os.path.join(ctx.tmp, SEED_DB)))
    cmd = [ctx.hadrian_bin, "keys", "create", "--name", "bench"]
    for flag, value in gateway_config.KEY_LIMITS.items():
        cmd += [flag, str(value)]
    cmd += ["--config", path]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ctx.tmp, check=False)
    key = out.stdout.splitlines()[0].strip() if out.stdout else ""
    if out.returncode != 0 or not key.startswith("gw_"):
        raise SystemExit(f"bench: hadrian keys create failed:\n{out.stdout}\n{out.stderr}")
    return key
