# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._npu_smi import (
    NODE_TYPE_A2,
    NODE_TYPE_A3,
    NpuSmiCommandError,
    NpuSmiParseError,
    collect_npu_facts,
    guess_node_type,
    parse_board_info,
    parse_npu_list,
    parse_npu_smi_info,
)

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'npu_smi')
A2_910B3 = 'info_a2_910b3_vllm-ascend-issue-5876.txt'
A2_910B4 = 'info_a2_910b4_atlas-800i-a2-install-blog.txt'
A3 = 'info_a3_ascend910_vllm-ascend-issue-3548.txt'


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_a2_table_gives_eight_npus_with_hbm_and_bus_ids():
    info = parse_npu_smi_info(capture(A2_910B3))
    assert info['npu_smi_version'] == '25.3.rc1'
    assert info['driver_version'] == '25.3.rc1'
    assert info['has_phy_id'] is False
    assert [npu['id'] for npu in info['npus']] == list(range(8))
    first = info['npus'][0]
    assert first['name'] == '910B3'
    assert first['health'] == 'OK'
    assert first['power_w'] == pytest.approx(100.9)
    assert first['temp_c'] == 40
    assert first['bus_id'] == '0000:C1:00.0'
    # "58626/ 65536": the used figure touches the slash when it fills its column.
    assert (first['hbm_used_mb'], first['hbm_total_mb']) == (58626, 65536)
    assert info['npus'][2]['hbm_used_mb'] == 58627
    assert all(npu['phy_id'] is None and npu['chip_id'] == 0 for npu in info['npus'])


def test_a2_process_table_maps_each_process_to_its_npu_even_without_a_name():
    processes = parse_npu_smi_info(capture(A2_910B3))['processes']
    assert [(process['id'], process['pid'], process['memory_mb']) for process in processes] == [
        (npu, 71867 + npu, 55278) for npu in range(8)]
    assert all(process['name'] == '' for process in processes)


def test_no_running_processes_rows_give_an_empty_process_list():
    info = parse_npu_smi_info(capture(A2_910B4))
    assert info['processes'] == []
    assert info['npu_smi_version'] == '25.0.rc1.1'
    assert [npu['hbm_total_mb'] for npu in info['npus']] == [32768] * 8
    assert info['npus'][7]['hbm_used_mb'] == 2653


def test_a3_table_uses_phy_ids_as_device_ids_two_chips_per_module():
    info = parse_npu_smi_info(capture(A3))
    assert info['has_phy_id'] is True
    npus = info['npus']
    assert [npu['id'] for npu in npus] == list(range(16))
    assert [(npu['npu_id'], npu['chip_id']) for npu in npus[:4]] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(npu['id'] == 2 * npu['npu_id'] + npu['chip_id'] for npu in npus)
    # The second chip of a module prints "-" for power.
    assert npus[0]['power_w'] == pytest.approx(199.1) and npus[1]['power_w'] is None
    assert npus[15]['bus_id'] == '0000:83:00.0' and npus[15]['hbm_used_mb'] == 2879
    assert npus[0]['aicore_percent'] == 8


def test_a3_processes_resolve_module_and_chip_to_the_phy_id():
    processes = parse_npu_smi_info(capture(A3))['processes']
    assert len(processes) == 7
    assert [(process['id'], process['pid']) for process in processes if process['npu_id'] == 1] == [
        (2, 4071419), (3, 4071420)]
    chip1 = [process for process in processes if process['npu_id'] == 0 and process['chip_id'] == 1]
    assert chip1 == [{'npu_id': 0, 'chip_id': 1, 'pid': 4071418, 'name': '', 'memory_mb': 49681, 'id': 1}]


