# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ask the real vLLM argument parser, offline and without an accelerator.

Run it with one vLLM release on sys.path (``PYTHONPATH=<env>/vllm-<ver>``, see
``vllm-flags``):

    vllm_flags.py dump [--output FILE]     the parser's spec as JSON
    vllm_flags.py check -- serve MODEL ... parse an argv like ``vllm`` does; OK or vLLM's error
    vllm_flags.py check --batch FILE       the same for a JSON list of argvs; a JSON list of {ok, error}

The parser is built the way ``vllm``'s own ``main()`` builds it: a
``FlexibleArgumentParser`` named ``vllm`` with every sub-command's
``subparser_init``. vLLM refuses to build it without a platform, so a minimal
CPU platform of our own is installed first; nothing else of vLLM is replaced.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import inspect
import io
import json
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

SPEC_FORMAT = 1

# vLLM logs to stdout unless told not to configure logging; keep stdout for our answer.
os.environ.setdefault("VLLM_CONFIGURE_LOGGING", "0")


def _install_cpu_platform() -> None:
    """Give vLLM a platform so that building the CLI does not try to infer one."""
    from vllm import platforms
    from vllm.platforms.interface import Platform, PlatformEnum

    class ParserOnlyCpuPlatform(Platform):
        """Enough of a platform for argument parsing; it never runs a model."""

        _enum = PlatformEnum.CPU
        device_name = "cpu"
        device_type = "cpu"
        dispatch_key = "CPU"

    platforms.current_platform = ParserOnlyCpuPlatform()


def build_vllm_parser(with_help_text: bool = False) -> argparse.ArgumentParser:
    """The top-level ``vllm`` parser with all its sub-commands, as ``vllm.entrypoints.cli.main`` makes it."""
    if with_help_text:
        # vLLM reads attribute docstrings (the help texts) only when it sees --help in argv at import time.
        sys.argv = [sys.argv[0], "--help"]
    _install_cpu_platform()
    import importlib

    from vllm.utils.argparse_utils import FlexibleArgumentParser

    module_names = [
        "vllm.entrypoints.cli.openai",
        "vllm.entrypoints.cli.serve",
        "vllm.entrypoints.cli.benchmark.main",
        "vllm.entrypoints.cli.collect_env",
        "vllm.entrypoints.cli.run_batch",
    ]
    parser = FlexibleArgumentParser(prog="vllm", description="vLLM CLI")
    parser.add_argument("-v", "--version", action="version", version=installed_vllm_version()[0])
    subparsers = parser.add_subparsers(required=False, dest="subparser")
    commands = {}
    for name in module_names:
        for command in importlib.import_module(name).cmd_init():
            command.subparser_init(subparsers).set_defaults(dispatch_function=command.cmd)
            commands[command.name] = command
    parser.vllm_commands = commands  # type: ignore[attr-defined]
    return parser


def subcommand_parser(parser: argparse.ArgumentParser, *path: str) -> argparse.ArgumentParser:
    for name in path:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = actions[0].choices[name]
    return parser


def _closure_vars(func: Callable[..., Any]) -> Dict[str, Any]:
    try:
        return dict(inspect.getclosurevars(func).nonlocals)
    except (TypeError, ValueError):
        return {}


def describe_type(value_type: Any) -> Dict[str, Any]:
    """Name the converter vLLM attached to an option, so a stand-in can apply the same rule."""
    if value_type is None:
        return {"kind": "str"}
    for builtin, kind in ((int, "int"), (float, "float"), (str, "str")):
        if value_type is builtin:
            return {"kind": kind}
    if value_type is json.loads:
        return {"kind": "json"}
    name = getattr(value_type, "__name__", type(value_type).__name__)
    if name == "_optional_type":
        inner = describe_type(_closure_vars(value_type)["return_type"])
        inner["optional"] = True
        return inner
    if name == "_parse_type":
        return describe_type(_closure_vars(value_type)["return_type"])
    if name == "parse_dataclass":
        config_class = (value_type.__defaults__ or (None,))[0]
        described = {"kind": "json_object", "config_class": getattr(config_class, "__name__", None)}
        if dataclasses.is_dataclass(config_class):
            # vLLM validates these with pydantic, which refuses keys that are not init fields.
            described["fields"] = sorted(f.name for f in dataclasses.fields(config_class) if f.init)
        return described
    if name == "union_dict_and_str":
        return {"kind": "json_or_str"}
    if name in ("human_readable_int", "human_readable_int_or_auto", "check_port"):
        return {"kind": name}
    if _converts_like(value_type, {"Flash-Infer_X": "flash_infer_x"}):
        return {"kind": "lowercase_underscore"}
    return {"kind": "callable", "callable": name}


def _converts_like(func: Callable[[str], Any], examples: Dict[str, Any]) -> bool:
    """Recognise an anonymous converter (a lambda) by what it does to sample values."""
    try:
        return all(func(given) == expected for given, expected in examples.items())
    except Exception:  # pylint: disable=broad-except  # any failure simply means "not this converter"
        return False


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_json_safe(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "value") and isinstance(getattr(value, "value"), (str, int)):
        return value.value
    return repr(value)


def _action_name(action: argparse.Action) -> str:
    known = {
        argparse._StoreAction: "store",
        argparse._StoreTrueAction: "store_true",
        argparse._StoreFalseAction: "store_false",
        argparse._StoreConstAction: "store_const",
        argparse._AppendAction: "append",
        argparse._CountAction: "count",
        argparse._HelpAction: "help",
        argparse._VersionAction: "version",
        argparse.BooleanOptionalAction: "boolean_optional",
    }
    for cls in type(action).__mro__:
        if cls in known:
            return known[cls]
    return type(action).__name__


