# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's targets, command lines, rows and slow replicas, on real-format plans and results.

The flags are checked against the real parser of vLLM 0.18.0's `vllm bench serve`
(tests/testbed/images/vllm-ascend/flags/vllm-0.18.0.json, dumped by
tests/testbed/vllm-parser/vllm-flags).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
import yaml

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bench
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import BenchError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import serving_layout

HERE = os.path.dirname(__file__)
ROOT = os.path.join(HERE, '..', '..', '..', '..')
FIXTURES = os.path.join(HERE, 'fixtures', 'bench')
FLAGS_0_18 = os.path.join(ROOT, 'tests', 'testbed', 'images', 'vllm-ascend', 'flags', 'vllm-0.18.0.json')


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding='utf-8') as stream:
        return stream.read()


def node(name, node_type='atlas_800_a2', address=None, **extra):
    layout = serving_layout({'node_type': node_type, 'model': 'qwen3.6-27b-w8a8',
                             'model_path': '/data/models/Eco-Tech/Qwen3.6-27B-w8a8'})
    variables = {'inventory_hostname': name, 'ascend_node_type': node_type, 'ascend_serving_layout': layout}
    if address:
        variables['ansible_host'] = address
    variables.update(extra)
    return variables


ROUTER = {'inventory_hostname': 'router-0', 'vllm_router_instances': [
    {'name': 'qwen3.6', 'model': 'qwen3.6', 'port': 30000, 'metrics_port': 29000, 'front_port': 8080,
     'front_url': 'http://10.0.0.9:8080', 'workers': ['http://10.0.0.5:8000', 'http://10.0.0.5:8001']}]}


def bench_flags():
    with open(FLAGS_0_18, encoding='utf-8') as stream:
        spec = json.load(stream)['bench_serve']
    return dict((flag, option) for option in spec['options'] for flag in option['option_strings'])


# ---------------------------------------------------------------- targets

def test_every_replica_of_every_node_is_a_target_at_the_address_the_inventory_gives():
    run = _bench.bench_targets([node('a2-0', address='10.0.0.5'), node('a3-0', 'atlas_800_a3')], kinds=['replicas'],
                               tokenizer='/srv/tok')
    names = [target['name'] for target in run['targets']]
    assert len(names) == 4 + 8
    assert names[0] == 'a2-0-vllm-qwen3.6-r0' and names[-1] == 'a3-0-vllm-qwen3.6-r7'
    assert run['targets'][1]['url'] == 'http://10.0.0.5:8001'
    assert run['targets'][4]['url'] == 'http://a3-0:8000'
    assert run['node_types'] == {'a2-0': 'atlas_800_a2', 'a3-0': 'atlas_800_a3'}
    assert run['batches'] == [names]


def test_one_at_a_time_puts_each_replica_in_its_own_batch_after_the_cluster_alone():
    run = _bench.bench_targets([node('a2-0')], routers=[ROUTER], together=False, tokenizer='/srv/tok')
    assert run['batches'] == [['cluster-qwen3.6']] + [['a2-0-vllm-qwen3.6-r%d' % index] for index in range(4)]
    cluster = run['targets'][0]
    assert (cluster['kind'], cluster['url'], cluster['model']) == ('cluster', 'http://10.0.0.9:8080', 'qwen3.6')


def test_the_cluster_endpoint_comes_from_the_first_router_that_has_instances():
    run = _bench.bench_targets([node('a2-0')], routers=[{'inventory_hostname': 'router-1'}, ROUTER], kinds=['cluster'],
                               tokenizer='/srv/tok')
    assert [target['url'] for target in run['targets']] == ['http://10.0.0.9:8080']
    assert run['batches'] == [['cluster-qwen3.6']]


def test_a_cluster_url_given_by_the_user_wins_and_takes_the_one_served_model():
    run = _bench.bench_targets([node('a2-0')], routers=[ROUTER], kinds=['cluster'], tokenizer='/srv/tok',
                               cluster_url='https://llm.example.internal:8443/')
    assert [(target['url'], target['model']) for target in run['targets']] == [('https://llm.example.internal:8443', 'qwen3.6')]


