# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``vllm bench serve``: really load an OpenAI-compatible endpoint and write vLLM's result JSON.

Prompts come from the ``random`` dataset (words, one token each under the stand-in's tokenizer);
requests stream (SSE) so time to first token and inter-token latency are measured as vLLM measures
them; arrivals follow a Poisson process (gamma with ``--burstiness``) at ``--request-rate``. The
result file has the real keys and name (``<label>-<rate>qps[-concurrency<n>]-<model>-<date>.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "zu", "ha", "do"]


class RequestResult(NamedTuple):
    success: bool
    prompt_len: int
    output_tokens: int
    ttft: float
    itl: List[float]
    latency: float
    start_time: float
    generated_text: str
    error: str


def random_prompts(count: int, input_len: int, output_len: int, range_ratio: float, prefix_len: int, seed: int) -> List[Tuple[str, int, int]]:
    """(prompt, prompt tokens, max output tokens) like vLLM's random dataset: lengths drawn in [len*(1-r), len*(1+r)]."""
    rng = random.Random(seed)
    prefix = [rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _word in range(prefix_len)]
    prompts = []
    for _prompt in range(count):
        n_in = rng.randint(max(int(input_len * (1 - range_ratio)), 1), max(int(input_len * (1 + range_ratio)), 1))
        n_out = rng.randint(max(int(output_len * (1 - range_ratio)), 1), max(int(output_len * (1 + range_ratio)), 1))
        words = prefix + [rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _word in range(n_in)]
        prompts.append((" ".join(words), prefix_len + n_in, n_out))
    return prompts


def _request_body(args: argparse.Namespace, chat: bool, model: str, prompt: str, max_tokens: int) -> Dict[str, Any]:
    body: Dict[str, Any] = {"model": model, "max_tokens": max_tokens, "stream": True, "stream_options": {"include_usage": True}}
    if chat:
        body["messages"] = [{"role": "user", "content": prompt}]
    else:
        body["prompt"] = prompt
    if args.ignore_eos:
        body["ignore_eos"] = True
    if args.temperature is not None:
        body["temperature"] = args.temperature
    return body


def send_request(url: str, body: Dict[str, Any], prompt_len: int, headers: Dict[str, str], timeout: float) -> RequestResult:
    start = time.perf_counter()
    wall_start = time.time()
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=dict(headers, **{"Content-Type": "application/json"}))
    ttft = 0.0
    itl: List[float] = []
    text: List[str] = []
    output_tokens = 0
    last = start
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            for raw in response:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                event = json.loads(payload)
                if event.get("usage"):
                    output_tokens = event["usage"].get("completion_tokens", output_tokens)
                for choice in event.get("choices", []):
                    piece = choice.get("text")
                    if piece is None:
                        piece = (choice.get("delta") or {}).get("content")
                    if not piece:
                        continue
                    now = time.perf_counter()
                    if not text:
                        ttft = now - start
                    else:
                        itl.append(now - last)
                    last = now
                    text.append(piece)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        detail = exc.read().decode("utf-8", "replace") if isinstance(exc, urllib.error.HTTPError) else str(exc)
        return RequestResult(False, prompt_len, 0, 0.0, [], time.perf_counter() - start, wall_start, "", detail)
    latency = time.perf_counter() - start
    return RequestResult(True, prompt_len, output_tokens or len(text), ttft, itl, latency, wall_start, "".join(text), "")