def test_wider_26_0_layout_with_container_pid_column_parses():
    head = capture('info_a3_26.0.rc2_head_vllm-ascend-issue-12980.txt')
    tail = capture('info_a3_26.0.rc2_tail_vllm-ascend-issue-12980.txt')
    # Only the head and the tail of this capture are public; together they still form a table.
    info = parse_npu_smi_info(head + tail)
    assert info['npu_smi_version'] == '26.0.rc2'
    assert [npu['id'] for npu in info['npus']] == [0, 1, 15]
    assert info['npus'][2]['hbm_used_mb'] == 31877
    assert info['processes'] == [{'npu_id': 0, 'chip_id': 0, 'pid': 632268, 'name': 'python3.1',
                                  'memory_mb': 197, 'container_pid': None, 'id': 0}]


A2_23 = 'info_a2_23.0.7_910b3_idle_vllm-ascend-issue-198.txt'
A2_24 = 'info_a2_24.1.rc2.2_910b2c_4-of-8_ascend-pytorch-issue-68.txt'
A2_25 = 'info_a2_25.0.rc1.2_910b2c_16-npus_vllm-ascend-issue-3289.txt'
A3_24 = 'info_a3_24.1.rc3.7_idle_vllm-ascend-issue-4480.txt'


@pytest.mark.parametrize('fixture, versions, ids, node_type', [
    (A2_23, ('23.0.7', '23.0.7'), list(range(8)), NODE_TYPE_A2),
    # Seen from a container given NPUs 4-7 only.
    (A2_24, ('24.1.rc2.2', '24.1.rc2.2'), [4, 5, 6, 7], NODE_TYPE_A2),
    # Sixteen single-chip 910B2C boards; the driver's version carries a patch suffix.
    (A2_25, ('25.0.rc1.2', '25.0.rc1.2.sph001'), list(range(16)), NODE_TYPE_A2),
    (A3_24, ('24.1.rc3.7', '24.1.rc3.7'), list(range(16)), NODE_TYPE_A3),
])
def test_tables_of_npu_smi_23_to_25_parse(fixture, versions, ids, node_type):
    info = parse_npu_smi_info(capture(fixture))
    assert (info['npu_smi_version'], info['driver_version']) == versions
    assert [npu['id'] for npu in info['npus']] == ids
    assert all(npu['health'] == 'OK' and npu['hbm_total_mb'] == 65536 for npu in info['npus'])
    assert guess_node_type(info['npus'], info['has_phy_id']) == node_type


def test_a_named_process_on_one_of_four_visible_npus():
    info = parse_npu_smi_info(capture(A2_24))
    assert info['processes'] == [{'npu_id': 4, 'chip_id': 0, 'pid': 154983, 'name': 'pt_main_thread',
                                  'memory_mb': 29166, 'id': 4}]
    assert info['npus'][0]['hbm_used_mb'] == 32446 and info['npus'][1]['hbm_used_mb'] == 3336


def _process_table(text: str, lines: list) -> str:
    """The capture with its process table (everything after the process header) replaced by ``lines``."""
    head, _sep, _tail = text.partition('| NPU     Chip              | Process id')
    header = '| NPU     Chip              | Process id' + _tail.split('\n', 1)[0] + '\n'
    return head + header + '\n'.join(lines) + '\n'


RULE = '+===========================+===============+====================================================+'
# Informational lines as other npu-smi releases and boards word them (built from the capture's own
# line; no public capture of these wordings was found), and separators drawn between bars.
TOLERATED = [
    '| No running processes found in NPU 0 Chip 0                                                     |',
    '| No running processes found in NPU 0 Chip 1                                                     |',
    '| No running processes found in NPU 1, chip 1                                                    |',
    '| No running process found in NPU 2                                                              |',
    '| No process in NPU 3.                                                                           |',
    '| no running processes found on NPU ID 4 Chip ID 0                                               |',
    '| No running processes found in NPU 5 / Chip 1                                                   |',
    '|================================================================================================|',
    '|---------------------------+---------------+----------------------------------------------------|',
    '|                           |               |                                                    |',
    '| Processes in other containers are not shown                                                    |',
    RULE,
]


def test_informational_lines_in_their_variants_and_separators_are_skipped():
    info = parse_npu_smi_info(_process_table(capture(A3_24), TOLERATED))
    assert info['processes'] == []
    assert len(info['npus']) == 16


