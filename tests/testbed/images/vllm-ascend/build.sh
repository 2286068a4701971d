#!/usr/bin/env bash
# Build the stand-in vllm-ascend images, one per release and node type, with the real tags:
#   <repository>:v0.17.0rc1  <repository>:v0.17.0rc1-a3  <repository>:v0.18.0rc1  <repository>:v0.18.0rc1-a3
#
# usage: build.sh TARGET [DOCKER]
#   TARGET   an image repository ending in /vllm-ascend (ascend-testbed/vllm-ascend), or a registry
#            prefix to which /ascend/vllm-ascend is added (172.31.240.2:5000 -> 172.31.240.2:5000/ascend/vllm-ascend)
#   DOCKER   the docker client to use (default: $DOCKER, else docker)
# Needs ascend-testbed/base:bookworm on that engine; nothing is downloaded.
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
            "$here" >/dev/null
        echo "$repository:$tag"
    done
done
