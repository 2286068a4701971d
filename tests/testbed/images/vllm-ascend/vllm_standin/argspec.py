# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rebuild vLLM's command-line parser from the spec dumped from the real one (flags/vllm-<ver>.json).

The option strings, value kinds, choices, defaults and argparse settings all come from the spec, so
this parser accepts and rejects the same command lines as the real ``vllm`` of that release, with the
same error text. What the spec cannot carry (vLLM's argv preprocessing in ``FlexibleArgumentParser``:
``--snake_case`` names, ``--json-arg.key value``, ``-O3``, ``--model X``) is reimplemented here.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any, Callable, Dict, List, Optional

SUPPRESSED = "==SUPPRESS=="
VARYING_DEFAULT = "==VARIES-PER-RUN=="
SUBCOMMANDS = ["chat", "complete", "serve", "bench", "collect-env", "run-batch"]


def load_spec(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# --- value converters: named like vLLM's, because argparse puts the converter's name in its errors ---


def _named(name: str, func: Callable[[str], Any]) -> Callable[[str], Any]:
    func.__name__ = name
    return func


def _human_readable_int(value: str) -> int:
    value = value.strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmMgGtT])", value)
    if match:
        number, suffix = match.groups()
        if suffix in "kmgt":
            return int(float(number) * 10 ** (3 * ("kmgt".index(suffix) + 1)))
        try:
            return int(number) * 2 ** (10 * ("KMGT".index(suffix) + 1))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(
                "Decimals are not allowed with binary suffixes like %s. Did you mean to use %s%s instead?" % (suffix, number, suffix.lower())
            ) from exc
    return int(value)


def _human_readable_int_or_auto(value: str) -> int:
    if value.strip() == "-1" or value.strip().lower() == "auto":
        return -1
    return _human_readable_int(value)


def _check_port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("Port must be an integer") from None
    if not 1024 <= port <= 65535:
        raise argparse.ArgumentTypeError("Port must be between 1024 and 65535")
    return port


def _json_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise argparse.ArgumentTypeError("Value %s cannot be converted to <function loads>." % value) from None


def _json_or_str(value: str) -> Any:
    if not re.match(r"(?s)^\s*{.*}\s*$", value):
        return value
    if value in ("", "None"):
        return None
    return _json_value(value)


def _pydantic_style_error(config_class: str, location: str, message: str, error_type: str, value: Any) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(
        "1 validation error for %s\n%s%s [type=%s, input_value=%r, input_type=%s]"
        % (config_class, location + "\n  " if location else "  ", message, error_type, value, type(value).__name__)
    )


def _json_config(config_class: str, fields: List[str]) -> Callable[[str], Any]:
    """vLLM validates these with pydantic: valid JSON, an object, and only the config class's fields."""

    def parse_dataclass(value: str) -> Any:
        try:
            document = json.loads(value)
        except ValueError as exc:
            raise _pydantic_style_error(config_class, "", "Invalid JSON: %s" % exc, "json_invalid", value) from None
        if not isinstance(document, dict):
            raise _pydantic_style_error(config_class, "", "Input should be an object", "dataclass_type", document)
        for key in document:
            if fields and key not in fields:
                raise _pydantic_style_error(config_class, key, "Unexpected keyword argument", "unexpected_keyword_argument", document[key])
        return document

    return parse_dataclass


def _optional(inner: Callable[[str], Any]) -> Callable[[str], Any]:
    def _optional_type(value: str) -> Any:
        if value in ("", "None"):
            return None
        try:
            return inner(value)
        except ValueError:
            raise argparse.ArgumentTypeError("Value %s cannot be converted to %s." % (value, getattr(inner, "__name__", inner))) from None

    return _optional_type