def test_a_cluster_url_over_two_models_needs_the_model_named():
    other = node('a3-0', 'atlas_800_a3')
    other['ascend_serving_layout'] = dict(other['ascend_serving_layout'], served_model_name='qwen3.5')
    with pytest.raises(BenchError, match='vllm_bench_cluster_model'):
        _bench.bench_targets([node('a2-0'), other], kinds=['cluster'], tokenizer='/srv/tok', cluster_url='http://x:8080')


def test_without_router_or_url_the_cluster_is_skipped_with_a_note():
    run = _bench.bench_targets([node('a2-0')], tokenizer='/srv/tok')
    assert [target['kind'] for target in run['targets']] == ['replica'] * 4
    assert run['notes'] == ['cluster endpoint skipped: the inventory has no vllm_router host and vllm_bench_cluster_url is empty']
    run = _bench.bench_targets([node('a2-0')], routers=[{'inventory_hostname': 'router-0'}], tokenizer='/srv/tok')
    assert 'router-0' in run['notes'][0] and 'vllm_bench_cluster_url' in run['notes'][0]


def test_a_data_parallel_group_is_one_target_on_its_head():
    groups = {'qwen_dp': ['a2-0', 'a2-1']}
    nodes = [node('a2-0', vllm_serve_data_parallel_group='qwen_dp'), node('a2-1', vllm_serve_data_parallel_group='qwen_dp')]
    run = _bench.bench_targets(nodes, groups=groups, kinds=['replicas'], tokenizer='/srv/tok')
    assert [(target['node'], target['url']) for target in run['targets']] == [('a2-0', 'http://a2-0:8000')]
    assert run['targets'][0]['note'] == 'data-parallel group qwen_dp'


def test_a_serving_node_as_client_reads_the_tokenizer_from_the_staged_model():
    run = _bench.bench_targets([node('a2-0')], routers=[ROUTER], client='a2-0')
    assert set(target['tokenizer'] for target in run['targets']) == {'/data/models/Eco-Tech/Qwen3.6-27B-w8a8'}


def test_per_model_tokenizers_come_before_the_one_for_all():
    run = _bench.bench_targets([node('a2-0')], kinds=['replicas'], tokenizer='/srv/all', tokenizers={'qwen3.6': '/srv/q36'})
    assert run['targets'][0]['tokenizer'] == '/srv/q36'


def test_another_client_without_tokenizer_is_refused_naming_the_variable():
    with pytest.raises(BenchError, match=r'localhost is no serving node.*vllm_bench_tokenizer'):
        _bench.bench_targets([node('a2-0')], client='localhost')


def test_an_unknown_target_kind_is_refused():
    with pytest.raises(BenchError, match=r"vllm_bench_targets: \['replica'\]"):
        _bench.bench_targets([node('a2-0')], kinds=['replica'], tokenizer='/srv/tok')


# ---------------------------------------------------------------- the command line

TARGET = {'name': 'a2-0-vllm-qwen3.6-r1', 'kind': 'replica', 'node': 'a2-0', 'replica': 'vllm-qwen3.6-r1', 'model': 'qwen3.6',
          'url': 'http://10.0.0.5:8001', 'tokenizer': '/data/models/Eco-Tech/Qwen3.6-27B-w8a8'}


def _value(argv, flag):
    return argv[argv.index(flag) + 1]


