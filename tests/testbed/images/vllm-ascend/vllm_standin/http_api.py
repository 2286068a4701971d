# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vLLM's OpenAI-compatible HTTP surface, on the standard library's HTTP server.

Routes and their answers follow vLLM: ``/health`` (empty 200), ``/ping``, ``/version``, ``/metrics``
(Prometheus text), ``/v1/models``, ``/v1/completions`` and ``/v1/chat/completions`` (also streamed as
server-sent events). ``--api-key``/``VLLM_API_KEY`` guards every path under ``/v1`` and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from .engine import Engine, count_tokens
from .logs import VllmLog

ROUTES = {
    "/health": ["GET"],
    "/ping": ["GET", "POST"],
    "/version": ["GET"],
    "/metrics": ["GET"],
    "/v1/models": ["GET"],
    "/v1/completions": ["POST"],
    "/v1/chat/completions": ["POST"],
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, err_type: str, param: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"message": message, "type": err_type, "param": param, "code": status}}


class ServingState:
    """What the handlers need to answer: names, engine, keys, and whether the engine is alive."""

    def __init__(self, served_names: List[str], model_path: str, engine: Engine, api_keys: List[str], version: str, log: VllmLog) -> None:
        self.served_names = served_names
        self.model_path = model_path
        self.engine = engine
        self.api_key_hashes = [hashlib.sha256(k.encode("utf-8")).digest() for k in api_keys if k]
        self.version = version
        self.log = log
        self.created = int(time.time())
        self.engine_dead = False

    def authorised(self, header: Optional[str]) -> bool:
        if not self.api_key_hashes:
            return True
        scheme, _space, token = (header or "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        given = hashlib.sha256(token.encode("utf-8")).digest()
        return any(secrets.compare_digest(given, h) for h in self.api_key_hashes)

    def model_name(self, requested: Optional[str]) -> str:
        if requested is None or requested in self.served_names:
            return requested or self.served_names[0]
        raise ApiError(404, "The model `%s` does not exist." % requested, "NotFoundError", "model")


def _prompt_text(prompt: Any) -> List[str]:
    """The OpenAI API takes a string, a list of strings, token ids, or a list of token id lists."""
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, int) for p in prompt):
        return [" ".join(str(p) for p in prompt)]
    if isinstance(prompt, list) and prompt and all(isinstance(p, (str, list)) for p in prompt):
        return [p if isinstance(p, str) else " ".join(str(t) for t in p) for p in prompt]
    raise ApiError(400, "prompt must be a string, a list of strings or token ids", "BadRequestError", "prompt")


def _chat_text(messages: Any) -> str:
    """Render the conversation the way a Qwen chat template does, so prompt token counts look real."""
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages must be a non-empty list", "BadRequestError", "messages")
    parts = []
    for message in messages:
        if not isinstance(message, dict) or "role" not in message:
            raise ApiError(400, "each message needs a role", "BadRequestError", "messages")
        content = message.get("content") or ""
        if isinstance(content, list):
            content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        parts.append("<|im_start|>%s\n%s<|im_end|>\n" % (message["role"], content))
    return "".join(parts) + "<|im_start|>assistant\n"


def _int_field(body: Dict[str, Any], *names: str) -> Optional[int]:
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ApiError(400, "%s must be at least 1, got %r." % (name, value), "BadRequestError", name)
        return value
    return None


