"""The hub's command line: options (each with an environment twin), --populate, and serving until stopped."""

from __future__ import annotations

import argparse
import os
import ssl
import sys
from pathlib import Path
from typing import List, Optional

from .faults import Faults, FaultState
from .request_log import RequestLog
from .routes import HubRequestHandler
from .server import HubServer
from .store import RepoStore

DEFAULT_PORT = 8090


def env_default(name: str, fallback: Optional[str] = None) -> Optional[str]:
    value = os.environ.get(name)
    return value if value not in (None, "") else fallback


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hub_server", description="Stand-in Hugging Face / ModelScope hub for the test bed.")
    parser.add_argument("--host", default=env_default("HUB_HOST", "0.0.0.0"), help="address to bind (HUB_HOST)")
    parser.add_argument("--port", type=int, default=int(env_default("HUB_PORT", str(DEFAULT_PORT)) or DEFAULT_PORT),
                        help="port to bind, 0 for any free port (HUB_PORT)")
    parser.add_argument("--root", type=Path, default=Path(env_default("HUB_ROOT", "/srv/hub") or "/srv/hub"),
                        help="directory holding OWNER/NAME repositories (HUB_ROOT)")
    parser.add_argument("--populate", action="store_true",
                        help="write the default stand-in models (make_model.py) into --root before serving")
    parser.add_argument("--request-log", type=Path, default=env_default("HUB_REQUEST_LOG"),
                        help="append every request as a JSON line to this file (HUB_REQUEST_LOG)")
    parser.add_argument("--tls-cert", default=env_default("HUB_TLS_CERT"), help="PEM certificate; enables TLS on the same port (HUB_TLS_CERT)")
    parser.add_argument("--tls-key", default=env_default("HUB_TLS_KEY"), help="PEM private key for --tls-cert (HUB_TLS_KEY)")
    parser.add_argument("--tls-ca", type=Path, default=env_default("HUB_TLS_CA"),
                        help="CA certificate to publish at /_hub/ca.pem for clients to trust (HUB_TLS_CA)")
    parser.add_argument("--fault-cut-after", type=int, default=env_default("HUB_FAULT_CUT_AFTER"),
                        help="drop file responses after this many body bytes (HUB_FAULT_CUT_AFTER)")
    parser.add_argument("--fault-cut-times", type=int, default=int(env_default("HUB_FAULT_CUT_TIMES", "1") or 1),
                        help="how many responses to cut (HUB_FAULT_CUT_TIMES, default 1)")
    parser.add_argument("--fault-cut-files", default=env_default("HUB_FAULT_CUT_FILES", "*.safetensors"),
                        help="comma-separated globs of files to cut (HUB_FAULT_CUT_FILES, default *.safetensors)")
    parser.add_argument("--fault-corrupt-files", default=env_default("HUB_FAULT_CORRUPT_FILES", ""),
                        help="comma-separated globs of files served with a wrong sha256 (HUB_FAULT_CORRUPT_FILES)")
    parser.add_argument("--fault-short-files", default=env_default("HUB_FAULT_SHORT_FILES", ""),
                        help="comma-separated globs of files served shorter than listed (HUB_FAULT_SHORT_FILES)")
    return parser.parse_args(argv)


def tls_context(cert: Optional[str], key: Optional[str]) -> Optional[ssl.SSLContext]:
    if not cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key or None)
    return context


def populate(root: Path) -> None:
    # make_model.py is a script beside this package (hub/), not part of it.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import make_model  # pylint: disable=import-outside-toplevel,import-error

    for repo_id in make_model.DEFAULT_REPOS:
        make_model.write_model(root, repo_id)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.populate:
        populate(args.root)
    faults = Faults(cut_after=args.fault_cut_after, cut_times=args.fault_cut_times, cut_files=args.fault_cut_files,
                    corrupt_files=args.fault_corrupt_files, short_files=args.fault_short_files)
    server = HubServer((args.host, args.port), HubRequestHandler, RepoStore(args.root), FaultState(faults),
                       RequestLog(args.request_log), tls_context(args.tls_cert, args.tls_key), args.tls_ca)
    host, port = server.server_address[:2]
    # Tests read this line to learn the port when started with --port 0.
    print("hub: serving %s on %s:%d (%s)" % (args.root, host, port, "http+https" if server.tls_context else "http"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
