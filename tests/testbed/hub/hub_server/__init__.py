"""Stand-in model hub for the emulated Atlas test bed (standard library only): ``python3 hub_server ...``.

Serves the repositories under --root (ROOT/OWNER/NAME/...) through enough of the
Hugging Face Hub API and of the ModelScope API that the real clients download
from it unchanged:

  Hugging Face  (HF_ENDPOINT=http://HOST:PORT)
    GET  /api/models/OWNER/NAME[/revision/REV]          model info (sha, siblings; ?blobs=true adds sizes, lfs)
    GET  /api/models/OWNER/NAME/tree/REV[/PATH]          tree listing (?recursive=true)
    POST /api/models/OWNER/NAME/paths-info/REV           per-path info
    HEAD/GET /OWNER/NAME/resolve/REV/PATH                file (ETag, X-Repo-Commit, X-Linked-*, Range)
  ModelScope    (MODELSCOPE_DOMAIN=HOST:PORT, https; MODELSCOPE_ENDPOINT=http[s]://HOST:PORT for modelscope>=1.38)
    GET  /api/v1/models/OWNER/NAME                       repo info
    GET  /api/v1/models/OWNER/NAME/revisions             branches (master) and tags (none)
    GET  /api/v1/models/OWNER/NAME/repo/files            file list with Size, Sha256, Revision
    GET  /api/v1/repos/internalAccelerationInfo          no intra-cloud region
    HEAD/GET /api/v1/models/OWNER/NAME/repo?FilePath=P   file (Range)
  Control (tests)
    GET /_hub/health, GET|PUT|DELETE /_hub/faults, GET|PUT|DELETE /_hub/gate, GET /_hub/whoami, GET|DELETE /_hub/requests, GET /_hub/repos,
    GET /_hub/ca.pem (the CA given with --tls-ca)

Revisions "main" (HF), "master" (ModelScope) and the repository's commit id all
name the current content; the commit id is derived from the files' checksums.

ModelScope clients before 1.38 always use https://MODELSCOPE_DOMAIN, so with
--tls-cert/--tls-key the same port also speaks TLS (the first byte of a
connection tells a TLS ClientHello from plain HTTP).

Fault injection (flags, HUB_FAULT_* variables, or PUT /_hub/faults at run time):
  cut_after N    the next cut_times file responses (matching cut_files) stop after N body bytes
  corrupt_files  matching files are served with one byte flipped (same size, wrong sha256)
  short_files    matching files are served shorter than listed (size mismatch)
Gated repositories (PUT /_hub/gate {"token": T, "repos": [globs], "clients": [addresses]};
  without "clients" for every client, else only for those, GET /_hub/whoami tells a caller
  its address, so a test does not gate the scenarios beside it): without a credential
  401, with another one 403 (HF: X-Error-Code GatedRepo); the token is read from
  "Authorization: Bearer T" (huggingface_hub, and the role's listing request) or the
  ModelScope clients' cookie m_session_id=T. GET /_hub/gate never shows the token.
Every request is logged to stderr (one line), kept for GET /_hub/requests and,
with --request-log, appended as a JSON line to that file.

Modules: ``store`` (repositories, checksums, commit ids), ``faults``, ``gate``, ``huggingface`` and
``modelscope`` (the two APIs), ``control`` (/_hub/), ``request_log``, ``handler`` (what every
route shares: the request log record, JSON and file bodies), ``routes`` (which API answers which
path), ``server`` (HTTP and TLS on one port) and ``cli``.
"""
