#!/usr/bin/env bash
# Installer run by the emulated Ascend HDK driver / firmware .run packages after makeself extracts them.
# Installed again as <component>/script/uninstall.sh, where it only uninstalls.
#
# Options, messages, log formats, /etc/ascend_install.info keys and exit codes follow Huawei's
# open-sourced driver install script and install captures quoted in public issues (see README.md).
# ASCEND_EMULATOR_ROOT prefixes every absolute path touched, so tests can install into a temp dir.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# package.info sets COMPONENT (driver|firmware) and TAG (Driver|Firmware), written by build-packages.sh.
# shellcheck source=/dev/null
. "$here/package.info"

readonly root="${ASCEND_EMULATOR_ROOT:-}"
readonly install_path=/usr/local/Ascend
readonly component_dir="$root$install_path/$COMPONENT"
readonly info_file="$root/etc/ascend_install.info"
readonly seclog=/var/log/ascend_seclog
readonly log_file="$root$seclog/ascend_install.log"
readonly operation_log="$root$seclog/operation.log"
readonly hardware_json="$root/etc/ascend-emulator/hardware.json"
readonly manifest="$component_dir/script/filelist"
readonly tmpfiles_rule=/etc/tmpfiles.d/ascend-davinci.conf

runfile="$(basename "${MS_BUNDLE:-$0}")"
start_time="$(date '+%Y-%m-%d %H:%M:%S')"
operation=""
cmdlist="$*"

now() { date '+%Y-%m-%d %H:%M:%S'; }
say() { echo -e "[$TAG] [$(now)] $1"; }
# The log file gets the text without the colour codes the console shows.
log() { echo -e "[$TAG] [$(now)] $1" | sed 's/\x1b\[[0-9;]*m//g' >>"$log_file"; }
say_log() { say "$1"; log "$1"; }
finish() { say_log "[INFO]End time: $(now)"; exit "$1"; }

record_operation() {
    local result=$1 level=UNKNOWN extra="install_type=full; "
    case $operation in
        Install) level=SUGGESTION ;;
        Upgrade) level=MINOR extra="" ;;
        Uninstall) level=MAJOR extra="" ;;
        *) return 0 ;;
    esac
    echo "$operation $level root $start_time 127.0.0.1 $runfile $result ${extra}cmdlist=$cmdlist." >>"$operation_log"
}

fail() {
    say_log "[ERROR]$1"
    record_operation failed
    finish 1
}

info_get() {
    [ -f "$info_file" ] || return 0
    sed -n "s/^$1=//p" "$info_file" | tail -n 1
}

info_set() {
    touch "$info_file"
    chmod 644 "$info_file"
    if grep -q "^$1=" "$info_file"; then
        sed -i "s|^$1=.*|$1=$2|" "$info_file"
    else
        echo "$1=$2" >>"$info_file"
    fi
}

hardware() {
    [ -f "$hardware_json" ] || return 0
    python3 -c 'import json, sys; v = json.load(open(sys.argv[1])).get(sys.argv[2], ""); print(str(v).lower() if isinstance(v, bool) else v)' \
        "$hardware_json" "$1"
}

version_of() {
    [ -f "$1" ] || return 0
    sed -n 's/^Version=//p' "$1"
}

is_installed() {
    [ -n "$(info_get "${TAG}_Install_Path_Param")" ] && [ -f "$component_dir/version.info" ]
}

# The real scripts loop on input errors; an answer that never comes (no tty) fails instead of hanging.
ask_to_continue() {
    local answer
    while read -r answer; do
        case $answer in
            y) return 0 ;;
            n) say "[INFO]Stop installation!"; finish 0 ;;
            *) say "[ERROR]ERR_NO:0x0002;ERR_DES:input error, please input again!" ;;
        esac
    done
    fail "ERR_NO:0x0002;ERR_DES:input error, no answer was given"
}

user_exists() { cut -d: -f1 "$root/etc/passwd" 2>/dev/null | grep -qx "$1"; }
group_exists() { cut -d: -f1 "$root/etc/group" 2>/dev/null | grep -qx "$1"; }

