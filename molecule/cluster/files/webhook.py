"""A webhook receiver for the alert test: every POST body (an Alertmanager
notification) appended as one line to OUT.

    python3 webhook.py PORT OUT
"""

from __future__ import annotations

import http.server
import sys


def main(argv) -> int:
    port, path = int(argv[1]), argv[2]

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
            with open(path, 'ab') as out:
                out.write(body.replace(b'\n', b' ') + b'\n')
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    http.server.HTTPServer(('127.0.0.1', port), Hook).serve_forever()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
