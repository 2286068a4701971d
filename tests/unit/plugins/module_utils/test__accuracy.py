# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The accuracy run's endpoint, model config, command line and verdict, on real AISBench summaries.

The summaries are captures of ais-bench-benchmark 3.1.20260630 on this machine
(fixtures/README.md, "AISBench summaries"); the model config's shape is
AISBench's own vllm_api_general_chat.py.
"""

from __future__ import annotations

import ast
import json
import os

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _accuracy
from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import serving_layout

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'accuracy')


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        return handle.read()


SCORED = fixture('summary_gsm8k-80_ais-bench-3.1.20260630_this-host.csv')
REFUSED = fixture('summary_gsm8k-wrong-api-key_ais-bench-3.1.20260630_this-host.csv')
TWO = fixture('summary_two-datasets_CONSTRUCTED.csv')


def node(name, model='qwen3.6-27b-w8a8', **more):
    return dict({'inventory_hostname': name,
                 'ascend_serving_layout': serving_layout({'node_type': 'atlas_800_a2', 'model': model})}, **more)


ROUTER = {'inventory_hostname': 'router-0', 'vllm_router_instances': [
    {'name': 'qwen3.6', 'model': 'qwen3.6', 'front_url': 'http://router-0:8080/', 'workers': ['http://a2-0:8000', 'http://a2-0:8001']}]}
TWO_MODEL_ROUTER = {'inventory_hostname': 'router-0', 'vllm_router_instances': [
    {'name': 'qwen3.6', 'model': 'qwen3.6', 'front_url': 'http://router-0:8080', 'workers': []},
    {'name': 'qwen3.5', 'model': 'qwen3.5', 'front_url': 'http://router-0:8081', 'workers': []}]}


# ---------------------------------------------------------------- the endpoint

def test_cluster_target_is_the_routers_front_without_its_trailing_slash():
    target = _accuracy.accuracy_target([node('a2-0')], [ROUTER])
    assert (target['kind'], target['url'], target['model']) == ('cluster', 'http://router-0:8080', 'qwen3.6')


def test_cluster_without_a_router_is_refused_pointing_at_the_other_ways():
    with pytest.raises(AccuracyError, match=r'vllm_accuracy_target: cluster, but the inventory has no vllm_router host.*'
                                            r'vllm_accuracy_target: replica, or vllm_accuracy_url'):
        _accuracy.accuracy_target([node('a2-0')], [])
    with pytest.raises(AccuracyError, match=r'no router host \(router-0\) has vllm_router_instances'):
        _accuracy.accuracy_target([node('a2-0')], [{'inventory_hostname': 'router-0'}])


def test_two_served_models_need_the_model_named():
    with pytest.raises(AccuracyError, match=r'vllm_accuracy_model: the cluster endpoint serves qwen3.6 and qwen3.5'):
        _accuracy.accuracy_target([], [TWO_MODEL_ROUTER])
    assert _accuracy.accuracy_target([], [TWO_MODEL_ROUTER], model='qwen3.5')['url'] == 'http://router-0:8081'
    with pytest.raises(AccuracyError, match=r"vllm_accuracy_model: 'qwen9' is not served by the cluster endpoint; accepted: one of qwen3.5, qwen3.6"):
        _accuracy.accuracy_target([], [TWO_MODEL_ROUTER], model='qwen9')


def test_replica_target_is_the_first_replica_or_the_one_named():
    nodes = [node('a2-0'), node('a2-1', ansible_host='10.0.0.6')]
    first = _accuracy.accuracy_target(nodes, [ROUTER], target='replica')
    assert (first['node'], first['url']) == ('a2-0', 'http://a2-0:8000')
    named = _accuracy.accuracy_target(nodes, target='replica', replica='a2-1/%s' % first['replica'])
    assert named['url'] == 'http://10.0.0.6:8000'
    assert _accuracy.accuracy_target(nodes, target='replica', replica='a2-1')['node'] == 'a2-1'
    assert _accuracy.accuracy_target(nodes, target='replica', replica=named['name'])['url'] == 'http://10.0.0.6:8000'
    with pytest.raises(AccuracyError, match=r"vllm_accuracy_model: 'qwen3.5' is not served by any replica of the plans; accepted: one of qwen3.6"):
        _accuracy.accuracy_target(nodes, target='replica', model='qwen3.5')
    with pytest.raises(AccuracyError, match=r"vllm_accuracy_replica: 'a2-9' is no replica of the plans; accepted: .*a2-0/"):
        _accuracy.accuracy_target(nodes, target='replica', replica='a2-9')


def test_replica_without_plans_and_an_unknown_target_are_refused():
    with pytest.raises(AccuracyError, match=r'no serving node has a plan'):
        _accuracy.accuracy_target([], [ROUTER], target='replica')
    with pytest.raises(AccuracyError, match=r"vllm_accuracy_target: 'replicas' is no target; accepted: cluster or replica"):
        _accuracy.accuracy_target([node('a2-0')], [ROUTER], target='replicas')


def test_a_url_given_by_hand_wins_for_the_one_served_model():
    target = _accuracy.accuracy_target([node('a2-0')], [ROUTER], target='replica', url='http://llm.example.internal:8080/')
    assert (target['url'], target['model'], target['note']) == ('http://llm.example.internal:8080', 'qwen3.6', 'vllm_accuracy_url')
    with pytest.raises(AccuracyError, match=r'vllm_accuracy_model: vllm_accuracy_url is set but the nodes serve qwen3.5 and qwen3.6'):
        _accuracy.accuracy_target([node('a2-0'), node('a2-1', model='qwen3.5-27b-w8a8')], url='http://llm:8080')
    with pytest.raises(AccuracyError, match=r"vllm_accuracy_url: 'llm:8080' is not an http\(s\) URL"):
        _accuracy.accuracy_target([node('a2-0')], url='llm:8080')


# ---------------------------------------------------------------- the model config

TARGET = {'name': 'cluster-qwen3.6', 'url': 'http://router-0:8080', 'model': 'qwen3.6'}


def config_models(source):
    """The models list of a generated config, its type and postprocessor names as strings (as AISBench reads it)."""
    tree = ast.parse(source)
    imports = [(item.module, [alias.name for alias in item.names]) for item in tree.body if isinstance(item, ast.ImportFrom)]
    assert imports == [('ais_bench.benchmark.models', ['VLLMCustomAPIChat']),
                       ('ais_bench.benchmark.utils.postprocess.model_postprocessors', ['extract_non_reasoning_content'])]
    names = {'VLLMCustomAPIChat': 'VLLMCustomAPIChat', 'extract_non_reasoning_content': 'extract_non_reasoning_content',
             'dict': dict}
    tree.body = [item for item in tree.body if not isinstance(item, ast.ImportFrom)]
    code = compile(tree, '<config>', 'exec')
    scope = {}
    exec(code, {'__builtins__': {}, **names}, scope)  # pylint: disable=exec-used  # the config is data written by model_config
    return scope['models']


def test_model_config_is_vllm_api_general_chat_for_the_target():
    source = _accuracy.model_config(TARGET, {'batch_size': 8, 'max_out_len': 1024,
                                             'generation_kwargs': {'temperature': 0.0, 'top_p': 1, 'seed': 1024}},
                                    api_key='s3cret', tokenizer='/data/models/Qwen3.6-27B-w8a8')
    [model] = config_models(source)
    assert model['type'] == 'VLLMCustomAPIChat' and model['attr'] == 'service' and model['stream'] is False
    assert (model['abbr'], model['model'], model['url']) == ('vllm-api-general-chat', 'qwen3.6', 'http://router-0:8080')
    assert (model['batch_size'], model['max_out_len'], model['retry']) == (8, 1024, 2)
    assert model['generation_kwargs'] == {'temperature': 0.0, 'top_p': 1, 'seed': 1024}
    assert (model['api_key'], model['path']) == ('s3cret', '/data/models/Qwen3.6-27B-w8a8')
    assert model['pred_postprocessor'] == {'type': 'extract_non_reasoning_content'}
    # mmengine reads configs lazily: no call but dict(), nothing that reads the environment.
    assert 'os.' not in source and 'environ' not in source


def test_model_config_quotes_what_it_is_given():
    source = _accuracy.model_config(dict(TARGET, model="qwen'3\""), {'generation_kwargs': {'stop': ['\n\nQuestion:']}},
                                    api_key='k"ey\\')
    [model] = config_models(source)
    assert model['model'] == "qwen'3\"" and model['api_key'] == 'k"ey\\'
    assert model['generation_kwargs'] == {'stop': ['\n\nQuestion:']}


@pytest.mark.parametrize('settings, message', [
    ({'batch_size': 0}, r'vllm_accuracy_batch_size: 0 is not a whole number of 1 or more'),
    ({'max_out_len': 'many'}, r"vllm_accuracy_max_out_len: 'many' is not a whole number"),
    ({'generation_kwargs': {'top-p': 1}}, r'vllm_accuracy_generation_kwargs: has keys that are no request field names: top-p'),
    ({'generation_kwargs': {'temperature': float('nan')}}, r'generation_kwargs.temperature is nan, not a finite number'),
    ({'generation_kwargs': [1]}, r'vllm_accuracy_generation_kwargs: \[1\] is not a mapping'),
])
def test_model_config_refuses_settings_it_cannot_write(settings, message):
    with pytest.raises(AccuracyError, match=message):
        _accuracy.model_config(TARGET, settings)


def test_model_config_refuses_a_key_on_two_lines_and_a_target_without_url():
    with pytest.raises(AccuracyError, match=r'vllm_accuracy_api_key: the key is not one line'):
        _accuracy.model_config(TARGET, api_key='a\nb')
    with pytest.raises(AccuracyError, match=r"the endpoint 'x' has no url"):
        _accuracy.model_config({'name': 'x', 'model': 'm'})


# ---------------------------------------------------------------- the command line

def test_argv_is_the_documented_ais_bench_run_with_the_generated_model():
    argv = _accuracy.ais_bench_argv({'venv': '/opt/ais', 'config_dir': '/w/cfg', 'work_dir': '/w/out'})
    assert argv == ['/opt/ais/bin/ais_bench', '--models', 'ascend_ops_vllm_accuracy', '--datasets', 'gsm8k_gen_0_shot_cot_chat_prompt',
                    '--config-dir', '/w/cfg', '--mode', 'all', '-w', '/w/out']


def test_argv_takes_an_existing_command_several_datasets_a_sample_and_more_options():
    argv = _accuracy.ais_bench_argv({'command': ['/usr/local/bin/ais_bench'], 'datasets': ['gsm8k_gen', 'ceval_gen'],
                                     'num_prompts': 50, 'extra_args': ['--dump-eval-details']})
    assert argv[0] == '/usr/local/bin/ais_bench'
    assert argv[argv.index('--datasets') + 1:argv.index('--config-dir')] == ['gsm8k_gen', 'ceval_gen']
    assert argv[-3:] == ['--num-prompts', '50', '--dump-eval-details']


@pytest.mark.parametrize('settings, message', [
    ({'extra_args': ['--mode', 'perf']}, r'vllm_accuracy_extra_args: gives --mode, which the role sets itself'),
    ({'extra_args': ['-w=/tmp']}, r'gives -w, which the role sets itself'),
    ({'datasets': []}, r'vllm_accuracy_datasets: \[\] is not a non-empty list'),
    ({'datasets': ['gsm8k gen']}, r"has names that are no AISBench config names: gsm8k gen"),
    ({'num_prompts': 0}, r'vllm_accuracy_num_prompts: 0 is not a whole number of 1 or more'),
    ({'work_dir': 'out'}, r"vllm_accuracy_work_dir: 'out' is not an absolute path"),
])
def test_argv_refuses_wrong_settings_naming_the_variable(settings, message):
    with pytest.raises(AccuracyError, match=message):
        _accuracy.ais_bench_argv(settings)


def test_dataset_links_put_user_directories_where_aisbench_resolves_them():
    links = _accuracy.dataset_links({'gsm8k': '/data/datasets/gsm8k/'}, '/w/datasets/')
    assert links == [{'name': 'gsm8k', 'src': '/data/datasets/gsm8k', 'path': '/w/datasets/ais_bench/datasets/gsm8k'}]
    assert _accuracy.dataset_links({}, '/w') == [] and _accuracy.dataset_links(None, '/w') == []
    with pytest.raises(AccuracyError, match=r"the directory of gsm8k, 'gsm8k', is not an absolute path"):
        _accuracy.dataset_links({'gsm8k': 'gsm8k'}, '/w')
    with pytest.raises(AccuracyError, match=r"'\.\.' is no dataset directory name"):
        _accuracy.dataset_links({'..': '/data'}, '/w')


# ---------------------------------------------------------------- the summary and the verdict

def test_a_real_summary_parses_to_its_score():
    assert _accuracy.parse_summary(SCORED) == [{'dataset': 'gsm8k', 'version': '50861a', 'metric': 'accuracy', 'mode': 'gen',
                                                'model': 'vllm-api-general-chat', 'score': 80.0}]


def test_the_threshold_passes_at_and_below_the_score_and_fails_above_it():
    assert _accuracy.accuracy_rows(SCORED, 80)[0]['verdict'] == 'pass'
    assert _accuracy.accuracy_rows(SCORED, 79.99)[0]['verdict'] == 'pass'
    failed = _accuracy.accuracy_rows(SCORED, 96.74)
    assert failed == [{'dataset': 'gsm8k', 'version': '50861a', 'metric': 'accuracy', 'mode': 'gen', 'score': '80.00',
                       'threshold': '96.74', 'verdict': 'FAIL'}]
    assert _accuracy.accuracy_failures(failed) == ['gsm8k accuracy 80.00 is below the threshold 96.74']
    assert _accuracy.accuracy_failures(_accuracy.accuracy_rows(SCORED, 80)) == []


def test_no_threshold_shows_the_score_unchecked():
    [row] = _accuracy.accuracy_rows(SCORED)
    assert (row['score'], row['threshold'], row['verdict']) == ('80.00', '', '-')
    assert _accuracy.accuracy_failures([row]) == []


def test_refused_requests_give_no_score_which_always_fails():
    # ais_bench exits 0 when every request is refused (a wrong key): the summary's dashes are the only sign.
    [row] = _accuracy.accuracy_rows(REFUSED)
    assert (row['dataset'], row['metric'], row['score'], row['verdict']) == ('gsm8k', '-', '', 'no score')
    assert _accuracy.accuracy_failures([row]) == ['gsm8k - has no score (its inference or evaluation failed; see the logs in the '
                                                  'work directory)']


def test_each_dataset_is_judged_on_its_own():
    rows = _accuracy.accuracy_rows(TWO, 96)
    assert [(row['dataset'], row['verdict']) for row in rows] == [('gsm8k', 'pass'), ('math_prm800k_500', 'no score')]
    assert len(_accuracy.accuracy_failures(rows)) == 1
    assert list(rows[0]) == list(_accuracy.ROW_COLUMNS)


@pytest.mark.parametrize('threshold', [101, -1, 'high', True])
def test_a_threshold_out_of_range_is_refused(threshold):
    with pytest.raises(AccuracyError, match=r'vllm_accuracy_threshold: .* is not a score in \[0, 100\]'):
        _accuracy.accuracy_rows(SCORED, threshold)


@pytest.mark.parametrize('text, message', [
    ('', r'the summary is empty'),
    ('dataset,version,metric,mode,m\n', r'a header and no row'),
    ('{"completed": 10}', r'not an AISBench summary'),
])
def test_what_is_no_summary_is_refused(text, message):
    with pytest.raises(AccuracyError, match=message):
        _accuracy.parse_summary(text)


def test_the_markdown_and_text_summaries_hold_the_same_score():
    # The role reads the CSV; the other two files of the same run say the same (a check on the capture).
    assert '| gsm8k | 50861a | accuracy | gen | 80.00 |' in fixture('summary_gsm8k-80_ais-bench-3.1.20260630_this-host.md')
    assert "gsm8k: {'accuracy': 80.0}" in fixture('summary_gsm8k-80_ais-bench-3.1.20260630_this-host.txt')


def test_the_roles_columns_are_the_rows_keys():
    import yaml  # pylint: disable=import-outside-toplevel

    path = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'vllm_accuracy', 'vars', 'main.yml')
    with open(path, encoding='utf-8') as stream:
        assert yaml.safe_load(stream)['_vllm_accuracy_columns'] == list(_accuracy.ROW_COLUMNS)


# ---------------------------------------------------------------- the client's install

INSTALL = {'torch_package': 'torch==2.13.0', 'torch_pip_args': '--extra-index-url https://download.pytorch.org/whl/cpu',
           'packages': ['ais-bench-benchmark==3.1.20260630', 'pyarrow<19'],
           'pip_args': '-c /var/tmp/ascend_ops-accuracy/constraints-ais-bench-3.1.20260630.txt', 'constraints': 'torch==2.13.0\n'}
# As python3 -m venv of Python 3.11.7 writes it.
PYVENV = 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\nexecutable = /usr/bin/python3.11\n'


def test_pip_find_links_names_each_local_directory_in_every_spelling():
    args = '--no-index --find-links /srv/wheels -f /srv/more --find-links=file:///srv/third -f/srv/four -f https://mirror/simple'
    assert _accuracy.pip_find_links(args) == ['/srv/wheels', '/srv/more', '/srv/third', '/srv/four']


def test_pip_find_links_is_empty_without_the_flag():
    assert _accuracy.pip_find_links('') == []
    assert _accuracy.pip_find_links('-c /tmp/c.txt --force-reinstall') == []


@pytest.mark.parametrize('text, version', [(PYVENV, '3.11.7'), ('home = /usr/bin\nversion_info = 3.12.1.final.0\n', '3.12.1'), ('', '')])
def test_venv_python_version_reads_what_venv_and_virtualenv_write(text, version):
    assert _accuracy.venv_python_version(text) == version


def test_an_unchanged_install_needs_no_pip():
    first = _accuracy.install_plan(INSTALL, '', PYVENV, {})
    again = _accuracy.install_plan(dict(INSTALL), first['record'], PYVENV, {})
    assert first['install'] and first['reason'] == 'no record of an install'
    assert again == {'install': False, 'reason': '', 'record': first['record']}


def test_no_venv_needs_pip_whatever_the_record_says():
    record = _accuracy.install_plan(INSTALL, '', PYVENV, {})['record']
    expected = {'install': True, 'reason': 'no venv yet', 'record': _accuracy.install_record(INSTALL, '', {})}
    assert _accuracy.install_plan(INSTALL, record, '', {}) == expected


@pytest.mark.parametrize('change', [{'packages': ['ais-bench-benchmark==3.1.20260701', 'pyarrow<19']},
                                    {'torch_package': 'torch==2.14.0'}, {'torch_package': ''},
                                    {'torch_pip_args': ''}, {'pip_args': '--index-url https://mirror.example/simple'},
                                    {'constraints': 'torch==2.14.0\n'}, {'constraints': ''}])
def test_each_setting_of_the_install_makes_pip_run_again(change):
    record = _accuracy.install_plan(INSTALL, '', PYVENV, {})['record']
    plan = _accuracy.install_plan(dict(INSTALL, **change), record, PYVENV, {})
    assert plan['install'] and plan['reason'].startswith('the requirements')


def test_another_python_or_other_wheels_make_pip_run_again():
    record = _accuracy.install_plan(INSTALL, '', PYVENV, {'/srv/wheels': 'aa  1  a.whl\n'})['record']
    assert _accuracy.install_plan(INSTALL, record, PYVENV.replace('3.11.7', '3.12.1'), {'/srv/wheels': 'aa  1  a.whl\n'})['install']
    assert _accuracy.install_plan(INSTALL, record, PYVENV, {'/srv/wheels': 'bb  1  a.whl\n'})['install']
    assert not _accuracy.install_plan(INSTALL, record, PYVENV, {'/srv/wheels': 'aa  1  a.whl\n'})['install']


def test_wheels_that_cannot_be_read_here_always_install():
    record = _accuracy.install_plan(INSTALL, '', PYVENV, {})['record']
    plan = _accuracy.install_plan(INSTALL, record, PYVENV, None)
    assert plan['install'] and 'on the client' in plan['reason']


def test_the_record_keeps_no_pip_argument_in_clear():
    secret = dict(INSTALL, pip_args='--index-url https://user:s3cret@mirror.example/simple')
    record = _accuracy.install_record(secret, '3.11.7', {})
    assert 's3cret' not in record and 'mirror.example' not in record
    assert json.loads(record)['packages'] == ['ais-bench-benchmark==3.1.20260630', 'pyarrow<19']


def test_the_record_refuses_packages_that_are_no_list():
    with pytest.raises(AccuracyError, match='vllm_accuracy_packages'):
        _accuracy.install_record(dict(INSTALL, packages='ais-bench-benchmark'), '3.11.7', {})