user_in_group() {
    local user=$1 group=$2 user_gid group_gid members
    user_gid="$(awk -F: -v u="$user" '$1 == u {print $4}' "$root/etc/passwd")"
    group_gid="$(awk -F: -v g="$group" '$1 == g {print $3}' "$root/etc/group")"
    members="$(awk -F: -v g="$group" '$1 == g {print $4}' "$root/etc/group")"
    [ "$user_gid" = "$group_gid" ] || [[ ",$members," == *",$user,"* ]]
}

check_user_and_group() {
    user_exists "$username" || fail "ERR_NO:0x0091;ERR_DES:${username} not exists! Please add ${username}"
    group_exists "$usergroup" || fail "ERR_NO:0x0091;ERR_DES:${usergroup} group not exists! Please add ${usergroup} group"
    user_in_group "$username" "$usergroup" ||
        fail "ERR_NO:0x0096;ERR_DES:${usergroup} not right! Please check the relatianship of ${username} and ${usergroup}"
    if [ "$COMPONENT" = driver ]; then
        say_log "[INFO]set username and usergroup, ${username}:${usergroup}"
    fi
}

make_device_node() {
    local path="$root$1"
    mkdir -p "$(dirname "$path")"
    rm -f "$path"
    # 1:3 is the only char device the node containers' device cgroup allows.
    if ! mknod -m 666 "$path" c 1 3 2>/dev/null; then
        [ -n "$root" ] || fail "ERR_NO:0x0001;ERR_DES:failed to create device node $1"
        : >"$path" && chmod 666 "$path"
    fi
    echo "$1" >>"$manifest"
}

create_device_nodes() {
    local count=$1 index rule="$root$tmpfiles_rule" name
    [ "$count" -gt 0 ] || return 0
    mkdir -p "$(dirname "$rule")"
    : >"$rule"
    for ((index = 0; index < count; index++)); do
        make_device_node "/dev/davinci$index"
        echo "c! /dev/davinci$index 0666 root root - 1:3" >>"$rule"
    done
    for name in davinci_manager devmm_svm hisi_hdc; do
        make_device_node "/dev/$name"
        echo "c! /dev/$name 0666 root root - 1:3" >>"$rule"
    done
    echo "$tmpfiles_rule" >>"$manifest"
}

copy_payload() {
    local file
    mkdir -p "$component_dir/script"
    : >"$manifest"
    [ ! -d "$here/files" ] || (cd "$here/files" && find . -type f | sed 's|^\.||') | while read -r file; do
        install -D -m "$(stat -c %a "$here/files$file")" "$here/files$file" "$root$file"
        echo "$file" >>"$manifest"
    done
    install -m 644 "$here/version.info" "$component_dir/version.info"
    install -m 550 "$here/install.sh" "$component_dir/script/uninstall.sh"
    install -m 440 "$here/package.info" "$component_dir/script/package.info"
    printf '%s\n' "$install_path/$COMPONENT/version.info" "$install_path/$COMPONENT/script/uninstall.sh" \
        "$install_path/$COMPONENT/script/package.info" >>"$manifest"
}

# Keeps shared system directories (/dev, /usr/local/bin, /etc/tmpfiles.d) even when they end up empty.
prune_empty_dirs() {
    local dir
    sort -ru | while read -r dir; do
        while [[ $dir == "$install_path"* || $dir == /usr/local/dcmi* ]] && [ -d "$root$dir" ]; do
            rmdir "$root$dir" 2>/dev/null || break
            dir="$(dirname "$dir")"
        done
    done
}

remove_installed_files() {
    local file dirs
    [ -f "$manifest" ] || return 0
    dirs="$(while read -r file; do
        rm -f "$root$file"
        dirname "$file"
    done <"$manifest")"
    rm -f "$manifest"
    printf '%s\n' "$dirs" "$install_path/$COMPONENT/script" | prune_empty_dirs
    sed -i "/^${TAG}_/d" "$info_file"
    grep -qi Install_Path_Param "$info_file" || rm -f "$info_file"
}