def _usage(prompt_tokens: int, completion_tokens: int) -> Dict[str, Any]:
    return {
        "prompt_tokens": prompt_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "completion_tokens": completion_tokens,
        "prompt_tokens_details": None,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "uvicorn"
    sys_version = ""
    state: ServingState  # set on the subclass made per server

    # --- plumbing ---

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin  # BaseHTTPRequestHandler's signature
        pass  # access lines are written by _access_log in uvicorn's layout

    def _access_log(self, status: int) -> None:
        phrase = self.responses.get(status, ("",))[0]
        self.state.log.uvicorn('%s:%d - "%s %s HTTP/1.1" %d %s' % (self.client_address[0], self.client_address[1], self.command, self.path, status, phrase))

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self._access_log(status)

    def _send_json(self, status: int, document: Any) -> None:
        self._send(status, json.dumps(document).encode("utf-8"))

    def _read_json(self) -> Dict[str, Any]:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, "Invalid JSON body", "BadRequestError") from None
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object", "BadRequestError")
        return body

    def _stream(self, events: Iterator[Dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self._access_log(200)

        def chunk(data: bytes) -> None:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        try:
            for event in events:
                chunk(b"data: " + json.dumps(event).encode("utf-8") + b"\n\n")
            chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _discard_body(self) -> None:
        """Read a body no route will read: left unread, it would be parsed as the next request on a kept-alive connection."""
        length = int(self.headers.get("content-length") or 0)
        if length > 0:
            self.rfile.read(length)

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        if path not in ROUTES:
            self._discard_body()
            self._send_json(404, {"detail": "Not Found"})
            return
        if method not in ROUTES[path] and not (method == "HEAD" and "GET" in ROUTES[path]):
            self._discard_body()
            self._send_json(405, {"detail": "Method Not Allowed"})
            return
        if path.startswith("/v1") and not self.state.authorised(self.headers.get("authorization")):
            self._discard_body()
            self._send_json(401, {"error": "Unauthorized"})
            return
        routes: Dict[str, Callable[[], None]] = {
            "/health": self._health,
            "/ping": self._health,
            "/version": lambda: self._send_json(200, {"version": self.state.version}),
            "/metrics": self._metrics,
            "/v1/models": self._models,
            "/v1/completions": self._completions,
            "/v1/chat/completions": self._chat,
        }
        try:
            routes[path]()
        except ApiError as exc:
            self._send_json(exc.status, exc.body)

    def do_GET(self) -> None:  # noqa: N802  # http.server's naming
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    # --- routes ---

    def _health(self) -> None:
        self._send(503 if self.state.engine_dead else 200, b"")

    def _metrics(self) -> None:
        labels = 'engine="0",model_name="%s"' % self.state.served_names[0]
        self._send(200, self.state.engine.metrics_text(labels).encode("utf-8"), "text/plain; version=0.0.4; charset=utf-8")

    def _models(self) -> None:
        data = [
            {
                "id": name,
                "object": "model",
                "created": self.state.created,
                "owned_by": "vllm",
                "root": self.state.model_path,
                "parent": None,
                "max_model_len": self.state.engine.max_model_len,
                "permission": [],
            }
            for name in self.state.served_names
        ]
        self._send_json(200, {"object": "list", "data": data})

    def _prepare(self, body: Dict[str, Any], prompt: str, default_max: Optional[int]) -> Tuple[int, bool]:
        prompt_tokens = count_tokens(prompt)
        max_tokens = _int_field(body, "max_completion_tokens", "max_tokens")
        if max_tokens is None:
            max_tokens = default_max if default_max is not None else max(self.state.engine.max_model_len - prompt_tokens, 1)
        temperature = body.get("temperature", 1.0)
        if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or temperature < 0):
            raise ApiError(400, "temperature must be non-negative, got %r." % temperature, "BadRequestError", "temperature")
        error = self.state.engine.context_error(prompt_tokens, max_tokens)
        if error:
            raise ApiError(400, error, "BadRequestError")
        return max_tokens, bool(body.get("ignore_eos", False))

    def _completions(self) -> None:
        body = self._read_json()
        model = self.state.model_name(body.get("model"))
        prompts = _prompt_text(body.get("prompt"))
        settings = [self._prepare(body, p, 16) for p in prompts]
        request_id = "cmpl-%s" % uuid.uuid4().hex
        created = int(time.time())
        engine = self.state.engine
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream(self._completion_events(request_id, created, model, prompts, settings, include_usage))
            return
        choices = []
        prompt_total = completion_total = 0
        for index, (prompt, (max_tokens, ignore_eos)) in enumerate(zip(prompts, settings)):
            result = engine.complete(model, prompt, max_tokens, ignore_eos)
            choices.append(
                {
                    "index": index,
                    "text": "".join(" " + t for t in result.tokens),
                    "logprobs": None,
                    "finish_reason": result.finish_reason,
                    "stop_reason": None,
                    "prompt_logprobs": None,
                }
            )
            prompt_total += result.prompt_tokens
            completion_total += len(result.tokens)
        self._send_json(
            200,
            {
                "id": request_id,
                "object": "text_completion",
                "created": created,
                "model": model,
                "choices": choices,
                "usage": _usage(prompt_total, completion_total),
            },
        )

    def _completion_events(
        self, request_id: str, created: int, model: str, prompts: List[str], settings: List[Tuple[int, bool]], include_usage: bool
    ) -> Iterator[Dict[str, Any]]:
        engine = self.state.engine
        prompt_total = completion_total = 0
        for index, (prompt, (max_tokens, ignore_eos)) in enumerate(zip(prompts, settings)):
            planned, reason = self.state.engine.tokens(model, prompt, max_tokens, ignore_eos)
            prompt_total += count_tokens(prompt)
            for position, token in enumerate(engine.generate(model, prompt, max_tokens, ignore_eos)):
                completion_total += 1
                last = position == len(planned) - 1
                yield {
                    "id": request_id,
                    "object": "text_completion",
                    "created": created,
                    "model": model,
                    "choices": [{"index": index, "text": " " + token, "logprobs": None, "finish_reason": reason if last else None, "stop_reason": None}],
                }
        if include_usage:
            usage = _usage(prompt_total, completion_total)
            yield {"id": request_id, "object": "text_completion", "created": created, "model": model, "choices": [], "usage": usage}

    def _chat(self) -> None:
        body = self._read_json()
        model = self.state.model_name(body.get("model"))
        prompt = _chat_text(body.get("messages"))
        max_tokens, ignore_eos = self._prepare(body, prompt, None)
        request_id = "chatcmpl-%s" % uuid.uuid4().hex
        created = int(time.time())
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream(self._chat_events(request_id, created, model, prompt, max_tokens, ignore_eos, include_usage))
            return
        result = self.state.engine.complete(model, prompt, max_tokens, ignore_eos)
        self._send_json(
            200,
            {
                "id": request_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": " ".join(result.tokens), "reasoning_content": None, "tool_calls": []},
                        "logprobs": None,
                        "finish_reason": result.finish_reason,
                        "stop_reason": None,
                    }
                ],
                "usage": _usage(result.prompt_tokens, len(result.tokens)),
            },
        )

    def _chat_events(
        self, request_id: str, created: int, model: str, prompt: str, max_tokens: int, ignore_eos: bool, include_usage: bool
    ) -> Iterator[Dict[str, Any]]:
        planned, reason = self.state.engine.tokens(model, prompt, max_tokens, ignore_eos)
        base = {"id": request_id, "object": "chat.completion.chunk", "created": created, "model": model}
        yield dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}])
        for position, token in enumerate(self.state.engine.generate(model, prompt, max_tokens, ignore_eos)):
            text = token if position == 0 else " " + token
            last = position == len(planned) - 1
            yield dict(base, choices=[{"index": 0, "delta": {"content": text}, "logprobs": None, "finish_reason": reason if last else None}])
        if include_usage:
            yield dict(base, choices=[], usage=_usage(count_tokens(prompt), len(planned)))


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True


def make_server(sock: socket.socket, state: ServingState) -> ApiServer:
    """An HTTP server on an already bound socket (vLLM binds before loading, listens when ready)."""
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ApiServer(sock.getsockname()[:2], handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.server_activate()
    return server
