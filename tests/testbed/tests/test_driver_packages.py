# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Behaviour of the emulated NPU driver and firmware .run packages (tests/testbed/driver).

Each test builds real makeself packages with build-packages.sh and runs them against a scratch
node root (ASCEND_EMULATOR_ROOT), so nothing on the machine running the tests is touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

BUILDER = Path(__file__).resolve().parents[1] / "driver" / "build-packages.sh"
OLD_DRIVER, NEW_DRIVER = "24.1.rc3", "25.0.rc1.1"
OLD_FIRMWARE, NEW_FIRMWARE = "7.5.0.1.129", "7.7.0.1.231"
REBOOT_NEEDED_EXIT = 2
LOG_LINE = re.compile(r"^\[(Driver|Firmware)\] \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[(INFO|WARNING|ERROR)\]")

pytestmark = pytest.mark.skipif(shutil.which("makeself") is None, reason="Debian's makeself is not installed")


@dataclass(frozen=True)
class Packages:
    driver: Path
    firmware: Path


def build(out_dir: Path, driver_version: str, firmware_version: str, chip: str = "910b", emulator: Path | None = None) -> Packages:
    env = {**os.environ, "ASCEND_EMULATOR_SRC": str(emulator)} if emulator else None
    result = subprocess.run(
        ["bash", str(BUILDER), driver_version, firmware_version, chip, "x86_64", str(out_dir)],
        check=True, capture_output=True, text=True, env=env,
    )
    driver, firmware = (Path(line) for line in result.stdout.split())
    return Packages(driver, firmware)


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    return build(tmp_path_factory.mktemp("old"), OLD_DRIVER, OLD_FIRMWARE)


@pytest.fixture(scope="module")
def new(tmp_path_factory: pytest.TempPathFactory) -> Packages:
    return build(tmp_path_factory.mktemp("new"), NEW_DRIVER, NEW_FIRMWARE)


