# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Attempts with a back-off, and what to say when the last one failed (the image pull).

Private to the collection. Pure standard library. Ansible's ``until`` waits
the same ``delay`` between every retry; a registry under load or a mirror
coming back needs the waits to grow, so the vllm_image role loops over the
waits :func:`backoff_delays` gives, one attempt after each.
"""

from __future__ import annotations

from typing import Any, List, Sequence


class BackoffError(ValueError):
    """A setting of the back-off that cannot be used."""


def _whole(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool):
        raise BackoffError('%s must be a whole number, not %r' % (name, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BackoffError('%s must be a whole number, not %r' % (name, value)) from None
    if number != value and str(number) != str(value).strip():
        raise BackoffError('%s must be a whole number, not %r' % (name, value))
    if number < minimum:
        raise BackoffError('%s must be %d or more, not %d' % (name, minimum, number))
    return number


def backoff_delays(attempts: Any, delay: Any, maximum: Any) -> List[int]:
    """Seconds to wait before each attempt: none before the first, then ``delay``, doubled each time, at most ``maximum``.

    >>> backoff_delays(5, 15, 120)
    [0, 15, 30, 60, 120]
    """
    attempts = _whole('attempts', attempts, 1)
    delay = _whole('delay', delay, 0)
    maximum = _whole('maximum', maximum, 0)
    return [0] + [min(delay * 2 ** index, max(maximum, delay)) for index in range(attempts - 1)]


def pull_failure_message(node: str, image: str, registry: str, delays: Sequence[int], error: str) -> str:
    """Why the image is not on ``node`` after every attempt, what to check, and that nothing serving was touched."""
    waits = [int(wait) for wait in delays[1:]]
    waited = (' (waiting %s s between them)' % ', '.join(str(wait) for wait in waits)) if waits else ''
    return ('vllm_image: on %s the image %s could not be pulled from the registry %s after %d attempt%s%s: %s. '
            'Check that %s reaches the registry (its name resolves, its port answers, through the proxy or mirror the site '
            'needs) and that ascend_image_registry (vllm_image_registry for this role alone) names it, or load the image '
            'from an archive (vllm_image_archive). Nothing was stopped: the replicas already serving on %s keep serving '
            'their current image.'
            % (node, image, registry, len(delays), '' if len(delays) == 1 else 's', waited,
               (error or 'no error given').strip().rstrip('.'), node, node))
