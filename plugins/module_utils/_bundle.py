# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an offline bundle must hold for an inventory, its manifest, and how a bundle compares with that.

Private to the collection. Pure: no Jinja, no I/O. The ``bundle_manifest``
module (on the host that holds the bundle) and the ``validate_inventory``
action (on the controller) read the bundle's ``manifest.json`` and hash its
files; these functions judge what they read.

A bundle is a directory::

    manifest.json
    images/<registry>_<repository>_<tag>.tar   docker save of one image
    weights/<repository>/...                   the model's files, as model_weights stages them
    wheels/*.whl                               pip download for the nodes' platform
    debs/*.deb, debs/Packages.gz               an apt repository (dpkg-scanpackages)
    drivers/*.run                              Huawei's packages, brought by the user

Every file is one manifest entry ``{name, kind, version, size, sha256, path}``
(``path`` relative to the bundle); the files of one model's weights share the
name (the repository) and version (the revision).

A *need* is what one artifact the inventory needs: ``{name, kind, version,
path, needed_by: [{host, variable}]}``; ``variable`` is the role variable that
decides it (the caller reports it under the name the user sets). The image
reference is the catalog's (:func:`_catalog.catalog_answer`, as
``roles/vllm_image`` computes it), the weights' directory the catalog's
``model_directory`` (as ``roles/model_weights`` lays it out), the driver
package names those of ``roles/npu_driver`` (its stems, read from its vars by
the caller).
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import catalog_answer, model_directory

MANIFEST_NAME = 'manifest.json'
MANIFEST_FORMAT = 1
KINDS = ('image', 'weights', 'wheel', 'deb', 'driver')
# Where each kind lives in the bundle.
KIND_DIRECTORIES = {'image': 'images', 'weights': 'weights', 'wheel': 'wheels', 'deb': 'debs', 'driver': 'drivers'}
ENTRY_FIELDS = ('name', 'kind', 'version', 'size', 'sha256', 'path')

# The host roles a need can come from (deploy.yml's plays).
SERVING = 'serving'
ROUTER = 'router'
# A serving node of a cluster with a monitoring group (it runs the NPU exporter).
MONITORED = 'monitored'
# A host of the monitoring group (it runs Prometheus).
MONITORING = 'monitoring'

_RELEASE = re.compile(r'^v?[0-9]+[.][0-9]+[.][0-9]+(?:rc[0-9]+)?(?:[.]post[0-9]+)?')
_SHA256 = re.compile(r'^[0-9a-f]{64}$')
_PIN = re.compile(r'^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*(?:#.*)?$')

Need = Dict[str, Any]
Entry = Dict[str, Any]


class BundleError(ValueError):
    """A manifest that cannot be read, or settings a need cannot be computed from."""


# ---------------------------------------------------------------- names


def wheel_name(name: str) -> str:
    """A Python distribution's name as pip compares it (PEP 503): lower case, runs of ``-_.`` as ``-``."""
    return re.sub(r'[-_.]+', '-', name).lower()


def requirement_pins(text: str) -> List[Tuple[str, str]]:
    """``(name, version)`` of every ``name==version`` line of a requirements file; other lines give none."""
    pins = []
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            pins.append((wheel_name(match.group(1)), match.group(2)))
    return pins


def wheel_file_pin(file_name: str) -> Optional[Tuple[str, str]]:
    """``(name, version)`` of a wheel file name (``vllm_router-0.1.17-cp312-cp312-manylinux_2_28_aarch64.whl``)."""
    if not file_name.endswith('.whl'):
        return None
    parts = file_name[:-len('.whl')].split('-')
    if len(parts) < 5:
        return None
    return wheel_name(parts[0]), parts[1]


def deb_file_pin(file_name: str) -> Optional[Tuple[str, str]]:
    """``(package, version)`` of a .deb as apt-get download names it (``docker.io_26.1.5%2bdfsg1-9_arm64.deb``)."""
    if not file_name.endswith('.deb'):
        return None
    parts = file_name[:-len('.deb')].split('_')
    if len(parts) != 3:
        return None
    # apt-get download writes the version's ':' (epoch) as %3a and '+' as %2b.
    return parts[0], parts[1].replace('%3a', ':').replace('%2b', '+')


def apt_closure(text: str, arch: str = '') -> List[str]:
    """The real packages of ``apt-cache depends --recurse`` output, in its order: what ``apt-get download`` fetches.

    The output names each package on a line of its own (its dependencies
    indented below it); a virtual package is ``<name>``, one of a foreign
    architecture ``name:arch``, kept only when ``arch`` (dpkg's: arm64, amd64) is it.
    """
    packages = []  # type: List[str]
    for line in text.splitlines():
        if not line or line[0].isspace() or line.startswith('<'):
            continue
        name = line.strip()
        if ':' in name:
            if name.partition(':')[2] != arch:
                continue
        if name not in packages:
            packages.append(name)
    return packages


def image_archive_path(image: str) -> str:
    """The bundle path of an image's archive: ``images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar``."""
    return '%s/%s.tar' % (KIND_DIRECTORIES['image'], re.sub(r'[/:@]+', '_', image))


def weights_path(repository: str) -> str:
    """The bundle directory of a model's weights, laid out as model_weights' cache (``weights/<repository>``)."""
    return model_directory(KIND_DIRECTORIES['weights'], repository)


def driver_package(stems: Mapping[str, Any], node_type: str, component: str, version: str, arch: str,
                   package: str = '') -> Dict[str, str]:
    """Name, version and file of a driver or firmware ``.run`` as npu_driver names it.

    ``stems`` is npu_driver's ``_npu_driver_package_stems``; ``arch`` Huawei's
    spelling in the driver's file name (``aarch64``, ``x86-64``). A file name
    the inventory gives (``npu_driver_driver_package``) is taken as it is.
    """
    if package:
        return {'name': package, 'version': version, 'file': package}
    stem = (stems.get(node_type) or {}).get(component)
    if not stem:
        raise BundleError('npu_driver_node_type: %r has no known %s package name; set npu_driver_%s_package'
                          % (node_type, component, component))
    if component == 'driver':
        file_name = '%s_%s_linux-%s.run' % (stem, version, arch)
    else:
        file_name = '%s_%s.run' % (stem, version)
    return {'name': stem, 'version': version, 'file': file_name}


# Where the roles find each kind of artifact in a bundle (bundle_paths' keys besides the image and the weights).
LAYOUT_DIRECTORIES = {'drivers': KIND_DIRECTORIES['driver'], 'wheels': KIND_DIRECTORIES['wheel'], 'debs': KIND_DIRECTORIES['deb']}


def bundle_paths(bundle: str, image: str = '', repository: str = '') -> Dict[str, str]:
    """Where the roles take their artifacts from in the bundle at ``bundle``, by the layout bundle.yml writes.

    ``manifest``, ``drivers``, ``wheels`` and ``debs`` always; ``image_archive``
    (the ``docker save`` of ``image``, a reference) and ``weights`` (the
    directory of the model ``repository``) when those are given. Every path is
    empty without a bundle (an empty ``bundle``): the roles then take their
    artifacts from where their other settings say. The paths are the ones the
    bundle's writer uses (:func:`image_archive_path`, :func:`weights_path`), so a
    role cannot look for a file under another name than the one it was written as.
    """
    keys = ['manifest'] + sorted(LAYOUT_DIRECTORIES) + ['image_archive', 'weights']
    if not bundle:
        return dict.fromkeys(keys, '')
    if not bundle.startswith('/'):
        raise BundleError('ascend_offline_bundle: %r is not an absolute path' % (bundle,))
    root = bundle.rstrip('/') or '/'
    paths = {'manifest': posixpath.join(root, MANIFEST_NAME)}
    for key, directory in LAYOUT_DIRECTORIES.items():
        paths[key] = posixpath.join(root, directory)
    paths['image_archive'] = posixpath.join(root, image_archive_path(image)) if image else ''
    paths['weights'] = posixpath.join(root, weights_path(repository)) if repository else ''
    return paths


# ---------------------------------------------------------------- needs


def _need(name: str, kind: str, version: str, path: str, host: str, variable: str) -> Need:
    return {'name': name, 'kind': kind, 'version': version, 'path': path, 'needed_by': [{'host': host, 'variable': variable}]}


def _text(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    return '' if value is None else str(value)


def _list(settings: Mapping[str, Any], key: str) -> List[str]:
    value = settings.get(key) or []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _true(settings: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = settings.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ('true', 'yes', 'on', '1')
    return bool(value)


def host_needs(host: str, roles: Sequence[str], settings: Mapping[str, Any],
               stems: Optional[Mapping[str, Any]] = None, arch: str = 'aarch64') -> List[Need]:
    """What the bundle must hold for one host.

    ``roles``: which of ``serving``, ``router``, ``monitored``, ``monitoring``
    the host has in deploy.yml. ``settings``: the roles' variables as the roles see them
    (``vllm_image_*``, ``model_weights_*``, ``npu_driver_*``,
    ``container_engine_packages``, ``vllm_router_package(s)``,
    ``prometheus_*``, ``npu_exporter_*``), plus ``catalog_extra``
    (``{node_types, models}`` of the inventory). Raises :class:`BundleError`
    or the catalog's error naming the setting at fault.
    """
    needs = []  # type: List[Need]
    extra = settings.get('catalog_extra') or None
    if SERVING in roles:
        for variable in ('vllm_image_model', 'vllm_image_version', 'model_weights_model'):
            if not _text(settings, variable):
                raise BundleError('%s: is not set; a bundle holds the image and the weights of a model and a release' % variable)
        image = catalog_answer(
            _text(settings, 'vllm_image_node_type'), model=_text(settings, 'vllm_image_model'),
            vllm_ascend_version=_text(settings, 'vllm_image_version'), extra=extra,
            os_variant=_text(settings, 'vllm_image_os_variant'), image_registry=_text(settings, 'vllm_image_registry'),
            image_repository=_text(settings, 'vllm_image_repository'))
        needs.append(_need(image['image'], 'image', image['image_tag'], image_archive_path(image['image']),
                           host, 'vllm_image_version'))
        weights = catalog_answer(_text(settings, 'model_weights_node_type'), model=_text(settings, 'model_weights_model'),
                                 extra=extra, weight_repository=_text(settings, 'model_weights_repository'))
        repository = weights['weight_repository']
        weights_need = _need(repository, 'weights', _text(settings, 'model_weights_revision'), weights_path(repository),
                             host, 'model_weights_model')
        # bundle.yml stages the weights through model_weights, which takes a model of the catalog.
        weights_need['model'] = _text(settings, 'model_weights_model')
        weights_need['node_type'] = _text(settings, 'model_weights_node_type')
        needs.append(weights_need)
        node_type = _text(settings, 'npu_driver_node_type')
        components = [('driver', 'npu_driver_version')]
        if _true(settings, 'npu_driver_firmware', True):
            components.append(('firmware', 'npu_driver_firmware_version'))
        for component, variable in components:
            package = driver_package(stems or {}, node_type, component, _text(settings, variable), arch,
                                     _text(settings, 'npu_driver_%s_package' % component))
            needs.append(_need(package['name'], 'driver', package['version'],
                               '%s/%s' % (KIND_DIRECTORIES['driver'], package['file']), host, variable))
        debs = [(name, 'container_engine_packages') for name in _list(settings, 'container_engine_packages')]
        if _text(settings, 'model_weights_storage') == 'nfs':
            debs += [(name, 'model_weights_cache_nfs_packages') for name in _list(settings, 'model_weights_cache_nfs_packages')]
        if MONITORED in roles and _text(settings, 'npu_exporter_package'):
            debs += [(name, 'npu_exporter_packages') for name in _list(settings, 'npu_exporter_packages')]
        needs += [_need(name, 'deb', '', KIND_DIRECTORIES['deb'], host, variable) for name, variable in debs]
    if ROUTER in roles:
        needs += [_need(name, 'deb', '', KIND_DIRECTORIES['deb'], host, 'vllm_router_packages')
                  for name in _list(settings, 'vllm_router_packages')]
        pins = requirement_pins(_text(settings, 'vllm_router_package'))
        if not pins:
            raise BundleError("vllm_router_package: %r is not pinned (name==version); a bundle holds one version of it"
                              % _text(settings, 'vllm_router_package'))
        needs += [_need(name, 'wheel', version, KIND_DIRECTORIES['wheel'], host, 'vllm_router_package') for name, version in pins]
    if MONITORING in roles:
        packages = _list(settings, 'prometheus_packages')
        if _true(settings, 'prometheus_alertmanager'):
            packages += _list(settings, 'prometheus_alertmanager_packages')
        needs += [_need(name, 'deb', '', KIND_DIRECTORIES['deb'], host, 'prometheus_packages') for name in packages]
    return needs


def merge_needs(needs: Sequence[Need]) -> List[Need]:
    """One need per artifact (kind, name, version), with every host and variable that needs it, in first-seen order."""
    merged = {}  # type: Dict[Tuple[str, str, str], Need]
    for need in needs:
        key = (need['kind'], need['name'], need['version'])
        if key not in merged:
            merged[key] = dict(need, needed_by=[])
        for who in need['needed_by']:
            if who not in merged[key]['needed_by']:
                merged[key]['needed_by'].append(dict(who))
    return list(merged.values())


def controller_needs(requirements_text: str) -> List[Need]:
    """The wheels the controller installs the collection's requirements from (requirements.txt pins)."""
    return [_need(name, 'wheel', version, KIND_DIRECTORIES['wheel'], 'controller', 'requirements.txt')
            for name, version in requirement_pins(requirements_text)]


# ---------------------------------------------------------------- the manifest


def manifest_entry(name: str, kind: str, version: str, path: str, size: int, sha256: str) -> Entry:
    return {'name': name, 'kind': kind, 'version': version, 'size': size, 'sha256': sha256, 'path': path}


def entry_problem(entry: Any) -> Optional[str]:
    """Why a manifest entry is unusable, or None."""
    if not isinstance(entry, Mapping):
        return 'is not an object: %r' % (entry,)
    missing = [field for field in ENTRY_FIELDS if field not in entry]
    if missing:
        return 'has no %s' % ', '.join(missing)
    if entry['kind'] not in KINDS:
        return 'kind %r is none of %s' % (entry['kind'], ', '.join(KINDS))
    path = entry['path']
    if (not isinstance(path, str) or not path or path.startswith('/')
            or '..' in path.split('/') or posixpath.normpath(path) != path):
        return 'path %r is not a plain relative path inside the bundle' % (path,)
    if isinstance(entry['size'], bool) or not isinstance(entry['size'], int) or entry['size'] < 0:
        return 'size %r is not a number of bytes' % (entry['size'],)
    if not isinstance(entry['sha256'], str) or not _SHA256.match(entry['sha256']):
        return 'sha256 %r is not 64 lower-case hex digits' % (entry['sha256'],)
    return None


def parse_manifest(text: str) -> List[Entry]:
    """The entries of a ``manifest.json``; raises :class:`BundleError` naming what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BundleError('%s is not JSON: %s' % (MANIFEST_NAME, error))
    if not isinstance(data, Mapping) or not isinstance(data.get('artifacts'), list):
        raise BundleError('%s has no list "artifacts"' % MANIFEST_NAME)
    if data.get('format') != MANIFEST_FORMAT:
        raise BundleError('%s is of format %r; this collection reads format %d' % (MANIFEST_NAME, data.get('format'), MANIFEST_FORMAT))
    entries = []
    for number, entry in enumerate(data['artifacts']):
        why = entry_problem(entry)
        if why:
            raise BundleError('%s artifact %d %s' % (MANIFEST_NAME, number + 1, why))
        entries.append(dict((field, entry[field]) for field in ENTRY_FIELDS))
    return entries


def manifest_document(entries: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """The ``manifest.json`` of these entries, sorted by path so that an unchanged bundle writes the same bytes."""
    return {'format': MANIFEST_FORMAT, 'artifacts': sorted((dict(entry) for entry in entries), key=lambda entry: entry['path'])}


def describe(artifacts: Sequence[Mapping[str, Any]], files: Mapping[str, Optional[Mapping[str, Any]]]) -> List[Entry]:
    """Manifest entries of artifacts, from what was read of their files.

    ``artifacts``: ``{name, kind, version, path}``, ``path`` a file or a
    directory of the bundle (a model's weights); ``files``: every file of the
    bundle read, relative path -> ``{size, sha256}``. A wheel or deb without
    its own name takes its name and version from its file name. Artifacts
    whose files are not there give no entry (:func:`verdict` says they are missing).
    """
    entries = []
    for artifact in artifacts:
        prefix = artifact['path'].rstrip('/') + '/'
        paths = [path for path in sorted(files) if (path == artifact['path'] or path.startswith(prefix)) and files[path]]
        for path in paths:
            name, version = artifact.get('name') or '', artifact.get('version') or ''
            base = path.rsplit('/', 1)[-1]
            pin = wheel_file_pin(base) if artifact['kind'] == 'wheel' else deb_file_pin(base) if artifact['kind'] == 'deb' else None
            if not name and pin:
                name, version = pin
            if artifact['kind'] == 'weights' and any(part.startswith('.') for part in path.split('/')):
                continue  # the hub clients' bookkeeping is no part of the model
            if not name:
                continue
            info = files[path] or {}
            entries.append(manifest_entry(str(name), artifact['kind'], str(version), path, int(info.get('size', 0)),
                                          str(info.get('sha256', ''))))
    return entries


# ---------------------------------------------------------------- the verdict


def _problem(need: Mapping[str, Any], what: str, accepted: str, path: str = '') -> Dict[str, Any]:
    return {'artifact': need['name'], 'kind': need['kind'], 'version': need.get('version', ''),
            'path': path or need.get('path', ''), 'problem': what, 'accepted': accepted,
            'needed_by': [dict(who) for who in need.get('needed_by', [])]}


def _image_family(image: str) -> Tuple[str, str]:
    """(repository, tag variant) of an image reference: ``quay.io/ascend/vllm-ascend:v0.18.0rc1-a3`` -> (..., '-a3')."""
    repository, _sep, tag = image.rpartition(':')
    return repository, _RELEASE.sub('', tag)


def _candidates(need: Mapping[str, Any], entries: Sequence[Entry]) -> List[Entry]:
    kind = need['kind']
    if kind == 'image':
        # Another release of the same image: the repository and the tag's variant (-a3, -openeuler) agree.
        return [entry for entry in entries if entry['kind'] == 'image' and _image_family(entry['name']) == _image_family(need['name'])]
    if kind == 'wheel':
        return [entry for entry in entries if entry['kind'] == 'wheel' and wheel_name(entry['name']) == wheel_name(need['name'])]
    return [entry for entry in entries if entry['kind'] == kind and entry['name'] == need['name']]


def _matches(need: Mapping[str, Any], entry: Entry) -> bool:
    if need['kind'] == 'image':
        return entry['name'] == need['name']
    return not need['version'] or entry['version'] == need['version']


def _integrity(entry: Entry, files: Mapping[str, Optional[Mapping[str, Any]]]) -> Optional[Tuple[str, str]]:
    """What is wrong with an entry's file (the artifact named first), or None."""
    found = files.get(entry['path'])
    artifact = '%s %s' % (entry['kind'], entry['name'])
    again = 'the file as the bundle was made (make the bundle again)'
    if found is None:
        return '%s: %s is in the manifest but not in the bundle' % (artifact, entry['path']), 'the file the manifest lists'
    if found.get('size') != entry['size']:
        return '%s: %s has %s bytes, the manifest says %d' % (artifact, entry['path'], found.get('size'), entry['size']), again
    sha256 = found.get('sha256')
    if sha256 and sha256 != entry['sha256']:
        return '%s: %s has sha256 %s, the manifest says %s' % (artifact, entry['path'], sha256, entry['sha256']), again
    return None


def verdict(needs: Sequence[Need], entries: Sequence[Entry], files: Mapping[str, Optional[Mapping[str, Any]]]) -> List[Dict[str, Any]]:
    """What is wrong with a bundle for these needs: missing artifacts, wrong versions, files unlike the manifest.

    ``entries``: the bundle's manifest; ``files``: relative path -> ``{size,
    sha256}`` as read from the bundle (``None``: not there; ``sha256`` empty
    when not hashed, then only sizes are compared). Each problem names the
    artifact and who needs it (``needed_by``: host and variable); a broken file
    no need asks for is still reported, with no one needing it.
    """
    problems = []
    used = set()  # type: set
    for need in merge_needs(needs):
        candidates = _candidates(need, entries)
        matching = [entry for entry in candidates if _matches(need, entry)]
        if not matching and candidates:
            if need['kind'] == 'image':
                what = 'the bundle has image %s, not %s' % (', '.join(sorted(set(entry['name'] for entry in candidates))), need['name'])
            else:
                what = 'the bundle has %s %s %s, not %s' % (need['kind'], need['name'],
                                                            ', '.join(sorted(set(entry['version'] or '(no version)' for entry in candidates))),
                                                            need['version'])
            problems.append(_problem(need, what, 'a bundle made for this inventory (ansible-playbook playbooks/bundle.yml)',
                                     candidates[0]['path']))
            continue
        if not matching:
            accepted = ('the package downloaded from Huawei as %s, then playbooks/bundle.yml again (it writes the manifest)' % need['path']
                        if need['kind'] == 'driver' else 'a bundle made for this inventory (ansible-playbook playbooks/bundle.yml)')
            problems.append(_problem(need, 'the bundle has no %s %s%s' % (
                need['kind'], need['name'], ' %s' % need['version'] if need['version'] and need['kind'] != 'image' else ''), accepted))
            continue
        for entry in matching:
            used.add(entry['path'])
            broken = _integrity(entry, files)
            if broken:
                problems.append(_problem(need, broken[0], broken[1], entry['path']))
    for entry in entries:
        if entry['path'] in used:
            continue
        broken = _integrity(entry, files)
        if broken:
            problems.append(_problem({'name': entry['name'], 'kind': entry['kind'], 'version': entry['version'],
                                      'path': entry['path']}, broken[0], broken[1]))
    return problems


def summary(needs: Sequence[Need], entries: Sequence[Entry]) -> List[Dict[str, Any]]:
    """One row per need for the report: the artifact, whether the bundle has it, its files and bytes."""
    rows = []
    for need in merge_needs(needs):
        matching = [entry for entry in _candidates(need, entries) if _matches(need, entry)]
        rows.append({'kind': need['kind'], 'name': need['name'], 'version': need['version'] or '(any)',
                     'present': bool(matching), 'files': len(matching), 'bytes': sum(entry['size'] for entry in matching),
                     'needed_by': sorted(set(who['host'] for who in need['needed_by']))})
    return rows


def problem_rows(problems: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The report's rows of :func:`verdict`'s problems: kind, artifact, problem, needed_by (the hosts)."""
    return [{'kind': found['kind'], 'artifact': found['artifact'], 'problem': found['problem'],
             'needed_by': ', '.join(sorted(set(who['host'] for who in found['needed_by'])))} for found in problems]