def test_the_guides_run_by_default_with_temperature_and_the_result_named_by_target():
    argv = _bench.bench_argv(TARGET, {'result_dir': '/var/tmp/b/20261202T003000Z'})
    assert argv[:3] == ['/opt/ascend_ops/vllm-bench/bin/vllm', 'bench', 'serve']
    for flag, value in (('--dataset-name', 'random'), ('--random-input-len', '200'), ('--num-prompts', '200'),
                        ('--request-rate', '1'), ('--temperature', '0'), ('--base-url', 'http://10.0.0.5:8001'),
                        ('--endpoint', '/v1/completions'), ('--model', 'qwen3.6'),
                        ('--tokenizer', '/data/models/Eco-Tech/Qwen3.6-27B-w8a8'),
                        ('--result-dir', '/var/tmp/b/20261202T003000Z'), ('--result-filename', 'a2-0-vllm-qwen3.6-r1.json'),
                        ('--label', 'a2-0-vllm-qwen3.6-r1'), ('--percentile-metrics', 'ttft,tpot,itl,e2el'),
                        ('--metric-percentiles', '99')):
        assert _value(argv, flag) == value, flag
    assert '--save-result' in argv and '--goodput' not in argv and '--max-concurrency' not in argv
    assert argv[argv.index('--metadata') + 1:] == ['target=a2-0-vllm-qwen3.6-r1', 'kind=replica', 'node=a2-0',
                                                   'replica=vllm-qwen3.6-r1']


def test_every_knob_reaches_its_flag():
    argv = _bench.bench_options(TARGET, {
        'backend': 'openai-chat', 'input_len': 1024, 'output_len': 256, 'range_ratio': 0.25, 'prefix_len': 64, 'num_prompts': 20,
        'request_rate': 'inf', 'max_concurrency': 8, 'burstiness': 0.5, 'goodput': {'ttft': 2000, 'tpot': 50.5},
        'metric_percentiles': [50, 90, 99.9], 'temperature': 0.6, 'seed': 7, 'ignore_eos': True, 'trust_remote_code': True,
        'extra_options': {'ready_check_timeout_sec': 60, 'disable-tqdm': True, 'top-k': None}})
    for flag, value in (('--backend', 'openai-chat'), ('--endpoint', '/v1/chat/completions'), ('--random-input-len', '1024'),
                        ('--random-output-len', '256'), ('--random-range-ratio', '0.25'), ('--random-prefix-len', '64'),
                        ('--num-prompts', '20'), ('--request-rate', 'inf'), ('--max-concurrency', '8'), ('--burstiness', '0.5'),
                        ('--metric-percentiles', '50,90,99.9'), ('--temperature', '0.6'), ('--seed', '7'),
                        ('--ready-check-timeout-sec', '60')):
        assert _value(argv, flag) == value, flag
    assert argv[argv.index('--goodput') + 1:argv.index('--goodput') + 3] == ['ttft:2000', 'tpot:50.5']
    assert {'--ignore-eos', '--trust-remote-code', '--disable-tqdm'} <= set(argv) and '--top-k' not in argv


@pytest.mark.parametrize('goodput', [{'ttft': 2000, 'e2el': 20000}, ['ttft:2000', 'e2el:20000'], 'ttft:2000 e2el:20000'])
def test_goodput_is_the_same_from_a_mapping_words_or_one_text(goodput):
    assert _bench.goodput_pairs(goodput) == [('ttft', 2000.0), ('e2el', 20000.0)]


@pytest.mark.parametrize('goodput, message', [({'itl': 5}, "'itl' is no goodput metric"), ('ttft=2000', 'not a metric:milliseconds'),
                                              ({'ttft': 0}, 'not a positive number'), (5, 'neither a mapping')])
def test_a_wrong_goodput_is_refused(goodput, message):
    with pytest.raises(BenchError, match=message):
        _bench.goodput_pairs(goodput)


def test_every_flag_the_role_emits_exists_in_vllm_0_18_bench_serve():
    flags = bench_flags()
    argv = _bench.bench_options(TARGET, {'max_concurrency': 4, 'goodput': {'ttft': 1000}, 'ignore_eos': True,
                                         'trust_remote_code': True, 'backend': 'openai-chat'})
    emitted = [word for word in argv if word.startswith('--')]
    assert [flag for flag in emitted if flag not in flags] == []
    assert flags['--goodput']['nargs'] == '+' and flags['--metadata']['nargs'] == '*'
    assert set(_bench.BACKENDS) <= set(flags['--backend']['choices'])
    assert 'random' in flags['--dataset-name']['choices']