@dataclass
class Node:
    root: Path

    def write_hardware(self, npu_count: int = 8, physical: bool = True, node_type: str = "atlas_800_a2") -> None:
        path = self.root / "etc/ascend-emulator/hardware.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"node_type": node_type, "npu_count": npu_count, "physical": physical}))

    def write_accounts(self, user: bool = True, group: bool = True) -> None:
        passwd = ["root:x:0:0:root:/root:/bin/bash"] + (["HwHiAiUser:x:1000:1000::/home/HwHiAiUser:/bin/bash"] if user else [])
        groups = ["root:x:0:"] + (["HwHiAiUser:x:1000:"] if group else [])
        (self.root / "etc/passwd").write_text("\n".join(passwd) + "\n")
        (self.root / "etc/group").write_text("\n".join(groups) + "\n")

    def run(self, package: Path, *args: str, answer: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(package), *args], input=answer if answer is not None else "",
            capture_output=True, text=True, check=False, timeout=60,
            env={**os.environ, "ASCEND_EMULATOR_ROOT": str(self.root)},
        )

    def path(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    def key_values(self, absolute: str) -> dict[str, str]:
        lines = self.path(absolute).read_text().splitlines()
        assert all(re.fullmatch(r"[A-Za-z_]+=\S*", line) for line in lines if line), lines
        return dict(line.split("=", 1) for line in lines if line)

    def install_log(self) -> list[str]:
        lines = self.path("/var/log/ascend_seclog/ascend_install.log").read_text().splitlines()
        assert all(LOG_LINE.match(line) for line in lines), lines
        return lines

    def operations(self) -> list[tuple[str, str, str]]:
        """(operation, package file, result) per line of operation.log, in order."""
        text = self.path("/var/log/ascend_seclog/operation.log").read_text()
        return [(fields[0], fields[6], fields[7]) for fields in (line.split() for line in text.splitlines())]

    def files(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if not p.is_dir()}


@pytest.fixture
def node(tmp_path: Path) -> Node:
    fresh = Node(tmp_path / "node")
    (fresh.root / "etc").mkdir(parents=True)
    fresh.write_accounts()
    fresh.write_hardware()
    return fresh


def installed_versions(node: Node) -> tuple[str | None, str | None]:
    versions = []
    for component in ("driver", "firmware"):
        info = f"/usr/local/Ascend/{component}/version.info"
        versions.append(node.key_values(info).get("Version") if node.path(info).exists() else None)
    return versions[0], versions[1]


def install_fresh(node: Node, packages: Packages) -> None:
    driver = node.run(packages.driver, "--nox11", "--full", "--install-for-all", "--quiet")
    assert driver.returncode == REBOOT_NEEDED_EXIT, driver.stdout
    firmware = node.run(packages.firmware, "--nox11", "--full", "--quiet")
    assert firmware.returncode == 0, firmware.stdout


def is_device_stand_in(path: Path) -> bool:
    """Char device 1:3 when mknod is allowed (root); a plain file otherwise."""
    mode = path.lstat()
    if os.geteuid() == 0:
        return stat.S_ISCHR(mode.st_mode) and (os.major(mode.st_rdev), os.minor(mode.st_rdev)) == (1, 3)
    return stat.S_ISREG(mode.st_mode)


def test_package_names_follow_the_real_naming(old: Packages, tmp_path: Path) -> None:
    assert old.driver.name == f"Ascend-hdk-910b-npu-driver_{OLD_DRIVER}_linux-x86-64.run"
    assert old.firmware.name == f"Ascend-hdk-910b-npu-firmware_{OLD_FIRMWARE}.run"
    a3 = build(tmp_path, NEW_DRIVER, NEW_FIRMWARE, "a3")
    assert (a3.driver.name, a3.firmware.name) == (
        f"Atlas-A3-hdk-npu-driver_{NEW_DRIVER}_linux-x86-64.run", f"Atlas-A3-hdk-npu-firmware_{NEW_FIRMWARE}.run")


def test_driver_carries_the_emulated_tools(node: Node, tmp_path: Path) -> None:
    emulator = tmp_path / "emulator"
    (emulator / "tests").mkdir(parents=True)
    for tool in ("npu-smi", "hccn_tool"):
        (emulator / tool).write_text(f"#!/bin/sh\necho {tool}\n")
        (emulator / tool).chmod(0o755)
    (emulator / "ascend_emu").mkdir()
    (emulator / "ascend_emu" / "paths.py").write_text("STATE = '/var/lib/ascend-emulator/state.json'\n")
    (emulator / "tests" / "test_emu.py").write_text("")
    packages = build(tmp_path / "out", NEW_DRIVER, NEW_FIRMWARE, emulator=emulator)
    assert node.run(packages.driver, "--full", "--quiet").returncode == REBOOT_NEEDED_EXIT
    assert node.path("/usr/local/bin/npu-smi").read_text() == "#!/bin/sh\necho npu-smi\n"
    assert node.path("/usr/local/Ascend/driver/tools/hccn_tool").read_text() == "#!/bin/sh\necho hccn_tool\n"
    library = node.path("/usr/local/Ascend/driver/lib64/emulator")
    assert (library / "ascend_emu" / "paths.py").read_text() == (emulator / "ascend_emu" / "paths.py").read_text()
    assert not (library / "tests").exists()


def test_installed_tools_run_the_emulator_package_and_leave_nothing_behind(node: Node, new: Packages) -> None:
    before = node.files()
    install_fresh(node, new)
    library = node.path("/usr/local/Ascend/driver/lib64/emulator")
    env = {**os.environ, "ASCEND_EMULATOR_ROOT": str(node.root), "ASCEND_EMULATOR_LIB": str(library)}

    def tool(path: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(node.path(path)), *args], capture_output=True, text=True, check=False, timeout=60, env=env)

    listing = tool("/usr/local/bin/npu-smi", "info", "-l")
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"Total Count\s+: 8\n", listing.stdout)
    board = tool("/usr/local/bin/npu-smi", "info", "-t", "board", "-i", "0")
    assert re.search(r"Software Version\s+: %s\n" % re.escape(NEW_DRIVER), board.stdout), board.stdout
    assert re.search(r"Firmware Version\s+: %s\n" % re.escape(NEW_FIRMWARE), board.stdout), board.stdout
    # Device 8 does not exist on an A2 board: refused before hccn_tool looks at any interface.
    refused = tool("/usr/local/Ascend/driver/tools/hccn_tool", "-i", "8", "-link", "-g")
    assert (refused.returncode, refused.stdout) == (1, "Get invalid device id.\n")

    assert node.run(node.path("/usr/local/Ascend/firmware/script/uninstall.sh")).returncode == 0
    assert node.run(new.driver, "--uninstall").returncode == 0
    logs = {"var/log/ascend_seclog/ascend_install.log", "var/log/ascend_seclog/operation.log"}
    # Running the tools wrote no __pycache__ into the driver's tree, so its uninstall removes it all.
    assert node.files() - logs == before
    assert not node.path("/usr/local/Ascend").exists()


