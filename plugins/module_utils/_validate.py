# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a whole inventory that need no host: run before any host is touched.

Private to the collection. Pure: no Jinja, no I/O; the ``validate_inventory``
action plugin gathers the inputs on the controller (each host's variables as
the inventory and ``-e`` set them, the groups, the roles' argument specs, what
the controller knows about driver packages) and reports what these functions
return.

A check is a function of an :class:`Inventory` that returns problems, each a
record made by :func:`problem`: the host or group, the variable as the user
writes it in the inventory, what is wrong, an accepted value, and where it came
from when that is known. Checks register themselves with :func:`check` under a
topic; a playbook asks for the topics it needs (``verify_hccl.yml`` serves no
model, so it does not ask for ``model`` or ``plan``). Later features add their
own checks here the same way.

Variables are read as the roles would see them: the value the inventory sets,
else the role's default from its ``meta/argument_specs.yml``. A default that
only forwards a collection-wide variable (``vllm_serve_model: "{{ ascend_model }}"``)
is followed to that variable, and a problem is reported against the name the
user set or should set (:meth:`Inventory.blame`), never the role's internal one.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import (
    CatalogError,
    compare_vllm_ascend_versions,
    merged_catalog,
    parse_vllm_ascend_version,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._data_parallel import (
    DEFAULT_RPC_PORT,
    DataParallelError,
    data_parallel_layout,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._data_parallel import layout_reserved_ports
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import (
    REQUEST_KEYS,
    LayoutError,
    serving_layout,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import (
    driver_outside_message,
    firmware_outside_message,
    firmware_ranges_of,
    outside_ranges,
    version_ranges,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._router import DEFAULT_SETTINGS as ROUTER_SETTINGS
from ansible_collections.ascend_ops.vllm.plugins.module_utils._router import settings_problems as router_settings_problems

Problem = Dict[str, Any]
Check = Callable[['Inventory'], List[Problem]]

# What `| bool` and a `when:` of the roles take as true and false. Anything
# else ("maybe", "disabled", 2) is refused: Ansible would read it as true or
# false without saying so.
TRUE_WORDS = frozenset(['true', 'yes', 'on', '1'])
FALSE_WORDS = frozenset(['false', 'no', 'off', '0'])
BOOLEAN_ACCEPTED = 'true or false (also yes/no, on/off, 1/0)'

# npu_driver's preflight takes versions of this shape (25.0.rc1.1, 7.7.0.1.231).
_DRIVER_VERSION = re.compile(r'^[0-9][0-9A-Za-z.]*$')
_TEMPLATE_FORWARD = re.compile(r'^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*default\((.*)\)\s*)?\}\}$', re.S)
_TEMPLATE_NAME = re.compile(r'\{\{\s*([A-Za-z_][A-Za-z0-9_]*)')
_INTERFACE_NAME = re.compile(r'^[A-Za-z0-9_.@-]{1,15}$')
_API_KEY = re.compile(r'^[A-Za-z0-9._~+/=:-]+$')
_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_HUB_ENDPOINT = re.compile(r'^https?://[^/ ]+/?$')
_CA_URL = re.compile(r'^(https?|file)://')
_PACKAGES_URL = re.compile(r'^(https?|ftp|file)://')

_MISSING = object()
# The inventory group of the router hosts (deploy.yml's router phase).
ROUTER_GROUP = 'vllm_router'
MONITORING_GROUP = 'monitoring'
ARTIFACT_CACHE_GROUP = 'artifact_cache'


class _Unresolved(Exception):
    """A role default is a template this module does not evaluate (it needs Ansible)."""


def problem(variable: str, what: str, accepted: str, host: Optional[str] = None, group: Optional[str] = None,
            source: Optional[str] = None) -> Problem:
    """One refusal: who (host or group), the variable as the user writes it, what is wrong, an accepted value."""
    return {'host': host, 'group': group, 'variable': variable, 'problem': what, 'accepted': accepted, 'source': source}


# ---------------------------------------------------------------- values


def parse_bool(value: Any) -> Optional[bool]:
    """True or False as the collection reads the value, or None when it is no boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _is_int(value: Any) -> bool:
    # -e name=value arrives as text; the planner and `| int` take digit strings.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and re.match(r'^\s*-?[0-9]+\s*$', value) is not None)


def _as_int(value: Any) -> int:
    return int(value.strip()) if isinstance(value, str) else int(value)


def _is_float(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _is_ipv4(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _quote(value: Any) -> str:
    """A value as YAML shows it: 'text', true, null, [1, 2]."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    return repr(value)


def _parse_literal(text: str) -> Any:
    """The literals role defaults pass to ``default()``: '' "" {} [] true false null and integers."""
    text = text.strip()
    literals = {'{}': {}, '[]': [], 'true': True, 'false': False, 'True': True, 'False': False, 'null': None,
                'none': None, 'None': None}
    if text in literals:
        return literals[text]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '\'"':
        return text[1:-1]
    if re.match(r'^-?[0-9]+$', text):
        return int(text)
    raise _Unresolved(text)


# ---------------------------------------------------------------- the inventory


class Inventory(object):
    """What the checks read: hosts with the variables the user set, groups, the roles' argument specs.

    ``hosts``: host name -> the variables the inventory (or ``-e``) sets for it,
    already templated. ``groups``: group name -> member hosts in inventory order.
    ``play_hosts``: the hosts of this run (``--limit`` applied); defaults to every
    host. A host of the ``vllm_router`` group without ``ascend_node_type`` only
    routes: the attribute ``play_hosts`` leaves it out (the serving checks
    read it), ``run_hosts`` has every host of the run. ``specs``: role name -> that role's ``argument_specs`` mapping.
    ``errors``: host -> variable -> why its template could not be evaluated.
    ``controller``: facts gathered on the controller: ``driver_packages`` and
    ``firmware_packages`` (host -> ``{'path', 'version_info'}`` read from the
    package on the controller), ``files`` (absolute path -> whether it exists).
    ``sources``: host -> variable -> where the value comes from, when known.
    ``known_facts``: names the roles set as facts or register (a later play may
    see them in hostvars); they are no typos.
    """

    def __init__(self, hosts: Mapping[str, Mapping[str, Any]], groups: Optional[Mapping[str, Sequence[str]]] = None,
                 play_hosts: Optional[Sequence[str]] = None, specs: Optional[Mapping[str, Any]] = None,
                 errors: Optional[Mapping[str, Mapping[str, str]]] = None, controller: Optional[Mapping[str, Any]] = None,
                 sources: Optional[Mapping[str, Mapping[str, str]]] = None,
                 known_facts: Optional[Iterable[str]] = None) -> None:
        self.hosts = dict((name, dict(variables)) for name, variables in hosts.items())
        self.groups = dict((name, list(members)) for name, members in (groups or {}).items())
        # Every host of the run; the router hosts among them; play_hosts, the
        # serving nodes the serving checks read: all but the hosts of the
        # vllm_router group without a node type, which only route (as
        # validate.yml's ascend_serving_nodes).
        self.run_hosts = list(play_hosts) if play_hosts is not None else list(self.hosts)
        routers = self.groups.get(ROUTER_GROUP, [])
        self.router_hosts = [host for host in self.run_hosts if host in routers]
        # A monitoring host without a node type serves nothing either (it runs Prometheus), nor an image cache's.
        helpers = set(routers) | set(self.groups.get(MONITORING_GROUP, [])) | set(self.groups.get(ARTIFACT_CACHE_GROUP, []))
        self.router_only = frozenset(host for host in self.hosts if host in helpers and not self.is_set(host, 'ascend_node_type'))
        self.play_hosts = [host for host in self.run_hosts if host not in self.router_only]
        self.specs = dict(specs or {})
        self.errors = dict((name, dict(variables)) for name, variables in (errors or {}).items())
        self.controller = dict(controller or {})
        self.sources = dict((name, dict(variables)) for name, variables in (sources or {}).items())
        self.known_facts = frozenset(known_facts or ())
        self.options = _options(self.specs)
        self.collection_options = _collection_options(self.options)
        self._plans = {}  # type: Dict[str, Tuple[Optional[Dict[str, Any]], Optional[Problem]]]

    # -- reading variables

    def is_set(self, host: str, variable: str) -> bool:
        return variable in self.hosts.get(host, {})

    def value(self, host: str, variable: str, default: Any = None) -> Any:
        """The value a role sees: the inventory's, else the role default (forwarded variables followed)."""
        found = self._value(host, variable, 0)
        return default if found is _MISSING else found

    def defined(self, host: str, variable: str) -> bool:
        return self._value(host, variable, 0) is not _MISSING

    def _value(self, host: str, variable: str, depth: int) -> Any:
        variables = self.hosts.get(host, {})
        if variable in variables:
            return variables[variable]
        option = self.options.get(variable)
        if option is None or 'default' not in option or depth > 5:
            return _MISSING
        try:
            return self._resolve(host, option['default'], depth + 1)
        except _Unresolved:
            return _MISSING

    def _resolve(self, host: str, default: Any, depth: int) -> Any:
        if isinstance(default, Mapping):
            return dict((key, self._resolve(host, value, depth)) for key, value in default.items())
        if isinstance(default, list):
            return [self._resolve(host, value, depth) for value in default]
        if not isinstance(default, str) or ('{{' not in default and '{%' not in default):
            return default
        match = _TEMPLATE_FORWARD.match(default.strip())
        if match is None:
            raise _Unresolved(default)
        found = self._value(host, match.group(1), depth)
        if found is not _MISSING:
            return found
        if match.group(2) is not None:
            return _parse_literal(match.group(2))
        raise _Unresolved(default)

    def blame(self, host: str, variable: str) -> str:
        """The name to report for ``variable`` on ``host``: the one the user set, or should set.

        ``vllm_serve_model`` unset defaults to ``ascend_model``: that is what
        the user set (or forgot), so that is the name a message gives.
        """
        seen = set()
        name = variable
        while name not in seen:
            seen.add(name)
            if self.is_set(host, name):
                return name
            option = self.options.get(name)
            default = option.get('default') if option else None
            forwarded = _TEMPLATE_NAME.match(default.strip()) if isinstance(default, str) else None
            if forwarded is None:
                return name
            name = forwarded.group(1)
        return name

    def source(self, host: str, variable: str) -> Optional[str]:
        return self.sources.get(host, {}).get(variable)

    def bool_value(self, host: str, variable: str, default: bool = False) -> Optional[bool]:
        """The boolean a role sees, or None when the value is no boolean (the types check reports it)."""
        found = self._value(host, variable, 0)
        if found is _MISSING:
            return default
        return parse_bool(found)

    # -- the catalog and the plan

    def catalog_extras(self, host: str) -> Dict[str, Any]:
        """The collection's one extension point: ascend_node_types_extra and ascend_models_extra."""
        return {'node_types': self.value(host, 'ascend_node_types_extra', {}) or {},
                'models': self.value(host, 'ascend_models_extra', {}) or {}}

    def catalog(self, host: str) -> Optional[Dict[str, Any]]:
        """The catalog with the host's extras, or None when the extras are wrong (the node_type check says how)."""
        try:
            return merged_catalog(self.catalog_extras(host))
        except CatalogError:
            return None

    def node_type(self, host: str, variable: str = 'vllm_serve_node_type') -> Optional[Dict[str, Any]]:
        catalog = self.catalog(host)
        name = self.value(host, variable)
        if catalog is None or not isinstance(name, str) or name not in catalog['node_types']:
            return None
        return catalog['node_types'][name]

    def plan(self, host: str) -> Tuple[Optional[Dict[str, Any]], Optional[Problem]]:
        """The host's default plan (every NPU of its node type), as the validate play's plan_default makes it.

        Returns ``(plan, None)``, ``(None, problem)`` naming the variable the
        user set, or ``(None, None)`` when the node type, model or version are
        themselves wrong (their own checks report them).
        """
        if host not in self._plans:
            self._plans[host] = self._make_plan(host)
        return self._plans[host]

    def _make_plan(self, host: str) -> Tuple[Optional[Dict[str, Any]], Optional[Problem]]:
        if _serving_basics_problems(self, host):
            return None, None
        request = {}
        for key in sorted(REQUEST_KEYS - {'npus', 'model_path'}):
            variable = 'vllm_serve_' + key
            if variable not in self.options:
                continue
            value = self.value(host, variable)
            if value is not None:
                request[key] = value
        # As the role's request: the catalog with the inventory's extension point.
        request['catalog'] = self.catalog_extras(host)
        try:
            return serving_layout(request), None
        except LayoutError as error:
            return None, _planner_problem(self, host, error)


def _options(specs: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Every role option by name (entry points repeat options; the first role and entry point win)."""
    options = {}  # type: Dict[str, Dict[str, Any]]
    for role in sorted(specs):
        entries = specs[role] or {}
        for entry in sorted(entries, key=lambda name: (name != 'main', name)):
            for name, option in ((entries[entry] or {}).get('options') or {}).items():
                if name not in options and isinstance(option, Mapping):
                    options[name] = dict(option, role=role)
    return options


def _literal_type(value: Any) -> Optional[str]:
    for kind, types in (('bool', bool), ('dict', Mapping), ('list', list), ('str', str), ('int', int)):
        if isinstance(value, types):
            return kind
    return None


def _collection_options(options: Mapping[str, Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Types of the collection-wide ``ascend_*`` variables, read from the role options that forward them.

    ``vllm_serve_node_type: {type: str, default: "{{ ascend_node_type }}"}``
    makes ``ascend_node_type`` a string; a nested forward with a literal
    default (``"{{ ascend_models_extra | default({}) }}"``) takes the literal's type.
    """
    found = {}  # type: Dict[str, Dict[str, Any]]

    def visit(default: Any, option: Optional[Mapping[str, Any]]) -> None:
        if isinstance(default, Mapping):
            for value in default.values():
                visit(value, None)
            return
        if not isinstance(default, str):
            return
        match = _TEMPLATE_FORWARD.match(default.strip())
        if match is None or not match.group(1).startswith('ascend_') or match.group(1) in found:
            return
        if option is not None and option.get('type'):
            spec = {'type': option['type'], 'role': option['role']}
            if option.get('elements'):
                spec['elements'] = option['elements']
            if option.get('no_log'):
                # ascend_api_key is as secret as the vllm_serve_api_key it feeds.
                spec['no_log'] = True
        elif match.group(2) is not None:
            try:
                kind = _literal_type(_parse_literal(match.group(2)))
            except _Unresolved:
                return
            if kind is None:
                return
            spec = {'type': kind}
        else:
            return
        found[match.group(1)] = spec

    for name in sorted(options):
        visit(options[name].get('default'), options[name])
    return found


# ---------------------------------------------------------------- registry

CHECKS = []  # type: List[Tuple[str, Check]]


def check(topic: str) -> Callable[[Check], Check]:
    """Register a check under ``topic`` (the order of registration is the order of the report)."""
    def register(function: Check) -> Check:
        CHECKS.append((topic, function))
        return function
    return register


def topics() -> List[str]:
    ordered = []  # type: List[str]
    for topic, dummy in CHECKS:
        if topic not in ordered:
            ordered.append(topic)
    return ordered


def validate(inventory: Inventory, selected: Optional[Iterable[str]] = None) -> List[Problem]:
    """Every problem of the inventory found by the checks of the ``selected`` topics (all by default)."""
    wanted = list(topics()) if selected is None else list(selected)
    unknown = [topic for topic in wanted if topic not in topics()]
    if unknown:
        raise ValueError('unknown check topics %s; known: %s' % (', '.join(unknown), ', '.join(topics())))
    problems = []  # type: List[Problem]
    seen = set()
    for topic, function in CHECKS:
        if topic not in wanted:
            continue
        for found in function(inventory):
            if found['host'] and not found.get('source'):
                found['source'] = inventory.source(found['host'], found['variable'])
            key = (found['host'], found['group'], found['variable'], found['problem'])
            if key not in seen:
                seen.add(key)
                problems.append(found)
    return problems


# ---------------------------------------------------------------- the report


def _who(found: Problem) -> str:
    if found.get('host'):
        return found['host']
    return 'group %s' % found['group']


def problem_line(found: Problem) -> str:
    """``host: variable: what is wrong; accepted: value`` (``(from source)`` when known)."""
    line = '%s: %s: %s; accepted: %s' % (_who(found), found['variable'], found['problem'], found['accepted'])
    if found.get('source'):
        line += ' (from %s)' % found['source']
    return line


def merge_by_group(problems: Sequence[Problem], groups: Mapping[str, Sequence[str]]) -> List[Problem]:
    """The same problem on every host of a group (a group_vars mistake) becomes one problem of that group."""
    merged = []  # type: List[Problem]
    by_key = {}  # type: Dict[Tuple[Any, ...], List[Problem]]
    order = []  # type: List[Tuple[Any, ...]]
    for found in problems:
        if not found.get('host'):
            merged_key = ('group', found.get('group'), found['variable'], found['problem'], found['accepted'])
        else:
            merged_key = ('host', found['variable'], found['problem'], found['accepted'], found.get('source'))
        if merged_key not in by_key:
            by_key[merged_key] = []
            order.append(merged_key)
        by_key[merged_key].append(found)
    for merged_key in order:
        found_all = by_key[merged_key]
        hosts = [found['host'] for found in found_all if found.get('host')]
        if len(hosts) < 2:
            merged.extend(found_all)
            continue
        candidates = sorted((len(members), name) for name, members in groups.items()
                            if name != 'ungrouped' and set(members) == set(hosts))
        if candidates:
            merged.append(dict(found_all[0], host=None, group='%s (%s)' % (candidates[0][1], ', '.join(hosts))))
        else:
            merged.append(dict(found_all[0], host=', '.join(hosts)))
    return merged


def report(problems: Sequence[Problem], groups: Optional[Mapping[str, Sequence[str]]] = None) -> str:
    """The message of a refused inventory: the first problem on the first line, then all of them."""
    if not problems:
        return 'the inventory passes every check'
    lines = [problem_line(found) for found in merge_by_group(problems, groups or {})]
    if len(lines) == 1:
        return lines[0] + '\nNothing was done on any host: fix this in the inventory and run again.'
    return '\n'.join([lines[0], '%d problems in the inventory; nothing was done on any host. All of them'
                      ' (host or group: variable: what is wrong; accepted: a value that works):' % len(lines)]
                     + ['- ' + line for line in lines])


# ---------------------------------------------------------------- checks: templates and types


_UNDEFINED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")


def waits_for_facts(why: str, known_facts: Iterable[str] = ()) -> bool:
    """Whether a template failed only because it reads facts, which no host has given yet.

    ``vllm_serve_host: "{{ ansible_default_ipv4.address }}"`` is fine in an
    inventory: the value exists once the node's facts are gathered, after
    this check. Such a value is left to the roles.
    """
    names = _UNDEFINED.findall(why)
    return bool(names) and all(name.startswith('ansible_') or name in known_facts for name in names)


@check('types')
def check_templates(inventory: Inventory) -> List[Problem]:
    """A value whose template cannot be evaluated (an undefined variable in it, a bad filter)."""
    found = []
    for host in inventory.run_hosts:
        for variable, why in sorted(inventory.errors.get(host, {}).items()):
            if waits_for_facts(why, inventory.known_facts):
                continue
            found.append(problem(variable, 'its template cannot be evaluated: %s' % why,
                                 'a value, or a template whose variables the inventory defines', host=host,
                                 source=inventory.source(host, variable)))
    return found


def _type_problem(value: Any, option: Mapping[str, Any], secret: bool) -> Optional[Tuple[str, str]]:
    """(what is wrong, accepted) for one value against one option of an argument spec, else None."""
    kind = option.get('type', 'str')
    shown = 'the value given' if secret else _quote(value)
    if value is None:
        if option.get('default', None) is None:
            return None
        return '%s is null' % ('it' if secret else 'the value'), _accepted_for(option)
    if kind == 'bool':
        if parse_bool(value) is None:
            return '%s is not a boolean' % shown, BOOLEAN_ACCEPTED
        return None
    if kind == 'int':
        if not _is_int(value):
            return '%s is not an integer' % shown, _accepted_for(option)
    elif kind == 'float':
        if not _is_float(value):
            return '%s is not a number' % shown, _accepted_for(option)
    elif kind in ('str', 'path'):
        if isinstance(value, bool):
            return ('%s is a boolean: YAML reads an unquoted yes/no/on/off/true/false as one' % shown,
                    'the text in quotes, such as "%s"' % _bool_word(value, option))
        if isinstance(value, float):
            return ('%s is a number: YAML reads an unquoted 7.7 as one and drops trailing zeros' % shown,
                    'the text in quotes, such as "%s"' % value)
        if not isinstance(value, (str, int)):
            return '%s is a %s, not a text' % (shown, _kind(value)), _accepted_for(option)
    elif kind == 'list':
        if not isinstance(value, list):
            return '%s is a %s, not a list' % (shown, _kind(value)), _accepted_for(option)
        element = option.get('elements')
        if element:
            for position, item in enumerate(value):
                wrong = _type_problem(item, {'type': element, 'choices': option.get('choices')}, secret)
                if wrong:
                    return 'item %d: %s' % (position, wrong[0]), wrong[1]
        return None
    elif kind == 'dict':
        if not isinstance(value, Mapping):
            return '%s is a %s, not a dictionary' % (shown, _kind(value)), _accepted_for(option)
        return None
    choices = option.get('choices')
    if choices and value not in choices and str(value) not in [str(choice) for choice in choices]:
        close = difflib.get_close_matches(str(value), [str(choice) for choice in choices], 1)
        hint = ' (did you mean %s?)' % close[0] if close else ''
        return '%s is not one of the choices%s' % (shown, hint), 'one of %s' % ', '.join(str(choice) for choice in choices)
    return None


def _bool_word(value: bool, option: Mapping[str, Any]) -> str:
    for choice in option.get('choices') or []:
        if parse_bool(choice) is value:
            return str(choice)
    return 'yes' if value else 'no'


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return 'dictionary'
    if isinstance(value, list):
        return 'list'
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, (int, float)):
        return 'number'
    return type(value).__name__


def _accepted_for(option: Mapping[str, Any]) -> str:
    kind = option.get('type', 'str')
    if option.get('choices'):
        return 'one of %s' % ', '.join(str(choice) for choice in option['choices'])
    default = option.get('default')
    example = '' if default is None or (isinstance(default, str) and '{{' in default) else ', such as %s' % _quote(default)
    if kind == 'list':
        return 'a list of %s%s' % ({'int': 'integers', 'str': 'texts', 'path': 'paths'}.get(option.get('elements'), 'items'),
                                   ', such as %s' % _quote(default) if default else ' in YAML, such as [0, 1]')
    return {'int': 'an integer', 'float': 'a number', 'dict': 'a dictionary', 'str': 'a text', 'path': 'an absolute path',
            'bool': BOOLEAN_ACCEPTED}.get(kind, 'a %s' % kind) + example


@check('types')
def check_types(inventory: Inventory) -> List[Problem]:
    """Every role variable the inventory sets has the type its argument spec says, and a listed choice.

    Booleans strictly: ``"false"``/``"no"``/``"0"``/``"off"`` are false,
    ``"true"``/``"yes"``/``"1"``/``"on"`` true, anything else is refused.
    """
    found = []
    for host in inventory.run_hosts:
        for variable in sorted(inventory.hosts.get(host, {})):
            option = inventory.options.get(variable) or inventory.collection_options.get(variable)
            if option is None:
                continue
            secret = bool(option.get('no_log'))
            wrong = _type_problem(inventory.hosts[host][variable], option, secret)
            if wrong:
                found.append(problem(variable, wrong[0], wrong[1], host=host, source=inventory.source(host, variable)))
    return found


@check('types')
def check_unknown_variables(inventory: Inventory) -> List[Problem]:
    """A variable with a role's prefix that the role does not have: a typo the role would ignore.

    Only roles whose name has two words (npu_driver, vllm_serve ...): a prefix
    such as report_ is too common to claim.
    """
    prefixes = sorted(set(option['role'] + '_' for option in inventory.options.values() if '_' in option['role']),
                      key=len, reverse=True)
    known = set(inventory.options) | inventory.known_facts
    found = []
    for host in inventory.run_hosts:
        for variable in sorted(inventory.hosts.get(host, {})):
            prefix = next((prefix for prefix in prefixes if variable.startswith(prefix)), None)
            if prefix is None or variable in known:
                continue
            siblings = [name for name in known if name.startswith(prefix)]
            close = difflib.get_close_matches(variable, siblings, 1, 0.75)
            accepted = close[0] if close else 'a variable of %s (ansible-doc -t role ascend_ops.vllm.%s)' % (
                prefix[:-1], prefix[:-1])
            found.append(problem(variable, 'is no variable of the %s role: nothing reads it' % prefix[:-1], accepted,
                                 host=host, source=inventory.source(host, variable)))
    return found


# ---------------------------------------------------------------- checks: node type and model

_NODE_TYPE_VARIABLES = ('vllm_serve_node_type', 'npu_driver_node_type', 'npu_devices_node_type', 'vllm_image_node_type',
                        'model_weights_node_type', 'hccl_check_node_type')
_MODEL_VARIABLES = ('vllm_serve_model', 'vllm_image_model', 'model_weights_model', 'npu_devices_model')


def _catalog_problem(inventory: Inventory, host: str, error: CatalogError) -> Problem:
    setting = error.setting
    message = str(error).split(': ', 1)[1]
    if setting.startswith('catalog.models'):
        variable = 'ascend_models_extra'
    else:
        variable = 'ascend_node_types_extra'
    entry = setting.split('.', 2)[2] if setting.count('.') >= 2 else ''
    what = ('%s: %s' % (entry, message)) if entry else message
    accepted = 'entries with the fields of docs/planning.md (ansible-doc -t filter ascend_ops.vllm.serving_layout, catalog)'
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


@check('node_type')
def check_node_types(inventory: Inventory) -> List[Problem]:
    """Every host names a known node type (catalog plus ``ascend_node_types_extra``)."""
    found = []
    for host in inventory.play_hosts:
        try:
            catalog = merged_catalog(inventory.catalog_extras(host))
        except CatalogError as error:
            found.append(_catalog_problem(inventory, host, error))
            continue
        known = sorted(catalog['node_types'])
        accepted = 'one of %s, set in the group_vars of the host\'s node-type group (more under ascend_node_types_extra)' \
            % ', '.join(known)
        if not inventory.defined(host, 'ascend_node_type') and not inventory.is_set(host, 'vllm_serve_node_type'):
            found.append(problem('ascend_node_type', 'is not set: the host does not say which board it is', accepted, host=host))
        for variable in ('ascend_node_type',) + _NODE_TYPE_VARIABLES:
            if not inventory.defined(host, variable):
                continue
            name = inventory.value(host, variable)
            if not isinstance(name, str) or name not in catalog['node_types']:
                close = difflib.get_close_matches(str(name), known, 1)
                what = 'unknown node type %s%s' % (_quote(name), ' (did you mean %s?)' % close[0] if close else '')
                blamed = inventory.blame(host, variable)
                found.append(problem(blamed, what, accepted, host=host, source=inventory.source(host, blamed)))
    return found


@check('node_type')
def check_node_type_groups(inventory: Inventory) -> List[Problem]:
    """A host in a group named after a node type says that node type, and is in one such group only."""
    found = []
    for host in inventory.play_hosts:
        catalog = inventory.catalog(host)
        if catalog is None:
            continue
        type_groups = [group for group in sorted(inventory.groups) if group in catalog['node_types']
                       and host in inventory.groups[group]]
        if len(type_groups) > 1:
            found.append(problem('ascend_node_type', 'the host is in the node-type groups %s at once; a host is one board'
                                 % ' and '.join(type_groups), 'the host in one of %s only' % ', '.join(type_groups), host=host))
            continue
        name = inventory.value(host, 'ascend_node_type')
        if type_groups and isinstance(name, str) and name in catalog['node_types'] and name != type_groups[0]:
            found.append(problem('ascend_node_type', 'is %s but the host is in the group %s' % (_quote(name), type_groups[0]),
                                 '%s (or move the host to the group %s)' % (type_groups[0], name), host=host,
                                 source=inventory.source(host, 'ascend_node_type')))
    return found


@check('model')
def check_models(inventory: Inventory) -> List[Problem]:
    """Every host names a known model (catalog plus ``ascend_models_extra``)."""
    found = []
    for host in inventory.play_hosts:
        catalog = inventory.catalog(host)
        if catalog is None:
            continue
        known = sorted(catalog['models'])
        accepted = 'one of %s (more under ascend_models_extra)' % ', '.join(known)
        if not inventory.defined(host, 'ascend_model') and not inventory.is_set(host, 'vllm_serve_model'):
            found.append(problem('ascend_model', 'is not set: nothing says which model to serve', accepted, host=host))
        for variable in ('ascend_model',) + _MODEL_VARIABLES:
            if not inventory.defined(host, variable):
                continue
            name = inventory.value(host, variable)
            if not isinstance(name, str) or name not in catalog['models']:
                close = difflib.get_close_matches(str(name), known, 1)
                blamed = inventory.blame(host, variable)
                found.append(problem(blamed, 'unknown model %s%s' % (_quote(name), ' (did you mean %s?)' % close[0] if close else ''),
                                     accepted, host=host, source=inventory.source(host, blamed)))
    return found


# ---------------------------------------------------------------- checks: image release


def _version_problem(inventory: Inventory, host: str, version_variable: str, model_variable: str) -> Optional[Problem]:
    catalog = inventory.catalog(host)
    blamed = inventory.blame(host, version_variable)
    if not inventory.defined(host, version_variable):
        return problem(blamed, 'is not set: nothing says which vllm-ascend release to run',
                       'a release such as v0.18.0rc1 (the node type\'s suffix, -a3, is added)', host=host)
    version = inventory.value(host, version_variable)
    try:
        parse_vllm_ascend_version(version)
    except CatalogError:
        return problem(blamed, '%s is not a vllm-ascend release' % _quote(version), 'a release such as v0.18.0rc1 or v0.18.0',
                       host=host, source=inventory.source(host, blamed))
    if '-' in str(version):
        return problem(blamed, '%s carries an image variant; the node type\'s suffix is added per host' % _quote(version),
                       'the bare release, %s' % str(version).split('-', 1)[0], host=host, source=inventory.source(host, blamed))
    model_id = inventory.value(host, model_variable)
    if catalog is None or not isinstance(model_id, str) or model_id not in catalog['models']:
        return None
    oldest = catalog['models'][model_id]['min_vllm_ascend_version']
    if compare_vllm_ascend_versions(str(version), oldest) < 0:
        return problem(blamed, '%s is too old for %s' % (version, model_id), '%s or newer' % oldest, host=host,
                       source=inventory.source(host, blamed))
    return None


@check('image')
def check_image_release(inventory: Inventory) -> List[Problem]:
    """The image release is a vllm-ascend version, without a variant, new enough for the model."""
    found = []
    for host in inventory.play_hosts:
        for version_variable, model_variable in (('vllm_image_version', 'vllm_image_model'),
                                                 ('vllm_serve_vllm_ascend_version', 'vllm_serve_model')):
            wrong = _version_problem(inventory, host, version_variable, model_variable)
            if wrong:
                found.append(wrong)
        archive = inventory.value(host, 'vllm_image_archive', '')
        remote = inventory.bool_value(host, 'vllm_image_archive_remote')
        if remote and not archive:
            found.append(problem('vllm_image_archive', 'is empty but vllm_image_archive_remote is true',
                                 'the path of a docker save archive on the node, or vllm_image_archive_remote: false',
                                 host=host))
        elif not remote and isinstance(archive, str) and archive.startswith('/') \
                and inventory.controller.get('files', {}).get(archive) is False:
            found.append(problem('vllm_image_archive', '%s does not exist on the controller' % archive,
                                 'the path of a docker save archive on the controller, or vllm_image_archive_remote: true'
                                 ' when it is on the node', host=host, source=inventory.source(host, 'vllm_image_archive')))
    return found


# ---------------------------------------------------------------- checks: the plan

# Words of the planner's messages that are settings: the user knows them by
# the vllm_serve variable (replicas only before a colon: it is also prose).
_PLANNER_WORDS = sorted((key for key in REQUEST_KEYS if '_' in key), key=len, reverse=True)
_HINT_STARTS = ('use ', 'valid: ', 'would work: ', 'set ', 'known: ', 'leave ', 'choose ', 'move ', 'free ', 'lower ')


def _serving_basics_problems(inventory: Inventory, host: str) -> bool:
    """True when the node type, model or release of vllm_serve are wrong (their own checks report them)."""
    catalog = inventory.catalog(host)
    if catalog is None:
        return True
    node_type = inventory.value(host, 'vllm_serve_node_type')
    model = inventory.value(host, 'vllm_serve_model')
    if not isinstance(node_type, str) or node_type not in catalog['node_types']:
        return True
    if not isinstance(model, str) or model not in catalog['models']:
        return True
    return _version_problem(inventory, host, 'vllm_serve_vllm_ascend_version', 'vllm_serve_model') is not None


def translate_planner_words(inventory: Inventory, host: str, text: str) -> str:
    """The planner's setting names in ``text`` as the user's variables (tensor_parallel_size -> vllm_serve_tensor_parallel_size)."""
    def replace(match: Any) -> str:
        return inventory.blame(host, 'vllm_serve_' + match.group(1)) + match.group(2)
    pattern = r'(?<![A-Za-z0-9_.])(%s)(?![A-Za-z0-9_])()' % '|'.join(re.escape(word) for word in _PLANNER_WORDS)
    text = re.sub(pattern, replace, text)
    text = re.sub(r'(?<![A-Za-z0-9_.])(replicas)(:)', replace, text)
    return text.replace('catalog.node_types', 'ascend_node_types_extra').replace('catalog.models', 'ascend_models_extra')


def split_hint(message: str) -> Tuple[str, str]:
    """(what is wrong, accepted value) of a planner message ``what; use X``; the hint's verb dropped."""
    parts = message.split('; ')
    for position in range(len(parts) - 1, 0, -1):
        tail = parts[position]
        for start in _HINT_STARTS:
            if tail.startswith(start):
                accepted = '; '.join(parts[position:])
                if start in ('use ', 'valid: ', 'would work: ', 'set ', 'known: ', 'choose '):
                    accepted = accepted[len(start):]
                return '; '.join(parts[:position]), accepted
    such_as = re.search(r'must be (.+? such as [^,;]+)', message) or re.search(r'such as ([^,;]+)', message)
    if such_as:
        return message, such_as.group(1)
    return message, 'a value the planner accepts (docs/planning.md explains the rules)'


def _planner_problem(inventory: Inventory, host: str, error: LayoutError) -> Problem:
    setting = error.setting
    message = str(error).split(': ', 1)[1] if ': ' in str(error) else str(error)
    if setting.startswith('catalog'):
        return _catalog_problem(inventory, host, CatalogError(setting, message))
    if 'vllm_serve_' + setting in inventory.options:
        variable = inventory.blame(host, 'vllm_serve_' + setting)
    else:
        variable = setting
    what, accepted = split_hint(translate_planner_words(inventory, host, message))
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


@check('plan')
def check_default_plans(inventory: Inventory) -> List[Problem]:
    """Each host's default plan (every NPU of its node type) exists with the inventory's serving settings."""
    found = []
    for host in inventory.play_hosts:
        plan, wrong = inventory.plan(host)
        if wrong:
            found.append(wrong)
            continue
        if plan is None:
            continue
        options = inventory.value(host, 'vllm_serve_extra_options', {})
        if isinstance(options, Mapping):
            if 'port' in options and len(plan['replicas']) > 1 and not inventory.value(host, 'vllm_serve_data_parallel_group'):
                found.append(problem('vllm_serve_extra_options', 'sets port, so all %d replicas would share API port %s (vLLM'
                                     ' starts both and splits the requests silently)' % (len(plan['replicas']), options['port']),
                                     'no port key; vllm_serve_base_port sets the first port, replica i serves on base + i',
                                     host=host, source=inventory.source(host, 'vllm_serve_extra_options')))
            if 'model' in options:
                found.append(problem('vllm_serve_extra_options', 'sets model', 'no model key (vllm_serve_model_path names'
                                     ' the directory served)', host=host))
        environment = inventory.value(host, 'vllm_serve_extra_env', {})
        if isinstance(environment, Mapping):
            bad = sorted(str(name) for name in environment if not _ENV_NAME.match(str(name)))
            if bad:
                found.append(problem('vllm_serve_extra_env', 'names %s, which are no environment variable names'
                                     % ', '.join(bad), 'names such as HCCL_CONNECT_TIMEOUT', host=host))
            if 'VLLM_API_KEY' in environment:
                found.append(problem('vllm_serve_extra_env', 'sets VLLM_API_KEY, which would put the key in the'
                                     ' container\'s configuration', 'vllm_serve_api_key (kept in a 0600 file) instead',
                                     host=host))
    return found


# ---------------------------------------------------------------- checks: data-parallel groups


def _dp_group_of(inventory: Inventory, host: str) -> str:
    value = inventory.value(host, 'vllm_serve_data_parallel_group', '')
    return value if isinstance(value, str) else ''


def _dp_setting(inventory: Inventory, group: str, setting: str) -> str:
    head = inventory.groups.get(group, [''])[0]
    return {
        'tensor_parallel_size': inventory.blame(head, 'vllm_serve_tensor_parallel_size'),
        'model': inventory.blame(head, 'vllm_serve_model'),
        'rpc_port': 'vllm_serve_data_parallel_rpc_port',
    }.get(setting.split('.')[-1], 'vllm_serve_data_parallel_group')


@check('data_parallel')
def check_data_parallel_membership(inventory: Inventory) -> List[Problem]:
    """Each data-parallel group is an inventory group, its nodes name it, and no node is in two of them."""
    found = []
    named = {}  # type: Dict[str, List[str]]
    for host in inventory.play_hosts:
        group = _dp_group_of(inventory, host)
        if group:
            named.setdefault(group, []).append(host)
    real_groups = sorted(name for name in inventory.groups if name not in ('all', 'ungrouped'))
    for group, hosts in sorted(named.items()):
        if group not in inventory.groups:
            close = difflib.get_close_matches(group, real_groups, 1)
            for host in hosts:
                found.append(problem('vllm_serve_data_parallel_group', '%s is not an inventory group%s'
                                     % (_quote(group), ' (did you mean %s?)' % close[0] if close else ''),
                                     'the group whose nodes serve together, or "" (known groups: %s)' % ', '.join(real_groups),
                                     host=host, source=inventory.source(host, 'vllm_serve_data_parallel_group')))
    dp_groups = sorted(group for group in named if group in inventory.groups)
    for host in inventory.play_hosts:
        memberships = [group for group in dp_groups if host in inventory.groups[group]]
        own = _dp_group_of(inventory, host)
        if len(memberships) > 1:
            found.append(problem('vllm_serve_data_parallel_group', 'the host is a node of the data-parallel groups %s; a node'
                                 ' serves in one group only' % ' and '.join(memberships),
                                 'the host in one of %s only' % ', '.join(memberships), host=host))
        elif memberships and own != memberships[0]:
            found.append(problem('vllm_serve_data_parallel_group', 'is %s but the host is a node of the data-parallel group'
                                 ' %s, whose other nodes count on its ranks' % (_quote(own), memberships[0]),
                                 '%s (set it in the group_vars of %s), or take the host out of that group'
                                 % (memberships[0], memberships[0]), host=host,
                                 source=inventory.source(host, 'vllm_serve_data_parallel_group')))
        elif own in inventory.groups and host not in inventory.groups[own]:
            found.append(problem('vllm_serve_data_parallel_group', 'is %s but the host is not a node of that group'
                                 % _quote(own), 'add the host to the group %s, or set the variable in %s\'s group_vars only'
                                 % (own, own), host=host, source=inventory.source(host, 'vllm_serve_data_parallel_group')))
    for group in dp_groups:
        members = inventory.groups[group]
        if len(members) < 2:
            found.append(problem('vllm_serve_data_parallel_group', 'the data-parallel group has %d node (%s); it needs two or'
                                 ' more' % (len(members), ', '.join(members) or 'none'),
                                 'add nodes to %s, or "" to serve the node on its own' % group, group=group))
        absent = [member for member in members if member not in inventory.play_hosts]
        if absent:
            found.append(problem('vllm_serve_data_parallel_group', 'nodes %s of the group are not in this run (--limit); a'
                                 ' data-parallel group is deployed as a whole' % ', '.join(absent),
                                 '--limit %s, or no --limit' % group, group=group))
    return found


@check('data_parallel')
def check_data_parallel_groups(inventory: Inventory) -> List[Problem]:
    """The nodes of a group plan the same tensor-parallel size and model, and the rpc port is free, one port for all."""
    found = []
    groups = sorted(set(_dp_group_of(inventory, host) for host in inventory.play_hosts) - {''})
    for group in groups:
        members = inventory.groups.get(group)
        if not members or len(members) < 2 or any(member not in inventory.play_hosts for member in members):
            continue
        for host in members:
            interface = inventory.value(host, 'vllm_serve_data_parallel_interface', '')
            if interface and (not isinstance(interface, str) or not _INTERFACE_NAME.match(interface)):
                found.append(problem('vllm_serve_data_parallel_interface', '%s is no network interface name' % _quote(interface),
                                     'an interface such as eth0 or bond0, or "" for the default route\'s', host=host))
        ports = dict((host, inventory.value(host, 'vllm_serve_data_parallel_rpc_port', DEFAULT_RPC_PORT)) for host in members)
        if len(set(str(port) for port in ports.values())) > 1:
            found.append(problem('vllm_serve_data_parallel_rpc_port', 'differs across the group (%s)'
                                 % ', '.join('%s %s' % item for item in ports.items()),
                                 'one port for every node of %s (set it in the group_vars of %s)' % (group, group), group=group))
            continue
        plans = [(host, inventory.plan(host)[0]) for host in members]
        if any(plan is None for dummy, plan in plans):
            continue  # the plan check reports the node
        try:
            data_parallel_layout([{'name': host, 'layout': plan} for host, plan in plans], rpc_port=ports[members[0]])
        except DataParallelError as error:
            message = str(error).split(': ', 1)[1]
            setting = error.setting.split('.')[-1]
            head_plan = plans[0][1]
            if setting in ('tensor_parallel_size', 'model'):
                what = message.split('; ', 1)[0]
                accepted = 'one %s for every node of %s (set it in the group_vars of %s), such as %s' % (
                    _dp_setting(inventory, group, setting), group, group, head_plan[setting])
            else:
                what, accepted = split_hint(translate_planner_words(inventory, members[0], message))
            found.append(problem(_dp_setting(inventory, group, error.setting), what, accepted, group=group))
    return found


# ---------------------------------------------------------------- checks: weights


@check('weights')
def check_weight_source(inventory: Inventory) -> List[Problem]:
    """The weight source has what it needs: a path for path/archive, well-formed hub settings, a weight cache."""
    found = []
    hub_sources = ('modelscope', 'huggingface')
    for host in inventory.play_hosts:
        source = inventory.value(host, 'model_weights_source', 'modelscope')
        source_var = inventory.blame(host, 'model_weights_source')
        path = inventory.value(host, 'model_weights_source_path', '')
        remote = inventory.bool_value(host, 'model_weights_source_remote')
        for variable in ('model_weights_dir', 'vllm_serve_weights_dir'):
            blamed = inventory.blame(host, variable)
            if not inventory.defined(host, variable):
                found.append(problem(blamed, 'is not set: nothing says where the weight cache is', 'an absolute path'
                                     ' on the nodes, such as /data/models', host=host))
                break
            value = inventory.value(host, variable)
            if not isinstance(value, str) or not value.startswith('/') or value.strip('/') == '':
                found.append(problem(blamed, '%s is not an absolute path' % _quote(value), 'an absolute path on the nodes,'
                                     ' such as /data/models', host=host, source=inventory.source(host, blamed)))
                break
        if source in ('path', 'archive'):
            if not isinstance(path, str) or not path:
                found.append(problem('model_weights_source_path', 'is empty but %s is %s' % (source_var, source),
                                     'a directory on the node holding the model\'s files' if source == 'path'
                                     else 'a tarball of the model\'s files on the controller (on the node with'
                                     ' model_weights_source_remote: true)', host=host))
            elif (source == 'path' or remote) and not path.startswith('/'):
                found.append(problem('model_weights_source_path', '%s is not an absolute path on the node' % _quote(path),
                                     'an absolute path such as /srv/weights/Qwen3.6-27B-w8a8', host=host))
            elif source == 'archive' and not remote and path.startswith('/') \
                    and inventory.controller.get('files', {}).get(path) is False:
                found.append(problem('model_weights_source_path', '%s does not exist on the controller' % path,
                                     'the path of the tarball on the controller, or model_weights_source_remote: true when'
                                     ' it is on the node', host=host))
        endpoint = inventory.value(host, 'model_weights_endpoint', '')
        if source in hub_sources and isinstance(endpoint, str) and endpoint and not _HUB_ENDPOINT.match(endpoint):
            found.append(problem('model_weights_endpoint', '%s is not an http(s)://host[:port] URL' % _quote(endpoint),
                                 'a mirror such as https://hub.example.internal, or "" for the public hub', host=host))
        ca_url = inventory.value(host, 'model_weights_ca_url', '')
        if isinstance(ca_url, str) and ca_url and not _CA_URL.match(ca_url):
            found.append(problem('model_weights_ca_url', '%s is not an http(s):// or file:// URL' % _quote(ca_url),
                                 'the URL of the hub\'s CA certificate, or ""', host=host))
        subdir = inventory.value(host, 'model_weights_subdir', '')
        if isinstance(subdir, str) and (subdir.startswith('/') or '..' in subdir):
            found.append(problem('model_weights_subdir', '%s is not a relative path inside the weight cache' % _quote(subdir),
                                 'a relative path such as Eco-Tech/Qwen3.6-27B-w8a8, or "" for the repository name', host=host))
        repository = inventory.value(host, 'model_weights_repository', '')
        if isinstance(repository, str) and repository and not re.match(r'^[^/\s]+/[^/\s]+$', repository):
            found.append(problem('model_weights_repository', '%s is not a hub repository owner/name' % _quote(repository),
                                 'owner/name such as Eco-Tech/Qwen3.6-27B-w8a8, or "" for the catalog\'s', host=host))
        storage = inventory.value(host, 'model_weights_storage', 'local')
        nfs_source = inventory.value(host, 'model_weights_cache_nfs_src', '')
        if storage == 'nfs' and (not isinstance(nfs_source, str) or not re.match(r'^[^:\s]+:/', nfs_source)):
            found.append(problem('model_weights_cache_nfs_src', '%s is not an NFS export but %s is nfs'
                                 % (_quote(nfs_source), inventory.blame(host, 'model_weights_storage')),
                                 'server:/path, such as nfs.example.internal:/export/models', host=host))
        retries = inventory.value(host, 'model_weights_download_retries', 1)
        if _is_int(retries) and _as_int(retries) < 1:
            found.append(problem('model_weights_download_retries', '%s is below 1' % retries, '1 or more, such as 3',
                                 host=host))
    return found


# ---------------------------------------------------------------- checks: API key


@check('api_key')
def check_api_key_policy(inventory: Inventory) -> List[Problem]:
    """A site that requires an API key (``ascend_require_api_key``) has one; a key has only the characters the script takes."""
    found = []
    for host in inventory.play_hosts:
        key = inventory.value(host, 'vllm_serve_api_key', '')
        if key is not None and not isinstance(key, str):
            continue  # the types check reports it
        required = inventory.bool_value(host, 'vllm_serve_require_api_key')
        if required and not key:
            found.append(problem('vllm_serve_api_key', 'is not set but %s is true: the endpoints would answer anyone'
                                 % inventory.blame(host, 'vllm_serve_require_api_key'),
                                 'a key from an ansible-vault encrypted variable (vllm_serve_api_key set from'
                                 ' vault_vllm_api_key in a vaulted group_vars file, for example)', host=host))
        elif key and not _API_KEY.match(key):
            found.append(problem('vllm_serve_api_key', 'has characters other than letters, digits and . _ ~ + / = : -'
                                 ' (the key itself is not shown)', 'a key of letters, digits and . _ ~ + / = : - only',
                                 host=host))
    return found


def open_endpoints(inventory: Inventory) -> List[str]:
    """Hosts that would serve every interface without a key (allowed, worth a warning)."""
    hosts = []
    for host in inventory.play_hosts:
        bind = inventory.value(host, 'vllm_serve_host', None)
        if bind in (None, '', '0.0.0.0', '::') and not inventory.value(host, 'vllm_serve_api_key', ''):
            hosts.append(host)
    return hosts


# ---------------------------------------------------------------- checks: HCCL addresses


@check('hccl')
def check_hccl_addresses(inventory: Inventory) -> List[Problem]:
    """NPU addresses are IPv4, one per NPU when they are to be configured, and no address is given twice."""
    found = []
    owners = {}  # type: Dict[str, List[Tuple[str, int]]]
    for host in inventory.play_hosts:
        addresses = inventory.value(host, 'hccl_check_npu_addresses', [])
        if not isinstance(addresses, list):
            continue  # the types check reports it
        bad = [str(address) for address in addresses if not _is_ipv4(address)]
        if bad:
            verb = 'is' if len(bad) == 1 else 'are'
            found.append(problem('hccl_check_npu_addresses', '%s %s no IPv4 address' % (', '.join(bad), verb),
                                 'one IPv4 address per NPU in NPU id order, such as 10.20.0.1', host=host,
                                 source=inventory.source(host, 'hccl_check_npu_addresses')))
        for npu, address in enumerate(addresses):
            if _is_ipv4(address):
                owners.setdefault(address, []).append((host, npu))
        configure = inventory.bool_value(host, 'hccl_check_configure')
        node_type = inventory.node_type(host, 'hccl_check_node_type')
        if configure and node_type is not None and len(addresses) != node_type['npus']:
            found.append(problem('hccl_check_npu_addresses', 'has %d addresses but hccl_check_configure is true and the'
                                 ' node has %d NPUs' % (len(addresses), node_type['npus']),
                                 '%d addresses, one per NPU in NPU id order' % node_type['npus'], host=host))
        if configure:
            for variable, empty_ok in (('hccl_check_npu_netmask', False), ('hccl_check_npu_netdetect', True),
                                       ('hccl_check_npu_gateway', True)):
                value = inventory.value(host, variable, '')
                if not (empty_ok and value == '') and not _is_ipv4(value):
                    found.append(problem(variable, '%s is no IPv4 address' % _quote(value),
                                         'an IPv4 address such as 255.255.255.0' if variable.endswith('netmask')
                                         else 'an IPv4 address such as 10.20.0.1, or "" to leave it as it is', host=host))
        hops = inventory.value(host, 'hccl_check_ping_hops', [1])
        if isinstance(hops, list) and (not hops or any(not _is_int(hop) or _as_int(hop) < 1 for hop in hops)):
            found.append(problem('hccl_check_ping_hops', '%s is not a list of ring distances >= 1' % _quote(hops),
                                 '[1] (the next node), or more distances such as [1, 2]', host=host))
    for address, npus in sorted(owners.items()):
        if len(npus) < 2:
            continue
        for host, npu in npus:
            others = ', '.join('%s NPU %d' % (other, other_npu) for other, other_npu in npus if (other, other_npu) != (host, npu))
            found.append(problem('hccl_check_npu_addresses', 'gives %s to NPU %d and also to %s' % (address, npu, others),
                                 'an address no other NPU of the inventory has', host=host,
                                 source=inventory.source(host, 'hccl_check_npu_addresses')))
    return found


# ---------------------------------------------------------------- checks: driver and firmware


def firmware_range(inventory: Inventory, host: str) -> Tuple[List[Tuple[str, str]], str]:
    """The firmware ranges the host's driver supports and where they come from ([] when unknown)."""
    package = inventory.controller.get('driver_packages', {}).get(host) or {}
    return firmware_ranges_of(str(inventory.value(host, 'npu_driver_version', '')), package.get('version_info'),
                              str(package.get('path')))


@check('driver')
def check_driver_settings(inventory: Inventory) -> List[Problem]:
    """Driver and firmware versions are versions, the firmware is in the range the driver states, one package source."""
    found = []
    for host in inventory.play_hosts:
        driver = inventory.value(host, 'npu_driver_version')
        firmware = inventory.value(host, 'npu_driver_firmware_version')
        wrong_version = False
        for variable, value, example in (('npu_driver_version', driver, '25.0.rc1.1'),
                                         ('npu_driver_firmware_version', firmware, '7.7.0.1.231')):
            if value is not None and not (isinstance(value, str) and _DRIVER_VERSION.match(value)):
                wrong_version = True
                if isinstance(value, str):  # the types check reports a number or a boolean
                    found.append(problem(variable, '%s is not a version' % _quote(value), 'a version such as %s' % example,
                                         host=host, source=inventory.source(host, variable)))
        url = inventory.value(host, 'npu_driver_packages_url', '')
        directory = inventory.value(host, 'npu_driver_packages_dir', '')
        if url and directory:
            found.append(problem('npu_driver_packages_dir', 'is set and so is npu_driver_packages_url; the packages come from'
                                 ' one place', 'one of them, the other ""', host=host))
        if isinstance(url, str) and url and not _PACKAGES_URL.match(url):
            found.append(problem('npu_driver_packages_url', '%s does not start with http://, https://, ftp:// or file://'
                                 % _quote(url), 'a URL prefix such as https://repo.example.internal/ascend', host=host))
        if wrong_version or not inventory.bool_value(host, 'npu_driver_firmware', True):
            continue
        ranges, origin = firmware_range(inventory, host)
        if firmware and outside_ranges(firmware, ranges):
            variable = 'npu_driver_firmware_version' if inventory.is_set(host, 'npu_driver_firmware_version') \
                or not inventory.is_set(host, 'npu_driver_version') else 'npu_driver_version'
            what, accepted = firmware_outside_message(driver, firmware, ranges, origin)
            found.append(problem(variable, what, accepted, host=host, source=inventory.source(host, variable)))
        firmware_package = inventory.controller.get('firmware_packages', {}).get(host) or {}
        driver_ranges = version_ranges((firmware_package.get('version_info') or {}).get('compatible_version_drv', ''))
        if driver and outside_ranges(driver, driver_ranges):
            what, accepted = driver_outside_message(driver, firmware, driver_ranges,
                                                    'compatible_version_drv of %s' % firmware_package.get('path'))
            found.append(problem('npu_driver_version', what, accepted, host=host))
    return found


# ---------------------------------------------------------------- checks: the cluster endpoint (router)

# Router settings (_router) -> the variable a user sets.
_ROUTER_VARIABLES = dict((key, 'vllm_router_' + key) for key in ROUTER_SETTINGS)
_ROUTER_VARIABLES['tls'] = 'vllm_router_tls_certificate'


def _router_settings(inventory: Inventory, host: str) -> Dict[str, Any]:
    """The router settings of ``host`` as the role passes them, leaving out values the types check refuses."""
    settings = {}  # type: Dict[str, Any]
    for key, variable in _ROUTER_VARIABLES.items():
        if not inventory.defined(host, variable):
            continue
        value = inventory.value(host, variable)
        option = inventory.options.get(variable)
        if option is not None and _type_problem(value, option, False):
            continue
        if key == 'tls':
            value = bool(value)
        elif key == 'circuit_breaker':
            value = parse_bool(value)
        settings[key] = value
    return settings


def _served_models(inventory: Inventory) -> List[str]:
    """The served model names of the serving nodes' default plans, in name order (one router instance each)."""
    models = set()
    for host in inventory.play_hosts:
        plan, dummy = inventory.plan(host)
        if plan is not None:
            models.add(plan['served_model_name'])
    return sorted(models)


def _router_ports(settings: Mapping[str, Any], models: Sequence[str]) -> List[Tuple[int, str, str]]:
    """(port, what uses it, variable) of every router instance of ``models``."""
    merged = dict(ROUTER_SETTINGS)
    merged.update(settings)
    front_ports = merged['front_ports'] if isinstance(merged['front_ports'], Mapping) else {}
    ports = []  # type: List[Tuple[int, str, str]]
    for index, model in enumerate(models):
        ports.append((int(merged['port_base']) + index, 'the router of %s' % model, 'vllm_router_port_base'))
        ports.append((int(merged['metrics_port_base']) + index, 'the metrics of the router of %s' % model,
                      'vllm_router_metrics_port_base'))
        if model in front_ports and _is_int(front_ports[model]):
            ports.append((_as_int(front_ports[model]), 'the front of %s' % model, 'vllm_router_front_ports'))
        else:
            ports.append((int(merged['front_port_base']) + index, 'the front of %s' % model, 'vllm_router_front_port_base'))
    return ports


@check('router')
def check_router_settings(inventory: Inventory) -> List[Problem]:
    """Router settings a router host can run: policy, ports, thresholds >= 1, a TLS certificate and wheels that exist."""
    found = []
    for host in inventory.router_hosts:
        settings = _router_settings(inventory, host)
        for key, what, accepted in router_settings_problems(settings):
            variable = _ROUTER_VARIABLES.get(key, key)
            found.append(problem(variable, what, accepted, host=host, source=inventory.source(host, variable)))
        for variable, kind in (('vllm_router_tls_certificate', 'PEM file (certificate, chain and key)'),
                               ('vllm_router_wheels_dir', 'directory of wheels')):
            path = inventory.value(host, variable, '')
            if not isinstance(path, str) or not path:
                continue
            if inventory.controller.get('files', {}).get(path) is False:
                found.append(problem(variable, '%s does not exist on the controller' % path,
                                     'the path of a %s on the controller, or "" for none' % kind, host=host,
                                     source=inventory.source(host, variable)))
    return found


@check('router')
def check_router_ports(inventory: Inventory) -> List[Problem]:
    """A router host's ports (router, metrics, front of every model) are distinct and clear of its own replicas' ports."""
    found = []
    models = _served_models(inventory)
    for host in inventory.router_hosts:
        settings = _router_settings(inventory, host)
        if router_settings_problems(settings):
            continue  # check_router_settings reports them
        ports = _router_ports(settings, models)
        taken = {}  # type: Dict[int, str]
        for port, what, variable in ports:
            if port in taken:
                found.append(problem(variable, 'gives %s port %d, which %s already has' % (what, port, taken[port]),
                                     'bases and front ports far enough apart for every served model (%d)' % len(models),
                                     host=host, source=inventory.source(host, variable)))
                continue
            taken[port] = what
            if not 1024 <= port <= 65535:
                found.append(problem(variable, 'gives %s port %d, outside 1024-65535' % (what, port),
                                     'a lower base', host=host, source=inventory.source(host, variable)))
        if host in inventory.router_only:
            continue
        plan, dummy = inventory.plan(host)
        if plan is None:
            continue
        for port, what, variable in ports:
            for first, last, reserved in layout_reserved_ports(plan):
                if first <= port <= last:
                    found.append(problem(variable, 'gives %s port %d, which this host\'s replicas use (%s, %d-%d)'
                                         % (what, port, reserved, first, last),
                                         'a port outside every replica\'s API, HCCL and VLLM_PORT ranges (the defaults'
                                         ' 30000, 29000 and 8080 are)', host=host, source=inventory.source(host, variable)))
                    break
    return found


@check('router')
def check_router_group(inventory: Inventory) -> List[Problem]:
    """The router hosts have serving hosts to route to, and those serve with the key the cluster endpoint is checked with."""
    found = []
    if not inventory.router_hosts:
        return found
    serving = [host for host in inventory.hosts if host not in inventory.router_only]
    if not serving:
        found.append(problem(ROUTER_GROUP, 'has hosts (%s) but the inventory has no serving host to route to'
                             % ', '.join(inventory.router_hosts),
                             'serving nodes in their node-type groups (ascend_node_type set), or no vllm_router group',
                             group=ROUTER_GROUP))
        return found
    router = inventory.router_hosts[0]
    router_key = inventory.value(router, 'vllm_router_verify_api_key', '')
    router_key_name = inventory.blame(router, 'vllm_router_verify_api_key')
    for host in inventory.play_hosts:
        key = inventory.value(host, 'vllm_serve_api_key', '')
        if not isinstance(key, str) or not isinstance(router_key, str) or key == router_key:
            continue
        found.append(problem(inventory.blame(host, 'vllm_serve_api_key'),
                             'differs from the key the cluster endpoint is checked with (%s of %s; the keys are not'
                             ' shown): clients of the router need the same key on every replica'
                             % (router_key_name, router),
                             'one key for the cluster: set ascend_api_key (vllm_serve_api_key and'
                             ' vllm_router_verify_api_key default to it) and not vllm_serve_api_key', host=host))
    return found