def test_the_api_key_is_never_on_the_command_line():
    argv = _bench.bench_argv(TARGET, {'image': 'quay.io/ascend/vllm-ascend:v0.18.0rc1', 'result_dir': '/var/tmp/b/1'})
    assert argv[:argv.index('vllm')] == ['docker', 'run', '--rm', '--network', 'host', '-e', 'OPENAI_API_KEY', '-e',
                                         'HF_HUB_OFFLINE', '-e', 'TRANSFORMERS_OFFLINE', '-v', '/var/tmp/b/1:/var/tmp/b/1',
                                         '-v', '/data/models/Eco-Tech/Qwen3.6-27B-w8a8:/data/models/Eco-Tech/Qwen3.6-27B-w8a8:ro',
                                         'quay.io/ascend/vllm-ascend:v0.18.0rc1']
    assert not [word for word in argv if 'api' in word.lower() and 'key' in word.lower() and word != 'OPENAI_API_KEY']


def test_with_a_key_file_the_command_reads_the_key_itself(tmp_path):
    """The wrapper run for real: the client sees OPENAI_API_KEY, no word of the command line holds the key."""
    key_file = tmp_path / '.api-key'
    key_file.write_text('sk-test-4242')
    key_file.chmod(0o600)
    client = tmp_path / 'vllm'
    client.write_text('#!/bin/sh\nprintf "%s|%s" "$OPENAI_API_KEY" "$1 $2"\n')
    client.chmod(0o755)
    argv = _bench.bench_argv(TARGET, {'command': [str(client)], 'key_file': str(key_file), 'result_dir': '/var/tmp/b/1'})
    assert argv[:4] == ['/bin/sh', '-c', _bench.KEY_WRAPPER, str(key_file)]
    assert argv[4:7] == [str(client), 'bench', 'serve']
    assert not [word for word in argv if 'sk-test-4242' in word]
    ran = subprocess.run(argv, capture_output=True, text=True, check=True, env={'PATH': '/usr/bin:/bin'})
    assert ran.stdout == 'sk-test-4242|bench serve'


def test_without_a_key_file_the_client_runs_alone():
    argv = _bench.bench_argv(TARGET, {'command': ['/opt/vllm/bin/vllm'], 'key_file': ''})
    assert argv[0] == '/opt/vllm/bin/vllm'


def test_a_command_given_wins_over_the_image_and_the_venv():
    argv = _bench.bench_argv(TARGET, {'command': ['/opt/vllm/bin/vllm'], 'image': 'some:image'})
    assert argv[:3] == ['/opt/vllm/bin/vllm', 'bench', 'serve']


@pytest.mark.parametrize('settings, setting', [
    ({'request_rate': 0}, 'request_rate'), ({'request_rate': 'fast'}, 'request_rate'), ({'num_prompts': 0}, 'num_prompts'),
    ({'range_ratio': 1.0}, 'range_ratio'), ({'max_concurrency': 0}, 'max_concurrency'), ({'burstiness': 0}, 'burstiness'),
    ({'percentile_metrics': ['ttft', 'latency']}, 'percentile_metrics'), ({'metric_percentiles': [100]}, 'metric_percentiles'),
    ({'backend': 'vllm'}, 'backend'), ({'extra_options': {'base-url': 'http://x'}}, 'extra_options'),
    ({'goodput': 'ttft:abc'}, 'goodput'), ({'venv': 'relative/path'}, 'venv'), ({'temprature': 0}, 'temprature')])
def test_a_wrong_setting_is_refused_by_name(settings, setting):
    assert [problem[0] for problem in _bench.settings_problems(settings)] == [setting]
    with pytest.raises(BenchError, match=setting):
        _bench.bench_options(TARGET, settings)


# ---------------------------------------------------------------- results, rows, slow replicas

def slurped(target, name=None, failed=False):
    if name is None:
        return {'item': target, 'failed': True, 'msg': 'file not found: /var/tmp/b/1/%s.json' % target['name']}
    return {'item': target, 'content': base64.b64encode(fixture(name).encode('utf-8')).decode('ascii'), 'failed': failed}