def test_processes_among_informational_lines_are_all_read():
    lines = TOLERATED[:3] + ['| 6       1                 | 71867         |                          | 55278                   |'] \
        + TOLERATED[3:] + ['| 7       0                 | 71868         | python3                  | NA                      |']
    processes = parse_npu_smi_info(_process_table(capture(A3_24), lines))['processes']
    assert [(process['id'], process['pid'], process['memory_mb']) for process in processes] == [(13, 71867, 55278), (14, 71868, None)]


def test_separators_between_bars_in_the_device_table_are_skipped():
    text = capture(A2_23).replace(RULE, '|' + '=' * 96 + '|')
    assert [npu['id'] for npu in parse_npu_smi_info(text)['npus']] == list(range(8))


@pytest.mark.parametrize('line', [
    # The memory is not a number: the pid is still a process that must not be missed.
    '| 4       0                 | 154983        | pt_main_thread           | lots                    |',
    # No chip column.
    '| 4                         | 154983        | pt_main_thread           | 29166                   |',
    # A row run together into one cell.
    '| 4 0 154983 pt_main_thread 29166                                                              |',
    # "No processes" with a number that could be a pid.
    '| No running processes found in NPU 5 except 154983                                              |',
    '| No running processes found in NPU 5  | 154983        |                          |              |',
])
def test_a_line_that_may_carry_a_process_refuses_the_table_naming_it(line):
    lines = capture(A2_24).splitlines()
    position = lines.index('| No running processes found in NPU 6                                                            |')
    lines[position] = line
    with pytest.raises(NpuSmiParseError, match='line %d may name a process but is not a process row' % (position + 1)) as error:
        parse_npu_smi_info('\n'.join(lines))
    assert line.strip() in str(error.value)


def test_a_fragment_without_the_header_is_refused():
    with pytest.raises(NpuSmiParseError, match='before the NPU header'):
        parse_npu_smi_info(capture('info_a3_26.0.rc2_tail_vllm-ascend-issue-12980.txt'))


@pytest.mark.parametrize('text, message', [
    ('', 'no NPU table found'),
    ('dcmi module initialize failed. ret is -8005\n', 'no NPU table found'),
    ('npu-smi: command not found', 'no NPU table found'),
])
def test_output_without_a_table_is_a_parse_error_naming_what_was_seen(text, message):
    with pytest.raises(NpuSmiParseError, match=message):
        parse_npu_smi_info(text)


def test_a_mangled_row_names_its_line():
    lines = capture(A2_910B3).splitlines()
    lines[7] = '| 0                         | 0000:C1:00.0  | lots of garbage here                                |'
    with pytest.raises(NpuSmiParseError, match='line 8 is not a chip row'):
        parse_npu_smi_info('\n'.join(lines))


def test_an_npu_row_without_its_chip_row_is_refused():
    lines = capture(A2_910B3).splitlines()
    truncated = '\n'.join(lines[:9] + [lines[9]])
    with pytest.raises(NpuSmiParseError, match='NPU 1 .* has no chip row'):
        parse_npu_smi_info(truncated)


def test_node_type_guess_follows_chip_names_and_phy_ids():
    a2 = parse_npu_smi_info(capture(A2_910B3))
    a3 = parse_npu_smi_info(capture(A3))
    assert guess_node_type(a2['npus'], a2['has_phy_id']) == NODE_TYPE_A2
    assert guess_node_type(a3['npus'], a3['has_phy_id']) == NODE_TYPE_A3
    # A container given two chips of an A3 still looks like an A3.
    assert guess_node_type(a3['npus'][4:6], True) == NODE_TYPE_A3
    assert guess_node_type([], False) is None
    assert guess_node_type([dict(a2['npus'][0], name='310P3')], False) is None


def test_npu_list_of_an_a2_gives_eight_single_chip_npus():
    listing = parse_npu_list(capture('list_a2_910b4_atlas-800i-a2-install-blog.txt'))
    assert listing['total_count'] == 8
    assert listing['npus'] == [{'npu_id': n, 'chip_count': 1} for n in range(8)]