def test_driver_without_emulator_carries_failing_placeholders(node: Node, tmp_path: Path) -> None:
    packages = build(tmp_path / "out", NEW_DRIVER, NEW_FIRMWARE, emulator=tmp_path / "missing")
    assert node.run(packages.driver, "--full", "--quiet").returncode == REBOOT_NEEDED_EXIT
    npu_smi = subprocess.run([str(node.path("/usr/local/bin/npu-smi")), "info"], capture_output=True, text=True, check=False)
    assert npu_smi.returncode != 0
    assert "dcmi module initialize failed" in npu_smi.stderr


def test_fresh_install_driver_then_firmware(node: Node, new: Packages) -> None:
    driver = node.run(new.driver, "--nox11", "--full", "--install-for-all", "--quiet")
    assert driver.returncode == REBOOT_NEEDED_EXIT
    assert "Driver package installed successfully!" in driver.stdout
    assert "Reboot needed for installation/upgrade to take effect!" in driver.stdout
    firmware = node.run(new.firmware, "--nox11", "--full", "--quiet")
    assert firmware.returncode == 0, firmware.stdout
    assert "The firmware of [8] chips are successfully upgraded." in firmware.stdout

    driver_info = node.key_values("/usr/local/Ascend/driver/version.info")
    assert driver_info["Version"] == driver_info["package_version"] == NEW_DRIVER
    assert driver_info["compatible_version_fw"] == "[7.0.0,7.7.99]"
    assert {"Innerversion", "compatible_version"} <= driver_info.keys()
    assert node.key_values("/usr/local/Ascend/firmware/version.info")["Version"] == NEW_FIRMWARE
    assert node.key_values("/etc/ascend_install.info") == {
        "UserName": "HwHiAiUser", "UserGroup": "HwHiAiUser", "Driver_Install_Type": "full",
        "Driver_Install_Path_Param": "/usr/local/Ascend", "Driver_Install_For_All": "yes",
        "Driver_Install_Mode": "normal", "Driver_Install_Status": "complete",
        "Firmware_Install_Type": "full", "Firmware_Install_Path_Param": "/usr/local/Ascend",
    }
    for mounted in ("/usr/local/Ascend/driver/lib64/driver/libascend_hal.so", "/usr/local/dcmi/libdcmi.so"):
        assert node.path(mounted).is_file()
    for tool in ("/usr/local/bin/npu-smi", "/usr/local/Ascend/driver/tools/hccn_tool"):
        assert os.access(node.path(tool), os.X_OK)
    assert [line.split()[0] for line in node.install_log() if "UserCommand" in line] == ["[Driver]", "[Firmware]"]