def replica_target(node_name, index=0):
    return dict(TARGET, name='%s-vllm-qwen3.6-r%d' % (node_name, index), node=node_name, replica='vllm-qwen3.6-r%d' % index)


CLUSTER = {'name': 'cluster-qwen3.6', 'kind': 'cluster', 'node': 'cluster', 'replica': 'http://sandbox-router:8080',
           'model': 'qwen3.6', 'url': 'http://sandbox-router:8080', 'note': 'router sandbox-router, 2 workers'}


def test_a_result_must_be_a_bench_serve_result():
    assert _bench.parse_result(fixture('result_replica_0.18.0_CONSTRUCTED.json'))['completed'] == 20
    with pytest.raises(BenchError, match='not JSON'):
        _bench.parse_result('Traceback (most recent call last):')
    with pytest.raises(BenchError, match='no completed, duration'):
        _bench.parse_result('{"request_throughput": 1, "output_throughput": 2}')


def test_the_rows_show_the_results_numbers():
    results = _bench.bench_results([slurped(CLUSTER, 'result_cluster_0.18.0_CONSTRUCTED.json'),
                                    slurped(replica_target('sandbox-a2-0'), 'result_replica_0.18.0_CONSTRUCTED.json')])
    rows = _bench.bench_rows(results)
    raw = json.loads(fixture('result_replica_0.18.0_CONSTRUCTED.json'))
    replica = rows[1]
    assert set(replica) == set(_bench.COLUMNS)
    assert (replica['node'], replica['replica'], replica['completed'], replica['failed']) == ('sandbox-a2-0', 'vllm-qwen3.6-r0', 20, 0)
    assert replica['out tok/s'] == round(raw['output_throughput'], 2)
    assert replica['req/s'] == round(raw['request_throughput'], 2)
    assert (replica['TTFT mean'], replica['TTFT median'], replica['TTFT p99']) == (
        round(raw['mean_ttft_ms'], 2), round(raw['median_ttft_ms'], 2), round(raw['p99_ttft_ms'], 2))
    assert replica['E2EL p99'] == round(raw['p99_e2el_ms'], 2) and replica['ITL median'] == round(raw['median_itl_ms'], 2)
    assert replica['goodput req/s'] == '' and rows[0]['goodput req/s'] == 0.91
    assert rows[0]['node'] == 'cluster' and rows[0]['note'] == 'router sandbox-router, 2 workers'


def test_a_run_without_result_keeps_its_row_with_the_runs_error():
    target = replica_target('sandbox-a2-1')
    job = {'item': {'item': target, 'ansible_job_id': 'j1'}, 'rc': 1, 'finished': 1,
           'stderr_lines': ['Traceback (most recent call last):', 'OSError: Can\'t load tokenizer for \'/srv/tok\'']}
    rows = _bench.bench_rows(_bench.bench_results([slurped(target)], jobs=[job]))
    assert rows[0]['out tok/s'] == '' and rows[0]['completed'] == ''
    assert rows[0]['note'] == "vllm bench serve failed (rc 1): OSError: Can't load tokenizer for '/srv/tok'"
    rows = _bench.bench_rows(_bench.bench_results([slurped(target)]))
    assert rows[0]['note'].startswith('no result file: file not found')


def test_failed_requests_are_noted():
    rows = _bench.bench_rows(_bench.bench_results([slurped(replica_target('sandbox-a2-1'),
                                                           'result_slow_replica_0.18.0_CONSTRUCTED.json')]))
    assert rows[0]['failed'] == 2 and rows[0]['note'] == '2 requests failed'


