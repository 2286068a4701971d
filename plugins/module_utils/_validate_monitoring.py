# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of monitoring (topic ``monitoring``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. The types of every
``prometheus_*`` and ``npu_exporter_*`` variable are checked by the ``types``
topic from the roles' argument specs; these checks add what a type cannot say:
the alert windows are Prometheus durations and the thresholds in range, ports
in range, receivers complete (an e-mail receiver needs its SMTP server and
sender, a webhook an http(s) URL), and a router whose metrics listen on
loopback while Prometheus runs on another host (it could not scrape them).
Only values the inventory (or ``-e``) sets are checked.
"""

from __future__ import annotations

import re
from typing import Any, List

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _monitoring
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    MONITORING_GROUP,
    Inventory,
    Problem,
    check,
    problem,
)

ALERT_PREFIX = 'prometheus_alert_'
_URL = re.compile(r'^https?://[^/\s]+(/\S*)?$')
_PORTS = ('prometheus_port', 'prometheus_alertmanager_port', 'npu_exporter_port')
_LOOPBACK = re.compile(r'^(127\.[0-9.]+|localhost|::1)$')


def _problem(inventory: Inventory, host: str, variable: str, what: str, accepted: str) -> Problem:
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


def _monitoring_hosts(inventory: Inventory) -> List[str]:
    members = inventory.groups.get(MONITORING_GROUP, [])
    return [host for host in inventory.run_hosts if host in members]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, str) and value.isdigit()


def _type_right(value: Any, default: Any) -> bool:
    if isinstance(default, str):
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@check('monitoring')
def check_alert_settings(inventory: Inventory) -> List[Problem]:
    """The alert windows are Prometheus durations, the thresholds numbers in range."""
    found = []
    for host in _monitoring_hosts(inventory):
        # A threshold of the wrong type is the types topic's (one problem per variable).
        settings = dict((name, inventory.hosts[host][ALERT_PREFIX + name]) for name in _monitoring.DEFAULT_ALERT_SETTINGS
                        if inventory.is_set(host, ALERT_PREFIX + name)
                        and _type_right(inventory.hosts[host][ALERT_PREFIX + name], _monitoring.DEFAULT_ALERT_SETTINGS[name]))
        for name, what, accepted in _monitoring.alert_settings_problems(settings):
            found.append(_problem(inventory, host, ALERT_PREFIX + name, what, accepted))
        for variable in ('prometheus_retention_time', 'prometheus_scrape_interval', 'prometheus_scrape_timeout',
                         'prometheus_evaluation_interval'):
            value = inventory.hosts[host].get(variable)
            if inventory.is_set(host, variable) and not (isinstance(value, str) and _monitoring.DURATION.match(value)):
                found.append(_problem(inventory, host, variable, '%r is no Prometheus duration' % (value,),
                                      'a number and a unit, such as 15s, 15d or 1h'))
    return found


@check('monitoring')
def check_ports_and_receivers(inventory: Inventory) -> List[Problem]:
    """Ports in 1-65535; webhooks are http(s) URLs; e-mail receivers have their SMTP server and sender."""
    found = []
    for host in inventory.run_hosts:
        for variable in _PORTS:
            value = inventory.hosts[host].get(variable)
            if inventory.is_set(host, variable) and _is_int(value) and not 0 < int(value) < 65536:
                found.append(_problem(inventory, host, variable, '%s is no port' % value, 'a port in 1-65535'))
    for host in _monitoring_hosts(inventory):
        hooks = inventory.hosts[host].get('prometheus_alertmanager_webhook_urls')
        if inventory.is_set(host, 'prometheus_alertmanager_webhook_urls') and isinstance(hooks, list):
            bad = [url for url in hooks if not isinstance(url, str) or not _URL.match(url)]
            if bad:
                found.append(_problem(inventory, host, 'prometheus_alertmanager_webhook_urls',
                                      '%s is no http(s) URL' % ', '.join(repr(url) for url in bad),
                                      'URLs such as http://10.0.0.9:5001/alerts'))
        emails = inventory.hosts[host].get('prometheus_alertmanager_email_to')
        if inventory.is_set(host, 'prometheus_alertmanager_email_to') and isinstance(emails, list) and emails:
            for variable, example in (('prometheus_alertmanager_smtp_smarthost', 'smtp.example.com:587'),
                                      ('prometheus_alertmanager_email_from', 'alertmanager@example.com')):
                if not inventory.hosts[host].get(variable):
                    found.append(_problem(inventory, host, variable,
                                          'is not set, but prometheus_alertmanager_email_to sends e-mail', example))
    return found


@check('monitoring')
def check_router_metrics_reachable(inventory: Inventory) -> List[Problem]:
    """A router's metrics on loopback cannot be scraped by a Prometheus on another host."""
    monitors = _monitoring_hosts(inventory)
    found = []
    for host in inventory.router_hosts:
        value = inventory.hosts[host].get('vllm_router_metrics_address')
        remote = [monitor for monitor in monitors if monitor != host]
        if inventory.is_set(host, 'vllm_router_metrics_address') and isinstance(value, str) and _LOOPBACK.match(value) and remote:
            found.append(_problem(inventory, host, 'vllm_router_metrics_address',
                                  '%s is loopback: Prometheus on %s cannot scrape the router' % (value, ', '.join(remote)),
                                  '0.0.0.0 (the default when the inventory has a monitoring group) or the router host\'s address'))
    return found
