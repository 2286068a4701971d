# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A pretend inference engine: deterministic text, vLLM's scheduling limits and its metrics.

The text is a function of (model, prompt) only, so a test can predict it and two replicas of the same
model agree. Requests beyond ``--max-num-seqs`` wait for a slot, as in vLLM's scheduler, and show up
in ``vllm:num_requests_waiting``. Timing (first token, per token) is set by stand-in knobs so a
benchmark has something to measure. A hang file (``hang_file``, the knob VLLM_STANDIN_HANG_FILE) makes the
engine hang as a real one can (a stuck collective, a dead NPU stream): while it exists, requests take their
scheduler slot and produce nothing, /health still answers 200 and /metrics shows them running with no new
generation tokens; removing it lets them go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from typing import Dict, Iterator, List, Mapping, NamedTuple, Optional, Tuple

WORDS = (
    "ascend npu serves tokens across the cluster while every replica keeps its own cache and the scheduler "
    "batches requests so throughput grows with load until memory bounds the batch then latency rises "
    "gently a healthy endpoint answers quickly and steadily"
).split()

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def count_tokens(text: str) -> int:
    return len(TOKEN_PATTERN.findall(text))


def generated_tokens(model: str, prompt: str, max_tokens: int, ignore_eos: bool) -> Tuple[List[str], str]:
    """The words the model "generates" and why it stopped (``length`` or ``stop``)."""
    digest = hashlib.sha256(("%s\0%s" % (model, prompt)).encode("utf-8")).digest()
    natural_length = 8 + digest[0] % 40
    length = max_tokens if ignore_eos else min(max_tokens, natural_length)
    tokens: List[str] = []
    block = digest
    while len(tokens) < length:
        block = hashlib.sha256(block).digest()
        tokens.extend(WORDS[b % len(WORDS)] for b in block[: length - len(tokens)])
    reason = "length" if ignore_eos or max_tokens < natural_length else "stop"
    return tokens, reason


def answer_from_key(answers: Mapping[str, str], prompt: str) -> Optional[str]:
    """The answer key's answer to the question the prompt asks, or None when it asks none of them.

    A prompt may quote other questions before its own (few-shot examples), so the question asked is
    the one whose last occurrence ends nearest the end of the prompt; of two ending there, the longer.
    """
    best: Optional[Tuple[int, int, str]] = None
    for question, answer in answers.items():
        at = prompt.rfind(question) if question else -1
        if at < 0:
            continue
        rank = (at + len(question), len(question), answer)
        if best is None or rank[:2] > best[:2]:
            best = rank
    return None if best is None else best[2]


