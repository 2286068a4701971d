#!/usr/bin/env bash
# Builds the emulated MindCluster NPU exporter package: a zip named like Huawei's
# (Ascend-mindxdl-npu-exporter_<version>_linux-<arch>.zip) holding the npu-exporter
# binary (the emulated one: tests/testbed/emulator/npu-exporter) and its
# systemd-free run notes, as a user downloads it for an offline site.
#
# usage: build-exporter-package.sh VERSION [ARCH] [OUTPUT_DIR]
#   ARCH defaults to `uname -m`; OUTPUT_DIR to "."
# Prints the package path. ASCEND_EMULATOR_SRC overrides where the emulated tools are taken from.
set -euo pipefail

usage() {
    sed -n '7,8s/^# \{0,1\}//p' "$0" >&2
    exit 64
}

[ $# -ge 1 ] || usage
version=$1 arch=${2:-$(uname -m)} output_dir=${3:-.}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
emulator_dir="${ASCEND_EMULATOR_SRC:-$here/../emulator}"
[[ $version =~ ^[0-9A-Za-z][0-9A-Za-z.]*$ ]] || usage
case $arch in
    x86_64 | x86-64 | amd64) arch_tag=x86_64 ;;
    aarch64 | arm64) arch_tag=aarch64 ;;
    *) echo "unsupported architecture '$arch'" >&2 && exit 64 ;;
esac
[ -x "$emulator_dir/npu-exporter" ] || { echo "no emulated npu-exporter in $emulator_dir" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
install -m 755 "$emulator_dir/npu-exporter" "$work/npu-exporter"
cat >"$work/README.txt" <<NOTES
npu-exporter $version ($arch_tag), emulated for the ascend_ops.vllm test bed.
Run: npu-exporter -ip=<node address> -port=8082
NOTES
mkdir -p "$output_dir"
package="$(cd "$output_dir" && pwd)/Ascend-mindxdl-npu-exporter_${version}_linux-${arch_tag}.zip"
rm -f "$package"
# -X: no extra attributes, so the same input gives the same archive.
(cd "$work" && touch -d @0 npu-exporter README.txt && zip -qX "$package" npu-exporter README.txt)
echo "$package"
