#!/usr/bin/env bash
# Builds and smoke-tests the container image with Podman (no Docker engine or registry needed).
#
#   scripts/image.sh build   build IMAGE (default hadrian:dev) from docker/Dockerfile
#   scripts/image.sh test    build, run it on a free loopback port, check /health/live and one
#                            chat completion through the built-in `test` provider
#
# The Debian 12 base image is made locally once with debootstrap from the machine's apt mirror
# (localhost/debian:bookworm) and passed to the Dockerfile as BASE.
# Environment: IMAGE (tag), BASE_IMAGE (the local base's name), JOBS (compile jobs inside the
# build, default one per core).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-hadrian:dev}
BASE_IMAGE=${BASE_IMAGE:-localhost/debian:bookworm}
# This kernel's cgroup layout needs runc (crun fails), and the resource limits must be given
# explicitly since the process may not raise its own.
ULIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)

podman() { command podman --runtime runc "$@"; }

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
else
    sudo=(sudo)
fi

log() { echo "image: $*" >&2; }

# What this script started: removed on exit, whatever happens.
rootfs=""
cid=""
cleanup() {
    if [ -n "$cid" ]; then
        # -v: also the anonymous volumes of the image's VOLUME directories
        podman rm -f -v "$cid" >/dev/null 2>&1 || true
    fi
    if [ -n "$rootfs" ]; then
        "${sudo[@]}" rm -rf "$rootfs"
    fi
}
trap cleanup EXIT

install_tools() {
    local pkgs=(podman runc debootstrap)
    command -v curl >/dev/null 2>&1 || pkgs+=(curl)
    command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
    scripts/install-deps.sh "${pkgs[@]}"
}

apt_mirror() {
    local mirror=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
        mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++)
                 if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${mirror:-http://deb.debian.org/debian}"
}

# A minimal Debian 12 root file system imported as BASE_IMAGE; made once per machine.
make_base_image() {
    if podman image exists "$BASE_IMAGE"; then
        return
    fi
    local mirror
    mirror=$(apt_mirror)
    rootfs=$(mktemp -d)
    log "creating $BASE_IMAGE with debootstrap from $mirror"
    "${sudo[@]}" debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    # Same apt sources as this machine (updates and security included) when it has them.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        "${sudo[@]}" cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
        "${sudo[@]}" rm -f "$rootfs/etc/apt/sources.list"
    fi
    # Like the official slim images: no documentation, manuals or translations, and no
    # downloaded packages left behind.
    "${sudo[@]}" tee "$rootfs/etc/dpkg/dpkg.cfg.d/slim" >/dev/null <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
    "${sudo[@]}" tee "$rootfs/etc/apt/apt.conf.d/slim" >/dev/null <<'EOF'
APT::Install-Recommends "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    "${sudo[@]}" find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    "${sudo[@]}" rm -rf "$rootfs"/usr/share/{man,info,locale,lintian}/* \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    "${sudo[@]}" tar -C "$rootfs" -c . | podman import - "$BASE_IMAGE" >/dev/null
    "${sudo[@]}" rm -rf "$rootfs"
    rootfs=""
    log "$BASE_IMAGE created"
}

build() {
    install_tools
    make_base_image
    local args=()
    [ -n "${JOBS:-}" ] && args+=(--build-arg "JOBS=$JOBS")
    # The docker image format keeps HEALTHCHECK (OCI image configs have no field for it).
    podman build --format docker "${ULIMITS[@]}" --network=host \
        --build-arg "BASE=$BASE_IMAGE" "${args[@]}" \
        -f docker/Dockerfile -t "$IMAGE" .
    log "built $IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE" |
        awk '{ printf "%.1f MB", $1 / 1e6 }'))"
}


fail() {
    log "$*"
    if [ -n "$cid" ]; then
        echo "----- container logs -----" >&2
        podman logs "$cid" >&2 2>&1 || true
        echo "--------------------------" >&2
    fi
    echo "FAIL"
    exit 1
}

smoke_test() {
    # A separate process, so that `set -e` still applies inside the build.
    "$0" build || fail "image build failed"
    # Podman picks a free host port; it is read back below. Without systemd Podman cannot
    # schedule the HEALTHCHECK (it says so; that message is dropped): it runs once at the end.
    cid=$(podman run -d "${ULIMITS[@]}" -p 127.0.0.1::8080 "$IMAGE" \
        2> >(grep -v 'systemd connection' >&2)) || fail "container did not start"
    local addr
    addr=$(podman port "$cid" 8080/tcp | head -n 1)
    [ -n "$addr" ] || fail "no published port"
    log "container ${cid:0:12} on $addr"

    local deadline=$((SECONDS + 30))
    until curl -fsS -o /dev/null --max-time 2 "http://$addr/health/live" 2>/dev/null; do
        [ "$(podman inspect --format '{{.State.Running}}' "$cid")" = true ] ||
            fail "container exited"
        [ $SECONDS -lt $deadline ] || fail "/health/live did not answer within 30 s"
        sleep 0.5
    done
    log "/health/live answers"

    local body
    body=$(curl -sS --max-time 10 "http://$addr/api/v1/chat/completions" \
        -H 'Content-Type: application/json' \
        -d '{"model":"test/test-model","messages":[{"role":"user","content":"hi"}]}') ||
        fail "chat completion request failed"
    printf '%s' "$body" | python3 -c '
import json, sys
content = json.load(sys.stdin)["choices"][0]["message"]["content"]
assert isinstance(content, str) and content, "empty content"
print("image: answer:", content, file=sys.stderr)
' || fail "unexpected chat completion answer: $body"

    podman healthcheck run "$cid" >/dev/null || fail "the image's HEALTHCHECK failed"
    log "HEALTHCHECK passes"
    echo "PASS"
}

case "${1:-}" in
    build) build ;;
    test) smoke_test ;;
    *)
        echo "usage: $0 build|test" >&2
        exit 2
        ;;
esac
