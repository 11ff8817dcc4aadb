#!/usr/bin/env bash
# `make build-pgo`: the gateway built with profile-guided optimisation, in build-pgo/hadrian.
# 1. A gateway built to record where requests go (build-pgo-gen, HADRIAN_PGO=GENERATE).
# 2. It takes the benchmark's loads for a few seconds each (`bench/run.py --train`) and stops,
#    which writes the profile (build-pgo-profile).
# 3. The gateway built again from that profile (build-pgo, HADRIAN_PGO=USE): every object,
#    since each depends on the new profile, and without ccache, which cannot see the profile
#    through the relative paths in it.
set -euo pipefail
cd "$(dirname "$0")/.."

gen_dir=${PGO_GEN_DIR:-build-pgo-gen}
out_dir=${PGO_BUILD_DIR:-build-pgo}
profile=$PWD/${PGO_PROFILE_DIR:-build-pgo-profile}
jobs=${JOBS:-$(nproc)}

# Nothing to do while the built gateway is newer than everything it is built and trained from.
inputs=(CMakeLists.txt src include bench/CMakeLists.txt bench/common bench/upstream bench/load
        bench/harness bench/run.py scripts/build-pgo.sh)
if [ -x "$out_dir/hadrian" ] && [ -z "$(find "${inputs[@]}" -newer "$out_dir/hadrian" -print -quit)" ]; then
    echo "build-pgo: $out_dir/hadrian is up to date"
    exit 0
fi
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DHADRIAN_TESTS=OFF -DHADRIAN_SANITIZE=OFF
        "-DHADRIAN_PGO_DIR=$profile")

echo "build-pgo: instrumented build in $gen_dir"
cmake -S . -B "$gen_dir" "${common[@]}" -DHADRIAN_PGO=GENERATE >/dev/null
cmake --build "$gen_dir" --target hadrian -j "$jobs"

echo "build-pgo: training"
rm -rf "$profile"
HADRIAN_BIN="$gen_dir/hadrian" python3 bench/run.py --train
if [ -z "$(find "$profile" -name '*.gcda' -print -quit 2>/dev/null)" ]; then
    echo "build-pgo: the training wrote no profile to $profile" >&2
    exit 1
fi

echo "build-pgo: optimised build in $out_dir"
cmake -S . -B "$out_dir" "${common[@]}" -DHADRIAN_PGO=USE >/dev/null
cmake --build "$out_dir" --target clean
CCACHE_DISABLE=1 cmake --build "$out_dir" --target hadrian -j "$jobs"
echo "build-pgo: $out_dir/hadrian"