def load_answer_key(path: str) -> Dict[str, str]:
    """``VLLM_STANDIN_ANSWER_KEY``: a JSON object, question -> the answer text the model gives."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if not isinstance(document, dict) or not all(isinstance(k, str) and isinstance(v, (str, int, float)) for k, v in document.items()):
        raise ValueError("%s: the answer key must be a JSON object of question -> answer text" % path)
    return {question: str(answer) for question, answer in document.items()}


class Histogram:
    def __init__(self) -> None:
        self.counts = [0] * len(LATENCY_BUCKETS)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.count += 1
        self.total += value
        for index, bound in enumerate(LATENCY_BUCKETS):
            if value <= bound:
                self.counts[index] += 1


class Completion(NamedTuple):
    tokens: List[str]
    finish_reason: str
    prompt_tokens: int


class Engine:
    def __init__(
        self,
        model_name: str,
        max_num_seqs: int,
        max_model_len: int,
        first_token_seconds: float,
        token_seconds: float,
        answers: Optional[Mapping[str, str]] = None,
        hang_file: str = "",
    ) -> None:
        self.model_name = model_name
        self.hang_file = hang_file
        # An answer key (test bed): the text given to the questions it holds, so an accuracy score is known in advance.
        self.answers = dict(answers or {})
        self.max_num_seqs = max_num_seqs
        self.max_model_len = max_model_len
        self.first_token_seconds = first_token_seconds
        self.token_seconds = token_seconds
        self._slots = threading.BoundedSemaphore(max_num_seqs)
        self._lock = threading.Lock()
        self.running = 0
        self.waiting = 0
        self.tokens_in_flight = 0
        self.prompt_tokens_total = 0
        self.generation_tokens_total = 0
        self.finished: Dict[str, int] = {"stop": 0, "length": 0, "abort": 0}
        self.e2e = Histogram()
        self.ttft = Histogram()

    def tokens(self, served_model: str, prompt: str, max_tokens: int, ignore_eos: bool) -> Tuple[List[str], str]:
        """What is generated for the prompt: the answer key's answer (cut at max_tokens), else the deterministic words."""
        answer = answer_from_key(self.answers, prompt) if self.answers else None
        if answer is None:
            return generated_tokens(served_model, prompt, max_tokens, ignore_eos)
        words = answer.split() or [answer]
        return words[:max_tokens], "length" if len(words) > max_tokens else "stop"

    def context_error(self, prompt_tokens: int, max_tokens: int) -> Optional[str]:
        if prompt_tokens + max_tokens <= self.max_model_len:
            return None
        return (
            "This model's maximum context length is %d tokens. However, you requested %d tokens "
            "(%d in the messages, %d in the completion). Please reduce the length of the messages or completion."
            % (self.max_model_len, prompt_tokens + max_tokens, prompt_tokens, max_tokens)
        )

    def hung(self) -> bool:
        """The hang file exists: the engine makes no progress."""
        return bool(self.hang_file) and os.path.exists(self.hang_file)

    def _wait_while_hung(self) -> None:
        while self.hung():
            time.sleep(0.05)

    def generate(self, served_model: str, prompt: str, max_tokens: int, ignore_eos: bool) -> Iterator[str]:
        """Yield the tokens one by one, paced like a decode loop, holding a scheduler slot meanwhile."""
        started = time.monotonic()
        prompt_tokens = count_tokens(prompt)
        tokens, reason = self.tokens(served_model, prompt, max_tokens, ignore_eos)
        with self._lock:
            self.waiting += 1
        self._slots.acquire()
        with self._lock:
            self.waiting -= 1
            self.running += 1
            self.tokens_in_flight += prompt_tokens
        emitted = 0
        try:
            time.sleep(self.first_token_seconds)
            for index, token in enumerate(tokens):
                self._wait_while_hung()
                if index:
                    time.sleep(self.token_seconds)
                else:
                    self.ttft.observe(time.monotonic() - started)
                emitted += 1
                with self._lock:
                    self.tokens_in_flight += 1
                yield token
        finally:
            with self._lock:
                self.running -= 1
                self.tokens_in_flight -= prompt_tokens + emitted
                self.prompt_tokens_total += prompt_tokens
                self.generation_tokens_total += emitted
                self.finished[reason if emitted == len(tokens) else "abort"] += 1
                self.e2e.observe(time.monotonic() - started)
            self._slots.release()

    def complete(self, served_model: str, prompt: str, max_tokens: int, ignore_eos: bool) -> Completion:
        tokens = list(self.generate(served_model, prompt, max_tokens, ignore_eos))
        return Completion(tokens, self.tokens(served_model, prompt, max_tokens, ignore_eos)[1], count_tokens(prompt))

    def kv_cache_usage(self) -> float:
        capacity = max(self.max_num_seqs * min(self.max_model_len, 4096), 1)
        return min(self.tokens_in_flight / capacity, 1.0)

    def metrics_text(self, labels: str) -> str:
        with self._lock:
            lines = [
                "# HELP vllm:num_requests_running Number of requests in model execution batches.",
                "# TYPE vllm:num_requests_running gauge",
                "vllm:num_requests_running{%s} %d" % (labels, self.running),
                "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
                "# TYPE vllm:num_requests_waiting gauge",
                "vllm:num_requests_waiting{%s} %d" % (labels, self.waiting),
                "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.",
                "# TYPE vllm:kv_cache_usage_perc gauge",
                "vllm:kv_cache_usage_perc{%s} %r" % (labels, self.kv_cache_usage()),
                "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.",
                "# TYPE vllm:prompt_tokens_total counter",
                "vllm:prompt_tokens_total{%s} %d" % (labels, self.prompt_tokens_total),
                "# HELP vllm:generation_tokens_total Number of generation tokens processed.",
                "# TYPE vllm:generation_tokens_total counter",
                "vllm:generation_tokens_total{%s} %d" % (labels, self.generation_tokens_total),
                "# HELP vllm:request_success_total Count of successfully processed requests.",
                "# TYPE vllm:request_success_total counter",
            ]
            for reason, count in sorted(self.finished.items()):
                lines.append('vllm:request_success_total{%s,finished_reason="%s"} %d' % (labels, reason, count))
            for name, helptext, histogram in (
                ("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", self.e2e),
                ("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", self.ttft),
            ):
                lines += ["# HELP %s %s" % (name, helptext), "# TYPE %s histogram" % name]
                for bound, count in zip(LATENCY_BUCKETS, histogram.counts):
                    lines.append('%s_bucket{%s,le="%s"} %d' % (name, labels, bound, count))
                lines.append('%s_bucket{%s,le="+Inf"} %d' % (name, labels, histogram.count))
                lines.append("%s_count{%s} %d" % (name, labels, histogram.count))
                lines.append("%s_sum{%s} %r" % (name, labels, histogram.total))
        return "\n".join(lines) + "\n"
