"""The request handler: which API answers which path."""

from __future__ import annotations

from typing import Dict, List

from .control import ControlRoutes
from .huggingface import HuggingFaceRoutes
from .modelscope import ModelScopeRoutes


class HubRequestHandler(ControlRoutes, HuggingFaceRoutes, ModelScopeRoutes):
    def _route(self, path: str, query: Dict[str, List[str]], send_body: bool) -> None:
        if path.startswith("/_hub/"):
            self._control(path, send_body)
            return
        if not self._route_huggingface(path, query, send_body) and not self._route_modelscope(path, query, send_body):
            super()._route(path, query, send_body)