def test_npu_list_of_an_a3_counts_modules_with_two_chips():
    listing = parse_npu_list(capture('list_a3_ascend-deployer-comment.txt'))
    assert listing == {'total_count': 8, 'npus': [{'npu_id': 0, 'chip_count': 2}]}
    assert parse_npu_list(capture('list_16_awesome-ascend-skills-issue-78.txt'))['total_count'] == 16


def test_npu_list_without_counts_or_ids_is_refused():
    with pytest.raises(NpuSmiParseError, match='Total Count'):
        parse_npu_list('Usage: npu-smi info [-l]\n')


def test_board_info_gives_driver_and_firmware_versions():
    board = parse_board_info(capture('board_910b_telegraf-npu_smi-test.txt'))
    assert board['npu_id'] == 0
    assert board['software_version'] == '25.5.1'
    assert board['firmware_version'] == '7.8.0.6.201'
    assert board['chip_count'] == 1
    assert board['fields']['PCI Device ID'] == '0xD802'
    excerpt = parse_board_info(capture('board_910b2c_excerpt_ascend910-track-report.txt'))
    assert (excerpt['npu_id'], excerpt['software_version'], excerpt['firmware_version']) == (2, '25.2.0', '7.7.0.6.236')


def test_board_info_na_firmware_is_none_and_garbage_is_refused():
    assert parse_board_info('NPU ID : 1\nSoftware Version : 25.3.rc1\nFirmware Version : NA\n')['firmware_version'] is None
    with pytest.raises(NpuSmiParseError, match='Software Version'):
        parse_board_info('Error: invalid device id\n')


class FakeNpuSmi(object):
    """Answers npu-smi argv lists from captures and records what was asked."""

    def __init__(self, table: str, board: str, failing_board: int = -1):
        self.table, self.board, self.failing_board, self.calls = table, board, failing_board, []

    def __call__(self, argv):
        self.calls.append(argv[1:])
        if argv[1:] == ['info']:
            return 0, self.table, ''
        npu_id = int(argv[-1])
        if npu_id == self.failing_board:
            return 1, '', 'device %d does not exist' % npu_id
        return 0, self.board.replace('NPU ID                         : 0', 'NPU ID                         : %d' % npu_id), ''


def test_collecting_facts_on_a3_asks_board_info_once_per_module():
    runner = FakeNpuSmi(capture(A3), capture('board_910b_telegraf-npu_smi-test.txt'))
    facts = collect_npu_facts(runner, '/usr/local/bin/npu-smi')
    assert runner.calls[0] == ['info']
    assert [call[-1] for call in runner.calls[1:]] == [str(n) for n in range(8)]
    assert facts['npu_count'] == 16 and facts['npu_ids'] == list(range(16))
    assert facts['node_type'] == NODE_TYPE_A3
    assert facts['driver_version'] == '25.5.1' and facts['firmware_version'] == '7.8.0.6.201'
    assert facts['npus'][15]['firmware_version'] == '7.8.0.6.201'
    assert facts['healthy'] is True and facts['unhealthy_npu_ids'] == []
    assert len(facts['processes']) == 7


def test_collecting_facts_reports_unhealthy_npus_and_skips_boards_when_asked():
    table = capture(A2_910B3).replace('| 3     910B3               | OK     ', '| 3     910B3               | Alarm  ')
    runner = FakeNpuSmi(table, '')
    facts = collect_npu_facts(runner, 'npu-smi', board_info=False)
    assert runner.calls == [['info']]
    assert facts['healthy'] is False and facts['unhealthy_npu_ids'] == [3]
    assert facts['driver_version'] == '25.3.rc1' and facts['firmware_version'] is None


def test_collecting_facts_fails_with_the_command_and_its_error():
    runner = FakeNpuSmi(capture(A2_910B3), capture('board_910b_telegraf-npu_smi-test.txt'), failing_board=5)
    with pytest.raises(NpuSmiCommandError, match=r'info -t board -i 5 failed \(rc=1\): device 5 does not exist'):
        collect_npu_facts(runner, 'npu-smi')
