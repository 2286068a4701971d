# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ascend_ops.vllm.validate_inventory: gathers, on the controller, what the checks of
module_utils/_validate.py read, runs them and reports. It connects to no host."""

from __future__ import annotations

import glob
import os
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

import yaml

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate
from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import RunPackageError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import read_version_info as _read_version_info
# Checks of other features register with _validate.check when imported.
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_bench  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_rolling  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_accuracy  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_monitoring  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_remove  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_faults  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_artifacts  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle_read import read_bundle

try:  # ansible-core 2.19+: values loaded from files carry their file and line
    from ansible._internal._datatag._tags import Origin  # pylint: disable=ansible-bad-import-from
except ImportError:  # pragma: no cover - older ansible-core
    Origin = None

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES_DIR = os.path.join(COLLECTION_ROOT, 'roles')


def _load_yaml(path: str) -> Any:
    with open(path, encoding='utf-8') as stream:
        return yaml.safe_load(stream)


def load_specs(roles_dir: str = ROLES_DIR) -> Dict[str, Any]:
    """role -> its argument_specs mapping."""
    specs = {}
    for path in sorted(glob.glob(os.path.join(roles_dir, '*', 'meta', 'argument_specs.yml'))):
        role = os.path.basename(os.path.dirname(os.path.dirname(path)))
        specs[role] = (_load_yaml(path) or {}).get('argument_specs') or {}
    return specs


def _task_names(node: Any, names: Set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _task_names(item, names)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key in ('ansible.builtin.set_fact', 'set_fact') and isinstance(value, Mapping):
                names.update(str(name) for name in value if name != 'cacheable')
            elif key == 'register' and isinstance(value, str):
                names.add(value)
            elif key in ('block', 'rescue', 'always'):
                _task_names(value, names)


def load_role_facts(roles_dir: str = ROLES_DIR) -> Set[str]:
    """Names the roles' tasks set as facts or register: a later play sees them in hostvars."""
    names = set()  # type: Set[str]
    for path in sorted(glob.glob(os.path.join(roles_dir, '*', 'tasks', '*.yml'))
                       + glob.glob(os.path.join(roles_dir, '*', 'handlers', '*.yml'))):
        try:
            _task_names(_load_yaml(path), names)
        except (OSError, yaml.YAMLError):
            continue
    return names


