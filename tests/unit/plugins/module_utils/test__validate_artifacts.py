# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the artifacts come from (topic artifacts): the image cache and the weights' peer copy, on the roles' real specs."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_artifacts
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
A2 = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
      'ascend_weights_dir': '/data/models', 'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'a2-1', 'cache-0'], 'atlas_800_a2': ['a2-0', 'a2-1'], 'artifact_cache': ['cache-0']}


def _artifacts(node=None, cache=None, groups=None, everywhere=None):
    nodes = dict(A2, **(everywhere or {}))
    hosts = {'a2-0': dict(nodes, **(node or {})), 'a2-1': dict(nodes), 'cache-0': dict(everywhere or {}, **(cache or {}))}
    return validate(Inventory(hosts, groups=groups or GROUPS, specs=SPECS), ['artifacts'])


def _where(found):
    return [(p.get('host') or p.get('group'), p['variable']) for p in found]


def test_the_artifacts_check_is_registered_under_its_topic():
    assert [function for topic, function in _validate.CHECKS if topic == 'artifacts'] == [_validate_artifacts.check_artifact_sources]


def test_an_inventory_without_a_cache_or_peer_copy_passes():
    assert _artifacts(groups={'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}) == []


def test_nodes_that_pull_through_the_group_s_cache_pass():
    assert _artifacts(everywhere={'ascend_image_cache': 'cache-0:5000'}) == []


def test_a_cache_host_is_no_serving_node():
    inventory = Inventory({'a2-0': dict(A2), 'cache-0': {}}, groups=GROUPS, specs=SPECS)
    assert inventory.play_hosts == ['a2-0'] and 'cache-0' in inventory.run_hosts


@pytest.mark.parametrize('cache', ['http://cache-0:5000', 'cache-0:5000/v2', 'cache-0:70000'])
def test_a_cache_that_is_no_host_port_is_refused_under_the_name_the_user_set(cache):
    found = _artifacts(everywhere={'ascend_image_cache': cache})
    assert ('a2-0', 'ascend_image_cache') in _where(found)
    first = [p for p in found if p['variable'] == 'ascend_image_cache'][0]
    assert 'cache-01:5000' in first['accepted']


def test_a_cache_the_engine_does_not_trust_is_refused():
    found = _artifacts(node={'vllm_image_cache': 'cache-0:5000'}, everywhere={})
    # container_engine_image_cache follows ascend_image_cache, which is not set: the name to set.
    assert _where(found) == [('a2-0', 'ascend_image_cache')]
    trusted = [p for p in found if 'would not trust' in p['problem']]
    assert [p['host'] for p in trusted] == ['a2-0'] and 'ascend_image_cache: cache-0:5000' in trusted[0]['accepted']
    # Listed among the insecure registries by hand, it is trusted.
    found = _artifacts(node={'vllm_image_cache': 'cache-0:5000', 'container_engine_insecure_registries': ['cache-0:5000']},
                       everywhere={'ascend_image_cache': ''})
    assert not [p for p in found if 'would not trust' in p['problem']]


def test_the_cache_s_port_must_be_the_one_it_listens_on():
    found = _artifacts(everywhere={'ascend_image_cache': 'cache-0:5001'})
    assert _where(found) == [('a2-0', 'ascend_image_cache'), ('a2-1', 'ascend_image_cache')]
    port = [p for p in found if 'listens on 5000' in p['problem']]
    assert [p['host'] for p in port] == ['a2-0', 'a2-1'] and port[0]['accepted'] == 'ascend_image_cache: cache-0:5000'
    assert _artifacts(everywhere={'ascend_image_cache': 'cache-0:6000'}, cache={'artifact_cache_port': 6000}) == []


def test_the_cache_reached_by_its_address_counts_too():
    assert _artifacts(everywhere={'ascend_image_cache': '10.0.0.9:5000'}, cache={'ansible_host': '10.0.0.9'}) == []


def test_an_image_registry_the_cache_does_not_proxy_is_refused():
    found = _artifacts(node={'vllm_image_registry': 'm.daocloud.io/quay.io'}, everywhere={'ascend_image_cache': 'cache-0:5000'})
    assert _where(found) == [('a2-0', 'vllm_image_registry')]
    assert 'fetches from https://quay.io' in found[0]['problem']
    assert 'artifact_cache_upstream: https://m.daocloud.io on cache-0' in found[0]['accepted']
    # The cache's upstream follows the registry when the whole site uses the mirror.
    assert _artifacts(everywhere={'ascend_image_cache': 'cache-0:5000', 'ascend_image_registry': 'm.daocloud.io/quay.io'}) == []


def test_a_mirror_of_the_site_s_own_is_not_held_to_the_group_s_cache():
    groups = {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}
    assert _artifacts(everywhere={'ascend_image_cache': 'mirror.site:443'}, groups=groups) == []


@pytest.mark.parametrize('cache, variable', [
    ({'artifact_cache_upstream': 'quay.io'}, 'artifact_cache_upstream'),
    ({'artifact_cache_upstream': 'https://quay.io/ascend'}, 'artifact_cache_upstream'),
    ({'artifact_cache_port': 0}, 'artifact_cache_port'),
    ({'artifact_cache_storage_dir': 'cache'}, 'artifact_cache_storage_dir'),
])
def test_a_cache_host_s_settings_are_checked(cache, variable):
    found = _artifacts(everywhere={'ascend_image_cache': 'cache-0:5000'}, cache=cache)
    assert ('cache-0', variable) in _where(found)


def test_a_cache_no_node_pulls_through_is_refused_for_the_group():
    found = _artifacts()
    assert _where(found) == [('artifact_cache', 'ascend_image_cache')]
    assert found[0]['accepted'].startswith('ascend_image_cache: cache-0:5000')


@pytest.mark.parametrize('node, variable', [
    ({'model_weights_peer_port': 80}, 'model_weights_peer_port'),
    ({'model_weights_peer_port': 'x'}, 'model_weights_peer_port'),
    ({'model_weights_peer_timeout': 5}, 'model_weights_peer_timeout'),
    ({'model_weights_peer_address': 'a b'}, 'model_weights_peer_address'),
])
def test_peer_copy_settings_are_checked_when_it_is_on(node, variable):
    groups = {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}
    assert _where(_artifacts(node=dict(node, model_weights_peer_copy=True), groups=groups)) == [('a2-0', variable)]
    assert _artifacts(node=dict(node, model_weights_peer_copy=False), groups=groups) == []


def test_peer_copy_with_its_defaults_passes():
    groups = {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}
    assert _artifacts(everywhere={'model_weights_peer_copy': 'yes'}, groups=groups) == []
