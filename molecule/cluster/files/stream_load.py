"""A bounded load of streamed completions for the rolling tests: CLIENTS
clients, each sending one streamed completion after the other through the
front for at most DURATION seconds, or until the file OUT.stop exists (the
test writes it when the change under load is over; a request started
before the end runs to its end), every outcome written as a JSON line.

    LOAD_API_KEY=KEY [LOAD_CA_FILE=CA] python3 stream_load.py URL MODEL CLIENTS DURATION TOKENS OUT

A request counts as completed when it answered 200 and its stream brought
TOKENS tokens (ignore_eos) and ended with [DONE]; anything else (a refused or
broken connection, a short stream) is a failed request, with what happened.
Runs on the controller, as a client of the cluster would; the router's
retries are off in these tests, so a replica stopped with a request in
flight shows here.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request


def stream_once(url: str, model: str, key: str, tokens: int, context) -> dict:
    body = json.dumps({'model': model, 'prompt': 'count to a thousand', 'max_tokens': tokens, 'temperature': 0,
                       'ignore_eos': True, 'stream': True}).encode()
    request = urllib.request.Request(url + '/v1/completions', data=body, method='POST', headers={
        'Content-Type': 'application/json', 'Authorization': 'Bearer ' + key})
    outcome = {'sent': time.time(), 'status': 0, 'tokens': 0, 'done': False, 'error': ''}
    try:
        with urllib.request.urlopen(request, timeout=120, context=context) as answer:
            outcome['status'] = answer.status
            for raw in answer:
                line = raw.decode('utf-8', 'replace').strip()
                if not line.startswith('data:'):
                    continue
                data = line[len('data:'):].strip()
                if data == '[DONE]':
                    outcome['done'] = True
                    break
                chunk = json.loads(data)
                outcome['tokens'] += sum(1 for choice in chunk.get('choices', []) if choice.get('text'))
    except urllib.error.HTTPError as error:
        outcome['status'] = error.code
        outcome['error'] = error.read().decode('utf-8', 'replace')[:200]
    except (urllib.error.URLError, OSError, ValueError) as error:
        outcome['error'] = '%s: %s' % (type(error).__name__, error)
    outcome['seconds'] = round(time.time() - outcome['sent'], 3)
    outcome['completed'] = outcome['status'] == 200 and outcome['done'] and outcome['tokens'] == tokens
    return outcome


def main(argv) -> int:
    url, model = argv[1], argv[2]
    clients, duration, tokens, path = int(argv[3]), float(argv[4]), int(argv[5]), argv[6]
    key = os.environ['LOAD_API_KEY']
    # The front with TLS: the site's CA (LOAD_CA_FILE), as its clients trust it.
    context = ssl.create_default_context(cafile=os.environ['LOAD_CA_FILE']) if os.environ.get('LOAD_CA_FILE') else None
    stop = time.time() + duration
    lock = threading.Lock()
    with open(path, 'w', encoding='utf-8') as out:
        def client() -> None:
            while time.time() < stop and not os.path.exists(path + '.stop'):
                outcome = stream_once(url, model, key, tokens, context)
                with lock:
                    out.write(json.dumps(outcome) + '\n')
                    out.flush()

        threads = [threading.Thread(target=client) for index in range(clients)]
        for thread in threads:
            thread.start()
            time.sleep(0.1)
        for thread in threads:
            thread.join()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