def converter(spec: Dict[str, Any]) -> Optional[Callable[[str], Any]]:
    kind = spec.get("kind_of_values") if spec["kind"] == "choices" else spec["kind"]
    simple: Dict[str, Callable[[str], Any]] = {
        "int": int,
        "float": float,
        "str": str,
        "json": _named("_parse_type", _json_value),
        "json_or_str": _named("union_dict_and_str", _json_or_str),
        "human_readable_int": _named("human_readable_int", _human_readable_int),
        "human_readable_int_or_auto": _named("human_readable_int_or_auto", _human_readable_int_or_auto),
        "check_port": _named("check_port", _check_port),
        "lowercase_underscore": _named("<lambda>", lambda value: value.lower().replace("-", "_")),
        # A converter the spec could not name: take the text as it is.
        "callable": str,
    }
    if kind == "json_object":
        func = _json_config(spec.get("config_class") or "config", spec.get("fields") or [])
    elif kind in simple:
        func = simple[kind]
    else:
        return None
    if spec.get("optional"):
        func = _optional(func)
    return func


def _default(spec: Dict[str, Any]) -> Any:
    default = spec.get("default")
    if default == SUPPRESSED:
        return argparse.SUPPRESS
    if default == VARYING_DEFAULT:
        return None
    return default


def _add_option(parser: argparse.ArgumentParser, spec: Dict[str, Any]) -> None:
    action = spec["action"]
    strings = list(spec["option_strings"])
    common: Dict[str, Any] = {"dest": spec["dest"], "default": _default(spec), "help": spec.get("help") or None}
    if spec.get("required"):
        common["required"] = True
    if action in ("help", "version"):
        return  # argparse's own -h/--help; --version is not a serve option
    if action == "boolean_optional":
        # BooleanOptionalAction derives the --no- forms itself: hand it only the positive ones.
        positive = [s for s in strings if not (s.startswith("--no-") and "--" + s[5:] in strings)]
        parser.add_argument(*positive, action=argparse.BooleanOptionalAction, **common)
        return
    if action in ("store_true", "store_false", "count"):
        parser.add_argument(*strings, action=action, **common)
        return
    if action == "store_const":
        parser.add_argument(*strings, action="store_const", const=spec.get("const"), **common)
        return
    kwargs = dict(common)
    kwargs["action"] = "append" if action == "append" else "store"
    if spec.get("nargs") is not None:
        kwargs["nargs"] = spec["nargs"]
    func = converter(spec)
    if func is not None and func is not str:
        kwargs["type"] = func
    if spec.get("choices") is not None:
        kwargs["choices"] = spec["choices"]
    if spec.get("metavar"):
        kwargs["metavar"] = spec["metavar"]
    parser.add_argument(*strings, **kwargs)


def populate(parser: argparse.ArgumentParser, spec: Dict[str, Any]) -> argparse.ArgumentParser:
    for positional in spec.get("positionals", []):
        kwargs: Dict[str, Any] = {"default": _default(positional), "help": positional.get("help") or None}
        if positional.get("nargs") is not None:
            kwargs["nargs"] = positional["nargs"]
        parser.add_argument(positional["dest"], **kwargs)
    for option in spec["options"]:
        _add_option(parser, option)
    return parser


def build_parser(spec: Dict[str, Any]) -> argparse.ArgumentParser:
    """``vllm`` with the ``serve`` and ``bench serve`` sub-commands of the spec's release."""
    parser = argparse.ArgumentParser(prog="vllm", description="vLLM CLI")
    parser.add_argument("-v", "--version", action="version", version=spec.get("vllm_version", "unknown"))
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    for name in SUBCOMMANDS:
        if name == "serve":
            serve_spec = spec["serve"]
            serve = subparsers.add_parser(name, usage=serve_spec.get("usage"), allow_abbrev=serve_spec.get("allow_abbrev", True))
            populate(serve, serve_spec)
        elif name == "bench":
            bench = subparsers.add_parser(name, usage="vllm bench <bench_type> [options]")
            bench_types = bench.add_subparsers(required=True, dest="bench_type")
            bench_spec = spec["bench_serve"]
            bench_serve = bench_types.add_parser(
                "serve", usage=bench_spec.get("usage"), allow_abbrev=bench_spec.get("allow_abbrev", True)
            )
            populate(bench_serve, bench_spec)
        else:
            subparsers.add_parser(name)
    return parser


