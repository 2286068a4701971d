"""A bounded load for the cluster scenario: completions through the front at a
fixed rate, each outcome written as a JSON line (send time, status, seconds).

    LOAD_API_KEY=KEY python3 load.py URL MODEL RATE DURATION OUT

Runs on the controller, as a client of the cluster would.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request


def send(url: str, model: str, key: str, out, lock: threading.Lock) -> None:
    body = json.dumps({'model': model, 'prompt': 'count to three', 'max_tokens': 8, 'temperature': 0}).encode()
    request = urllib.request.Request(url + '/v1/completions', data=body, method='POST', headers={
        'Content-Type': 'application/json', 'Authorization': 'Bearer ' + key})
    started = time.time()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError):
        status = 0
    with lock:
        out.write(json.dumps({'sent': started, 'status': status, 'seconds': round(time.time() - started, 3)}) + '\n')
        out.flush()


def main(argv) -> int:
    url, model, rate, duration, path = argv[1], argv[2], float(argv[3]), float(argv[4]), argv[5]
    key = os.environ['LOAD_API_KEY']
    lock = threading.Lock()
    threads = []
    with open(path, 'w', encoding='utf-8') as out:
        start = time.time()
        sent = 0
        while time.time() - start < duration:
            thread = threading.Thread(target=send, args=(url, model, key, out, lock))
            thread.start()
            threads.append(thread)
            sent += 1
            time.sleep(max(0.0, start + sent / rate - time.time()))
        for thread in threads:
            thread.join()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