def describe_action(action: argparse.Action) -> Dict[str, Any]:
    action_name = _action_name(action)
    takes_value = action.nargs != 0
    spec: Dict[str, Any] = {
        "option_strings": list(action.option_strings),
        "dest": action.dest,
        "action": action_name,
        "nargs": action.nargs,
        "takes_value": takes_value,
        "required": bool(action.required),
        "default": _json_safe(action.default) if action.default is not argparse.SUPPRESS else "==SUPPRESS==",
        "help": ((action.help or "").strip().splitlines() or [""])[0],
    }
    if action_name in ("store_true", "store_false", "boolean_optional", "store_const"):
        spec.update({"kind": "bool"})
        if action_name == "store_const":
            spec["const"] = _json_safe(action.const)
    elif action_name in ("help", "version", "count"):
        spec.update({"kind": action_name})
    else:
        spec.update(describe_type(action.type))
    if action.choices is not None:
        spec["choices"] = [_json_safe(c) for c in action.choices]
        spec["kind_of_values"] = spec["kind"]
        spec["kind"] = "choices"
    if action.metavar is not None and isinstance(action.metavar, str):
        spec["metavar"] = action.metavar
    return spec


def describe_parser(parser: argparse.ArgumentParser) -> Dict[str, Any]:
    options = []
    positionals = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        (options if action.option_strings else positionals).append(describe_action(action))
    return {
        "prog": parser.prog,
        "usage": parser.usage,
        "allow_abbrev": parser.allow_abbrev,
        "prefix_chars": parser.prefix_chars,
        "positionals": positionals,
        "options": sorted(options, key=lambda o: o["option_strings"]),
    }


def installed_vllm_version() -> Tuple[str, str]:
    import vllm

    return getattr(vllm, "__version__", "unknown"), os.path.dirname(os.path.dirname(os.path.abspath(vllm.__file__)))


VARYING_DEFAULT = "==VARIES-PER-RUN=="


def _mark_varying_defaults(first: Dict[str, Any], second: Dict[str, Any]) -> Dict[str, Any]:
    """Blank defaults that differ between two builds (random ids), so that a dump is reproducible."""
    for one, other in zip(first["options"], second["options"]):
        if one["default"] != other["default"]:
            one["default"] = VARYING_DEFAULT
    return first


def dump_spec(generator_command: str) -> Dict[str, Any]:
    parsers = [build_vllm_parser(with_help_text=True) for _build in range(2)]
    version = installed_vllm_version()[0]
    spec: Dict[str, Any] = {
        "spec_format": SPEC_FORMAT,
        "vllm_version": version,
        "generated_by": generator_command,
        "python": "%d.%d" % sys.version_info[:2],
    }
    for key, path in (("serve", ("serve",)), ("bench_serve", ("bench", "serve"))):
        first, second = (describe_parser(subcommand_parser(p, *path)) for p in parsers)
        spec[key] = _mark_varying_defaults(first, second)
    return spec


def parse_outcome(parser: argparse.ArgumentParser, argv: List[str]) -> Dict[str, Any]:
    """``{"ok": bool, "error": text, "exit_code": n}`` for one argv, the error being what ``vllm`` would print."""
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            args = parser.parse_args(list(argv))
            command = parser.vllm_commands.get(getattr(args, "subparser", None))  # type: ignore[attr-defined]
            if command is not None:
                command.validate(args)
    except SystemExit as exc:
        return {"ok": False, "error": errors.getvalue(), "exit_code": int(exc.code or 0) or 2}
    except (ValueError, TypeError) as exc:
        return {"ok": False, "error": "%s: %s" % (type(exc).__name__, exc), "exit_code": 1}
    return {"ok": True, "error": "", "exit_code": 0}


def check_batch(path: str) -> int:
    """Parse every argv of a JSON list with one parser (one import, ~7 s); print a JSON list of outcomes."""
    with open(path, encoding="utf-8") as handle:
        argvs = json.load(handle)
    parser = build_vllm_parser()
    json.dump([parse_outcome(parser, argv) for argv in argvs], sys.stdout)
    sys.stdout.write("\n")
    return 0


def check_argv(argv: List[str]) -> int:
    """Parse ``argv`` (starting with the sub-command) like ``vllm`` does; vLLM's own error on failure."""
    outcome = parse_outcome(build_vllm_parser(), argv)
    if outcome["ok"]:
        print("OK")
        return 0
    sys.stderr.write(outcome["error"].rstrip("\n") + "\n")
    return outcome["exit_code"]


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = cli.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump", help="write the serve and bench serve parser spec as JSON")
    dump.add_argument("--output", help="file to write (default: stdout)")
    dump.add_argument("--generator-command", default=None, help="command line recorded in the spec")
    check = sub.add_parser("check", help="parse an argv with the real parser: check -- serve MODEL --flag ...")
    check.add_argument("--batch", metavar="FILE", help="a JSON list of argvs: print a JSON list of {ok, error}")
    check.add_argument("vllm_argv", nargs=argparse.REMAINDER)
    options = cli.parse_args(argv)

    if options.command == "check" and options.batch:
        return check_batch(options.batch)
    if options.command == "check":
        vllm_argv = options.vllm_argv[1:] if options.vllm_argv[:1] == ["--"] else options.vllm_argv
        return check_argv(vllm_argv)

    generator = options.generator_command or " ".join(["vllm_flags.py"] + argv)
    spec = dump_spec(generator)
    text = json.dumps(spec, indent=1, sort_keys=True) + "\n"
    if options.output:
        with open(options.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