def _percentile(values: List[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * percent / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def metric_block(name: str, values_s: List[float], percentiles: List[float]) -> Dict[str, float]:
    values = [v * 1000.0 for v in values_s]
    block = {
        "mean_%s_ms" % name: statistics.fmean(values) if values else 0.0,
        "median_%s_ms" % name: statistics.median(values) if values else 0.0,
        "std_%s_ms" % name: statistics.pstdev(values) if values else 0.0,
    }
    for percent in percentiles:
        word = str(int(percent)) if int(percent) == percent else str(percent)
        block["p%s_%s_ms" % (word, name)] = _percentile(values, percent)
    return block


def summarise(results: List[RequestResult], duration: float, selected: List[str], percentiles: List[float]) -> Dict[str, Any]:
    done = [r for r in results if r.success]
    total_input = sum(r.prompt_len for r in done)
    total_output = sum(r.output_tokens for r in done)
    tpots = [(r.latency - r.ttft) / (r.output_tokens - 1) for r in done if r.output_tokens > 1]
    per_second: Dict[int, int] = {}
    first_start = min((r.start_time for r in results), default=0.0)
    for r in done:
        per_second[int(r.start_time + r.latency - first_start)] = per_second.get(int(r.start_time + r.latency - first_start), 0) + r.output_tokens
    result: Dict[str, Any] = {
        "duration": duration,
        "completed": len(done),
        "failed": len(results) - len(done),
        "total_input_tokens": total_input,
        "total_output_tokens": total_output,
        "request_throughput": len(done) / duration if duration else 0.0,
        "request_goodput": None,
        "output_throughput": total_output / duration if duration else 0.0,
        "total_token_throughput": (total_input + total_output) / duration if duration else 0.0,
        "input_lens": [r.prompt_len for r in results],
        "output_lens": [r.output_tokens for r in results],
        "ttfts": [r.ttft for r in results],
        "itls": [r.itl for r in results],
        "start_times": [r.start_time for r in results],
        "generated_texts": [r.generated_text for r in results],
        "errors": [r.error for r in results],
        "max_output_tokens_per_s": float(max(per_second.values(), default=0)),
        "max_concurrent_requests": _peak_concurrency(results),
        "rtfx": 0.0,
    }
    series = {
        "ttft": [r.ttft for r in done],
        "tpot": tpots,
        "itl": [gap for r in done for gap in r.itl],
        "e2el": [r.latency for r in done],
    }
    for name in ("ttft", "tpot", "itl", "e2el"):
        if name in selected:
            result.update(metric_block(name, series[name], percentiles))
    return result


def _peak_concurrency(results: List[RequestResult]) -> int:
    events = sorted([(r.start_time, 1) for r in results] + [(r.start_time + r.latency, -1) for r in results])
    peak = current = 0
    for _moment, change in events:
        current += change
        peak = max(peak, current)
    return peak


def print_summary(result: Dict[str, Any], max_concurrency: Optional[int], request_rate: float, selected: List[str], percentiles: List[float]) -> None:
    print("{s:{c}^{n}}".format(s=" Serving Benchmark Result ", n=50, c="="))
    print("{:<40} {:<10}".format("Successful requests:", result["completed"]))
    print("{:<40} {:<10}".format("Failed requests:", result["failed"]))
    if max_concurrency is not None:
        print("{:<40} {:<10}".format("Maximum request concurrency:", max_concurrency))
    if request_rate != float("inf"):
        print("{:<40} {:<10.2f}".format("Request rate configured (RPS):", request_rate))
    print("{:<40} {:<10.2f}".format("Benchmark duration (s):", result["duration"]))
    print("{:<40} {:<10}".format("Total input tokens:", result["total_input_tokens"]))
    print("{:<40} {:<10}".format("Total generated tokens:", result["total_output_tokens"]))
    print("{:<40} {:<10.2f}".format("Request throughput (req/s):", result["request_throughput"]))
    print("{:<40} {:<10.2f}".format("Output token throughput (tok/s):", result["output_throughput"]))
    print("{:<40} {:<10.2f}".format("Peak output token throughput (tok/s):", result["max_output_tokens_per_s"]))
    print("{:<40} {:<10.2f}".format("Peak concurrent requests:", result["max_concurrent_requests"]))
    print("{:<40} {:<10.2f}".format("Total token throughput (tok/s):", result["total_token_throughput"]))
    headers = {"ttft": "Time to First Token", "tpot": "Time per Output Token (excl. 1st token)", "itl": "Inter-token Latency", "e2el": "End-to-end Latency"}
    for name in ("ttft", "tpot", "itl", "e2el"):
        if name not in selected:
            continue
        label = name.upper()
        print("{s:{c}^{n}}".format(s=headers[name], n=50, c="-"))
        print("{:<40} {:<10.2f}".format("Mean %s (ms):" % label, result["mean_%s_ms" % name]))
        print("{:<40} {:<10.2f}".format("Median %s (ms):" % label, result["median_%s_ms" % name]))
        for percent in percentiles:
            word = str(int(percent)) if int(percent) == percent else str(percent)
            print("{:<40} {:<10.2f}".format("P%s %s (ms):" % (word, label), result["p%s_%s_ms" % (word, name)]))
    print("=" * 50)


def _base_url(args: argparse.Namespace) -> str:
    return (args.base_url or "http://%s:%d" % (args.host, args.port)).rstrip("/")


def _first_model(base_url: str, headers: Dict[str, str]) -> str:
    with urllib.request.urlopen(urllib.request.Request(base_url + "/v1/models", headers=headers), timeout=30) as response:
        return json.load(response)["data"][0]["id"]


def run(args: argparse.Namespace) -> int:
    if args.dataset_name != "random":
        print("ValueError: this stand-in's `vllm bench serve` only generates --dataset-name random (got %r)" % args.dataset_name)
        return 1
    chat = args.backend == "openai-chat" or args.endpoint.rstrip("/").endswith("/chat/completions")
    if args.backend not in ("vllm", "openai", "openai-chat"):
        print("ValueError: this stand-in's `vllm bench serve` supports --backend vllm, openai and openai-chat (got %r)" % args.backend)
        return 1
    base_url = _base_url(args)
    headers = {"Authorization": "Bearer %s" % os.environ["OPENAI_API_KEY"]} if os.environ.get("OPENAI_API_KEY") else {}
    model_id = args.model or _first_model(base_url, headers)
    served = args.served_model_name or model_id
    url = base_url + args.endpoint
    percentiles = [float(p) for p in str(args.metric_percentiles).split(",")]
    selected = (args.percentile_metrics or "ttft,tpot,itl").split(",")
    prompts = random_prompts(args.num_prompts, args.random_input_len, args.random_output_len, args.random_range_ratio, args.random_prefix_len, args.seed)
    if not prompts:
        print("ValueError: --num-prompts must be at least 1")
        return 1

    print("Starting initial single prompt test run...")
    deadline = time.monotonic() + max(args.ready_check_timeout_sec or 0, 0)
    while True:
        probe = send_request(url, _request_body(args, chat, served, prompts[0][0], prompts[0][2]), prompts[0][1], headers, 600)
        if probe.success or time.monotonic() >= deadline:
            break
        time.sleep(1)
    if not probe.success:
        print("ValueError: Initial test run failed - Please make sure benchmark arguments are correctly specified. Error: %s" % probe.error)
        return 1
    print("Initial test run completed.")
    print("Traffic request rate: %s" % args.request_rate)
    print("Burstiness factor: %s (%s)" % (args.burstiness, "Poisson process" if args.burstiness == 1.0 else "Gamma distribution"))
    print("Maximum request concurrency: %s" % args.max_concurrency)

    rng = random.Random(args.seed)
    results: List[Optional[RequestResult]] = [None] * len(prompts)
    limit = threading.BoundedSemaphore(args.max_concurrency) if args.max_concurrency else None
    threads = []

    def one(index: int, prompt: str, prompt_len: int, max_tokens: int) -> None:
        try:
            results[index] = send_request(url, _request_body(args, chat, served, prompt, max_tokens), prompt_len, headers, 6 * 3600)
        finally:
            if limit is not None:
                limit.release()

    started = time.perf_counter()
    for index, (prompt, prompt_len, max_tokens) in enumerate(prompts):
        if limit is not None:
            limit.acquire()
        thread = threading.Thread(target=one, args=(index, prompt, prompt_len, max_tokens), daemon=True)
        thread.start()
        threads.append(thread)
        if args.request_rate != float("inf") and index < len(prompts) - 1:
            theta = 1.0 / (args.request_rate * args.burstiness)
            time.sleep(rng.gammavariate(args.burstiness, theta))
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started

    finished = [r for r in results if r is not None]
    benchmark = summarise(finished, duration, selected, percentiles)
    print_summary(benchmark, args.max_concurrency, args.request_rate, selected, percentiles)

    if not (args.save_result or args.append_result):
        return 0
    current_dt = datetime.now().strftime("%Y%m%d-%H%M%S")
    label = args.label or args.backend
    result_json: Dict[str, Any] = {
        "date": current_dt,
        "endpoint_type": args.backend,
        "backend": args.backend,
        "label": label,
        "model_id": model_id,
        "tokenizer_id": args.tokenizer or model_id,
        "num_prompts": args.num_prompts,
    }
    for item in args.metadata or []:
        if "=" not in item:
            print("ValueError: Invalid metadata format. Please use KEY=VALUE format.")
            return 1
        key, value = item.split("=", 1)
        result_json[key.strip()] = value.strip()
    result_json["request_rate"] = args.request_rate if args.request_rate < float("inf") else "inf"
    result_json["burstiness"] = args.burstiness
    result_json["max_concurrency"] = args.max_concurrency
    result_json.update(benchmark)
    if not args.save_detailed:
        for field in ("input_lens", "output_lens", "start_times", "ttfts", "itls", "generated_texts", "errors"):
            result_json.pop(field, None)
    concurrency = "-concurrency%d" % args.max_concurrency if args.max_concurrency is not None else ""
    file_name = args.result_filename or "%s-%sqps%s-%s-%s.json" % (label, args.request_rate, concurrency, model_id.split("/")[-1], current_dt)
    if args.result_dir:
        os.makedirs(args.result_dir, exist_ok=True)
        file_name = os.path.join(args.result_dir, file_name)
    with open(file_name, "a+" if args.append_result else "w", encoding="utf-8") as handle:
        if args.append_result and handle.tell() != 0:
            handle.write("\n")
        json.dump(result_json, handle)
    return 0
