#!/usr/bin/env bash
# One Python environment that can build the real vLLM argument parser on a CPU-only machine,
# for several vLLM releases at once: the shared import dependencies live in the venv, and each
# release is unpacked with --no-deps into <env>/vllm-<version> (selected later through PYTHONPATH).
# vLLM's own requirements are never resolved: they pin a CUDA torch of several GB.
#
# usage: setup-env.sh [ENV_DIR] [VLLM_VERSION...]
#   ENV_DIR        default: <repo>/.cache/vllm-parser (or $VLLM_PARSER_ENV)
#   VLLM_VERSION   default: 0.17.0 0.18.0 (the releases vllm-ascend v0.17.0rc1 / v0.18.0rc1 build on)
# Re-running is cheap: finished steps are skipped.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../../.." && pwd)"
env_dir="${1:-${VLLM_PARSER_ENV:-$repo_root/.cache/vllm-parser}}"
shift || true
versions=("$@")
if [ "${#versions[@]}" -eq 0 ]; then
    versions=(0.17.0 0.18.0)
fi
python="${PYTHON:-python3}"

log() { printf '[vllm-parser %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
started=$SECONDS

requirements_stamp="$env_dir/.requirements.sha256"
wanted_stamp="$(cat "$here/requirements.txt" "$here/requirements-nodeps.txt" | sha256sum | cut -d' ' -f1)"

if [ ! -x "$env_dir/bin/python" ]; then
    log "creating venv $env_dir with $("$python" --version)"
    mkdir -p "$(dirname "$env_dir")"
    "$python" -m venv "$env_dir"
fi

if [ "$(cat "$requirements_stamp" 2>/dev/null)" != "$wanted_stamp" ]; then
    log "installing the import dependencies (torch CPU wheel and the pinned list)"
    "$env_dir/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    "$env_dir/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$here/requirements-nodeps.txt"
    echo "$wanted_stamp" >"$requirements_stamp"
fi

for version in "${versions[@]}"; do
    target="$env_dir/vllm-$version"
    if [ -f "$target/.complete" ]; then
        log "vllm $version already in $target"
        continue
    fi
    log "installing vllm==$version (no dependencies) into $target"
    rm -rf "$target"
    "$env_dir/bin/pip" install --quiet --disable-pip-version-check --no-deps --target "$target" "vllm==$version"
    touch "$target/.complete"
done

log "ready in $((SECONDS - started)) s: $(du -sh "$env_dir" 2>/dev/null | cut -f1) at $env_dir"