def test_check_passes_on_a_good_package_and_fails_on_a_corrupted_one(node: Node, new: Packages, tmp_path: Path) -> None:
    good = node.run(new.driver, "--check")
    assert good.returncode == 0
    assert "All good." in good.stdout
    corrupted = tmp_path / new.driver.name
    data = bytearray(new.driver.read_bytes())
    data[-100] ^= 0xFF
    corrupted.write_bytes(bytes(data))
    bad = node.run(corrupted, "--check")
    assert bad.returncode != 0
    assert "Error in SHA256 checksums" in bad.stderr
    refused = node.run(corrupted, "--full", "--quiet")
    assert refused.returncode != 0
    assert not node.path("/usr/local/Ascend").exists()


def test_full_over_an_installed_driver_asks_first(node: Node, old: Packages, new: Packages) -> None:
    install_fresh(node, old)
    declined = node.run(new.driver, "--full", answer="n\n")
    assert declined.returncode == 0
    assert f"the version is {OLD_DRIVER}, and the version of this package is {NEW_DRIVER}" in declined.stdout
    assert "Stop installation!" in declined.stdout
    unanswered = node.run(new.driver, "--full")
    assert unanswered.returncode == 1
    assert installed_versions(node) == (OLD_DRIVER, OLD_FIRMWARE)

    overwritten = node.run(new.driver, "--full", "--quiet")
    assert overwritten.returncode == REBOOT_NEEDED_EXIT
    assert installed_versions(node) == (NEW_DRIVER, OLD_FIRMWARE)


def test_upgrade_firmware_then_driver_logs_the_order(node: Node, old: Packages, new: Packages) -> None:
    install_fresh(node, old)
    firmware = node.run(new.firmware, "--nox11", "--upgrade", "--quiet")
    assert firmware.returncode == 0, firmware.stdout
    assert f"base version is {OLD_FIRMWARE}." in firmware.stdout
    assert "Firmware package upgraded successfully!" in firmware.stdout
    driver = node.run(new.driver, "--nox11", "--upgrade", "--quiet")
    assert driver.returncode == REBOOT_NEEDED_EXIT, driver.stdout
    assert "Driver package upgraded successfully!" in driver.stdout

    assert installed_versions(node) == (NEW_DRIVER, NEW_FIRMWARE)
    assert node.operations() == [
        ("Install", old.driver.name, "success"), ("Install", old.firmware.name, "success"),
        ("Upgrade", new.firmware.name, "success"), ("Upgrade", new.driver.name, "success"),
    ]
    finished = [line.split()[0] for line in node.install_log() if "successfully!" in line]
    assert finished == ["[Driver]", "[Firmware]", "[Firmware]", "[Driver]"]
    # An upgrade keeps what the first install chose.
    assert node.key_values("/etc/ascend_install.info")["Driver_Install_For_All"] == "yes"


def test_upgrade_on_a_node_without_a_driver_installs_it(node: Node, new: Packages) -> None:
    result = node.run(new.driver, "--upgrade", "--quiet")
    assert result.returncode == REBOOT_NEEDED_EXIT
    assert installed_versions(node) == (NEW_DRIVER, None)
    assert node.operations() == [("Install", new.driver.name, "success")]


@pytest.mark.parametrize(("user", "group", "message"), [
    (False, True, "ERR_NO:0x0091;ERR_DES:HwHiAiUser not exists! Please add HwHiAiUser"),
    (True, False, "ERR_NO:0x0091;ERR_DES:HwHiAiUser group not exists! Please add HwHiAiUser group"),
])
def test_install_is_refused_without_the_run_user(node: Node, new: Packages, user: bool, group: bool, message: str) -> None:
    node.write_accounts(user=user, group=group)
    result = node.run(new.driver, "--full", "--install-for-all", "--quiet")
    assert result.returncode == 1
    assert message in result.stdout
    assert not node.path("/usr/local/Ascend").exists()
    assert node.operations() == [("Install", new.driver.name, "failed")]