def _plain(value: Any) -> Any:
    """A templated value as plain Python (evaluating lazy containers now, so errors surface here)."""
    if isinstance(value, Mapping):
        return dict((to_text(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (str, bytes)):
        return to_text(value)
    return to_text(value)


def _origin(raw: Any) -> Optional[str]:
    if Origin is None:
        return None
    tag = Origin.get_tag(raw)
    if not tag or not tag.path:
        return None
    path = tag.path
    try:
        path = os.path.relpath(path)
    except ValueError:
        pass
    return '%s:%s' % (path, tag.line_num) if tag.line_num else path


def read_version_info(path: str) -> Dict[str, str]:
    """version.info of a makeself .run package on the controller, as key=value pairs (the node's module reads it alike)."""
    with open(path, 'rb') as package:
        info = _read_version_info(package)
    if info is None:
        raise RunPackageError('%s holds no version.info' % path)
    return info


class ActionModule(ActionBase):
    """Check every host and group of the play from the controller, fail with one report."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(('checks', 'skip_checks', 'hosts', 'fail_on_problems'))

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        args = self._task.args
        checks = args.get('checks')
        if checks is not None and (not isinstance(checks, list) or [check for check in checks if check not in _validate.topics()]):
            raise AnsibleActionFail('validate_inventory: checks must be a list of %s, got %r' % (', '.join(_validate.topics()), checks))
        skipped = args.get('skip_checks') or []
        if not isinstance(skipped, list) or [check for check in skipped if check not in _validate.topics()]:
            raise AnsibleActionFail('validate_inventory: skip_checks must be a list of %s, got %r' % (', '.join(_validate.topics()), skipped))
        if skipped:
            checks = [check for check in (checks or _validate.topics()) if check not in skipped]
        fail = _validate.parse_bool(args.get('fail_on_problems', True))
        if fail is None:
            raise AnsibleActionFail('validate_inventory: fail_on_problems must be true or false, got %r' % (args['fail_on_problems'],))
        play_hosts = list(args.get('hosts') or task_vars.get('ansible_play_hosts_all') or [])
        hostvars = task_vars.get('hostvars') or {}
        unknown = [host for host in play_hosts if host not in hostvars]
        if unknown:
            raise AnsibleActionFail('validate_inventory: hosts %s are not in the inventory' % ', '.join(unknown))
        groups = dict((name, list(members)) for name, members in (task_vars.get('groups') or {}).items())

        specs = load_specs()
        prefixes = tuple(sorted(set(role + '_' for role in specs))) + ('ascend_',)
        hosts, errors, sources = self._read_hosts(hostvars, play_hosts, prefixes)
        inventory = _validate.Inventory(hosts, groups=groups, play_hosts=play_hosts, specs=specs, errors=errors,
                                        sources=sources, known_facts=load_role_facts())
        inventory.controller = self._controller_facts(inventory, checks is None or 'bundle' in checks)

        problems = _validate.validate(inventory, checks)
        open_endpoints = _validate.open_endpoints(inventory) if checks is None or 'api_key' in checks else []
        result.update(changed=False, open_endpoints=open_endpoints, bundle_needs=self._bundle_needs(inventory))
        if open_endpoints:
            self._display.warning(
                'validate_inventory: %s serve every interface (0.0.0.0) without an API key: anyone who reaches the nodes'
                ' can use the model. Set vllm_serve_api_key (from a vault-encrypted variable) and ascend_require_api_key:'
                ' true, or bind vllm_serve_host to an internal address.' % ', '.join(open_endpoints))
        if problems:
            result['msg'] = _validate.report(problems, groups)
            if fail:
                # The report says it all; the records would print every problem a second time.
                result['failed'] = True
            else:
                result['problems'] = problems
        else:
            result['problems'] = []
            result['msg'] = '%d hosts pass every check (%s)' % (len(play_hosts), ', '.join(checks or _validate.topics()))
        return result

    @staticmethod
    def _bundle_needs(inventory: Any) -> List[Dict[str, Any]]:
        """What an offline bundle must hold for the inventory; none where the settings give none (the checks say why)."""
        try:
            return _validate_bundle.inventory_needs(inventory)[0]
        except (ValueError, TypeError, KeyError, AttributeError):  # a setting of the wrong shape: the checks report it
            return []

    @staticmethod
    def _read_hosts(hostvars: Any, play_hosts: List[str], prefixes: Tuple[str, ...]
                    ) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, Dict[str, str]], Dict[str, Dict[str, str]]]:
        """Each host's variables of the collection as the inventory and -e set them, templated."""
        hosts = {}  # type: Dict[str, Dict[str, Any]]
        errors = {}  # type: Dict[str, Dict[str, str]]
        sources = {}  # type: Dict[str, Dict[str, str]]
        for host in play_hosts:
            variables = hostvars[host]
            raw = {}  # type: Mapping[str, Any]
            try:
                raw = hostvars.raw_get(host)
            except Exception:  # pylint: disable=broad-except  # raw values only give the file names
                raw = {}
            hosts[host], errors[host], sources[host] = {}, {}, {}
            for name in sorted(variables.keys()):
                if not name.startswith(prefixes) or name.startswith('_'):
                    continue
                try:
                    hosts[host][name] = _plain(variables[name])
                except Exception as error:  # pylint: disable=broad-except  # any templating error is the user's to fix
                    errors[host][name] = to_text(error).splitlines()[0] if to_text(error) else type(error).__name__
                origin = _origin(raw.get(name)) if name in raw else None
                if origin:
                    sources[host][name] = origin
        return hosts, errors, sources

    @staticmethod
    def _controller_facts(inventory: Any, bundles: bool = True) -> Dict[str, Any]:
        """What the checks need from the controller's disk: driver packages' version.info, archives that exist,
        the offline bundles' manifests and files (hashed, unless ascend_offline_bundle_checksums is false)."""
        facts = {'driver_packages': {}, 'firmware_packages': {}, 'files': {}, 'bundles': {}}  # type: Dict[str, Any]
        stems = {}
        stems_file = os.path.join(ROLES_DIR, 'npu_driver', 'vars', 'main.yml')
        if os.path.exists(stems_file):
            driver_vars = _load_yaml(stems_file) or {}
            stems = driver_vars.get('_npu_driver_package_stems') or {}
            facts['driver_arch_tags'] = driver_vars.get('_npu_driver_arch_tags') or {}
        # The bundle's driver names are npu_driver's: the same stems.
        facts['driver_stems'] = stems
        for host in inventory.run_hosts if bundles else []:
            directory = inventory.value(host, _validate_bundle.BUNDLE_VARIABLE, '')
            if isinstance(directory, str) and directory.startswith('/') and directory not in facts['bundles']:
                checksums = inventory.bool_value(host, 'offline_bundle_checksums', True) is not False
                facts['bundles'][directory] = read_bundle(directory, checksums)
        read = {}  # type: Dict[str, Optional[Dict[str, str]]]

        def version_info(path: str) -> Optional[Dict[str, str]]:
            if path not in read:
                try:
                    read[path] = read_version_info(path)
                except (OSError, ValueError):  # RunPackageError is a ValueError
                    read[path] = None  # the role's own --check judges a broken package
            return read[path]

        for host in inventory.router_hosts:
            for variable in ('vllm_router_tls_certificate', 'vllm_router_wheels_dir'):
                path = inventory.value(host, variable, '')
                if isinstance(path, str) and path:
                    facts['files'][path] = os.path.exists(os.path.expanduser(path))
        for host in inventory.play_hosts:
            for variable, remote in (('model_weights_source_path', 'model_weights_source_remote'),
                                     ('vllm_image_archive', 'vllm_image_archive_remote')):
                path = inventory.value(host, variable, '')
                if isinstance(path, str) and path.startswith('/') and not inventory.bool_value(host, remote):
                    facts['files'][path] = os.path.exists(path)
            directory = inventory.value(host, 'npu_driver_packages_dir', '')
            if not isinstance(directory, str) or not directory.startswith('/') or not os.path.isdir(directory):
                continue
            node_stems = stems.get(inventory.value(host, 'npu_driver_node_type'), {})
            for component, package_var, version_var, pattern in (
                    ('driver', 'npu_driver_driver_package', 'npu_driver_version', '%s_%s_linux-*.run'),
                    ('firmware', 'npu_driver_firmware_package', 'npu_driver_firmware_version', '%s_%s.run')):
                name = inventory.value(host, package_var, '')
                if name:
                    candidates = [os.path.join(directory, str(name))]
                elif node_stems.get(component):
                    candidates = sorted(glob.glob(os.path.join(directory, pattern % (
                        glob.escape(node_stems[component]), glob.escape(str(inventory.value(host, version_var, '')))))))
                else:
                    candidates = []
                for path in candidates:
                    if os.path.isfile(path):
                        info = version_info(path)
                        if info is not None:
                            facts[component + '_packages'][host] = {'path': path, 'version_info': info}
                            break
        return facts