# --- FlexibleArgumentParser's argv preprocessing ---


class ArgvError(ValueError):
    """vLLM raises ValueError from its argv preprocessing (outside argparse)."""


def _move_model_option(args: List[str]) -> List[str]:
    """``vllm serve --model X ...`` is rewritten to ``vllm serve X ...`` (vLLM warns that it is deprecated)."""
    for index, arg in enumerate(args):
        if re.match(r"^--model(=.+|$)", arg):
            if arg == "--model":
                model, rest = args[index + 1] if index + 1 < len(args) else "", index + 2
            else:
                model, rest = arg[len("--model="):], index + 1
            return ["serve", model] + args[1:index] + args[rest:]
    return args


def _dashed(arg: str) -> str:
    """Underscores become dashes in the option name, up to the first dot (``--a_b.c_d`` -> ``--a-b.c_d``)."""
    name, sep, value = arg.partition("=")
    head, dot, tail = name[2:].partition(".")
    return "--" + head.replace("_", "-") + dot + tail + sep + value


def _nested(keys: List[str], value: Any) -> Any:
    for key in reversed(keys):
        value = {key: value}
    return value


def _merge(into: Dict[str, Any], update: Dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] += value
        else:
            into[key] = value


def preprocess(args: List[str]) -> List[str]:
    """What vLLM's FlexibleArgumentParser.parse_args does to argv before argparse sees it."""
    if args and args[0] == "serve":
        args = _move_model_option(args)
        if (
            len(args) > 1
            and args[1].startswith("-")
            and not any(re.match(r"^--config(=.+|$)", a) for a in args)
            and any(re.match(r"^--served[-_]model[-_]name(=.+|$)", a) for a in args)
        ):
            raise ArgvError(
                "`model` should be provided as the first positional argument when using `vllm serve`. "
                "i.e. `vllm serve <model> --<arg> <value>`."
            )
    if "--config" in args:
        raise ArgvError("--config YAML files are not supported by this stand-in: pass the options on the command line")

    processed: List[str] = []
    for index, arg in enumerate(args):
        if arg.startswith("--help="):
            processed.append("--help")
        elif arg.startswith("--"):
            processed.append(_dashed(arg))
        elif arg.startswith("-O") and arg != "-O":
            processed += ["--optimization-level", arg[3:] if arg[2:3] == "=" else arg[2:]]
        elif arg == "-O" and index + 1 < len(args) and args[index + 1] in ("0", "1", "2", "3"):
            processed.append("--optimization-level")
        else:
            processed.append(arg)

    # --json-arg.key value / --json-arg.key=value / --json-arg.list+ a,b become one --json-arg '{...}'.
    dotted: Dict[str, Dict[str, Any]] = {}
    kept: List[str] = []
    skip_next = False
    for index, arg in enumerate(processed):
        if skip_next:
            skip_next = False
            continue
        if arg.startswith("-") and "." in arg:
            name, has_value, value_text = arg.partition("=")
            if has_value and "." not in name:
                kept.append(arg)  # the dot was only in the value
                continue
            if not has_value:
                if index + 1 >= len(processed):
                    kept.append(arg)
                    continue
                value_text = processed[index + 1]
                skip_next = True
            if name.endswith("+"):
                name = name[:-1]
                value_text = json.dumps(value_text.split(","))
            key, *keys = name.split(".")
            try:
                value: Any = json.loads(value_text)
            except ValueError:
                value = value_text
            _merge(dotted.setdefault(key, {}), _nested(keys, value))
            continue
        kept.append(arg)
    for key, value in dotted.items():
        kept += [key, json.dumps(value)]
    return kept


def parse_vllm_argv(parser: argparse.ArgumentParser, argv: List[str]) -> argparse.Namespace:
    """Parse like ``vllm`` does; argparse errors exit 2 with vLLM's text, preprocessing errors raise ArgvError."""
    return parser.parse_args(preprocess(list(argv)))