progress() {
    local percent
    for percent in "$@"; do
        if [ "$COMPONENT" = driver ]; then say_log "[INFO]upgradePercentage:${percent}%"; else say_log "[INFO]upgradePercentage: ${percent}%"; fi
    done
}

install_component() {
    local verb=$1 chips
    chips="$(hardware npu_count)"
    [ "$COMPONENT" = driver ] && say_log "[INFO]driver install type: Direct"
    progress 10
    copy_payload
    progress 30 40
    if [ "$COMPONENT" = driver ]; then
        create_device_nodes "${chips:-0}"
        info_set UserName "$username"
        info_set UserGroup "$usergroup"
        info_set Driver_Install_Type full
        info_set Driver_Install_Path_Param "$install_path"
        info_set Driver_Install_For_All "$install_for_all"
        info_set Driver_Install_Mode normal
        info_set Driver_Install_Status complete
    else
        info_set UserName "$username"
        info_set UserGroup "$usergroup"
        info_set Firmware_Install_Type full
        info_set Firmware_Install_Path_Param "$install_path"
    fi
    progress 90 100
    operation=$verb
    record_operation success
    local done_word="installed"
    [ "$verb" = Upgrade ] && done_word="upgraded"
    if [ "$COMPONENT" = driver ]; then
        say_log "[INFO]\033[32mDriver package ${done_word} successfully! \033[0m\033[31mReboot needed for installation/upgrade to take effect! \033[0m"
        # Real driver packages exit 2 when the install worked but the devices were not hot-reset (reboot needed).
        finish 2
    fi
    say_log "[INFO]The firmware of [${chips}] chips are successfully upgraded."
    say_log "[INFO]Firmware package ${done_word} successfully! Reboot now or after driver installation for the installation/upgrade to take effect."
    finish 0
}

uninstall_component() {
    operation=Uninstall
    is_installed || fail "ERR_NO:0x0080;ERR_DES:${TAG} package is not installed on this device, uninstall failed"
    remove_installed_files
    record_operation success
    if [ "$COMPONENT" = driver ]; then
        say_log "[INFO]Driver package uninstalled successfully! Reboot needed for uninstallation to take effect!"
    else
        say_log "[INFO]Firmware package uninstalled successfully! Uninstallation takes effect immediately."
    fi
    finish 0
}

# No real capture shows these firmware refusals; their wording is ours, in the real format.
check_firmware_preconditions() {
    if [ -z "$(info_get Driver_Install_Path_Param)" ] || [ ! -f "$root$install_path/driver/version.info" ]; then
        fail "ERR_NO:0x0081;ERR_DES:Driver package is not installed on this device, install the driver package first"
    fi
    [ "$(hardware physical)" != false ] ||
        fail "ERR_NO:0x0097;ERR_DES:The firmware package can be installed only on a physical machine, not on a virtual machine"
    [ "$(hardware npu_count)" -gt 0 ] 2>/dev/null ||
        fail "ERR_NO:0x0098;ERR_DES:There is no chip matching the firmware package"
}

check_driver_preconditions() {
    if ! [ "$(hardware npu_count)" -gt 0 ] 2>/dev/null; then
        say_log "[WARNING]\033[33mThere is no chip matching the driver package.\033[0m"
        if [ "$quiet" = n ]; then
            say "[INFO]You are going to install a driver package which does not have a matching chip in the environment, do you want to continue? [y/n]"
            ask_to_continue
        fi
    fi
}

full=n upgrade=n uninstall=n quiet=n version=n install_for_all=no
username=HwHiAiUser usergroup=HwHiAiUser user_given=n group_given=n
[ "$(basename "$0")" = uninstall.sh ] && uninstall=y
[ $# -gt 0 ] || [ $uninstall = y ] || {
    say "[ERROR]ERR_NO:0x0004;ERR_DES: Unrecognized parameters. Try './xxx.run --help' for more information."
    exit 1
}

