#!/usr/bin/env bash
# Builds the emulated NPU driver and firmware packages: real makeself .run archives named and labelled
# like Huawei's, whose payload (payload/install.sh) installs the emulated driver files and device nodes.
#
# usage: build-packages.sh DRIVER_VERSION FIRMWARE_VERSION CHIP [ARCH] [OUTPUT_DIR]
#   CHIP: 910b (Atlas 800 A2) or a3 (Atlas 800 A3); ARCH defaults to `uname -m`; OUTPUT_DIR to "."
# Prints the two package paths. ASCEND_EMULATOR_SRC overrides where the emulated tools are taken from.
set -euo pipefail

usage() {
    sed -n '5,7s/^# \{0,1\}//p' "$0" >&2
    exit 64
}

[ $# -ge 3 ] || usage
driver_version=$1 firmware_version=$2 chip=${3,,} arch=${4:-$(uname -m)} output_dir=${5:-.}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
emulator_dir="${ASCEND_EMULATOR_SRC:-$here/../emulator}"
version_pattern='^[0-9A-Za-z][0-9A-Za-z.]*$'
[[ $driver_version =~ $version_pattern && $firmware_version =~ $version_pattern ]] || usage

# Real names: Ascend-hdk-910b-npu-driver_<v>_linux-<arch>.run (A2), Atlas-A3-hdk-npu-driver_<v>_linux-<arch>.run (A3).
case $chip in
    910b) prefix=Ascend-hdk-910b-npu firmware_label="ASCEND-HDK-910B-NPU FIRMWARE RUN PACKAGE" ;;
    a3) prefix=Atlas-A3-hdk-npu firmware_label="ATLAS-A3-HDK-NPU FIRMWARE RUN PACKAGE" ;;
    *) echo "unknown chip '$3': use 910b (Atlas 800 A2) or a3 (Atlas 800 A3)" >&2 && exit 64 ;;
esac
# Huawei's download links spell the x86 architecture x86-64.
case $arch in
    x86_64 | x86-64) arch_tag=x86-64 ;;
    aarch64 | arm64) arch_tag=aarch64 ;;
    *) echo "unsupported architecture '$arch'" >&2 && exit 64 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Huawei's makeself header hands options it does not know (--full, --upgrade ...) and --quiet to the
# install script; Debian's header rejects them. These edits give Debian's header the same behaviour.
# shellcheck disable=SC2016  # the $ signs belong to the generated header, not to this script
makeself_header() {
    sed -e 's/^initargs="\\\$@"$/&\npassargs=/' \
        -e 's/^\techo Unrecognized flag : "\\\$1" >&2$/\tpassargs="\\$passargs \\$1"; shift; continue/' \
        -e '/^    -q | --quiet)$/,/;;/ s/^\tquiet=y$/\tquiet=y; passargs="\\$passargs --quiet"/' \
        -e '/eval "\\"\\\$script\\"/ s/ \\\$scriptargs / \\$scriptargs \\$passargs /' \
        /usr/share/makeself/makeself-header.sh >"$work/header.sh"
    [ "$(grep -c passargs "$work/header.sh")" -eq 5 ] || {
        echo "unexpected makeself header layout: cannot make it pass options to the install script" >&2
        exit 1
    }
}

placeholder_tool() {
    install -D -m 755 /dev/stdin "$1" <<'EOF'
#!/bin/sh
echo "dcmi module initialize failed. ret is -8005" >&2
exit 1
EOF
}

driver_payload() {
    local files="$1/files" ascend="$1/files/usr/local/Ascend/driver" lib
    mkdir -p "$ascend/tools" "$ascend/lib64/emulator" "$files/usr/local/bin" "$files/usr/local/dcmi"
    # Placeholders for the libraries serving containers load through the lib64/ mount.
    for lib in driver/libascend_hal.so driver/libdrvdsmi_host.so driver/libdcmi.so common/libc_sec.so common/libmmpa.so; do
        install -D -m 644 /dev/null "$ascend/lib64/$lib"
    done
    install -m 644 /dev/null "$files/usr/local/dcmi/libdcmi.so"
    install -m 644 /dev/null "$files/usr/local/dcmi/dcmi_interface_api.h"
    if [ -x "$emulator_dir/npu-smi" ] && [ -x "$emulator_dir/hccn_tool" ]; then
        (cd "$emulator_dir" && find . -path ./tests -prune -o -name __pycache__ -prune -o -type f -print |
            while read -r file; do install -D -m "$(stat -c %a "$file")" "$file" "$ascend/lib64/emulator/$file"; done)
        install -m 755 "$emulator_dir/npu-smi" "$files/usr/local/bin/npu-smi"
        install -m 755 "$emulator_dir/hccn_tool" "$ascend/tools/hccn_tool"
    else
        echo "warning: no emulated npu-smi/hccn_tool in $emulator_dir: the driver package carries placeholders" >&2
        placeholder_tool "$files/usr/local/bin/npu-smi"
        placeholder_tool "$ascend/tools/hccn_tool"
    fi
    cat >"$1/version.info" <<EOF
Version=$driver_version
ascendhal_version=7.35.23
aicpu_version=1.0
tdt_version=1.0
log_version=1.0
prof_version=2.0
dvppkernels_version=1.1
tsfw_version=1.0
Innerversion=V100R001C23SPC002B212
compatible_version=[V100R001C19],[V100R001C20],[V100R001C21],[V100R001C22],[V100R001C23]
compatible_version_fw=[7.0.0,7.7.99]
package_version=$driver_version
EOF
}

firmware_payload() {
    mkdir -p "$1/files"
    # compatible_version_drv lists driver release lines as [x.y,x.y.] ranges, like the real file.
    local driver_line
    driver_line="$(cut -d. -f1-2 <<<"$driver_version")"
    cat >"$1/version.info" <<EOF
Version=$firmware_version
firmware_version=1.0
package_version=$driver_version
compatible_version_drv=[$driver_line,$driver_line.]
EOF
}

build() {
    local component=$1 tag=$2 label=$3 name=$4 payload="$work/$1"
    mkdir -p "$payload"
    "${component}_payload" "$payload"
    install -m 755 "$here/payload/install.sh" "$payload/install.sh"
    printf 'COMPONENT=%s\nTAG=%s\n' "$component" "$tag" >"$payload/package.info"
    makeself --quiet --header "$work/header.sh" --sha256 --nomd5 --nocrc --nox11 --export-conf \
        "$payload" "$output_dir/$name" "$label" ./install.sh >&2
    echo "$output_dir/$name"
}

mkdir -p "$output_dir"
output_dir="$(cd "$output_dir" && pwd)"
makeself_header
build driver Driver "ASCEND DRIVER RUN PACKAGE" "${prefix}-driver_${driver_version}_linux-${arch_tag}.run"
build firmware Firmware "$firmware_label" "${prefix}-firmware_${firmware_version}.run"
