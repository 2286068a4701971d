# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``vllm`` command of the stand-in image.

The flag spec of the image's vLLM release is found at ``$VLLM_STANDIN_FLAGS``, else ``flags.json``
beside this package (as installed in the image), else ``flags/vllm-$VLLM_STANDIN_VLLM_VERSION.json``
beside it (as in the source tree).
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

from . import argspec

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def spec_path(environ: "os._Environ[str]") -> str:
    explicit = environ.get("VLLM_STANDIN_FLAGS")
    if explicit:
        return explicit
    installed = os.path.join(HERE, "flags.json")
    if os.path.isfile(installed):
        return installed
    return os.path.join(HERE, "flags", "vllm-%s.json" % environ.get("VLLM_STANDIN_VLLM_VERSION", "0.18.0"))


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    spec = argspec.load_spec(spec_path(os.environ))
    parser = argspec.build_parser(spec)
    try:
        args = argspec.parse_vllm_argv(parser, argv)
    except argspec.ArgvError as exc:
        print("ValueError: %s" % exc, file=sys.stderr)
        return 1
    if args.subparser == "serve":
        from . import serve  # pylint: disable=import-outside-toplevel  # only serving needs the server code

        return serve.run(args, spec, os.environ)
    if args.subparser == "bench":
        from . import bench  # pylint: disable=import-outside-toplevel

        return bench.run(args)
    if args.subparser is None:
        parser.print_help()
        return 0
    print("vllm %s: not part of this stand-in (it provides `vllm serve` and `vllm bench serve`)" % args.subparser, file=sys.stderr)
    return 2
