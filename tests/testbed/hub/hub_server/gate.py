"""Gated repositories: what the hub answers without the token, and which credential a request carried."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Dict, List, Tuple

from .store import matches_any

# ModelScope clients send the access token as this cookie (HubApi.get_cookies);
# huggingface_hub sends "Authorization: Bearer <token>".
MODELSCOPE_TOKEN_COOKIE = "m_session_id"


@dataclass
class Gate:
    """Repositories (globs of OWNER/NAME) that only a request carrying ``token`` may read.

    ``clients`` (addresses) narrows the gate to requests from those clients, so
    that a test gating a repository does not refuse scenarios running beside it.
    """

    token: str = ""
    repos: List[str] = field(default_factory=list)
    clients: List[str] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: Dict[str, object]) -> "Gate":
        unknown = set(data) - {"token", "repos", "clients"}
        if unknown:
            raise ValueError("unknown gate keys: %s" % ", ".join(sorted(unknown)))
        token = str(data.get("token") or "")
        repos = data.get("repos") or []
        if not isinstance(repos, list) or not all(isinstance(item, str) and item for item in repos):
            raise ValueError("repos must be a list of OWNER/NAME globs")
        if repos and not token:
            raise ValueError("a gate needs a token")
        clients = data.get("clients") or []
        if not isinstance(clients, list) or not all(isinstance(item, str) and item for item in clients):
            raise ValueError("clients must be a list of addresses")
        return cls(token=token, repos=list(repos), clients=list(clients))

    def public(self) -> Dict[str, object]:
        """What GET /_hub/gate shows: never the token itself."""
        return {"repos": list(self.repos), "clients": list(self.clients), "token_set": bool(self.token)}


def presented_credential(authorization: str, cookie_header: str) -> Tuple[str, str]:
    """(kind, value) of the credential a request carried: ("bearer"|"cookie"|"", token)."""
    scheme, _sep, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return "bearer", value.strip()
    if cookie_header:
        try:
            cookies = SimpleCookie(cookie_header)
        except CookieError:
            return "", ""
        morsel = cookies.get(MODELSCOPE_TOKEN_COOKIE)
        if morsel is not None and morsel.value:
            return "cookie", morsel.value
    return "", ""


class GateState:
    """The gate shared by all handler threads, replaced at run time through /_hub/gate."""

    def __init__(self, gate: Gate) -> None:
        self._lock = threading.Lock()
        self._gate = gate

    def snapshot(self) -> Gate:
        with self._lock:
            return Gate(**asdict(self._gate))

    def replace(self, gate: Gate) -> None:
        with self._lock:
            self._gate = gate

    def refuses(self, repo_id: str, credential: str, client: str) -> bool:
        """True when repo_id is gated for this client and the credential is not the gate's token."""
        gate = self.snapshot()
        if gate.clients and client not in gate.clients:
            return False
        return matches_any(repo_id, gate.repos) and credential != gate.token