def test_install_user_options_must_come_together(node: Node, new: Packages) -> None:
    alone = node.run(new.driver, "--full", "--quiet", "--install-username=HwHiAiUser")
    assert alone.returncode == 1
    assert "Username and usergroup are not specified at the same time." in alone.stdout
    both = node.run(new.driver, "--full", "--quiet", "--install-username=HwHiAiUser", "--install-usergroup=HwHiAiUser")
    assert both.returncode == REBOOT_NEEDED_EXIT
    assert node.key_values("/etc/ascend_install.info")["Driver_Install_For_All"] == "no"


def test_firmware_is_refused_on_a_virtual_machine(node: Node, new: Packages) -> None:
    node.write_hardware(physical=False)
    assert node.run(new.driver, "--full", "--quiet").returncode == REBOOT_NEEDED_EXIT
    result = node.run(new.firmware, "--full", "--quiet")
    assert result.returncode == 1
    assert "only on a physical machine" in result.stdout
    assert installed_versions(node) == (NEW_DRIVER, None)
    assert "Firmware_Install_Path_Param" not in node.key_values("/etc/ascend_install.info")


def test_firmware_is_refused_without_a_driver(node: Node, new: Packages) -> None:
    result = node.run(new.firmware, "--full", "--quiet")
    assert result.returncode == 1
    assert "Driver package is not installed on this device" in result.stdout
    assert not node.path("/usr/local/Ascend/firmware").exists()


def test_uninstall_removes_what_install_created(node: Node, new: Packages) -> None:
    before = node.files()
    install_fresh(node, new)
    firmware = node.run(node.path("/usr/local/Ascend/firmware/script/uninstall.sh"))
    assert firmware.returncode == 0, firmware.stdout
    assert "Firmware package uninstalled successfully!" in firmware.stdout
    driver = node.run(new.driver, "--uninstall")
    assert driver.returncode == 0, driver.stdout
    assert "Driver package uninstalled successfully! Reboot needed for uninstallation to take effect!" in driver.stdout

    logs = {"var/log/ascend_seclog/ascend_install.log", "var/log/ascend_seclog/operation.log"}
    assert node.files() - logs == before
    assert not node.path("/usr/local/Ascend").exists()
    assert not node.path("/usr/local/dcmi").exists()
    again = node.run(new.driver, "--uninstall")
    assert again.returncode == 1
    assert "ERR_NO:0x0080;ERR_DES:Driver package is not installed on this device, uninstall failed" in again.stdout


@pytest.mark.parametrize(("npu_count", "node_type"), [(8, "atlas_800_a2"), (16, "atlas_800_a3")])
def test_device_nodes_follow_hardware_json(node: Node, new: Packages, npu_count: int, node_type: str) -> None:
    node.write_hardware(npu_count=npu_count, node_type=node_type)
    install_fresh(node, new)
    expected = [f"davinci{index}" for index in range(npu_count)] + ["davinci_manager", "devmm_svm", "hisi_hdc"]
    assert sorted(p.name for p in node.path("/dev").iterdir()) == sorted(expected)
    assert all(is_device_stand_in(node.path(f"/dev/{name}")) for name in expected)
    rules = node.path("/etc/tmpfiles.d/ascend-davinci.conf").read_text().splitlines()
    assert rules == [f"c! /dev/{name} 0666 root root - 1:3" for name in expected]


def test_driver_without_emulated_hardware_warns_and_creates_no_devices(node: Node, new: Packages) -> None:
    node.path("/etc/ascend-emulator/hardware.json").unlink()
    declined = node.run(new.driver, "--full", answer="n\n")
    assert declined.returncode == 0
    assert "There is no chip matching the driver package." in declined.stdout
    assert not node.path("/usr/local/Ascend").exists()
    quiet = node.run(new.driver, "--full", "--quiet")
    assert quiet.returncode == REBOOT_NEEDED_EXIT
    assert not node.path("/dev").exists()


def test_unknown_option_is_rejected(node: Node, new: Packages) -> None:
    result = node.run(new.driver, "--full", "--bogus")
    assert result.returncode == 1
    assert "Unrecognized parameters: --bogus" in result.stdout
    assert not node.path("/usr/local/Ascend").exists()