def rows_of(values, node_of=None):
    return [{'target': 'n%d-r%d' % (index // 4, index % 4), 'node': (node_of or (lambda i: 'a2-%d' % (i // 4)))(index),
             'replica': 'vllm-qwen3.6-r%d' % (index % 4), 'out tok/s': value} for index, value in enumerate(values)]


def test_the_replicas_of_a_slow_node_are_named_against_their_node_types_median():
    # Two A2 nodes, the second at a third of the speed: the median is the mean of the two middle values (77.5).
    rows = rows_of([116.0, 118.0, 115.0, 117.0, 38.0, 37.0, 39.0, 40.0])
    slow = _bench.slow_replicas(rows, 0.7, {'a2-0': 'atlas_800_a2', 'a2-1': 'atlas_800_a2'})
    assert [(record['node'], record['replica']) for record in slow] == [('a2-1', 'vllm-qwen3.6-r%d' % index) for index in range(4)]
    assert slow[0]['median'] == 77.5 and slow[0]['threshold'] == 54.25
    assert slow[0]['text'] == 'slow: 38.00 tok/s is below 0.7 of the atlas_800_a2 median 77.50'


def test_a_node_only_somewhat_slower_is_not_named():
    rows = rows_of([116.0, 118.0, 115.0, 117.0, 70.0, 71.0, 72.0, 73.0])
    assert _bench.slow_replicas(rows, 0.7, {'a2-0': 'atlas_800_a2', 'a2-1': 'atlas_800_a2'}) == []


def test_replicas_compare_within_their_node_type_only_and_the_cluster_not_at_all():
    rows = rows_of([100.0, 100.0, 100.0, 100.0, 50.0, 50.0, 50.0, 50.0])
    rows.append({'target': 'cluster-qwen3.6', 'node': 'cluster', 'replica': 'http://r:8080', 'out tok/s': 1.0})
    assert _bench.slow_replicas(rows, 0.7, {'a2-0': 'atlas_800_a2', 'a2-1': 'atlas_800_a3'}) == []


def test_rows_name_the_slow_replicas_in_their_note():
    results = [{'target': replica_target('a2-%d' % (index // 2), index % 2),
                'result': {'output_throughput': value, 'completed': 20, 'failed': 0}} for index, value in
               enumerate([100.0, 101.0, 20.0, 21.0])]
    rows = _bench.bench_rows(results, node_types={'a2-0': 'atlas_800_a2', 'a2-1': 'atlas_800_a2'}, fraction=0.7)
    assert [row['note'].startswith('slow: ') for row in rows] == [False, False, True, True]


def test_the_fraction_must_be_within_zero_and_one():
    with pytest.raises(BenchError, match=r'vllm_bench_slow_fraction: 1.5 is not in \(0, 1\]'):
        _bench.slow_replicas([], 1.5, {})


def test_the_chart_draws_the_cluster_first_and_leaves_out_targets_without_result():
    rows = [{'target': 'a2-0-vllm-qwen3.6-r0', 'node': 'a2-0', 'replica': 'vllm-qwen3.6-r0', 'out tok/s': 110.0,
             'TTFT mean': 50.0, 'TTFT p99': 80.0, 'note': 'slow: 110.00 tok/s is below 0.7 of the atlas_800_a2 median 200.00'},
            {'target': 'a2-0-vllm-qwen3.6-r1', 'node': 'a2-0', 'replica': 'vllm-qwen3.6-r1', 'out tok/s': '', 'TTFT mean': ''},
            {'target': 'cluster-qwen3.6', 'node': 'cluster', 'replica': 'http://r:8080', 'out tok/s': 400.0,
             'TTFT mean': 60.0, 'TTFT p99': 90.0}]
    series = _bench.chart_series(rows)
    assert series['labels'] == ['cluster qwen3.6', 'a2-0 r0']
    assert series['groups'] == ['cluster', 'a2-0']
    assert series['output_throughput'] == [400.0, 110.0] and series['ttft_p99'] == [90.0, 80.0]
    assert series['slow'] == [False, True]


def test_the_roles_columns_are_the_rows_keys():
    with open(os.path.join(ROOT, 'roles', 'vllm_bench', 'vars', 'main.yml'), encoding='utf-8') as stream:
        assert yaml.safe_load(stream)['_vllm_bench_columns'] == _bench.COLUMNS
