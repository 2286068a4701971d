"""Create a test-bed CA and a TLS certificate for the stand-in hub (needs the openssl command).

ModelScope clients before 1.38 always reach MODELSCOPE_DOMAIN over https, so
the hub needs a certificate the clients trust: point them at the CA with
REQUESTS_CA_BUNDLE (requests) or SSL_CERT_FILE, as a site with an internal CA does.

Writes into --out: ca.pem (trust this), ca-key.pem, hub.pem and hub-key.pem
(give these to hub_server --tls-cert/--tls-key). Existing files are kept
unless --force is given, so a CA already handed out stays valid.
"""

from __future__ import annotations

import argparse
import ipaddress
import subprocess  # nosec B404 - runs the local openssl binary with fixed arguments
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

DEFAULT_NAMES = ("hub.ascend.test", "localhost", "127.0.0.1", "::1")
VALID_DAYS = "3650"


def subject_alt_names(names: List[str]) -> str:
    entries = []
    for name in names:
        try:
            ipaddress.ip_address(name)
            entries.append("IP:%s" % name)
        except ValueError:
            entries.append("DNS:%s" % name)
    return ",".join(entries)


def openssl(*arguments: str) -> None:
    subprocess.run(["openssl", *arguments], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # nosec B603 B607


def make_certificates(out: Path, names: List[str], force: bool = False) -> Path:
    """Create ca.pem/ca-key.pem and hub.pem/hub-key.pem in OUT; returns the CA path."""
    out.mkdir(parents=True, exist_ok=True)
    ca, ca_key, cert, key = out / "ca.pem", out / "ca-key.pem", out / "hub.pem", out / "hub-key.pem"
    if force or not (ca.is_file() and ca_key.is_file()):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", str(ca_key), "-out", str(ca), "-days", VALID_DAYS, "-subj", "/CN=Ascend test bed CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-addext", "subjectKeyIdentifier=hash")
        force = True
    if force or not (cert.is_file() and key.is_file()):
        with tempfile.TemporaryDirectory() as scratch:
            request = Path(scratch) / "hub.csr"
            extensions = Path(scratch) / "hub.ext"
            extensions.write_text(
                "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n"
                "subjectAltName=%s\n" % subject_alt_names(names)
            )
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(request), "-subj", "/CN=%s" % names[0])
            openssl("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
                    "-out", str(cert), "-days", VALID_DAYS, "-extfile", str(extensions))
    for private in (ca_key, key):
        private.chmod(0o600)
    return ca


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for ca.pem, hub.pem, hub-key.pem")
    parser.add_argument("--name", action="append", dest="names",
                        help="DNS name or IP the hub is reached by (repeatable; default: %s)" % ", ".join(DEFAULT_NAMES))
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    try:
        print(make_certificates(args.out, args.names or list(DEFAULT_NAMES), args.force))
    except subprocess.CalledProcessError as error:
        sys.stderr.write("openssl failed: %s\n" % error.stderr.decode(errors="replace"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
