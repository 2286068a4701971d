#!/usr/bin/env bash
# Build the stand-in vllm-ascend images, one per release and node type, with the real tags:
#   <repository>:v0.17.0rc1  <repository>:v0.17.0rc1-a3  <repository>:v0.18.0rc1  <repository>:v0.18.0rc1-a3
# and <repository>:v0.18.0rc1-never-ready, which starts but never becomes healthy (the rollback test).
#
# usage: build.sh TARGET [DOCKER]
#   TARGET   an image repository ending in /vllm-ascend (ascend-testbed/vllm-ascend), or a registry
#            prefix to which /ascend/vllm-ascend is added (172.31.240.2:5000 -> 172.31.240.2:5000/ascend/vllm-ascend)
#   DOCKER   the docker client to use (default: $DOCKER, else docker)
# Needs ascend-testbed/base:bookworm on that engine. The image build itself is offline: the download
# clients of clients.txt are fetched as wheels on this host first (PyPI, or pip's configured index),
# into $ASCEND_TESTBED_CACHE/wheels (default <repo>/.cache/testbed/wheels), once per clients.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -lt 1 ]; then
    sed -n '2,10p' "$0" >&2
    exit 64
fi
target="${1%/}"
docker="${2:-${DOCKER:-docker}}"
case "$target" in
    */vllm-ascend | vllm-ascend) repository="$target" ;;
    *) repository="$target/ascend/vllm-ascend" ;;
esac

# Wheels for Debian bookworm's python3 (CPython 3.11) on this machine's architecture, whatever Python
# runs pip here. PIP_PYTHON picks the interpreter whose pip downloads (default: python3 on PATH).
cache="${ASCEND_TESTBED_CACHE:-$(cd "$here/../../../.." && pwd)/.cache/testbed}"
wheels="$cache/wheels"
clients_sum=$(sha256sum <"$here/clients.txt" | cut -d' ' -f1)
if [ "$(cat "$wheels/.clients.sha256" 2>/dev/null)" != "$clients_sum" ]; then
    arch=$(uname -m)
    rm -rf "$wheels" && mkdir -p "$wheels"
    "${PIP_PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check --dest "$wheels" \
        --only-binary=:all: --python-version 3.11 --implementation cp \
        --platform "manylinux_2_28_$arch" --platform "manylinux_2_17_$arch" --platform "manylinux2014_$arch" \
        --platform any -r "$here/clients.txt" pip==26.3 2>&1 | { grep -v '^WARNING: Location' >&2 || true; }
    cp "$here/clients.txt" "$wheels/clients.txt"
    echo "$clients_sum" >"$wheels/.clients.sha256"
fi

# docker build gets a copy of this directory plus the wheels as its context.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp -a "$here/." "$context/"
cp -a "$wheels" "$context/wheels"
# The answer key of the gsm8k sample (VLLM_STANDIN_ANSWER_KEY), for the accuracy tests' known score.
cp "$here/../../data/gsm8k/answer_key.json" "$context/gsm8k-answer-key.json"

# vllm-ascend v0.X.0rc1 is built on vLLM 0.X.0; -a3 is the Atlas A3 variant of the same release.
releases=("v0.17.0rc1 0.17.0" "v0.18.0rc1 0.18.0")
variants=("" "a3")

for release in "${releases[@]}"; do
    read -r ascend_tag vllm_version <<<"$release"
    [ -f "$here/flags/vllm-$vllm_version.json" ] || { echo "missing flags/vllm-$vllm_version.json" >&2; exit 1; }
    for variant in "${variants[@]}"; do
        tag="$ascend_tag${variant:+-$variant}"
        "$docker" build --quiet \
            --build-arg "VLLM_VERSION=$vllm_version" \
            --build-arg "VARIANT=$variant" \
            --build-arg "IMAGE_TAG=$tag" \
            --tag "$repository:$tag" \
            "$context" >/dev/null
        echo "$repository:$tag"
    done
done

# An image that starts and never becomes healthy: a rolling change to it must roll back.
"$docker" build --quiet \
    --build-arg "VLLM_VERSION=0.18.0" \
    --build-arg "VARIANT=" \
    --build-arg "IMAGE_TAG=v0.18.0rc1-never-ready" \
    --build-arg "NEVER_READY=1" \
    --tag "$repository:v0.18.0rc1-never-ready" \
    "$context" >/dev/null
echo "$repository:v0.18.0rc1-never-ready"
