# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image pull's back-off and its failure message."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._backoff import BackoffError, backoff_delays, pull_failure_message

# What community.docker.docker_image_pull says when the registry's name does not resolve.
NO_SUCH_HOST = ('Error pulling image registry.example:5000/ascend/vllm-ascend:v0.18.0rc1 - 500 Server Error for '
                'http+docker://localhost/v1.47/images/create?tag=v0.18.0rc1&fromImage=registry.example%3A5000%2Fascend%2Fvllm-ascend: '
                'Internal Server Error ("Get "https://registry.example:5000/v2/": dial tcp: lookup registry.example on 127.0.0.11:53: '
                'no such host")')


def test_the_defaults_wait_longer_each_time_up_to_the_maximum():
    assert backoff_delays(5, 15, 120) == [0, 15, 30, 60, 120]
    assert backoff_delays(7, 15, 120) == [0, 15, 30, 60, 120, 120, 120]


def test_one_attempt_waits_nothing_and_a_maximum_below_the_delay_still_waits_the_delay():
    assert backoff_delays(1, 15, 120) == [0]
    assert backoff_delays(3, 20, 5) == [0, 20, 20]
    assert backoff_delays('3', '1', '2') == [0, 1, 2]


@pytest.mark.parametrize('attempts, delay, maximum, message', [
    (0, 15, 120, 'attempts must be 1 or more, not 0'),
    (3, -1, 120, 'delay must be 0 or more, not -1'),
    (3, 1.5, 120, 'delay must be a whole number, not 1.5'),
    (True, 15, 120, 'attempts must be a whole number, not True'),
    ('many', 15, 120, "attempts must be a whole number, not 'many'"),
])
def test_settings_that_make_no_back_off_are_refused(attempts, delay, maximum, message):
    with pytest.raises(BackoffError, match='^%s$' % message.replace('.', r'\.')):
        backoff_delays(attempts, delay, maximum)


def test_the_failure_names_node_image_registry_attempts_what_to_check_and_that_nothing_stopped():
    message = pull_failure_message('sv-a2', 'registry.example:5000/ascend/vllm-ascend:v0.18.0rc1', 'registry.example:5000',
                                   [0, 1, 2], NO_SUCH_HOST)
    assert message.startswith('vllm_image: on sv-a2 the image registry.example:5000/ascend/vllm-ascend:v0.18.0rc1 could not be '
                              'pulled from the registry registry.example:5000 after 3 attempts (waiting 1, 2 s between them): '
                              'Error pulling image')
    assert 'no such host")' in message
    assert 'ascend_image_registry (vllm_image_registry for this role alone)' in message
    assert 'vllm_image_archive' in message
    assert message.endswith('Nothing was stopped: the replicas already serving on sv-a2 keep serving their current image.')


def test_a_single_attempt_says_so_without_waits():
    message = pull_failure_message('n', 'i', 'r', [0], '')
    assert 'after 1 attempt: no error given. Check' in message