mkdir -p "$root$seclog"
chmod 750 "$root$seclog"
touch "$log_file" "$operation_log"
chmod 640 "$log_file" "$operation_log"
say_log "[INFO]Start time: $start_time"
say "[INFO]LogFile: $seclog/ascend_install.log"
say "[INFO]OperationLogFile: $seclog/operation.log"
log "[INFO]UserCommand: $runfile $cmdlist"
if is_installed; then
    say_log "[INFO]base version is $(version_of "$component_dir/version.info")."
fi

for arg in "$@"; do
    case $arg in
        --full) full=y ;;
        --upgrade) upgrade=y ;;
        --uninstall | --force) uninstall=y ;;
        --quiet) quiet=y ;;
        --nox11) ;;
        --version) version=y ;;
        --install-for-all) install_for_all=yes ;;
        --install-username=*) username=${arg#*=} user_given=y ;;
        --install-usergroup=*) usergroup=${arg#*=} group_given=y ;;
        --install-path=*)
            [ "${arg#*=}" = "$install_path" ] || fail "ERR_NO:0x0003;ERR_DES:the emulated package installs only to $install_path"
            ;;
        *)
            say "[ERROR]ERR_NO:0x0004;ERR_DES: Unrecognized parameters: ${arg}. Try './xxx.run --help' for more information."
            finish 1
            ;;
    esac
done

if [ "$version" = y ]; then
    say "[INFO]${COMPONENT} version :$(version_of "$here/version.info")"
    finish 0
fi
modes=0
for mode in $full $upgrade $uninstall; do
    if [ "$mode" = y ]; then modes=$((modes + 1)); fi
done
[ "$modes" -le 1 ] || fail "ERR_NO:0x0004;ERR_DES:only support one type: full/upgrade/uninstall, operation failed!"
[ "$modes" -eq 1 ] || fail "ERR_NO:0x0004;ERR_DES:param need used with full/run/docker/upgrade/devel."
[ "$uninstall" = n ] || uninstall_component
if [ "$upgrade" = y ]; then operation=Upgrade; else operation=Install; fi

say_log "[WARNING]\033[33mDo not power off or restart the system during the installation/upgrade\033[0m"
[ "$user_given" = "$group_given" ] || fail "ERR_NO:0x0004;ERR_DES:Username and usergroup are not specified at the same time."
[ "$user_given" = n ] || [ "$upgrade" = n ] ||
    fail "ERR_NO:0x0004;ERR_DES:install-username and install-usergroup params need used with full/run/docker/devel."
if [ "$user_given" = n ]; then
    username="$(info_get UserName)"
    usergroup="$(info_get UserGroup)"
    username=${username:-HwHiAiUser} usergroup=${usergroup:-HwHiAiUser}
fi
[ "$username" != root ] || [ "$install_for_all" = yes ] || fail "ERR_NO:0x0091;ERR_DES:username not permission for root"
[ -n "$root" ] || [ "$(id -u)" -eq 0 ] ||
    fail "ERR_NO:0x0093;ERR_DES:do not have root permission, operation failed, please use root permission!"
check_user_and_group
if [ "$COMPONENT" = driver ]; then check_driver_preconditions; else check_firmware_preconditions; fi

if is_installed; then
    if [ "$full" = y ] && [ "$quiet" = n ]; then
        say "[INFO]${TAG} package has been installed on the path $install_path, the version is $(version_of "$component_dir/version.info"), and the version of this package is $(version_of "$here/version.info"),do you want to continue?  [y/n] "
        ask_to_continue
    fi
    # An upgrade keeps the earlier --install-for-all choice, as the real script does.
    previous_for_all="$(info_get Driver_Install_For_All)"
    if [ "$upgrade" = y ] && [ "$install_for_all" = no ] && [ -n "$previous_for_all" ]; then install_for_all=$previous_for_all; fi
    remove_installed_files
    if [ "$upgrade" = y ]; then install_component Upgrade; fi
fi
# Like the real driver script, --upgrade on a node without the component installs it.
install_component Install
